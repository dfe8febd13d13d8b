"""The aspect a question asks and the place it names (eighth session, issue 14): everyday aspect
words, a choice between two schools settled by the level asked, place names that say where
and not which, a festival asked of the place it is held at, and words pointing back to the
conversation's record.

Pure Python, on the demo catalogues' names; the place names (localities) and the language's
words are given here, not computed from every catalogue.
"""

import json
from pathlib import Path

import pytest
from actions import air_answers, place_answers, resolve, text

DATA = Path(__file__).resolve().parents[2] / "domains"


def _names(path: str, key: str, name: str) -> dict[str, list[str]]:
    rows = json.loads((DATA / path).read_text(encoding="utf-8"))
    rows = rows["schools"] if isinstance(rows, dict) else rows
    return {row[key]: [row[name]["vi"], row[name]["en"]] for row in rows}


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # Which areas a school admits from, or whether a child may go there.
        ("tiểu học Đông Thọ tuyển sinh những khu nào", "catchment"),
        ("which neighbourhoods does Dien Bien primary take kids from", "catchment"),
        ("nhà ở phường Hàm Rồng thì con có được học THCS Hàm Rồng không", "catchment"),
        ("how do I enroll my daughter at FPT school", "admission"),
        ("cao đẳng y tế năm nay có tuyển ngành dược không", "admission"),
        ("Sam Son hospital contact number", "phone"),
        ("đền Bà Triệu có mở cửa hôm nay không", "open_now"),
        ("hôm nay có mở cửa không", "open_now"),
        ("bệnh viện nhi có làm việc chủ nhật không", "hours"),
        ("vào Bến En có mất phí không", "price"),
        ("đến đền Bà Triệu có phải mua vé không", "price"),
        ("bệnh viện nhi có khoa tai mũi họng không", "departments"),
        ("lễ hội Lam Kinh năm nay hôm nào", "upcoming_events"),
        ("khai mạc lễ hội Xuân Phả ngày mấy", "upcoming_events"),
        ("truong thcs ham rong o phuong nao", "address"),
        ("how far is Pu Luong from the city", "address"),
        # Not: "hôm nay" alone is no opening hours, a course ("khóa") no department.
        ("hôm nay có sự kiện gì ở Lam Kinh", "upcoming_events"),
        ("trường có khóa học tiếng Anh không", None),
    ],
)
def test_everyday_words_of_a_place_aspect(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "places") == aspect


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("lam ho chieu thi ra dau lam", "agency"),
        ("Can the ward certify my signature? What should I bring?", "documents"),
        ("xây nhà cấp 4 có cần xin giấy phép không", "eligibility"),
        ("muốn làm hướng dẫn viên du lịch cần bằng cấp gì", "eligibility"),
        ("đăng ký hộ kinh doanh làm ntn", "steps"),
        ("hộ kinh doanh chuyển địa chỉ thì phải làm gì", "steps"),
        # Wanting it done, asked nothing else: how it is done.
        ("muốn xoá tạm trú ở chỗ trọ cũ", "steps"),
        # Asked something else, that is the aspect ("muốn" comes last).
        ("muốn làm hộ chiếu cần giấy tờ gì", "documents"),
        ("muốn đổi tên cho con có được không", "eligibility"),
    ],
)
def test_everyday_words_of_a_procedure_aspect(question: str, aspect: str) -> None:
    assert text.aspect_in(question, "procedures") == aspect


@pytest.mark.parametrize(
    ("question", "back"),
    [
        ("còn tuyển sinh vào trường đó thì sao", True),
        ("vào đó có mất phí ko", True),
        ("vao do co mat phi ko", True),
        ("what are the opening hours of that place", True),
        # "sổ đỏ" is no "số đó"; "is there" points nowhere.
        ("làm sổ đỏ ở đâu", False),
        ("lam so do o dau", False),
        ("is there a fee", False),
    ],
)
def test_words_that_point_back_to_the_record(question: str, back: bool) -> None:
    assert text.refers_back(question) is back


def _school(record_id: str) -> resolve.Candidate:
    return resolve.Candidate("school", record_id, record_id, score=1.0, margin=0.0)


