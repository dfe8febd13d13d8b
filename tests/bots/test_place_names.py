"""Places asked by what people call them ("BV tỉnh", "bệnh viện trẻ em", "cancer hospital",
"thành Hồ", "mẫu giáo Đông Thọ"): the resolver reads each place catalogue's synonym list (the
data files the API's search expands queries with) and answers the named record, not a list,
another place or "not sure" (bots/actions/everyday.py, resolve.py; pure Python)."""

import json
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "domains"

# The actions package without its __init__ (which imports the Rasa SDK and aiohttp).
if "actions" not in sys.modules:
    package = types.ModuleType("actions")
    package.__path__ = [str(ROOT / "bots" / "actions")]
    sys.modules["actions"] = package

from actions import everyday, resolve  # noqa: E402

CATALOGUES = {
    "health": ("hospital", "health/data/hospitals.json"),
    "tourism": ("attraction", "tourism/data/attractions.json"),
    "education": ("school", "education/data/schools.json"),
}


def _records(domain: str) -> dict[str, list[str]]:
    rows = json.loads((DATA / CATALOGUES[domain][1]).read_text(encoding="utf-8"))
    rows = rows["schools"] if isinstance(rows, dict) else rows
    return {
        row.get("slug") or row["id"]: [row["name"]["vi"], row["name"]["en"]] for row in rows
    }


def _decide(domain: str, question: str, synonyms: dict[str, list[str]]) -> resolve.Decision:
    names = _records(domain)
    index = resolve.NameIndex(names)
    kind = CATALOGUES[domain][0]
    # Every record a candidate, in the data's order: the words alone decide.
    candidates = [resolve.Candidate(kind, key, names[key][0]) for key in names]
    scored = resolve.score(resolve.spelled_out(question), candidates, index, synonyms)
    return resolve.decide(scored, index.min_evidence(), rival_answers=True)


@pytest.mark.parametrize(
    ("domain", "question", "expected"),
    [
        ("health", "bệnh viện trẻ em thanh hóa đặt lịch khám", "bv-nhi-thanh-hoa"),
        ("health", "cancer hospital Thanh Hoa where", "bv-ung-buou-thanh-hoa"),
        ("health", "Thanh Hoa general hospital address", "bv-da-khoa-tinh-thanh-hoa"),
        ("health", "bệnh viện tỉnh số điện thoại", "bv-da-khoa-tinh-thanh-hoa"),
        ("health", "trung tâm y tế Hoằng Hóa ở đâu", "bv-da-khoa-hoang-hoa"),
        ("tourism", "thành Hồ vé vào cửa bao nhiêu", "ho-dynasty-citadel"),
        ("tourism", "phủ chúa Trịnh mở cửa mấy giờ", "trinh-lords-palace"),
        ("education", "mẫu giáo Đông Thọ ở đâu", "mn-dong-tho"),
    ],
)
def test_an_everyday_name_names_one_place(domain: str, question: str, expected: str) -> None:
    decision = _decide(domain, question, everyday.place_synonyms(domain))
    assert decision.kind == "answer" and decision.best, decision
    assert decision.best.candidate.id == expected


def test_the_lists_are_read_folded_and_merged() -> None:
    health = everyday.place_synonyms("health")
    assert "bv tinh" in health and "benh vien da khoa tinh thanh hoa" in health["bv tinh"]
    assert everyday.place_synonyms("procedures") == {}
    merged = everyday.merged({"a": ["x"]}, {"a": ["x", "y"], "b": ["z"]})
    assert merged == {"a": ["x", "y"], "b": ["z"]}
