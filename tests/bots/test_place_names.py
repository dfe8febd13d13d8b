"""Places asked by what people call them ("BV tỉnh", "bệnh viện trẻ em", "cancer hospital",
"thành Hồ", "mẫu giáo Đông Thọ"): the resolver reads each place catalogue's synonym list (the
data files the API's search expands queries with) and answers the named record, not a list,
another place or "not sure" (bots/actions/everyday.py, resolve.py; pure Python)."""

import json
from pathlib import Path

import pytest
from actions import everyday, place_answers, resolve, text

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "domains"


CATALOGUES = {
    "health": ("hospital", "health/data/hospitals.json"),
    "tourism": ("attraction", "tourism/data/attractions.json"),
    "education": ("school", "education/data/schools.json"),
}


def _records(domain: str) -> dict[str, list[str]]:
    rows = json.loads((DATA / CATALOGUES[domain][1]).read_text(encoding="utf-8"))
    rows = rows["schools"] if isinstance(rows, dict) else rows
    return {row.get("slug") or row["id"]: [row["name"]["vi"], row["name"]["en"]] for row in rows}


def _decide(domain: str, question: str, synonyms: dict[str, list[str]]) -> resolve.Decision:
    names = _records(domain)
    index = resolve.NameIndex(names)
    kind = CATALOGUES[domain][0]
    # Every record a candidate, in the data's order: the words alone decide.
    candidates = [resolve.Candidate(kind, key, names[key][0]) for key in names]
    scored = resolve.score(resolve.spelled_out(question), candidates, index, synonyms)
    return resolve.decide(scored, index.min_evidence(), rival_answers=True, places=True)


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
        # Ninth session: "u bướu" for "ung bướu", "falls" for a waterfall.
        ("health", "bv u bướu nằm ở đường nào", "bv-ung-buou-thanh-hoa"),
        ("tourism", "is Hieu falls worth the trip", "hieu-waterfall"),
    ],
)
def test_an_everyday_name_names_one_place(domain: str, question: str, expected: str) -> None:
    decision = _decide(domain, question, everyday.spelled(everyday.place_synonyms(domain)))
    assert decision.kind == "answer" and decision.best, decision
    assert decision.best.candidate.id == expected


@pytest.mark.parametrize(
    ("domain", "question", "not_stated"),
    [
        # Another province or city named beside an everyday name of the province's place
        # (the place catalogues' everyday names read "Thanh Hóa" by themselves).
        ("health", "bệnh viện tỉnh Nghệ An ở đâu", "bv-da-khoa-tinh-thanh-hoa"),
        ("health", "bv tỉnh Ninh Bình ở đâu", "bv-da-khoa-tinh-thanh-hoa"),
        ("health", "bệnh viện trẻ em Hà Nội ở đâu", "bv-nhi-thanh-hoa"),
        ("education", "trường chuyên Hà Nội ở đâu", "thpt-chuyen-lam-son"),
        ("health", "children hospital Hanoi address", "bv-nhi-thanh-hoa"),
        # A longer phrase meaning something else: a special-needs school is no gifted school;
        # "sản nhi" is the Nhi or the Phụ sản hospital.
        ("education", "trường chuyên biệt ở đâu", "thpt-chuyen-lam-son"),
        ("health", "bệnh viện sản nhi ở đâu", "bv-phu-san-thanh-hoa"),
    ],
)
def test_an_everyday_name_beside_another_name_is_not_stated(
    domain: str, question: str, not_stated: str
) -> None:
    decision = _decide(domain, question, everyday.spelled(everyday.place_synonyms(domain)))
    stated = decision.best.candidate.id if decision.kind == "answer" and decision.best else None
    assert stated != not_stated, decision


@pytest.mark.parametrize(
    ("domain", "question", "expected"),
    [
        # Folded, "Sơn là" is Sơn La province and "Hà Long" (a commune of Hà Trung) Hạ Long:
        # the province's own places asked about stay answered.
        ("education", "trường chuyên Lam Sơn là trường nào", "thpt-chuyen-lam-son"),
        ("tourism", "bãi tắm Sầm Sơn là ở đâu", "sam-son-beach"),
    ],
)
def test_a_word_that_folds_to_another_province_is_not_one(
    domain: str, question: str, expected: str
) -> None:
    decision = _decide(domain, question, everyday.spelled(everyday.place_synonyms(domain)))
    assert decision.kind == "answer" and decision.best, decision
    assert decision.best.candidate.id == expected


