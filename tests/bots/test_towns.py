"""A kind of place asked in a town that has none (review R10, S4 of session 9): the province's
record is not stated as the answer for that town, and the town's weekend plan is not a café or a
hotel (bots/actions/resolve.py: ``towns``, ``towns_placed``, ``town_elsewhere``,
``itinerary_by_town_only``; pure Python)."""

import json
from pathlib import Path

import pytest
from actions import resolve

DATA = Path(__file__).resolve().parents[2] / "domains"
MUSEUM = "thanh-hoa-provincial-museum"
CATALOGUES = {
    "tourism": ("tourism/data/attractions.json", "slug"),
    "health": ("health/data/hospitals.json", "id"),
    "education": ("education/data/schools.json", "id"),
}


def _rows(domain: str) -> list[dict]:
    path, _ = CATALOGUES[domain]
    rows = json.loads((DATA / path).read_text(encoding="utf-8"))
    return rows["schools"] if isinstance(rows, dict) else rows


def _index(domain: str) -> resolve.NameIndex:
    _, key = CATALOGUES[domain]
    rows = _rows(domain)
    index = resolve.NameIndex({r[key]: [r["name"]["vi"], r["name"]["en"]] for r in rows})
    index.districts = {
        r[key]: frozenset(resolve.district_pairs(r.get("district", ""))) for r in rows
    }
    return index


@pytest.fixture(scope="module")
def indexes() -> dict[str, resolve.NameIndex]:
    found = {domain: _index(domain) for domain in CATALOGUES}
    places = resolve.localities(found)
    for index in found.values():
        index.localities = places
        index.language_words = {"in", "the", "a", "of"}
    return found


@pytest.fixture(scope="module")
def towns(indexes: dict[str, resolve.NameIndex]) -> dict[str, str]:
    districts = {}
    for domain in CATALOGUES:
        _, key = CATALOGUES[domain]
        districts.update({r[key]: r["district"] for r in _rows(domain) if r.get("district")})
    return resolve.towns(districts, indexes)


def test_the_towns_are_the_districts_less_the_province(towns: dict[str, str]) -> None:
    assert towns["hoang hoa"] == "Hoằng Hóa"  # the accented spelling, not the slug's
    assert towns["sam son"] == "Sầm Sơn"
    assert "thanh hoa" not in towns  # the province: every record is in it
    assert not {"tp thanh", "hoa city"} & set(towns)  # the city named after it


def _best(
    indexes: dict[str, resolve.NameIndex], domain: str, kind: str, question: str, record_id: str
) -> resolve.Scored:
    index = indexes[domain]
    candidate = resolve.Candidate(kind, record_id, record_id, score=1.0, margin=0.5)
    return resolve.score(question, [candidate], index)[0]


@pytest.mark.parametrize(
    ("domain", "kind", "question", "record_id", "town"),
    [
        ("tourism", "attraction", "có bảo tàng nào ở Hoằng Hóa không", MUSEUM, "Hoằng Hóa"),
        ("tourism", "attraction", "bảo tàng Sầm Sơn mở cửa không", MUSEUM, "Sầm Sơn"),
        (
            "health",
            "hospital",
            "khám mắt tại Sầm Sơn ở bệnh viện mắt nào",
            "bv-mat-thanh-hoa",
            "Sầm Sơn",
        ),
        ("health", "hospital", "children's hospital in Hoang Hoa", "bv-nhi-thanh-hoa", "Hoằng Hóa"),
    ],
)
def test_a_place_asked_in_another_town_is_elsewhere(
    indexes: dict[str, resolve.NameIndex],
    towns: dict[str, str],
    domain: str,
    kind: str,
    question: str,
    record_id: str,
    town: str,
) -> None:
    best = _best(indexes, domain, kind, question, record_id)
    found = resolve.town_elsewhere(question, best, indexes[domain], towns)
    assert found is not None and towns[found] == town


@pytest.mark.parametrize(
    ("domain", "kind", "question", "record_id"),
    [
        # Its own town, the province, or a town it is reached from or where the asker is.
        ("tourism", "attraction", "bảo tàng ở thành phố Thanh Hóa mấy giờ mở", MUSEUM),
        ("tourism", "attraction", "bảo tàng ở TP Thanh Hóa", MUSEUM),
        ("tourism", "attraction", "Pù Luông cách Sầm Sơn bao xa", "pu-luong-nature-reserve"),
        (
            "tourism",
            "attraction",
            "đi từ Sầm Sơn lên Pù Luông mất bao lâu",
            "pu-luong-nature-reserve",
        ),
        ("health", "hospital", "nhà tôi ở Sầm Sơn, bệnh viện nhi tỉnh ở đâu", "bv-nhi-thanh-hoa"),
        ("health", "hospital", "bệnh viện đa khoa Sầm Sơn ở đâu", "bv-da-khoa-sam-son"),
        ("health", "hospital", "eye hospital in thanh hoa city where is it", "bv-mat-thanh-hoa"),
        # Where someone is now, said before what is asked about.
        ("tourism", "attraction", "cháu học ở Hoằng Hóa, muốn đi bảo tàng", MUSEUM),
    ],
)
def test_a_place_asked_in_its_own_town_or_from_another_is_there(
    indexes: dict[str, resolve.NameIndex],
    towns: dict[str, str],
    domain: str,
    kind: str,
    question: str,
    record_id: str,
) -> None:
    best = _best(indexes, domain, kind, question, record_id)
    assert resolve.town_elsewhere(question, best, indexes[domain], towns) is None


