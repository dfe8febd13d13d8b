"""Words the assistant does not know, words of the language, and what they change in a decision
(bots/actions/vocabulary.py, resolve.py: pure Python, no Rasa needed).

The vocabulary is built as the action server builds it: the demo catalogues' names and
descriptions (from the data files here, from the API there) and the assistant's own training
questions (bots/data/nlu).
"""

import json
from pathlib import Path

import pytest
from actions import resolve, vocabulary

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "domains"


FILES = {
    "procedure": ("procedures/data/procedures.json", "code", "name"),
    "attraction": ("tourism/data/attractions.json", "slug", "name"),
    "event": ("tourism/data/events.json", "slug", "name"),
    "itinerary": ("tourism/data/itineraries.json", "slug", "title"),
    "hospital": ("health/data/hospitals.json", "id", "name"),
    "school": ("education/data/schools.json", "id", "name"),
}


def _rows(path: str) -> list[dict]:
    rows = json.loads((DATA / path).read_text(encoding="utf-8"))
    return rows["schools"] if isinstance(rows, dict) else rows


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, list[str]]]:
    names: dict[str, dict[str, list[str]]] = {}
    for kind, (path, key, field) in FILES.items():
        for row in _rows(path):
            name = row[field]
            names.setdefault(kind, {})[row[key]] = [name["vi"], name["en"]]
    return names


@pytest.fixture(scope="module")
def descriptions() -> tuple[list[str], list[str]]:
    found: tuple[list[str], list[str]] = ([], [])
    for kind in ("attraction", "event", "itinerary"):
        for row in _rows(FILES[kind][0]):
            found[0].append(row["description"]["vi"])
            found[1].append(row["description"]["en"])
    return found


@pytest.fixture(scope="module")
def known(catalogue, descriptions) -> vocabulary.Vocabulary:  # type: ignore[no-untyped-def]
    every = [n for names in catalogue.values() for pair in names.values() for n in pair]
    general = vocabulary.question_texts(ROOT / "bots" / "data" / "nlu")
    return vocabulary.Vocabulary([*every, *descriptions[0], *descriptions[1], *general])


def test_words_of_the_language_are_computed_from_the_descriptions(descriptions) -> None:  # type: ignore[no-untyped-def]
    common = vocabulary.common_words(*descriptions)
    assert {"the", "of", "in", "va"} <= common
    assert not {"citadel", "beach", "bien", "den"} & common