def test_other_provinces_are_read_with_their_accents() -> None:
    assert resolve.beside("bệnh viện tỉnh Sơn La ở đâu", set()) == ("son la",)
    assert resolve.beside("benh vien tinh Nghe An o dau", set()) == ("nghe an",)
    assert resolve.beside("Khánh Hoà có biển đẹp", set()) == ("khanh hoa",)
    assert resolve.beside("trường chuyên Lam Sơn là trường nào", set()) == ()
    assert resolve.beside("lăng Triệu Tường Hà Long ở đâu", set()) == ()
    assert resolve.beside("truong Lam Son la truong nao", set()) == ()
    assert resolve.beside("hòn đá nặng bao nhiêu", set()) == ()
    assert resolve.beside("đi Hạ Long mấy tiếng", set()) == ("ha long",)


def test_no_key_is_the_start_of_several_names() -> None:
    # "đền vua Lê" is the start of Lê Lợi's (Lam Kinh) and Lê Thái Tông's temples as much as
    # Lê Hoàn's: only the whole "đền vua Lê Đại Hành" names his.
    tourism = everyday.place_synonyms("tourism")
    assert "den vua le" not in tourism and "den vua le dai hanh" in tourism


def test_abbreviated_keys_are_read_as_the_resolver_spells_the_question() -> None:
    # "bv tỉnh" is looked up after "bv" is written out: the key must be written out too.
    health = everyday.spelled(everyday.place_synonyms("health"))
    assert "benh vien da khoa tinh thanh hoa" in health["benh vien tinh"]
    assert "bv mat" not in health and "benh vien mat" in health
    assert "bv" not in health and "benh vien" not in health


def test_a_missing_list_is_said(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"):
        assert everyday._read(tmp_path / "synonyms.json") == {}
    assert "everyday names not read" in caplog.text


def test_the_lists_are_read_folded_and_merged() -> None:
    health = everyday.place_synonyms("health")
    assert "bv tinh" in health and "benh vien da khoa tinh thanh hoa" in health["bv tinh"]
    assert everyday.place_synonyms("procedures") == {}
    merged = everyday.merged({"a": ["x"]}, {"a": ["x", "y"], "b": ["z"]})
    assert merged == {"a": ["x", "y"], "b": ["z"]}


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # A transfer is not a catchment question, nor a catchment one an admission question.
        ("cho con chuyển sang tiểu học Điện Biên 1 giữa kỳ", "transfer"),
        ("con đang học trường khác, xin về THCS Hàm Rồng", "transfer"),
        ("con chuyển từ Hà Nội về học THPT Hàm Rồng được không", "transfer"),
        ("THCS Hàm Rồng nhận học sinh những phường nào", "catchment"),
        # "trường chuyên con ..." is no "chuyển con" (a transfer), typed with accents.
        ("thi vào trường chuyên con cần bao nhiêu điểm", "admission"),
        ("điểm chuẩn trường chuyên con em có đủ không", "admission"),
        ("con tôi muốn thi trường chuyên, con cần chuẩn bị gì", None),
        ("muốn chuyển con sang THCS Hàm Rồng", "transfer"),
        ("muon chuyen con sang THCS Ham Rong", "transfer"),
        # "về học" is also "hỏi về học phí": no transfer by itself.
        ("cho em hỏi về học phí trường THPT Lam Sơn", None),
        ("thông tin về học sinh trường Hàm Rồng", None),
        # A mid-term exam is no transfer in the middle of the term.
        ("đề thi giữa kỳ trường Lam Sơn", None),
        ("cho con chuyển sang tiểu học Điện Biên 1 giữa kỳ", "transfer"),
        ("nhà ở ngoài phường Quảng Phú có thi vào THPT Tô Hiến Thành được không", "catchment"),
        ("THPT Lam Kinh ở xã nào", "address"),
        ("Which commune is the Lam Kinh high school in?", "address"),
        ("chuyển sang đào ao thả cá có phải xin phép không", None),
        ("what about tickets?", "price"),
        ("vào Pù Luông có mất vé không", "price"),
        ("Is the museum open at the moment?", "open_now"),
        ("any exhibitions coming up at the museum?", "upcoming_events"),
        ("maternity hospital booking", "how_to_book"),
    ],
)
def test_the_aspect_a_place_question_asks(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "places") == aspect


