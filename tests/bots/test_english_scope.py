"""Whether an English question is one the assistant answers (session 11): a procedure its words
name with a verb of getting or doing one is, whatever the classifier says; the weather,
football or what things cost are not. And the English readings that let the words name it: the
paper a certified copy is made of, an everyday name done with a verb ("get my household
registered"), a name's word qualifying another noun ("passport photos"), an age said with a
verb, a plural mistyped, the language's own small words.

Pure Python, on the demo procedure names and the catalogue's everyday names. Questions in my
own words.
"""

from pathlib import Path

import pytest
from actions import resolve, text, vocabulary

from tests.bots.procedure_names import (
    decide_ranked,
    everyday_names,
    procedure_index_with_language_words,
)

ROOT = Path(__file__).resolve().parents[2]
MARITAL_STATUS = "1.004873"
CRIMINAL_RECORD = "3.000333"
SIGNATURES = "2.000884"
CERTIFIED_COPY = "2.000815"
CONTRACTS = "2.001035"
PASSPORT = "1.001456"
PERMANENT_RESIDENCE = "1.004222"
BIRTH = "1.001193"
ID_CARD_UNDER_14 = "1.014062"
ID_CARD_14_AND_OVER = "2.000200"
DRIVING_EXCHANGE = "3.000347"
VEHICLE = "1.010910"


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    return procedure_index_with_language_words()


@pytest.fixture(scope="module")
def synonyms() -> dict[str, list[str]]:
    return everyday_names()


def _decide(
    index: resolve.NameIndex,
    synonyms: dict[str, list[str]],
    question: str,
    *ranked: tuple[str, float],
) -> resolve.Decision:
    read = text.deed_after_thing(question, index.frequency, synonyms)
    return decide_ranked(index, read, ranked, synonyms, english=True)


@pytest.mark.parametrize(
    ("question", "record"),
    [
        # An everyday name of several words, with a verb of getting or needing.
        ("my fiancee has to get a single status certificate first, who issues it", MARITAL_STATUS),
        ("does my partner need a certificate of no impediment to marry me", MARITAL_STATUS),
        ("the embassy wants a police clearance, how do I apply", CRIMINAL_RECORD),
        # A rare pair of the record's own name.
        ("I need a criminal record certificate for my work permit", CRIMINAL_RECORD),
        # What it does to what, said with a verb.
        ("where can I get my signature certified on a sales letter", SIGNATURES),
        ("need some copies of my school transcript certified", CERTIFIED_COPY),
        # An everyday name done with a verb ("household registration").
        ("how can we get our household registered in Sam Son", PERMANENT_RESIDENCE),
    ],
)
def test_a_procedure_named_with_a_verb_is_asked_whatever_the_classifier_says(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, record: str
) -> None:
    decision = _decide(procedures, synonyms, question, (record, 0.5))
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == record
    assert resolve.asks_named_procedure(text.deed_after_thing(question, {}, synonyms), decision)


@pytest.mark.parametrize(
    ("question", "ranked"),
    [
        # Nothing of a procedure named, only a verb it is done with.
        ("where can I exchange my dollars for dong", DRIVING_EXCHANGE),
        ("how do I transfer money home to my parents", "2.002481"),
        # A thing a procedure is about, asked with no verb of doing it.
        ("how much does a used scooter cost in Thanh Hoa", VEHICLE),
        ("what does a Vietnamese passport look like", PASSPORT),
        # A name's lone word qualifying another thing.
        ("where can I get passport photos printed", PASSPORT),
    ],
)
def test_a_question_naming_no_procedure_with_a_verb_stays_out(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, ranked: str
) -> None:
    decision = _decide(procedures, synonyms, question, (ranked, 0.5))
    # (The words no catalogue knows, as the vocabulary says of these.)
    unknown = [word for word in text.words(question) if word in {"photos", "dong", "look"}]
    assert not resolve.asks_named_procedure(question, decision, unknown)


@pytest.mark.parametrize(
    "question",
    [
        "will it be sunny in Sam Son on Saturday",
        "who scored in the match against Thailand",
        "how much should I pay for a bowl of noodles",
        "can I get a cheap flight to Da Nang",
    ],
)
def test_the_weather_football_and_prices_name_no_procedure(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str
) -> None:
    decision = _decide(procedures, synonyms, question, (PASSPORT, 0.1), (BIRTH, 0.1))
    assert not resolve.asks_named_procedure(question, decision)


def test_two_procedures_each_named_are_offered_not_turned_away(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]]
) -> None:
    question = "I need a criminal record certificate or a single status certificate"

    def named(record: str) -> resolve.Scored:
        found = _decide(procedures, synonyms, question, (record, 0.5)).best
        assert found is not None
        return found

    both = [named(CRIMINAL_RECORD), named(MARITAL_STATUS)]
    assert resolve.asks_named_procedure(question, resolve.Decision("choose", both))
    # Not where one of those offered is found by a lone word ("passport").
    lone = _decide(procedures, synonyms, "I need a passport", (PASSPORT, 0.5)).best
    assert lone is not None
    offered = resolve.Decision("choose", [both[0], lone])
    assert not resolve.asks_named_procedure("I need a criminal record or a passport", offered)
    # Nor a doubt ("unsure": the words say more than the names).
    assert not resolve.asks_named_procedure(question, resolve.Decision("unsure", both))