def test_a_word_of_the_language_alone_names_no_record(catalogue, descriptions) -> None:  # type: ignore[no-untyped-def]
    # "in" is rare in the names ("A weekend in Sầm Sơn") but common in the language.
    tourism = resolve.NameIndex({**catalogue["attraction"], **catalogue["itinerary"]})
    weekend = next(i for i, n in catalogue["itinerary"].items() if "weekend" in n[1].lower())
    question = "How do I get a work permit in Vietnam?"
    assert tourism.evidence(question, weekend)[0] > 0
    tourism.language_words = vocabulary.common_words(*descriptions)
    assert tourism.evidence(question, weekend)[0] == 0


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("Cho em hỏi làm giấy khai sinh cho con cần những giấy tờ gì ạ?", []),
        ("lam giay khai sinh cho con can giay to gi", []),
        ("xin xác nhận hộ nghèo ở đâu", ["ngheo"]),
        ("trợ cấp thất nghiệp nộp ở đâu", ["that"]),  # "thất" is not "thật"
        ("What is the visa policy for Japan?", ["visa", "policy", "japan"]),
        ("thi bang lai xe may A1 dang ky o dau", ["a1"]),  # a code no catalogue has
        ("thac hieu ve vao cua bao nhieu tienn", []),  # a key pressed twice
        ("Where can I buy banh gai cakes?", []),  # an English plural
    ],
)
def test_words_no_catalogue_knows(known, question: str, unknown: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert known.unknown(question) == unknown


def test_folded_words_only_when_asked(known) -> None:  # type: ignore[no-untyped-def]
    # Everyday words typed with accents the texts hold only without them ("đúng"): unknown as
    # written, known folded (the places' choices use the folded reading).
    question = "nhà ở phường Sầm Sơn thì con học cấp 2 Bắc Sơn đúng không"
    assert known.unknown(question, accents=False) == []


def test_everyday_names_of_records_the_catalogue_lacks_stay_unknown(catalogue) -> None:  # type: ignore[no-untyped-def]
    every = [n for names in catalogue.values() for pair in names.values() for n in pair]
    synonyms = {"gplx": ["giay phep lai xe"], "bhtn": ["tro cap that nghiep"]}
    assert vocabulary.usable_synonyms(synonyms, every) == ["gplx", "giay phep lai xe"]


def _candidate(code: str, margin: float) -> resolve.Candidate:
    return resolve.Candidate("procedure", code, code, score=1.0, margin=margin)


def test_lone_syllables_do_not_name_a_procedure(catalogue) -> None:  # type: ignore[no-untyped-def]
    # "mẹ" and "con" of "Đăng ký nhận cha, mẹ, con", for a question about changing a surname:
    # offered, never stated.
    index = resolve.NameIndex(catalogue["procedure"])
    candidates = [_candidate("1.001022", 0.6), _candidate("1.004859", 0.1)]
    scored = resolve.score("muốn đổi sang họ mẹ cho con", candidates, index)
    for decision in (
        resolve.decide(scored, index.min_evidence()),
        resolve.decide(scored, index.min_evidence(), phrase_needed=True),
    ):
        assert decision.kind != "answer" or decision.options[0].candidate.id != "1.001022"


@pytest.mark.parametrize(
    "question",
    ["đăng ký tiêm phòng cho con", "dang ky hoc boi cho con", "đăng ký bảo hiểm xe cho bố"],
)
def test_whom_a_question_is_for_names_no_procedure(catalogue, question: str) -> None:  # type: ignore[no-untyped-def]
    # "cho con": whom the question is for, no "con" of "Đăng ký nhận cha, mẹ, con".
    index = resolve.NameIndex(catalogue["procedure"])
    scored = resolve.score(question, [_candidate("1.001022", 0.6)], index)
    assert resolve.decide(scored, index.min_evidence(), phrase_needed=True).kind != "answer"
    said = resolve.score("đăng ký nhận cha cho con", [_candidate("1.001022", 0.6)], index)
    assert resolve.decide(said, index.min_evidence(), phrase_needed=True).kind == "answer"


def test_a_choice_with_an_unknown_word_says_not_found(catalogue) -> None:  # type: ignore[no-untyped-def]
    index = resolve.NameIndex(catalogue["procedure"])
    candidates = [_candidate("3.000347", 0.05), _candidate("3.000348", 0.05)]
    scored = resolve.score(
        "thi bang lai xe A1", candidates, index, {"bang lai": ["giay phep lai xe"]}
    )
    # Both licences share the very same words and neither name holds "thi" nor "A1" (a
    # driving test, not in the catalogue): not found, with or without the unknown word.
    assert resolve.decide(scored, index.min_evidence()).kind == "unsure"
    assert resolve.decide(scored, index.min_evidence(), unknown=True).kind == "unsure"


def test_abbreviations_are_read_as_the_words_they_stand_for() -> None:
    assert resolve.spelled_out("bv nhi co kham rang khong") == "benh vien nhi co kham rang khong"
    assert resolve.spelled_out("BV phụ sản ở đâu") == "bệnh viện phụ sản ở đâu"
    assert resolve.domains_named("con học cấp 2 Bắc Sơn", {"education": {"truong thcs"}}) == {
        "education"
    }


def test_a_place_rather_than_its_festival_when_the_words_fit_both(catalogue) -> None:  # type: ignore[no-untyped-def]
    index = resolve.NameIndex({**catalogue["attraction"], **catalogue["event"]})
    site = next(i for i, n in catalogue["attraction"].items() if n[1] == "Lê Hoàn Temple")
    feast = next(i for i, n in catalogue["event"].items() if n[1] == "Lê Hoàn Temple Festival")
    candidates = [
        resolve.Candidate("event", feast, feast, 2.0, 0.5),
        resolve.Candidate("attraction", site, site, 1.0, 0.1),
    ]
    for question, chosen in (
        ("Any events at Le Hoan Temple?", site),
        ("When is the Le Hoan Temple Festival?", feast),
    ):
        scored = resolve.score(question, candidates, index)
        decision = resolve.venue_first(resolve.decide(scored, index.min_evidence()), scored)
        assert decision.kind == "answer" and decision.best is not None
        assert decision.best.candidate.id == chosen


def test_an_abbreviation_the_name_does_not_hold_is_read_as_its_meaning(catalogue) -> None:  # type: ignore[no-untyped-def]
    # "bhyt" (health insurance) asked of "Cấp lại thẻ căn cước": not explained by that name.
    index = resolve.NameIndex(catalogue["procedure"])
    candidates = [_candidate("2.001194", 0.6), _candidate("2.000986", 0.1)]
    synonyms = {"bhyt": ["bao hiem y te"], "gplx": ["giay phep lai xe"]}
    scored = resolve.score("cap lai the bhyt bi mat", candidates, index, synonyms)
    assert resolve.decide(scored, index.min_evidence()).kind in ("unsure", "choose")
    licence = [_candidate("3.000348", 0.6), _candidate("3.000347", 0.1)]
    scored = resolve.score("cap lai gplx bi mat", licence, index, synonyms)
    assert resolve.decide(scored, index.min_evidence()).kind == "answer"


def test_lone_syllables_name_no_place_in_vietnamese(catalogue) -> None:  # type: ignore[no-untyped-def]
    # "nghĩa" and "quân" against "Quần thể nghỉ dưỡng FLC Sầm Sơn", typed without accents.
    index = resolve.NameIndex(catalogue["attraction"])
    resort = next(i for i, n in catalogue["attraction"].items() if "FLC" in n[0])
    candidates = [resolve.Candidate("attraction", resort, resort, 1.0, 0.5)]
    scored = resolve.score("dang ky nghia vu quan su o dau", candidates, index)
    if scored[0].evidence >= index.min_evidence():
        decision = resolve.decide(scored, index.min_evidence(), phrase_needed=True)
        assert decision.kind != "answer"
    named = resolve.score("FLC Sầm Sơn ở đâu", candidates, index)
    assert resolve.decide(named, index.min_evidence(), phrase_needed=True).kind == "answer"


def test_typos_are_found_by_the_index_as_by_comparing_every_word(known) -> None:  # type: ignore[no-untyped-def]
    # The deletion index (SymSpell) gives the answers the scan of every candidate gave: known
    # words, each one edit away from them (a letter changed, added, dropped, two swapped) and
    # made-up words. Two words of every kind per 60 known words of 7+ letters, a fixed sample.
    words = sorted(w for w in known.words if w.isalpha() and len(w) >= 7)[::60]
    sample = ["qwzxkvbn", "thutucxx", "abcdefgh", "hospitall", "hsopital"]
    for n, word in enumerate(words):
        i, letter = n % len(word), "aeiouxyz"[n % 8]
        sample += [word, word[:i] + letter + word[i + 1 :], word[:i] + letter + word[i:]]
        sample += [
            word[:i] + word[i + 1 :],
            word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :],
        ]
    sample = [w for w in sample if len(w) >= vocabulary.TYPO_MIN_LENGTH]
    scanned = [any(vocabulary._one_edit(w, c) for c in known._typos) for w in sample]
    assert [known._one_typo_away(w) for w in sample] == scanned
    assert 0 < sum(scanned) < len(sample)


