"""English questions as tourists and expats type them (bots/actions/text.py, resolve.py: pure
Python, on the demo procedure names).

English words are whole words, inflected ("register" of *... registration*), with function
words ("the", "at") that pair with anything, possessives ("driver's") and typos in aspect words
("tiket").
"""

from collections.abc import Sequence

import pytest
from actions import resolve, text

from tests.bots.procedure_names import procedure_index_with_language_words

ID_CARD_UNDER_14 = "1.014062"
CERTIFIED_COPY = "2.000815"
HOUSEHOLD_BUSINESS = "1.001612"


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    return procedure_index_with_language_words()


@pytest.mark.parametrize(
    ("question", "folded"),
    [
        ("my driver's license", "my driver license"),
        ("my grandfather’s death", "my grandfather death"),
        ("FLC's phone", "flc phone"),
        ("Hàm Rồng", "ham rong"),
    ],
)
def test_a_possessive_is_the_word_it_belongs_to(question: str, folded: str) -> None:
    assert text.fold(question) == folded


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("FPT school, how do I enroll my kid?", "admission"),
        ("How do I enrol my son in grade 6?", "admission"),
        ("Can we trek in Xuan Lien? Who do I contact?", "phone"),
        ("how far is hai tien from thanh hoa city", "address"),
        ("Hieu waterfall how much is the tiket", "price"),
        ("Ham Rong entry fee", "price"),
        # A word one letter short of an aspect word but a syllable of its own is not it.
        ("gia ve bao nhieu", "price"),
    ],
)
def test_english_aspect_words(question: str, aspect: str) -> None:
    assert text.aspect_in(question, "places") == aspect


def test_a_letter_dropped_from_an_aspect_word_is_that_word() -> None:
    assert text.aspect_typos("Hieu waterfall how much is the tiket", "places") == {"tiket"}
    # Not a word's own other spelling that is a Vietnamese syllable ("tien" is not "tiket").
    assert text.aspect_typos("ve bao nhieu tien", "places") == set()


def test_english_function_words_make_no_rare_pair(procedures: resolve.NameIndex) -> None:
    # "the commune" of *... (at the commune police)* is "commune", a word of many names, not a
    # rare pair naming the record; nor is "at the" something the certification leaves unsaid.
    question = "Can I get a certified copy of my university diploma at the commune office?"
    candidates = [
        resolve.Candidate("procedure", code, code, score=1.0, margin=0.1)
        for code in (ID_CARD_UNDER_14, CERTIFIED_COPY)
    ]
    by_code = {s.candidate.id: s for s in resolve.score(question, candidates, procedures)}
    assert "the commune" in by_code[ID_CARD_UNDER_14].shared
    assert by_code[ID_CARD_UNDER_14].strong == ()
    assert procedures.unexplained(question, CERTIFIED_COPY) == 0.0
    # Vietnamese pairs are pairs whatever their syllables ("có" of "có thẩm quyền").
    vietnamese = resolve.score("chứng thực bản sao có thẩm quyền", candidates, procedures)
    assert "co tham" in {s.candidate.id: s for s in vietnamese}[CERTIFIED_COPY].strong


def test_an_inflected_english_word_is_the_names_word(procedures: resolve.NameIndex) -> None:
    # "register" is the "registration" of *Household business registration*, not another
    # record's word left unexplained; "certificate" still is (other names hold it).
    question = "How do I register a small household business? My wife wants to open a shop."
    assert procedures.unexplained(question, HOUSEHOLD_BUSINESS) == 0.0
    assert procedures.unexplained(f"{question} Certificate?", HOUSEHOLD_BUSINESS) > 0.0


def test_the_countrys_people_leave_nothing_unexplained(procedures: resolve.NameIndex) -> None:
    # Every record is Vietnamese: "my Vietnamese husband" says whose, as "in Thanh Hoa" says
    # where, though a few names hold the word ("overseas Vietnamese"); that pair still counts.
    question = "My Vietnamese husband wants to open a small household business, how?"
    assert procedures.unexplained(question, HOUSEHOLD_BUSINESS) == 0.0
    assert (
        procedures.unexplained("household business for an overseas Vietnamese", HOUSEHOLD_BUSINESS)
        > 0.0
    )


class _Vocabulary:
    """What the assistant knows besides the names: here, the words of how people ask."""

    def __init__(self, words: set[str]) -> None:
        self.words = words

    def knows(self, word: str) -> bool:
        return word in self.words

    def in_phrases(self, words: Sequence[str]) -> set[int]:
        return set()  # no everyday names here


def test_an_english_question_is_searched_with_the_words_that_name_records(
    procedures: resolve.NameIndex,
) -> None:
    vocabulary = _Vocabulary({"how", "long", "does", "it", "take", "get", "price"})
    # How it is asked is left out; a typo of a name's word is that word; a word nothing holds
    # (perhaps what the catalogue lacks) is kept.
    found = text.search_words(
        "How long does it take to get a Vietnamese passpot for my grandfather?",
        [procedures],
        vocabulary,
    )
    assert found.startswith("vietnamese passport ") and found.endswith(" grandfather")
    assert not {"how", "long", "does", "it", "take", "get", "a", "to"} & set(found.split())
    # A word the assistant knows as typed is not respelled as a name's ("price" is no "rice").
    assert "rice" not in text.search_words("passport price", [procedures], vocabulary)
    # Vietnamese, typed either way: as typed.
    assert text.search_words("làm hộ chiếu mất bao lâu", [procedures], vocabulary) == (
        "làm hộ chiếu mất bao lâu"
    )
    assert text.search_words("lam ho chieu mat bao lau", [procedures], vocabulary) == (
        "lam ho chieu mat bao lau"
    )


