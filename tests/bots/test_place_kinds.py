"""Kinds of places asked in a town, lodging, markets called by their proper name, and a
district said as people write it (bots/actions/place_kinds.py; pure Python, over the demo data
the stack seeds)."""

import json
from pathlib import Path

import pytest
from actions import place_kinds, resolve

DATA = Path(__file__).resolve().parents[2] / "domains"


def _attractions() -> list[dict]:
    rows: list[dict] = json.loads(
        (DATA / "tourism" / "data" / "attractions.json").read_text(encoding="utf-8")
    )
    return rows


def _town(district: str) -> list[tuple[str, str, list[str]]]:
    return [
        ("attraction", row["slug"], [row["name"]["vi"], row["name"]["en"]])
        for row in _attractions()
        if row["district"] == district
    ]


RELICS = {"ho-dynasty-citadel", "trinh-lords-palace"}
CATEGORIES = {row["slug"]: row["category"].upper() for row in _attractions()}


def _kinds_in(question: str, district: str) -> set[str]:
    kinds = place_kinds.kinds_asked(question)
    return {rid for _, rid in place_kinds.kind_records(kinds, _town(district), CATEGORIES)}


@pytest.mark.parametrize(
    ("question", "district", "expected"),
    [
        # A generic kind covers its categories: the citadel and the Trịnh shrine are relics.
        ("có di tích lịch sử nào ở Vĩnh Lộc", "Vĩnh Lộc", RELICS),
        ("Vĩnh Lộc có khu di tích gì đáng đi", "Vĩnh Lộc", RELICS),
        ("historic sites around Vinh Loc", "Vĩnh Lộc", RELICS),
        # A kind the names say: the temples named so.
        ("ở Sầm Sơn có đền nào linh không", "Sầm Sơn", {"doc-cuoc-temple", "co-tien-temple"}),
        ("den nao o sam son dang di", "Sầm Sơn", {"doc-cuoc-temple", "co-tien-temple"}),
        ("are there temples in Sam Son", "Sầm Sơn", {"doc-cuoc-temple", "co-tien-temple"}),
        ("đền ở Thọ Xuân", "Thọ Xuân", {"le-hoan-temple"}),
        ("thác nước ở Thạch Thành", "Thạch Thành", {"may-waterfall"}),
        ("hang động ở Thạch Thành có gì", "Thạch Thành", {"con-moong-cave"}),
        ("caves near Thach Thanh", "Thạch Thành", {"con-moong-cave"}),
        ("bãi tắm nào ở Nghi Sơn đẹp", "Nghi Sơn", {"hai-hoa-beach"}),
        ("làng nghề truyền thống ở Nga Sơn", "Nga Sơn", {"nga-son-sedge-mat-village"}),
        ("điểm du lịch ở Nga Sơn", "Nga Sơn", {"tu-thuc-cave", "nga-son-sedge-mat-village"}),
        ("hồ nước đẹp ở Thường Xuân", "Thường Xuân", {"cua-dat-lake"}),
        ("làng nghề ở Thọ Xuân", "Thọ Xuân", {"tu-tru-banh-gai-village"}),
        ("Vĩnh Lộc có gì chơi", "Vĩnh Lộc", RELICS | {"ho-cong-cave"}),
        ("đảo ở Nghi Sơn", "Nghi Sơn", {"me-island"}),
        # None of the kind there.
        ("chùa ở Sầm Sơn", "Sầm Sơn", set()),
        ("bảo tàng ở Hoằng Hóa", "Hoằng Hóa", set()),
    ],
)
def test_a_kind_asked_in_a_town_is_that_towns_places_of_the_kind(
    question: str, district: str, expected: set[str]
) -> None:
    assert _kinds_in(question, district) == expected