def test_the_school_level_asked_settles_a_choice_between_two_schools() -> None:
    index = resolve.NameIndex(_names("education/data/schools.json", "id", "name"))
    # As the assistant reads schools: "cấp 2" says THCS (actions/ask.py, SCHOOL_SYNONYMS).
    levels = {level: [school.split(" ", 1)[1]] for level, school in resolve.SCHOOL_LEVELS.items()}
    candidates = [_school("th-bac-son-sam-son"), _school("thcs-bac-son-sam-son")]
    for question, expected in [
        ("con học cấp 2 Bắc Sơn có đúng tuyến không", "thcs-bac-son-sam-son"),
        ("trường cấp 1 Bắc Sơn ở đâu", "th-bac-son-sam-son"),
    ]:
        scored = resolve.score(question, candidates, index, levels)
        decision = resolve.decide(scored, index.min_evidence(), places=True)
        assert decision.kind == "answer" and decision.best is not None, question
        assert decision.best.candidate.id == expected, question
    # The level fits one record, the name the other ("cấp 1 Trần Mai Ninh": no such school):
    # not the primary school of another name.
    other = [_school("thcs-tran-mai-ninh"), _school("th-dong-tho")]
    scored = resolve.score("trường cấp 1 Trần Mai Ninh ở đâu", other, index, levels)
    decision = resolve.decide(scored, index.min_evidence(), places=True)
    assert decision.best is not None and decision.best.candidate.id != "th-dong-tho"
    # No level asked: still a choice.
    scored = resolve.score("trường Bắc Sơn ở đâu", candidates, index, levels)
    assert resolve.decide(scored, index.min_evidence(), places=True).kind == "choose"


@pytest.fixture(scope="module")
def tourism() -> resolve.NameIndex:
    names = _names("tourism/data/attractions.json", "slug", "name")
    names.update(_names("tourism/data/events.json", "slug", "name"))
    index = resolve.NameIndex(names)
    index.localities = {"thanh hoa", "sam son"}
    index.language_words = {"in", "the", "a", "of"}
    return index


def _scored(index: resolve.NameIndex, question: str, *kinds_ids: tuple) -> list:
    candidates = [resolve.Candidate(k, i, i, score=1.0, margin=0.0) for k, i in kinds_ids]
    return resolve.score(question, candidates, index)


def test_a_place_name_alone_is_no_rival_of_a_place_named_by_its_own_words(
    tourism: resolve.NameIndex,
) -> None:
    scored = _scored(
        tourism,
        "Pù Luông ở đâu vậy, đi từ Thanh Hóa",
        ("attraction", "pu-luong-nature-reserve"),
        ("attraction", "thanh-hoa-provincial-museum"),
    )
    kept = [s.candidate.id for s in resolve.beyond_place_names(scored, tourism)]
    assert kept == ["pu-luong-nature-reserve"]
    # Only place names asked: nothing dropped (a question about the town is answered elsewhere).
    scored = _scored(tourism, "Thanh Hóa", ("attraction", "thanh-hoa-provincial-museum"))
    assert resolve.beyond_place_names(scored, tourism) == scored


def test_a_pair_of_a_place_name_and_a_word_of_the_language_says_where(
    tourism: resolve.NameIndex,
) -> None:
    # "in Sầm" of "Sầm Sơn Sea-Tourism Opening Festival" asked in English: where, not which.
    scored = _scored(
        tourism,
        "my wife wants to open a coffee shop in Sam Son",
        ("event", "sam-son-sea-tourism-opening"),
    )
    assert resolve.only_place_names(scored[0], tourism)
    named = _scored(tourism, "Sam Son sea festival", ("event", "sam-son-sea-tourism-opening"))
    assert not resolve.only_place_names(named[0], tourism)


def test_a_festival_asked_of_the_place_it_is_held_at_is_that_festival(
    tourism: resolve.NameIndex,
) -> None:
    scored = _scored(
        tourism,
        "lễ hội biển Sầm Sơn năm nay khi nào",
        ("attraction", "sam-son-beach"),
        ("event", "sam-son-sea-tourism-opening"),
        ("event", "hai-tien-beach-season-opening"),
    )
    kind = {"le", "hoi", "festival"}
    decision = resolve.named_event(scored, tourism, kind)
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == "sam-son-sea-tourism-opening"
    # No event named by the words: none (the events list, if that was the question).
    scored = _scored(tourism, "lễ hội ở Hàm Rồng", ("event", "sam-son-sea-tourism-opening"))
    assert resolve.named_event(scored, tourism, kind).kind == "none"