@pytest.mark.parametrize(
    ("question", "paper"),
    [
        (
            "could I have copies of my old university transcript certified here",
            {"my", "old", "university", "transcript"},
        ),
        ("a copy of the tenancy agreement, certified by the ward", {"the", "tenancy", "agreement"}),
        ("how do I certify a copy of my lease for the bank", {"my", "lease"}),
        # No copy certified: nothing.
        ("I need a copy of my birth certificate", set()),
        ("bản sao giấy khai sinh có chứng thực", set()),
    ],
)
def test_the_paper_a_certified_copy_is_made_of(question: str, paper: set[str]) -> None:
    assert text.copied_paper(question) == paper


def test_what_a_copy_is_made_of_is_not_what_is_certified(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]]
) -> None:
    question = "can the commune certify a copy of my rental contract"
    assert text.deed_after_thing(question, procedures.frequency).endswith("certification of copies")
    decision = _decide(procedures, synonyms, question, (CONTRACTS, 0.05), (CERTIFIED_COPY, 0.05))
    assert decision.best is not None and decision.best.candidate.id == CERTIFIED_COPY
    # A contract itself certified is the contracts' certification.
    own = "where do we get our sales contract certified"
    assert text.deed_after_thing(own, procedures.frequency).endswith("certification of contracts")


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("we want our household registered at the new flat", "household registration"),
        ("I have to register the business before opening", "business registration"),
        # A name's own phrase still comes first.
        ("we must register the birth this week", "birth registration"),
    ],
)
def test_an_everyday_name_done_with_a_verb_is_read_as_it(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, phrase: str
) -> None:
    assert text.deed_after_thing(question, procedures.frequency, synonyms) == (
        f"{question} {phrase}"
    )


@pytest.mark.parametrize(
    ("question", "modified"),
    [
        ("where do they take passport pictures", True),
        ("is there a passport holder shop", True),
        ("how fast is a passport renewed", False),
        ("are passports issued at the ward", False),
        ("which passport office", False),  # a word the catalogues know: the office
    ],
)
def test_a_names_word_before_an_unknown_noun_qualifies_it(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, modified: bool
) -> None:
    decision = _decide(procedures, synonyms, question, (PASSPORT, 0.5))
    assert decision.best is not None
    unknown = [word for word in text.words(question) if word in {"pictures", "holder", "shop"}]
    assert resolve.modified_in_english(question, decision.best, unknown) is modified


@pytest.mark.parametrize(
    ("question", "ages"),
    [
        ("my boy is 16, can he get an ID card", (16, 17)),
        ("she turned 14 last month", (14, 15)),
        ("ID card for a 12-year-old", (12, 13)),
        ("I am 19 and never had a passport", (19, 20)),
        # A distance, an amount, a paper's age: no person's (review, session 11).
        ("the office is 15 km away", None),
        ("it is 20 minutes by bike", None),
        ("so the passport fee is 40 thousand?", None),
        ("my licence is 12 years old, must I change it", None),
        ("our red book is 30", None),
    ],
)
def test_an_age_said_in_english(question: str, ages: tuple[int, int] | None) -> None:
    assert resolve._ages_asked(text.fold(question)) == ages


def test_an_age_said_with_a_verb_picks_the_card_for_it(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]]
) -> None:
    decision = _decide(
        procedures,
        synonyms,
        "can my son apply for an id card now that he is 15",
        (ID_CARD_UNDER_14, 0.0),
        (ID_CARD_14_AND_OVER, 0.0),
    )
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == ID_CARD_14_AND_OVER


def test_a_mistyped_plural_of_a_names_word_is_that_word(procedures: resolve.NameIndex) -> None:
    known = vocabulary.Vocabulary(["how are they issued", "which law"])
    assert "passport" in text.respelled("how are pasports issued", [procedures], known).split()
    assert "passport" in text.search_words("which law covers passprots", [procedures], known)


def test_the_english_of_any_sentence_is_known() -> None:
    known = vocabulary.Vocabulary(vocabulary.question_texts(ROOT / "bots" / "data" / "nlu"))
    for word in ("she", "if", "because", "says", "were", "unless"):
        assert known.knows(word), word
    for word in ("diploma", "girlfriends", "weather"):
        assert not known.knows(word) or word == "girlfriends", word


def test_where_an_english_name_is_done_is_not_what_it_is_about(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]]
) -> None:
    # *Issuance of an ordinary passport in Viet Nam*: "passport" is the thing, not "Viet Nam".
    decision = _decide(
        procedures, synonyms, "which rules cover how passports are issued", (PASSPORT, 0.5)
    )
    assert decision.best is not None and decision.best.thing_said


