"""Everyday names of what a hospital treats (ninth session, issue 14): "có bầu", "pregnant",
"ung thư" read as the part of a hospital's name that says its specialty ("phụ sản",
"obstetrics", "ung bướu") say whom the question is about, not which hospital. They name the
hospital only in a question asking for one (its kind word, or an aspect only hospitals have);
"bà bầu ăn gì", "nghỉ thai sản khi mang thai" name no hospital. An everyday name of the whole
hospital ("viện sản", "cancer hospital") names it anyway.

Pure Python, on the demo hospitals' names and the health catalogue's own synonym list.
"""

import json
from pathlib import Path

import pytest
from actions import resolve
from actions.everyday import place_synonyms, spelled

DATA = Path(__file__).resolve().parents[2] / "domains" / "health" / "data"


@pytest.fixture(scope="module")
def health() -> tuple[resolve.NameIndex, dict[str, list[str]]]:
    rows = json.loads((DATA / "hospitals.json").read_text(encoding="utf-8"))
    index = resolve.NameIndex({row["id"]: [row["name"]["vi"], row["name"]["en"]] for row in rows})
    index.localities = {"thanh hoa", "sam son"}
    return index, spelled(place_synonyms("health"))


def _best(health: tuple, question: str) -> resolve.Scored:
    index, synonyms = health
    candidates = [
        resolve.Candidate("hospital", i, i, score=1.0, margin=0.0)
        for i in ("bv-phu-san-thanh-hoa", "bv-ung-buou-thanh-hoa", "bv-nhi-thanh-hoa")
    ]
    scored = resolve.score(resolve.spelled_out(question), candidates, index, synonyms)
    return max(scored, key=lambda s: s.evidence)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("chị gái tôi đang mang bầu, đi khám thai chỗ nào", "bv-phu-san-thanh-hoa"),
        ("we are expecting a baby, my partner is pregnant", "bv-phu-san-thanh-hoa"),
        ("vợ tôi sắp sinh, nên đến bệnh viện nào", "bv-phu-san-thanh-hoa"),
        ("vo em sap de roi, kham o dau", "bv-phu-san-thanh-hoa"),
        ("bố tôi bị ung thư phổi", "bv-ung-buou-thanh-hoa"),
    ],
)
def test_an_everyday_name_of_a_specialty_says_whom(
    health: tuple, question: str, expected: str
) -> None:
    index, synonyms = health
    best = _best(health, question)
    assert best.candidate.id == expected and best.evidence >= index.min_evidence()
    assert resolve.only_specialty(best, resolve.spelled_out(question), index, synonyms)


@pytest.mark.parametrize(
    "question",
    [
        # Its everyday name as a whole, or its own words.
        "viện sản ở chỗ nào",
        "bệnh viện ung thư ở đâu",
        "bệnh viện phụ sản có khám thai không",
    ],
)
def test_a_hospital_named_as_a_whole_is_named(health: tuple, question: str) -> None:
    index, synonyms = health
    best = _best(health, question)
    assert not resolve.only_specialty(best, resolve.spelled_out(question), index, synonyms)
