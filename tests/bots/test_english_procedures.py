"""English procedure questions as expats word them (actions/text.py, resolve.py, vocabulary.py,
answers.py; session 10): a land title passed on by a sale or an inheritance, copies certified
far from the verb, what to bring and how, a paper that names the thing asked for.

Pure Python, on the demo procedure names and the catalogue's everyday names. Questions in my
own words.
"""

from pathlib import Path

import pytest
from actions import answers, resolve, text, vocabulary

from tests.bots.procedure_names import (
    decide_ranked,
    everyday_names,
    procedure_index_with_language_words,
)

ROOT = Path(__file__).resolve().parents[2]
LAND_FIRST = "1.013978"
LAND_CHANGE = "1.013831"
SCHOOL_TRANSFER = "2.002481"
CERTIFIED_COPY = "2.000815"
CIVIL_STATUS_COPY = "2.000635"
PASSPORT = "1.001456"
VEHICLE = "1.010910"
GUIDE_DOMESTIC = "1.004623"
GUIDE_INTERNATIONAL = "1.004628"


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
    read = text.deed_after_thing(question, index.frequency)
    return decide_ranked(index, read, ranked, synonyms, english=True)


@pytest.mark.parametrize(
    "question",
    [
        "my uncle sold us his rice field, how do we get the red book",
        "we are transferring the house to our daughter",
        "I inherited my parents' farm last month",
        "what happens to the land title after an inheritance",
    ],
)
def test_a_sale_a_transfer_an_inheritance_ask_a_change(question: str) -> None:
    assert resolve.asks_change(question)
    assert "modify" in resolve.change_kinds_asked(question)


@pytest.mark.parametrize(
    "question",
    [
        "my cousin inherited a plot near Sam Son, where does he update the red book",
        "we sold our land to a neighbour, how is the red book put in his name",
        "how do I transfer the red book to my daughter",
    ],
)
def test_a_land_title_passed_on_is_not_the_first_registration(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str
) -> None:
    # The search ranks the first registration first (it holds "red book" in its English name).
    decision = _decide(
        procedures,
        synonyms,
        question,
        (LAND_FIRST, 0.3),
        (LAND_CHANGE, 0.1),
        (SCHOOL_TRANSFER, 0.1),
    )
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == LAND_CHANGE


def test_a_red_book_never_had_is_still_the_first_registration(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]]
) -> None:
    decision = _decide(
        procedures,
        synonyms,
        "how do I get a red book for the land my family has farmed for decades",
        (LAND_FIRST, 0.3),
        (LAND_CHANGE, 0.1),
    )
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == LAND_FIRST


def test_a_copy_certified_far_from_the_verb_reads_as_the_certification_of_copies(
    procedures: resolve.NameIndex,
) -> None:
    question = "can I have copies of my old nursing college degree certified at the commune"
    read = text.deed_after_thing(question, procedures.frequency)
    assert read == f"{question} certification of copies"
    # Without a copy, nothing far away is read ("certified" alone).
    plain = "my signature will have to be certified"
    assert text.deed_after_thing(plain, procedures.frequency) == plain


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("I need copies of my bachelor degree certified", CIVIL_STATUS_COPY),
        ("where can I get copies of my passport certified", PASSPORT),
    ],
)
def test_of_two_offered_the_one_whose_deed_the_question_says(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str, other: str
) -> None:
    # *Certification of copies ...*: the question says its deed; *Issuance of copies ...* and
    # *Issuance of an ordinary passport ...* it does not (the passport is what is copied).
    decision = _decide(procedures, synonyms, question, (CERTIFIED_COPY, 0.05), (other, 0.05))
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == CERTIFIED_COPY


def test_a_guide_for_foreign_tourists_is_the_international_card(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]]
) -> None:
    decision = _decide(
        procedures,
        synonyms,
        "I'd like to be a guide for foreign groups visiting Thanh Hoa, which card is that",
        (GUIDE_DOMESTIC, 0.0),
        (GUIDE_INTERNATIONAL, 0.0),
    )
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == GUIDE_INTERNATIONAL