@pytest.mark.parametrize(
    "question",
    [
        "mấy giờ đến Sầm Sơn thì kịp",  # "đến" typed with its accent is no "đền"
        "chua co ai o Sam Son tra loi",  # "chưa": no kind before where or which
        "cua hang o sam son ban gi",  # "cửa hàng"
        "nha hang o sam son",  # "nhà hàng"
        "đóng cửa lúc mấy giờ",
        "hoat dong o sam son",
        "hồ sơ ở Sầm Sơn nộp đâu",  # "hồ sơ"
        "mua hang o sam son cho re",  # "mua hàng"
        "ban hang o dau re",  # "bán hàng"
    ],
)
def test_words_that_only_fold_like_a_kind_ask_none(question: str) -> None:
    assert place_kinds.kinds_asked(question) == []


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("homestay ở Pù Luông có không", True),
        ("tìm khách sạn gần biển Sầm Sơn", True),
        ("any cheap hotels near Lam Kinh", True),
        ("where to stay near Pu Luong", True),
        ("chỗ ở gần Thành nhà Hồ", True),
        ("nhà nghỉ gần Hải Tiến", True),
        ("chợ ở Sầm Sơn bán gì", False),  # the market, typed with its accents
        ("cho o gan bien", False),  # without accents "chỗ ở" is as often "chợ ở"
        ("Pù Luông có gì đẹp", False),
        ("giờ mở cửa Lam Kinh", False),
        ("đặt khám bệnh viện nhi", False),
    ],
)
def test_lodging_asked(question: str, asked: bool) -> None:
    assert place_kinds.lodging_asked(question) is asked


def test_a_resort_is_lodging_by_its_name() -> None:
    assert place_kinds.lodging_named(["Quần thể nghỉ dưỡng FLC Sầm Sơn", "FLC Sầm Sơn Resort"])
    reserve = ["Khu bảo tồn thiên nhiên Pù Luông", "Pù Luông Nature Reserve"]
    assert not place_kinds.lodging_named(reserve)


@pytest.mark.parametrize(
    ("district", "said"),
    [
        ("thanh-hoa-city", "TP Thanh Hóa"),  # a school's district key
        ("sam-son", "Sầm Sơn"),
        ("hoang-hoa", "Hoằng Hóa"),
        ("Vĩnh Lộc", "Vĩnh Lộc"),  # already as people write it
        ("muong-lat-new", "muong lat new"),  # no spelling known: its words, no dashes
    ],
)
def test_a_district_is_said_as_people_write_it(district: str, said: str) -> None:
    spellings = ["TP Thanh Hóa", "Sầm Sơn", "Hoằng Hóa", "Vĩnh Lộc", "Thọ Xuân"]
    assert place_kinds.district_said(district, spellings) == said


MARKETS = place_kinds.markets(
    {"hoi-fish-market": ["Chợ cá Hới", "Hới Fish Market"], "x": ["Thành nhà Hồ", ""]},
    {"hoi-fish-market": "Sầm Sơn", "x": "Vĩnh Lộc"},
)


@pytest.mark.parametrize(
    ("question", "market"),
    [
        ("di cho Hoi luc may gio thi dong ca", True),  # the name capitalised
        ("chợ Hới bán những gì", True),
        ("cho Hới ở đâu vậy", True),  # accented as the name writes it
        ("cho hoi o sam son hai san co tuoi khong", False),  # the opener, then the town
        ("cho hoi Sam Son co bien dep khong", False),
        ("cho hoi lam can cuoc o dau", False),  # how a question opens
        ("cho hỏi ở Sầm Sơn có gì chơi", False),  # "hỏi" is no "Hới"
        ("Cho hoi o Sam Son co gi choi", False),  # the sentence's capital, not the name's
        ("cho hoi o sam son lam can cuoc o dau", False),
        ("cho hoi tai sam son dang ky tam tru o dau", False),
        ("cho hoi o Vinh Loc co gi", False),  # another town
    ],
)
def test_a_market_called_by_its_proper_name(question: str, market: bool) -> None:
    assert ("Chợ cá Hới" in place_kinds.market_named(question, MARKETS)) is market


def _tourism_index() -> resolve.NameIndex:
    index = resolve.NameIndex(
        {r["slug"]: [r["name"]["vi"], r["name"]["en"]] for r in _attractions()}
    )
    index.language_words = {"the", "a", "of", "in", "to", "is", "it"}
    return index


@pytest.mark.parametrize(
    ("question", "named"),
    [
        (
            "we were thinking of driving up to Xuan Lien nature reserve after lunch with the "
            "kids, would it still be open by then",
            {"xuan-lien-nature-reserve", "pu-luong-nature-reserve"},
        ),
        ("tối nay ghé thác mây chơi được không, có xa trung tâm không", {"may-waterfall"}),
        ("nghe nói hang con moong có người tiền sử ở", {"con-moong-cave"}),
        ("bãi biển nào đẹp nhất", set()),  # a pair every beach holds names none
        ("how do I renew my passport", set()),
    ],
)
def test_a_rare_pair_of_a_name_names_its_record(question: str, named: set[str]) -> None:
    folded = [resolve.fold(word) for word in question.split()]
    folded = [word for word in folded if word]
    assert set(place_kinds.named_by_pairs(folded, _tourism_index())) == named


