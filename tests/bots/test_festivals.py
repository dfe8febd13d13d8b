"""Festivals asked of a place (ninth session, issue 14; review findings B9, B3, B10): an event is
named by a word pair of its own name, never by the kind words every festival's name holds ("lễ
hội", "festival") or a lone syllable ("Sơn"); otherwise the events held where the question
names, or the place's own events.

Pure Python, on the demo catalogues' names; the kind words are computed from the names as the
assistant computes them (actions/catalogue.py).
"""

import json
from pathlib import Path

import pytest
from actions import place_answers, resolve

DATA = Path(__file__).resolve().parents[2] / "domains" / "tourism" / "data"


def _names(file: str, key: str) -> dict[str, list[str]]:
    rows = json.loads((DATA / file).read_text(encoding="utf-8"))
    return {row[key]: [row["name"]["vi"], row["name"]["en"]] for row in rows}


@pytest.fixture(scope="module")
def tourism() -> tuple[resolve.NameIndex, set[str]]:
    attractions, events = _names("attractions.json", "slug"), _names("events.json", "slug")
    index = resolve.NameIndex({**attractions, **events})
    index.localities = {"thanh hoa", "sam son"}
    index.language_words = {"in", "the", "a", "of"}
    markers = resolve.domain_markers(
        {"attraction": resolve.NameIndex(attractions), "event": resolve.NameIndex(events)}
    )
    return index, resolve.kind_words(markers["event"])


def _scored(index: resolve.NameIndex, question: str, *kinds_ids: tuple) -> list:
    candidates = [resolve.Candidate(k, i, i, score=1.0, margin=0.0) for k, i in kinds_ids]
    return resolve.score(question, candidates, index)


def test_the_kind_words_of_festivals_are_computed_from_their_names(tourism: tuple) -> None:
    _, kind = tourism
    assert {"le", "hoi", "festival"} <= kind
    assert not {"son", "sam", "lam", "kinh"} & kind


def test_a_lone_syllable_and_the_kind_words_name_no_festival(tourism: tuple) -> None:
    index, kind = tourism
    # "Sơn" of Nga Sơn is a syllable of the Sòng Sơn and Sầm Sơn festivals' names: no choice of
    # those two (the events held in Nga Sơn are listed instead).
    scored = _scored(
        index,
        "năm nay bên Nga Sơn có lễ hội gì",
        ("event", "song-son-temple-festival"),
        ("event", "sam-son-sea-tourism-opening"),
        ("attraction", "tu-thuc-cave"),
    )
    assert resolve.named_event(scored, index, kind).kind == "none"
    # "festival" alone, in a question about the province's next ones.
    scored = _scored(
        index,
        "which festivals are on in Thanh Hoa next month",
        ("event", "le-hoan-temple-festival"),
        ("event", "lam-kinh-festival"),
    )
    assert resolve.named_event(scored, index, kind).kind == "none"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The festival's own pair, beside the temple of the same name: the festival.
        ("lễ hội Sòng Sơn tổ chức vào hôm nào", "song-son-temple-festival"),
        ("Lam Kinh festival dates", "lam-kinh-festival"),
        ("lễ hội biển Sầm Sơn năm nay khi nào", "sam-son-sea-tourism-opening"),
    ],
)
def test_a_festival_named_by_a_pair_of_its_own_name(
    tourism: tuple, question: str, expected: str
) -> None:
    index, kind = tourism
    scored = _scored(
        index,
        question,
        ("attraction", "song-son-temple"),
        ("event", "song-son-temple-festival"),
        ("event", "lam-kinh-festival"),
        ("event", "sam-son-sea-tourism-opening"),
        ("event", "hai-tien-beach-season-opening"),
    )
    decision = resolve.named_event(scored, index, kind)
    assert decision.kind == "answer" and decision.best is not None, question
    assert decision.best.candidate.id == expected


def test_the_place_a_festival_is_asked_of(tourism: tuple) -> None:
    index, _ = tourism
    # Named by a pair of its own: that place (its upcoming events are the answer).
    scored = _scored(index, "ở Hàm Rồng dịp này có lễ hội không", ("attraction", "ham-rong"))
    assert resolve.venue_named(scored, index) is not None
    # A town's name several catalogues hold says where, not which place.
    scored = _scored(index, "lễ hội ở Sầm Sơn tháng này", ("attraction", "sam-son-beach"))
    assert resolve.venue_named(scored, index) is None


@pytest.mark.parametrize(
    ("wanted", "names_one"),
    [
        ("lễ hội", False),
        ("festivals", False),
        ("sự kiện", False),
        ("lễ hội pháo hoa", True),
        ("Carnival Hạ Long", True),
    ],
)
def test_an_event_entity_of_kind_words_names_no_event(wanted: str, names_one: bool) -> None:
    assert place_answers.names_an_event(wanted) is names_one


@pytest.mark.parametrize("question", ["Hải Tiến fest năm nay", "are there any fests this spring"])
def test_fest_is_how_people_shorten_festival(question: str) -> None:
    attractions, events = _names("attractions.json", "slug"), _names("events.json", "slug")
    markers = resolve.domain_markers(
        {"attraction": resolve.NameIndex(attractions), "event": resolve.NameIndex(events)}
    )
    assert "event" in resolve.domains_named(question, markers)
