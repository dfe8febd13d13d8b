"""Places found by what people call them: the catalogues' synonym lists (data files the
assistant reads too) over the demo records, in each catalogue's own index (no database)."""

import json
from pathlib import Path
from typing import Any

import pytest

from domains.education.read_side import SCHOOLS
from domains.health.catalogue import HOSPITALS
from domains.search import Catalogue, SearchIndex
from domains.tourism.catalogues import ATTRACTIONS, EVENTS

ROOT = Path(__file__).resolve().parents[3] / "domains"


def _records(path: str) -> list[dict[str, Any]]:
    data = json.loads((ROOT / path).read_text(encoding="utf-8"))
    return list(data["schools"] if isinstance(data, dict) else data)


def _index(catalogue: Catalogue, path: str) -> SearchIndex:
    index = SearchIndex(catalogue.index, synonyms=catalogue.synonyms)
    records = _records(path)
    entries = [{**catalogue.index_document(r), "id": r.get("slug") or r.get("id")} for r in records]
    assert index.replace_all(entries) == len(records)
    return index


@pytest.fixture(scope="module")
def indexes() -> dict[str, SearchIndex]:
    return {
        "attraction": _index(ATTRACTIONS, "tourism/data/attractions.json"),
        "event": _index(EVENTS, "tourism/data/events.json"),
        "hospital": _index(HOSPITALS, "health/data/hospitals.json"),
        "school": _index(SCHOOLS, "education/data/schools.json"),
    }


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        ("attraction", "thành Hồ vé bao nhiêu", "ho-dynasty-citadel"),
        ("attraction", "phu chua trinh", "trinh-lords-palace"),
        ("attraction", "chợ Hới", "hoi-fish-market"),
        ("attraction", "sacred fish stream", "cam-luong-fish-stream"),
        ("attraction", "đập Cửa Đạt", "cua-dat-lake"),
        ("event", "hội đền Lê Hoàn", "le-hoan-temple-festival"),
        ("event", "Sam Son sea festival", "sam-son-sea-tourism-opening"),
        ("hospital", "BV tỉnh", "bv-da-khoa-tinh-thanh-hoa"),
        ("hospital", "benh vien tre em", "bv-nhi-thanh-hoa"),
        ("hospital", "cancer hospital", "bv-ung-buou-thanh-hoa"),
        ("hospital", "viện sản", "bv-phu-san-thanh-hoa"),
        ("hospital", "bv đông y", "bv-y-hoc-co-truyen-thanh-hoa"),
        ("hospital", "trung tâm y tế Hoằng Hóa", "bv-da-khoa-hoang-hoa"),
        ("school", "trường chuyên", "thpt-chuyen-lam-son"),
        ("school", "mẫu giáo Đông Thọ", "mn-dong-tho"),
        ("school", "học bổ túc văn hóa", "gdtx-tinh-thanh-hoa"),
        ("school", "medical college", "cd-y-te-thanh-hoa"),
    ],
)
def test_an_everyday_name_finds_its_place_first(
    indexes: dict[str, SearchIndex], kind: str, typed: str, expected: str
) -> None:
    hits = indexes[kind].search(typed, limit=3).hits
    assert hits and hits[0].id == expected, [hit.id for hit in hits]


def test_a_stop_phrase_holds_no_shorter_everyday_name() -> None:
    # "trường chuyên biệt" (a special-needs school) holds "trường chuyên", which reads as the
    # province's gifted school; a key with no phrase (a stop phrase) keeps it from being read.
    builder = SearchIndex(SCHOOLS.index, synonyms=SCHOOLS.synonyms)._queries
    assert {"lam", "son"} <= builder.words("trường chuyên ở đâu").plain
    assert not {"lam", "son"} & builder.words("trường chuyên biệt ở đâu").plain
    assert not {"lam", "son"} & builder.words("truong chuyen biet").plain