def _events_index() -> resolve.NameIndex:
    rows = json.loads((DATA / "tourism" / "data" / "events.json").read_text(encoding="utf-8"))
    names = {r["slug"]: [r["name"]["vi"], r["name"]["en"]] for r in rows}
    names.update({r["slug"]: [r["name"]["vi"], r["name"]["en"]] for r in _attractions()})
    return resolve.NameIndex(names)


@pytest.mark.parametrize(
    ("question", "mended"),
    [
        ("lễ hội pồn pôông năm nay vào tháng mấy", "lễ hội pôồn pôông năm nay vào tháng mấy"),
        ("le hoi pon poong dien ra khi nao", "le hoi poon poong dien ra khi nao"),
        ("mua iphone gia bn", "mua iphone gia bn"),  # a chat abbreviation, no "Bến"
        ("pồn pôông", "pồn pôông"),  # a name's words on one side only
    ],
)
def test_a_place_name_mistyped_between_its_own_words(question: str, mended: str) -> None:
    assert place_kinds.place_mended(question, _events_index(), lambda word: False) == mended


THO_XUAN_SCHOOLS = [
    ("school", "thpt-le-loi-tho-xuan", ["Trường THPT Lê Lợi", "Lê Lợi High School (Thọ Xuân)"]),
    ("school", "thpt-lam-kinh", ["Trường THPT Lam Kinh", "Lam Kinh High School"]),
    (
        "school",
        "th-tho-xuan",
        ["Trường Tiểu học thị trấn Thọ Xuân", "Thọ Xuân Town Primary School"],
    ),
    ("hospital", "bv-da-khoa-tho-xuan", ["Bệnh viện Đa khoa huyện Thọ Xuân", ""]),
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A level says which of the town's schools; "trường" alone, every one of them.
        ("trường cấp 3 ở Thọ Xuân có mấy trường", {"thpt-le-loi-tho-xuan", "thpt-lam-kinh"}),
        ("high schools around Tho Xuan", {"thpt-le-loi-tho-xuan", "thpt-lam-kinh"}),
        ("trường tiểu học ở thọ xuân", {"th-tho-xuan"}),
        ("any school in Tho Xuan", {"thpt-le-loi-tho-xuan", "thpt-lam-kinh", "th-tho-xuan"}),
        ("bệnh viện ở Thọ Xuân", {"bv-da-khoa-tho-xuan"}),
        ("đền ở Thọ Xuân", set()),  # (no attraction in this list)
    ],
)
def test_a_towns_schools_and_hospitals_by_kind_and_level(question: str, expected: set[str]) -> None:
    kinds = place_kinds.kinds_asked(question)
    found = place_kinds.kind_records(kinds, THO_XUAN_SCHOOLS, {})
    assert {record_id for _, record_id in found} == expected


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("taxi from the city to Pu Luong, how much", True),
        ("xe khách lên Bá Thước mấy giờ chạy", True),
        ("có xe buýt ra bãi biển Hải Tiến không", True),
        ("is there a bus to Ham Rong", True),
        ("đi tàu hỏa về Thanh Hóa rồi sang Sầm Sơn", True),
        ("cả nhà tính thuê xe đi lễ hội Bà Triệu, lễ hội ngày mấy", False),  # told, not asked
        ("đi Hòn Mê tàu ra đảo giá bao nhiêu", False),  # the island's boat is its ticket
        ("đăng ký xe máy mới mua", False),
    ],
)
def test_transport_asked(question: str, asked: bool) -> None:
    assert place_kinds.transport_asked(question) is asked


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("nhà hàng hải sản gần bãi biển Sầm Sơn", True),
        ("quán ăn ngon gần Lam Kinh", True),
        ("any good cafes near Ham Rong", True),
        ("open a coffee shop as a household business", True),  # (the procedure is chosen first)
        ("ăn hải sản ở chợ Hới", False),
        ("nhà hàng xóm xây lấn sang", False),  # "nhà hàng xóm", a neighbour's house
    ],
)
def test_eating_asked(question: str, asked: bool) -> None:
    assert place_kinds.eating_asked(question) is asked


def test_what_to_eat_in_a_town_is_its_cuisine() -> None:
    assert _kinds_in("ăn gì ở Thọ Xuân", "Thọ Xuân") == {"tu-tru-banh-gai-village"}
    assert _kinds_in("đặc sản ở Nghi Sơn", "Nghi Sơn") == {"ba-lang-fish-sauce-village"}