def test_a_festival_is_named_by_words_computed_from_the_names(catalogue) -> None:  # type: ignore[no-untyped-def]
    kinds = {kind: resolve.NameIndex(catalogue[kind]) for kind in ("attraction", "event")}
    markers = resolve.domain_markers(kinds)
    assert resolve.domains_named("tuần này có lễ hội gì không", markers) == {"event"}
    assert resolve.domains_named("When is the next festival?", markers) == {"event"}
    assert "event" not in resolve.domains_named("Lam Kinh mở cửa mấy giờ", markers)
    assert resolve.domains_named("Are there any festivals this spring?", markers) == {"event"}


def test_the_singular_of_a_names_plural_is_known() -> None:
    known = vocabulary.Vocabulary(["Trống Mái Rocks"])
    assert known.unknown("where is trong mai rock") == ["where", "is"]
    # "-ies" plurals too: a name's "copies" makes "copy" known.
    copies = vocabulary.Vocabulary(["Issuance of copies of extracts"])
    assert copies.unknown("the copy of an extract") == ["the", "an"]


def test_an_everyday_name_of_several_words_is_known_only_whole(catalogue, descriptions) -> None:  # type: ignore[no-untyped-def]
    # "lost my id card" names the re-issue of an ID card; "lost" alone (of a passport, a
    # health-insurance card) is still a word no catalogue holds.
    every = [n for names in catalogue.values() for pair in names.values() for n in pair]
    known = vocabulary.Vocabulary([*every, *descriptions[1]], ["lost my id card"])
    assert known.unknown("I lost my id card") == []
    assert "lost" in known.unknown("I lost my passport")


def test_whom_a_question_is_asked_for_names_no_record(tmp_path: Path) -> None:
    # "my girlfriend", "bố em", "cụ nhà em": words of the language, not something no catalogue
    # holds (a long unknown English word made a passport question "not found").
    known = vocabulary.Vocabulary(vocabulary.question_texts(tmp_path))
    assert known.unknown("passport for my girlfriend") == []
    assert known.unknown("bố em, cụ, vợ, chồng") == []
    assert known.unknown("visa for my girlfriend") == ["visa"]


def test_the_out_of_scope_examples_are_what_the_assistant_does_not_answer() -> None:
    # Their words are no question of the assistant's ("thời tiết" is not known from them), and
    # they are read apart: a word only they hold makes a question outside the scope (ask.py).
    nlu = ROOT / "bots" / "data" / "nlu"
    outside = vocabulary.outside_texts(nlu)
    assert any("thời tiết" in line for line in outside)
    assert not any("thời tiết" in line for line in vocabulary.question_texts(nlu))
    known = vocabulary.Vocabulary(vocabulary.question_texts(nlu))
    assert "weather" in known.unknown("weather in Sam Son this weekend")


def test_the_out_of_scope_examples_mark_pairs_in_vietnamese_and_words_in_english() -> None:
    # A lone syllable of "thời tiết", "bầu cử" is other words too ("chi tiết", "bà bầu": review
    # R18); an English word is itself.
    nlu = ROOT / "bots" / "data" / "nlu"
    known = vocabulary.Vocabulary(vocabulary.question_texts(nlu))
    outside = vocabulary.outside_terms(vocabulary.outside_texts(nlu), known)
    assert {"thoi tiet", "weather"} <= outside
    assert not {"tiet", "bau"} & outside