def test_a_new_motorbike_is_the_vehicle_registration(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]]
) -> None:
    decision = _decide(
        procedures,
        synonyms,
        "picked up a new motorbike today, where do I get a plate",
        (VEHICLE, 0.4),
    )
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == VEHICLE


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # The singular names the paper asked for, not "papers" (the documents) mistyped.
        ("how do I obtain a residence paper for the bank", "steps"),
        ("which document do we submit online", "online"),
        ("what papers do we need", "documents"),
        ("what papres do we need", "documents"),
    ],
)
def test_an_aspect_words_singular_is_no_typo_of_it(question: str, aspect: str) -> None:
    assert text.aspect_in(question, "procedures") == aspect


def test_how_and_what_to_bring_asked_together_are_both_answered() -> None:
    assert text.how_and_what_to_bring("How do we register a death and what do we have to bring?")
    assert text.how_and_what_to_bring("làm thế nào để đăng ký kết hôn, cần giấy tờ gì")
    assert not text.how_and_what_to_bring("what do I need to bring for a passport")
    assert not text.how_and_what_to_bring("how do I apply for a passport")
    record = {
        "name": "Birth registration",
        "code": "1.001193",
        "steps": ["Apply at the commune."],
        "documents": [{"name": "Birth certificate from the hospital", "originals": 1}],
    }
    said, _ = answers.procedure_answer(record, "steps_documents", "en")
    steps, _ = answers.procedure_answer(record, "steps", "en")
    documents, _ = answers.procedure_answer(record, "documents", "en")
    assert steps.split("\n", 1)[1] in said and documents.split("\n", 1)[1] in said


def test_what_is_asked_of_a_paper_is_known_but_a_loss_is_not() -> None:
    known = vocabulary.Vocabulary(vocabulary.question_texts(ROOT / "bots" / "data" / "nlu"))
    assert known.knows("replacement") and known.knows("expired") and known.knows("renew")
    assert not known.knows("lost")


@pytest.mark.parametrize(
    ("word", "known"),
    [
        ("getting", True),  # "get", its last letter doubled
        ("registered", True),
        ("applied", True),  # "apply"
        ("moving", True),  # "move"
        ("visas", False),  # still a thing no record is about
        ("sing", False),  # too short a stem to be a form of anything
    ],
)
def test_an_english_verb_form_of_a_known_word_is_known(word: str, known: bool) -> None:
    texts = ["how do I get it", "register", "apply online", "move house"]
    assert vocabulary.Vocabulary(texts).knows(word) is known


def test_an_english_question_is_searched_with_its_everyday_names_whole(
    procedures: resolve.NameIndex,
) -> None:
    # "my" and "id" name no record alone; the everyday name "lost my id card" the search
    # expands as a whole, and a one-word everyday name ("inherit") no name holds.
    known = vocabulary.Vocabulary(
        ["how do I get a new one", "what about", "his land"], ["lost my id card", "inherit"]
    )
    assert text.search_words("I lost my ID card, what about a new one", [procedures], known) == (
        "lost my id card new"
    )
    assert "inherit" in text.search_words("how do I inherit his land", [procedures], known)


@pytest.mark.parametrize(
    ("question", "change"),
    [
        # Selling goods, sending money: no paper passed on (review R6, R7).
        ("we want to sell pho from our front room, what registration is needed", False),
        ("I sell noodles from my house, do I need a business registration", False),
        ("how do I transfer money for the ID card fee", False),
        # Property passed on, before or after the verb.
        ("my parents are transferring the house to my brother", True),
        ("what do we do with the farm we inherited", True),
        ("I inherited my uncle's scooter", True),
    ],
)
def test_a_sale_or_transfer_is_a_change_only_of_property(question: str, change: bool) -> None:
    assert resolve.asks_change(question) is change


@pytest.mark.parametrize(
    "question",
    [
        "how do I transfer my salary to a bank abroad",
        "where can I exchange euros",
    ],
)
def test_sharing_only_what_a_procedure_does_names_none(
    procedures: resolve.NameIndex, synonyms: dict[str, list[str]], question: str
) -> None:
    # "transfer" of *School transfer ...*, "exchange" of the exchanges: nothing of what they are
    # about (review R9).
    decision = _decide(
        procedures,
        synonyms,
        question,
        (SCHOOL_TRANSFER, 0.3),
        ("2.001195", 0.1),
        ("3.000347", 0.1),
    )
    assert decision.kind == "none"