EVENTS = [
    {"name": "Lễ hội Pôồn Pôông", "venue": "Các bản Mường, huyện Ngọc Lặc", "district": "Ngọc Lặc"},
    {"name": "Lễ hội Mai An Tiêm", "venue": "Đền thờ Mai An Tiêm, xã Nga Phú, huyện Nga Sơn"},
    {"name": "Lễ hội du lịch biển Sầm Sơn", "venue": None, "district": None},
    {"name": "Lễ hội Xuân Phả", "venue": "Làng Xuân Phả, xã Xuân Trường", "district": "Thọ Xuân"},
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("lễ hội ở Nga Sơn sắp tới", ["Lễ hội Mai An Tiêm"]),
        ("sắp có sự kiện gì ở Thọ Xuân", ["Lễ hội Xuân Phả"]),
        ("events in Tho Xuan this spring", ["Lễ hội Xuân Phả"]),
        ("sắp có lễ hội gì ở Sầm Sơn", ["Lễ hội du lịch biển Sầm Sơn"]),
        # No venue named: none picked (the province's next ones are listed).
        ("sắp có lễ hội gì", []),
        # Kind words of a venue ("đền thờ", "huyện") name no place.
        ("lễ hội ở đền thờ nào trong huyện", []),
    ],
)
def test_the_events_held_where_the_question_names(question: str, expected: list[str]) -> None:
    assert [e["name"] for e in place_answers.held_in(question, EVENTS)] == expected


def test_a_hospitals_hours_are_said_to_be_missing_with_its_phone() -> None:
    record = {"name": "Bệnh viện Nhi Thanh Hóa", "phone": "0237 3851 234"}
    answer, _ = place_answers.hospital_answer(record, "hours", "vi", "1800 1096")
    assert "Dữ liệu chưa có giờ mở cửa." in answer and "0237 3851 234" in answer
    answer, _ = place_answers.hospital_answer(record, "open_now", "en", "1800 1096")
    assert "The data has no opening hours." in answer


def test_a_health_station_is_no_air_station() -> None:
    # "trạm y tế" (a commune's health station) holds "trạm" (an air station): a health question.
    assert not air_answers.about_air("trạm y tế xã Quảng Tâm có tiêm chủng cho trẻ không")
    assert not air_answers.about_air("Hoang Quang health station opening hours")
    assert air_answers.about_air("trạm quan trắc Hạc Thành bụi mịn bao nhiêu")
    assert air_answers.about_air("không khí gần trạm y tế Quảng Tâm có ô nhiễm không")


def test_a_town_named_beside_a_place_is_where_not_what(tourism: resolve.NameIndex) -> None:
    # Ninth session: "Thanh Hóa" (held by several catalogues' names) leaves nothing of a place's
    # name unexplained, and among places its words are not lone words of other names ("hóa" is
    # no "Hòa" of *Bãi biển Hải Hòa*).
    question = "đi từ thành phố Thanh Hóa lên Pù Luông mất mấy tiếng"
    assert tourism.unexplained(question, "pu-luong-nature-reserve") == 0
    tourism.places = True
    try:
        english = "is Hai Tien beach far from Thanh Hoa city"
        assert "hoa" not in tourism.evidence(english, "hai-hoa-beach")[1]
        scored = _scored(
            tourism, english, ("attraction", "hai-tien-beach"), ("attraction", "hai-hoa-beach")
        )
        decision = resolve.decide(scored, tourism.min_evidence(), places=True)
        assert decision.kind == "answer" and decision.best is not None
        assert decision.best.candidate.id == "hai-tien-beach"
    finally:
        tourism.places = False