@pytest.mark.parametrize(
    "question",
    [
        "can my husband apply for my passport while I am abroad",
        "I want to renew the passport before my trip",
    ],
)
def test_a_names_thing_done_with_a_verb_names_the_procedure(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str
) -> None:
    decision = _decide(procedures, synonyms, question, (PASSPORT, 0.5))
    assert decision.kind == "answer" and decision.best is not None
    assert resolve.asks_named_procedure(question, decision)


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        # Needing a paper is not asking for one; a thing the name's word qualifies is another.
        ("do we need a passport on the ferry", ["ferry"]),
        ("where do I get passport pictures done", ["pictures"]),
    ],
)
def test_a_names_thing_needed_or_qualifying_another_is_no_procedure_asked(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, unknown: list[str]
) -> None:
    decision = _decide(procedures, synonyms, question, (PASSPORT, 0.5))
    assert not resolve.asks_named_procedure(question, decision, unknown)


@pytest.mark.parametrize(
    "question",
    [
        "which decree is the household business registration under",
        "what regulations cover temporary residence",
        "under which laws are passports issued",
    ],
)
def test_a_decree_or_regulation_asks_the_legal_basis(question: str) -> None:
    assert text.aspect_in(question, "procedures") == "legal"


def test_where_in_english_names_nothing() -> None:
    known = vocabulary.Vocabulary(vocabulary.question_texts(ROOT / "bots" / "data" / "nlu"))
    for word in ("province", "country", "another", "abroad", "district"):
        assert known.knows(word), word


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        # English puts the thing last: the business is registered, not the motorbike or household.
        ("how can I register a family pho business", "business registration"),
        ("we want to register our small household business", "business registration"),
        # Up to the first small word: the birth, not the son.
        ("we need to register the birth of our son", "birth registration"),
    ],
)
def test_the_thing_a_verb_is_done_to_is_the_last_of_its_phrase(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, phrase: str
) -> None:
    assert text.deed_after_thing(question, procedures.frequency, synonyms).endswith(phrase)


@pytest.mark.parametrize(
    ("question", "vehicle"),
    [
        ("how do I register my scooter", True),
        ("register the car in my name please", True),
        ("I need a plate for the motorbike", True),
        ("where is my car plate number registered", True),
        ("register a motorbike bought from a friend", True),
        # The vehicle qualifies another thing.
        ("how do I register a motorbike repair shop", False),
        ("do I have to register car insurance", False),
    ],
)
def test_a_vehicle_before_another_noun_qualifies_it(question: str, vehicle: bool) -> None:
    read = text.vehicles_named(question, {"vehicles": 1, "register vehicles": 1, "number plate": 1})
    assert (read != question) is vehicle


@pytest.mark.parametrize(
    ("question", "undone"),
    [
        # A deed no catalogue knows done to the record's paper: the catalogue lacks it.
        ("could you get my marriage certificate translated for the bank", True),
        ("we need the marriage certificate laminated", True),
        ("who can translate my marriage certificate", True),
        ("is a notarised translation of the marriage certificate accepted", True),
        # The record's own deed, a loss or damage, or a word describing it: none.
        ("we want to get our marriage registered next month", False),
        ("I lost my marriage certificate on the bus", False),
        ("my marriage certificate got damaged in the flood", False),
        ("which law is the marriage registration based on", False),
    ],
)
def test_a_deed_no_catalogue_knows_done_to_the_paper(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, undone: bool
) -> None:
    decision = _decide(procedures, synonyms, question, ("1.000894", 0.5))
    assert decision.best is not None
    vocabulary_words = vocabulary.Vocabulary(
        [*vocabulary.question_texts(ROOT / "bots" / "data" / "nlu"), *procedures.names["1.000894"]]
    )
    unknown = [word for word in text.words(question) if not vocabulary_words.knows(word)]
    assert resolve.undone_deed(question, decision.best, unknown) is undone


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how can I get my business registration amended", "modify"),
        ("I want my red book updated with the new owner", "modify"),
        ("I'd like my temporary residence extended", "extend"),
        ("my old card was replaced last year, I need it replaced again", "renew"),
        ("the registration was cancelled by mistake", "cancel"),
    ],
)
def test_an_english_verb_form_of_a_change_asks_it(question: str, kind: str) -> None:
    assert kind in resolve.change_kinds_asked(question)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        # "online" is a word Vietnamese uses as it is: no sign of English.
        ("nop ho so dang ky ket hon online duoc khong", "vi"),
        ("lam can cuoc online o dau", "vi"),
        ("dang ky khai sinh online", None),  # no word of either language: the conversation's
        ("can I register the marriage online", "en"),
        ("is the passport application online", "en"),
    ],
)
def test_a_word_both_languages_use_tells_neither(question: str, lang: str | None) -> None:
    assert text.detect_lang(question) == lang