def test_a_place_without_events_names_the_provinces_next_ones() -> None:
    record = {"name": "Danh thắng Hàm Rồng", "upcomingEvents": []}
    alone, _ = place_answers.attraction_answer(record, "upcoming_events", "vi", "1800")
    assert "chưa có sự kiện" in alone and "Sắp tới" not in alone
    festival = {"name": "Lễ hội Lam Kinh", "startsAt": "2027-09-21T07:00:00+07:00"}
    answer, _ = place_answers.attraction_answer(
        {**record, "provinceEvents": [festival]}, "upcoming_events", "vi", "1800"
    )
    assert "Sắp tới trong tỉnh:" in answer and "Lễ hội Lam Kinh: từ 21/09/2027" in answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("biển Sầm Sơn giá vé", "sam-son-beach"),
        ("biển Hải Tiến có gì chơi", "hai-tien-beach"),
        ("Pù Luông có gì đẹp", "pu-luong-nature-reserve"),
    ],
)
def test_a_place_and_the_festival_named_after_it_are_not_twins(
    question: str, expected: str
) -> None:
    # Review B7: the beach and "Lễ hội du lịch biển Sầm Sơn" share the words asked; the
    # place is answered (its answers carry its events), not "not sure".
    events = json.loads((DATA / "tourism/data/events.json").read_text(encoding="utf-8"))
    names = {**_records("tourism")}
    kinds = dict.fromkeys(names, "attraction")
    for row in events:
        names[row["slug"]] = [row["name"]["vi"], row["name"]["en"]]
        kinds[row["slug"]] = "event"
    index = resolve.NameIndex(names)
    candidates = [resolve.Candidate(kinds[key], key, names[key][0]) for key in names]
    synonyms = everyday.spelled(everyday.place_synonyms("tourism"))
    scored = resolve.score(resolve.spelled_out(question), candidates, index, synonyms)
    decision = resolve.venue_first(
        resolve.decide(scored, index.min_evidence(), rival_answers=True, places=True), scored
    )
    assert decision.kind == "answer" and decision.best, decision
    assert decision.best.candidate.id == expected


def test_a_record_of_another_kind_sharing_the_same_words_is_no_twin() -> None:
    # The resolver's twin rule (two records sharing the very same words are not answered) is
    # for records of one kind; the beach and its festival are left to venue_first.
    def scored(kind: str, record_id: str, fit: float, unsaid: set[str]) -> resolve.Scored:
        candidate = resolve.Candidate(kind, record_id, record_id, 10.0 if fit > 2 else 8.0, 1.0)
        return resolve.Scored(candidate, 3.0, ("bien", "sam son"), fit, unsaid=frozenset(unsaid))

    beach = scored("attraction", "sam-son-beach", 3.0, {"bai"})
    festival = scored("event", "sam-son-festival", 2.9, {"le hoi", "du lich"})
    decision = resolve.decide([beach, festival], 1.0, places=True)
    assert decision.kind == "answer" and decision.best is beach, decision
    other_beach = scored("attraction", "other-beach", 2.9, {"le hoi", "du lich"})
    assert resolve.decide([beach, other_beach], 1.0, places=True).kind != "answer"


@pytest.mark.parametrize(
    "question",
    [
        # "cho hỏi" (may I ask) folds as "chợ Hới": the opener names no market (review R8).
        "cho hoi lam ho chieu o dau",
        "cho hỏi thủ tục ly hôn",
        "cho hoi mua ve tau o dau",
    ],
)
def test_the_opener_cho_hoi_names_no_market(question: str) -> None:
    names = _records("tourism")
    index = resolve.NameIndex(names)
    candidates = [resolve.Candidate("attraction", key, names[key][0]) for key in names]
    synonyms = everyday.spelled(everyday.place_synonyms("tourism"))
    scored = resolve.score(resolve.spelled_out(question), candidates, index, synonyms)
    # As the action decides a Vietnamese question: a phrase of the name is needed.
    decision = resolve.decide(
        scored, index.min_evidence(), rival_answers=True, places=True, phrase_needed=True
    )
    stated = decision.best.candidate.id if decision.kind == "answer" and decision.best else None
    assert stated != "hoi-fish-market", decision