def test_the_district_a_place_lies_in_says_where_it_is(tourism: resolve.NameIndex) -> None:
    # Ninth session: the district named beside a place ("Động Từ Thức bên Nga Sơn") is where it
    # lies, not the craft village whose name holds "Nga Sơn".
    tourism.districts = {
        "tu-thuc-cave": frozenset({"nga son"}),
        "nga-son-sedge-mat-village": frozenset({"nga son"}),
    }
    try:
        question = "vé vào động Từ Thức bên Nga Sơn bao nhiêu"
        assert tourism.unexplained(question, "tu-thuc-cave") == 0
        scored = _scored(
            tourism,
            question,
            ("attraction", "tu-thuc-cave"),
            ("attraction", "nga-son-sedge-mat-village"),
        )
        decision = resolve.decide(scored, tourism.min_evidence(), places=True)
        assert decision.kind == "answer" and decision.best is not None
        assert decision.best.candidate.id == "tu-thuc-cave"
    finally:
        tourism.districts = {}


def test_a_school_named_only_by_the_district_another_lies_in_is_no_rival() -> None:
    index = resolve.NameIndex(_names("education/data/schools.json", "id", "name"))
    index.districts = {
        "thpt-hoang-hoa-4": frozenset({"hoang hoa"}),
        "th-but-son": frozenset({"hoang hoa"}),
    }
    candidates = [_school("thpt-hoang-hoa-4"), _school("th-but-son")]
    question = "nhà mới chuyển về Hoằng Hóa, cho bé học trường tiểu học Bút Sơn được không"
    scored = resolve.score(question, candidates, index)
    kept = [s.candidate.id for s in resolve.beyond_place_names(scored, index)]
    assert kept == ["th-but-son"]
    # Named alone, the district's school stays.
    scored = resolve.score("THPT Hoằng Hóa 4 ở đâu", candidates, index)
    kept = [s.candidate.id for s in resolve.beyond_place_names(scored, index)]
    assert kept[:1] == ["thpt-hoang-hoa-4"]


def test_an_itinerary_named_by_its_town_stays_a_candidate(tourism: resolve.NameIndex) -> None:
    # Review R4 of session 9: "ở Sầm" of *Cuối tuần ở Sầm Sơn* is a pair of its name; read as
    # "where", the itinerary was dropped and the Sầm Sơn festival stated.
    index = resolve.NameIndex(
        {**tourism.names, "weekend-sam-son": ["Cuối tuần ở Sầm Sơn", "A weekend in Sầm Sơn"]}
    )
    index.localities, index.language_words = tourism.localities, tourism.language_words
    scored = _scored(index, "gợi ý đi chơi vài ngày ở Sầm Sơn", ("itinerary", "weekend-sam-son"))
    assert not resolve.only_place_names(scored[0], index)


def test_a_school_level_typed_as_in_a_chat_names_its_schools() -> None:
    # "trường c3" is "trường cấp 3" (THPT); "C1" alone is a driving licence's class, no school.
    assert resolve.domains_named(
        "truong c2 dong tho hoc phi bao nhieu", {"education": {"truong thcs"}}
    )
    assert not resolve.domains_named("đổi bằng lái hạng C1", {"education": {"truong tieu hoc"}})
    index = resolve.NameIndex(_names("education/data/schools.json", "id", "name"))
    levels = {level: [school.split(" ", 1)[1]] for level, school in resolve.SCHOOL_LEVELS.items()}
    candidates = [_school("thpt-ham-rong"), _school("thcs-ham-rong")]
    scored = resolve.score("truong c3 ham rong co tot ko", candidates, index, levels)
    decision = resolve.decide(scored, index.min_evidence(), places=True)
    assert decision.kind == "answer" and decision.best is not None
    assert decision.best.candidate.id == "thpt-ham-rong"


@pytest.mark.parametrize(
    ("question", "back"),
    [
        ("so what is it, a temple fair or something?", True),
        ("nơi đó có gì đặc biệt", True),
        # Particles and everyday English point nowhere (review R12 of session 10).
        ("căn cước làm ở đâu đấy", False),
        ("what is the ID card fee, is it a lot", False),
        ("is it a long process for the driving licence", False),
    ],
)
def test_words_that_point_at_the_record_in_so_many_words(question: str, back: bool) -> None:
    assert text.points_back(question) is back