def test_a_kind_asked_in_a_town_names_that_town(towns: dict[str, str]) -> None:
    hospital = {"benh", "vien", "bv"}
    assert resolve.towns_placed("có bệnh viện nào tại Nga Sơn không", towns, asked=hospital) == [
        "nga son"
    ]
    assert resolve.towns_placed("ở Nga Sơn có bv nào", towns, asked=hospital) == ["nga son"]
    assert resolve.towns_placed("đường từ Nga Sơn ra bệnh viện", towns, asked=hospital) == []
    assert resolve.towns_placed("con ở Nga Sơn bị ốm, bệnh viện nào", towns, asked=hospital) == []


def _itinerary(question: str, indexes: dict[str, resolve.NameIndex]) -> tuple:
    tourism = indexes["tourism"]
    index = resolve.NameIndex(
        {**tourism.names, "sam-son-weekend": ["Cuối tuần ở Sầm Sơn", "A weekend in Sầm Sơn"]}
    )
    index.localities, index.language_words = tourism.localities, tourism.language_words
    candidate = resolve.Candidate("itinerary", "sam-son-weekend", "", score=1.0, margin=0.5)
    return resolve.score(question, [candidate], index)[0], index


@pytest.mark.parametrize(
    ("question", "dropped"),
    [
        ("có quán cà phê nào đẹp ở Sầm Sơn", True),
        ("nhà nghỉ rẻ ở Sầm Sơn", True),
        ("any good hotel in Sam Son", True),
        # A plan asked: the itinerary answers (review R4).
        ("lịch trình 3 ngày ở Sầm Sơn", False),
        ("gợi ý đi chơi gì ở Sầm Sơn", False),
        ("weekend plan in Sam Son", False),
    ],
)
def test_an_itinerary_shared_only_by_its_town_needs_a_plan_asked(
    indexes: dict[str, resolve.NameIndex], question: str, dropped: bool
) -> None:
    scored, index = _itinerary(question, indexes)
    assert resolve.itinerary_by_town_only(scored, index, question) is dropped


def _pu_luong(question: str, indexes: dict[str, resolve.NameIndex]) -> resolve.Decision:
    tourism = indexes["tourism"]
    index = resolve.NameIndex(
        {
            **tourism.names,
            "pu-luong-trip": [
                "Pù Luông và suối cá Cẩm Lương",
                "Pù Luông and the Cẩm Lương fish stream",
            ],
        }
    )
    index.localities, index.language_words = tourism.localities, tourism.language_words
    candidates = [
        resolve.Candidate("attraction", "pu-luong-nature-reserve", "", score=1.0, margin=0.0),
        resolve.Candidate("itinerary", "pu-luong-trip", "", score=0.9, margin=0.0),
    ]
    scored = resolve.score(question, candidates, index)
    return resolve.Decision("choose", scored[:2], why="close")


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("is Pu Luong nice this time of year", "pu-luong-nature-reserve"),
        ("Pù Luông có đẹp không", "pu-luong-nature-reserve"),
        # A plan asked: the itinerary stays offered.
        ("lịch trình đi Pù Luông", None),
        ("Pu Luong weekend trip", None),
    ],
)
def test_a_place_and_its_itinerary_named_alike_give_the_place(
    indexes: dict[str, resolve.NameIndex], question: str, answered: str | None
) -> None:
    decision = resolve.place_over_plan(_pu_luong(question, indexes), question)
    if answered is None:
        assert decision.kind == "choose"
    else:
        assert decision.kind == "answer" and decision.best is not None
        assert decision.best.candidate.id == answered


def test_a_kind_asked_in_a_town_is_the_one_of_that_town(
    indexes: dict[str, resolve.NameIndex], towns: dict[str, str]
) -> None:
    tourism = indexes["tourism"]
    question = "có bãi biển nào ở Nghi Sơn không"
    candidates = [
        resolve.Candidate("attraction", beach, "", score=1.0, margin=0.1)
        for beach in ("sam-son-beach", "hai-hoa-beach")
    ]
    first, other = resolve.score(question, candidates, tourism)
    town = resolve.town_elsewhere(question, first, tourism, towns)
    assert town == "nghi son"
    found = resolve.in_town(first, [first, other], town, tourism)
    assert found is not None and found.candidate.id == "hai-hoa-beach"


def test_a_record_sharing_only_the_town_asked_in_is_not_named(
    indexes: dict[str, resolve.NameIndex], towns: dict[str, str]
) -> None:
    health = indexes["health"]
    hospital = "bv-da-khoa-tho-xuan"
    scored = _best(indexes, "health", "hospital", "chùa ở Thọ Xuân", hospital)
    assert resolve.placed_only("chùa ở Thọ Xuân", scored, health, towns) == "tho xuan"
    scored = _best(indexes, "health", "hospital", "bệnh viện Thọ Xuân ở đâu", hospital)
    assert resolve.placed_only("bệnh viện Thọ Xuân ở đâu", scored, health, towns) is None


def test_a_kind_asked_in_a_town_is_looked_up_among_the_towns_places() -> None:
    # Review R13 of session 10: "đền ở Thọ Xuân" is the temple there, not "none in Thọ Xuân".
    records = [
        ("attraction", "le-hoan-temple", ["Đền thờ Lê Hoàn", "Lê Hoàn Temple"]),
        (
            "attraction",
            "lam-kinh-historic-site",
            ["Khu di tích Lam Kinh", "Lam Kinh Historic Site"],
        ),
        ("hospital", "bv-da-khoa-tho-xuan", ["Bệnh viện Đa khoa huyện Thọ Xuân", ""]),
    ]
    found = resolve.town_records("đền ở Thọ Xuân có mở cửa không", "tho xuan", records)
    assert found == [("attraction", "le-hoan-temple")]
    assert resolve.town_records("chùa ở Thọ Xuân", "tho xuan", records) == []