def test_a_vietnamese_language_word_in_a_name_still_pairs_in_english() -> None:
    # "trong" (in) is a word of the Vietnamese descriptions, and half of "Trống Mái".
    index = resolve.NameIndex(
        {
            "rocks": ["Hòn Trống Mái", "Trống Mái Rocks"],
            **{
                f"p{n}": [f"Đền thờ số {n} trong làng", f"Temple {n} of the village"]
                for n in range(9)
            },
        }
    )
    index.language_words = {"trong", "the", "of"}
    candidates = [resolve.Candidate("attraction", "rocks", "Trống Mái Rocks")]
    (scored,) = resolve.score("where is trong mai rock", candidates, index)
    assert scored.strong == ("trong mai",)
    vocabulary = _Vocabulary({"where", "is", "rock"})
    assert text.search_words("where is trong mai rock", [index], vocabulary) == "trong mai rock"


def test_an_english_plural_reads_the_everyday_name_of_its_singular() -> None:
    synonyms = {"certified copy": ["chung thuc ban sao"], "thi vao 10": ["tuyen sinh lop 10"]}
    assert resolve.synonym_keys("I need certified copies of my diploma", synonyms) == [
        "certified copy"
    ]
    assert resolve.synonym_keys("certified copy of my diploma", synonyms) == ["certified copy"]
    # The language's own words ending in s are no plurals ("this" is no "thi").
    assert resolve.synonym_keys("is this vao 10 ok", synonyms) == []


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("My wife lost her ID card (căn cước) on a trip. How can she get a new one?", "en"),
        ("thẻ căn cước hết hạn", "vi"),
        ("tôi cần làm hộ chiếu", "vi"),
        ("Where is Hàm Rồng?", "vi"),
    ],
)
def test_a_vietnamese_term_in_an_english_question(question: str, lang: str) -> None:
    assert text.detect_lang(question) == lang


def test_a_typo_of_a_names_word_is_read_as_that_word(procedures: resolve.NameIndex) -> None:
    vocabulary = _Vocabulary({"how", "long", "does", "it", "take", "get", "price"})
    assert text.respelled("How long to get a pasport?", [procedures], vocabulary) == (
        "How long to get a passport"
    )
    # Known words and Vietnamese questions stay as typed.
    assert text.respelled("passport price", [procedures], vocabulary) == "passport price"
    assert text.respelled("làm hộ chiếu", [procedures], vocabulary) == "làm hộ chiếu"


def test_a_rival_sharing_only_words_of_the_best_ones_pair_is_no_choice(
    procedures: resolve.NameIndex,
) -> None:
    question = "We want to register a household business for our noodle shop"
    candidates = [
        resolve.Candidate("procedure", code, code, score=1.0, margin=0.05)
        for code in (HOUSEHOLD_BUSINESS, "1.010038")
    ]
    scored = resolve.score(question, candidates, procedures)
    decision = resolve.decide(scored, procedures.min_evidence(), rival_answers=False, english=True)
    assert decision.kind == "answer" and decision.best
    assert decision.best.candidate.id == HOUSEHOLD_BUSINESS


DEATH = "1.000656"


def test_register_before_the_thing_reads_as_the_names_registration(
    procedures: resolve.NameIndex,
) -> None:
    # English says "register my aunt's death"; the name says "Death registration": the pair is
    # read too, and names the record (the lone word "death" is too little alone).
    question = "what must we bring to register my aunt's death"
    read = text.deed_after_thing(question, procedures.frequency)
    assert read.endswith(" death registration")
    candidates = [resolve.Candidate("procedure", DEATH, DEATH, score=1.0, margin=0.5)]
    scored = resolve.score(read, candidates, procedures)[0]
    assert "death registration" in scored.strong
    # No pair of the names, a Vietnamese question: as typed.
    for other in ("register my motorbike", "đăng ký khai tử cho bà"):
        assert text.deed_after_thing(other, procedures.frequency) == other


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        # The names' "<deed> of <thing>", the thing after the verb or before it, its plural.
        ("our landlord says we should extend the temporary stay", "extension of temporary"),
        ("need two signatures certified for the bank", "certification of signatures"),
        ("can the commune mediate our land quarrel", "mediation of land"),
        # "the", "my", "a" are no thing: the next word is.
        ("how to register the death of my aunt", "death registration"),
    ],
)
def test_a_deed_said_with_a_verb_reads_as_the_names_noun(
    procedures: resolve.NameIndex, question: str, phrase: str
) -> None:
    assert text.deed_after_thing(question, procedures.frequency) == f"{question} {phrase}"


def test_a_relative_by_marriage_is_no_law_asked() -> None:
    assert text.aspect_in("my mother-in-law passed away, how to register it", "procedures") == (
        "steps"
    )
    assert text.aspect_in("which law requires it", "procedures") == "legal"


def test_an_english_names_head_joined_by_of_is_its_head(procedures: resolve.NameIndex) -> None:
    # *Certification of copies from originals ...* is long: "certification of" and "of copies"
    # together are its first words, not a sliver of it (MIN_COVERAGE).
    read = text.deed_after_thing("how do we get our copies certified", procedures.frequency)
    candidates = [resolve.Candidate("procedure", CERTIFIED_COPY, CERTIFIED_COPY, 1.0, 0.5)]
    assert resolve.score(read, candidates, procedures)[0].evidence > 0
    # One of the two alone is still a sliver.
    alone = resolve.score("certification of my english level", candidates, procedures)
    assert alone[0].evidence == 0
