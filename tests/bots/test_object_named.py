"""A procedure question names an object (an exam, a kind of enterprise, a school level, a
card, a professional licence): a record about another object is never stated, however many
of its words the question shares (actions/resolve.py, ``own_phrases``, ``Scored.own``,
``Scored.renewal_of_part``, the school levels; issue 14).

Pure Python, on the demo procedure names; the everyday names are written here, not read from
the catalogue's list.
"""

import pytest
from actions import resolve

from tests.bots.procedure_names import decide_ranked, procedure_index

HOUSEHOLD_BUSINESS = "1.001612"
HOUSEHOLD_BUSINESS_CHANGE = "2.000720"
VEHICLE = "1.010910"
PARENT_CHILD = "1.001022"
LICENCE_REISSUE = "3.000348"
LICENCE_EXCHANGE = "3.000347"
PASSPORT = "1.001456"
LINKED_BIRTH = "2.000986"
ID_REISSUE = "2.001194"
SCHOOL_TRANSFER = "2.002481"
GRADE_6 = "3.000182"
GRADE_10 = "3.000181"
LAND_FIRST = "1.013978"
RESIDENCE = "1.004222"
BUILDING = "1.013225"
MARRIAGE = "1.000894"
BIRTH = "1.001193"

SYNONYMS = {
    "bhyt": ["bao hiem y te"],
    "cccd": ["can cuoc cong dan", "can cuoc", "the can cuoc"],
    "cap 2": ["trung hoc co so"],
    "thcs": ["trung hoc co so"],
    "bang lai": ["giay phep lai xe"],
    "nhap khau": ["dang ky thuong tru"],
    "dang ky xe lan dau": ["dang ky xe"],
    "so do lan dau": ["giay chung nhan quyen su dung dat"],
}


@pytest.fixture(scope="module")
def procedures() -> resolve.NameIndex:
    index = procedure_index()
    index.question_pairs = {"giay to", "can giay"}
    # As actions/catalogue.py sets it from the other catalogues' names ("làng nghề", "Đại học").
    index.elsewhere = {"nghe", "dai"}
    return index


def _decide(
    index: resolve.NameIndex, question: str, *ranked: tuple[str, float]
) -> resolve.Decision:
    return decide_ranked(index, question, ranked, SYNONYMS, heads=True)


# Another object than any record's: never stated, nor offered as "A or B?".
NOT_HELD = [
    ("đăng ký doanh nghiệp tư nhân", (HOUSEHOLD_BUSINESS, 0.1), (HOUSEHOLD_BUSINESS_CHANGE, 0.05)),
    ("dang ky doanh nghiep tu nhan", (HOUSEHOLD_BUSINESS, 0.1), (HOUSEHOLD_BUSINESS_CHANGE, 0.05)),
    ("đăng ký doanh nghiệp tư nhân ở đâu", (HOUSEHOLD_BUSINESS, 0.7)),
    ("đăng ký thi công chức", (VEHICLE, 0.01), (BIRTH, 0.01)),
    ("dang ky thi cong chuc nam nay", (VEHICLE, 0.01), (BIRTH, 0.01)),
    ("đăng ký nuôi con nuôi", (PARENT_CHILD, 0.2)),
    ("thu tuc nhan con nuoi", (PARENT_CHILD, 0.2)),
    ("cấp lại giấy phép hành nghề y", (LICENCE_REISSUE, 0.5)),
    ("cap lai giay phep hanh nghe duoc", (LICENCE_REISSUE, 0.5)),
    ("xin giấy phép hành nghề luật sư", (LICENCE_REISSUE, 0.5), (LICENCE_EXCHANGE, 0.1)),
    ("cấp hộ chiếu ngoại giao", (PASSPORT, 0.8)),
    ("xin cấp hộ chiếu ngoại giao cho chồng", (PASSPORT, 0.8)),
    ("cấp lại thẻ bảo hiểm y tế", (LINKED_BIRTH, 0.5), (ID_REISSUE, 0.1)),
    ("cap lai the bhyt", (LINKED_BIRTH, 0.5), (ID_REISSUE, 0.1)),
    ("đổi thẻ bảo hiểm y tế bị sai tên", (LINKED_BIRTH, 0.6)),
    ("làm lại thẻ bảo hiểm y tế cho mẹ", (LINKED_BIRTH, 0.6)),
    # "thẻ bảo hiểm | xã hội": the name goes on "bảo hiểm | y tế"; "xã hội" is other names'.
    ("cấp thẻ bảo hiểm xã hội", (LINKED_BIRTH, 0.1)),
    ("cap the bao hiem xa hoi cho bo", (LINKED_BIRTH, 0.1)),
    ("con tôi muốn chuyển trường đại học", (SCHOOL_TRANSFER, 0.9)),
    ("chuyen truong cao dang", (SCHOOL_TRANSFER, 0.9)),
    ("chuyển trường mầm non cho bé", (SCHOOL_TRANSFER, 0.9)),
    ("tuyển sinh đại học năm nay", (GRADE_6, 0.01), (GRADE_10, 0.5)),
    ("dang ky tuyen sinh lop 1 cho con", (GRADE_6, 0.05), (GRADE_10, 0.5)),
    ("cấp mã số thuế cá nhân", (LAND_FIRST, 0.05), (VEHICLE, 0.01)),
    ("đăng ký lần đầu xe ô tô cũ nhập khẩu", (RESIDENCE, 0.05), (VEHICLE, 0.05), (LAND_FIRST, 0.1)),
]


@pytest.mark.parametrize(("question", "ranked"), [(q, r) for q, *r in NOT_HELD])
def test_another_object_is_not_stated(
    procedures: resolve.NameIndex, question: str, ranked: list[tuple[str, float]]
) -> None:
    decision = _decide(procedures, question, *ranked)
    assert decision.kind in ("unsure", "none"), (decision.kind, decision.why)


# The neighbours: the record's own object, however asked, stays answered.
HELD = [
    ("đăng ký hộ kinh doanh cá thể", HOUSEHOLD_BUSINESS, (HOUSEHOLD_BUSINESS, 0.5)),
    ("thanh lap ho kinh doanh can gi", HOUSEHOLD_BUSINESS, (HOUSEHOLD_BUSINESS, 0.7)),
    ("cấp lại giấy phép lái xe bị mất", LICENCE_REISSUE, (LICENCE_REISSUE, 0.5)),
    ("cap lai bang lai xe", LICENCE_REISSUE, (LICENCE_REISSUE, 0.5)),
    ("làm hộ chiếu phổ thông cho con", PASSPORT, (PASSPORT, 0.8)),
    ("cấp hộ chiếu ở đâu", PASSPORT, (PASSPORT, 0.8)),
    ("cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi", LINKED_BIRTH, (LINKED_BIRTH, 0.7)),
    ("chuyển trường cấp 2 cho con", SCHOOL_TRANSFER, (SCHOOL_TRANSFER, 0.6)),
    ("chuyen truong thcs giua nam", SCHOOL_TRANSFER, (SCHOOL_TRANSFER, 0.9)),
    ("đăng ký nhận cha mẹ con", PARENT_CHILD, (PARENT_CHILD, 0.5)),
    ("cấp giấy phép xây dựng nhà ở", BUILDING, (BUILDING, 0.6)),
    ("đổi giấy phép lái xe hết hạn", LICENCE_EXCHANGE, (LICENCE_EXCHANGE, 0.5)),
    ("dang ky ket hon can giay to gi", MARRIAGE, (MARRIAGE, 0.7)),
    ("cấp lại thẻ căn cước bị mất", ID_REISSUE, (ID_REISSUE, 0.5)),
    # "căn cước công dân" is what "cccd" means, not another record's "công dân".
    ("cấp thẻ căn cước công dân cho con 10 tuổi", "1.014062", ("1.014062", 0.5)),
    # "gắn chip" is how people call the card; a copy is of another record's paper; "mất" of
    # someone who died asks no re-issue.
    ("làm lại căn cước gắn chip bị mất", ID_REISSUE, (ID_REISSUE, 0.5)),
    ("xin bản sao trích lục kết hôn", "2.000635", ("2.000635", 0.4)),
    ("bố tôi mất thì có được hỗ trợ mai táng không", "1.001731", ("1.001731", 0.6)),
    ("tuyển sinh vào lớp 10", GRADE_10, (GRADE_10, 0.6)),
    # "thủ tục", what every procedure is, leaves nothing of the question unexplained.
    ("đăng ký khai sinh muộn cho cháu thì thủ tục thế nào", BIRTH, (BIRTH, 0.4)),
    ("tach ho cho con trai la thu tuc gi", "1.010038", ("1.010038", 0.6)),
]


@pytest.mark.parametrize(("question", "expected", "ranked"), [(q, e, r) for q, e, *r in HELD])
def test_the_records_own_object_is_answered(
    procedures: resolve.NameIndex, question: str, expected: str, ranked: list[tuple[str, float]]
) -> None:
    decision = _decide(procedures, question, *ranked)
    assert (decision.kind, decision.options[0].candidate.id) == ("answer", expected), decision.why


def test_a_phrase_said_of_another_thing_is_not_the_records() -> None:
    index = procedure_index()
    typed = resolve.fold("cấp mã số thuế cá nhân").split()
    deeds = resolve.deed_pairs(index)
    plain = resolve.plain_words(index, deeds)
    # "cá nhân" qualifies "thuế" here, and in the land registration's name whom it is for.
    assert resolve.own_phrases(typed, ["ca nhan"], index, LAND_FIRST, plain, deeds) == ()
    typed = resolve.fold("đăng ký đất lần đầu cho cá nhân").split()
    assert resolve.own_phrases(typed, ["ca nhan"], index, LAND_FIRST, plain, deeds) == ("ca nhan",)


PLACES = {
    "park": ["Vườn quốc gia Bến En", "Ben En National Park"],
    "reserve": ["Khu bảo tồn thiên nhiên Xuân Liên", "Xuan Lien Nature Reserve"],
    "museum": ["Bảo tàng tỉnh Thanh Hóa", "Thanh Hoa Provincial Museum"],
    "citadel": ["Thành nhà Hồ", "Ho Citadel"],
    "beach": ["Bãi biển Sầm Sơn", "Sam Son Beach"],
    "temple": ["Đền Bà Triệu", "Ba Trieu Temple"],
    "cave": ["Động Từ Thức", "Tu Thuc Cave"],
    "lake": ["Hồ Cửa Đạt", "Cua Dat Lake"],
    "rock": ["Hòn Trống Mái", "Trong Mai Rock"],
    "village": ["Làng cổ Đông Sơn", "Dong Son Ancient Village"],
}


@pytest.mark.parametrize(
    ("question", "place", "kind"),
    [
        # "quốc gia" said of the national exam: the kind the park's name begins with, which
        # its English name translates, names no park.
        ("đăng ký thi THPT quốc gia", "park", "unsure"),
        ("lich thi tot nghiep thpt quoc gia nam nay", "park", "unsure"),
        # The park's kind said as its own, or its proper name, kept.
        ("vườn quốc gia có gì chơi", "park", "answer"),
        ("vqg ben en gia ve bao nhieu", "park", "answer"),
        # A proper name after a kind word the name lacks ("rừng | Xuân Liên") is the place's.
        ("rừng Xuân Liên có cho cắm trại không", "reserve", "answer"),
    ],
)
def test_a_kind_said_of_another_thing_names_no_place(question: str, place: str, kind: str) -> None:
    index = resolve.NameIndex(PLACES)
    index.places = True
    candidates = [resolve.Candidate("attraction", place, "", 1.0, 0.8)]
    scored = resolve.score(question, candidates, index, {})
    decision = resolve.decide(scored, index.min_evidence(), places=True, phrase_needed=True)
    assert decision.kind == kind, decision.why


def test_whom_it_is_for_is_not_what_is_asked(procedures: resolve.NameIndex) -> None:
    # "người khuyết tật" is an everyday name of the disability assessment, and here whom the
    # allowance an everyday name names is for: the allowance.
    synonyms = {
        "tro cap xa hoi": ["tro cap xa hoi hang thang"],
        "nguoi khuyet tat": ["xac dinh muc do khuyet tat"],
    }
    allowance, disability = "1.001776", "1.001699"
    for question in (
        "trợ cấp xã hội cho người khuyết tật",
        "tro cap xa hoi cho nguoi khuyet tat can giay to gi",
    ):
        decision = decide_ranked(
            procedures, question, ((disability, 0.1), (allowance, 0.4)), synonyms, heads=True
        )
        assert (decision.kind, decision.options[0].candidate.id) == ("answer", allowance), (
            decision.kind,
            decision.why,
        )
    # Asked for the person, the assessment stays.
    decision = decide_ranked(
        procedures, "xác định mức độ khuyết tật cho người già", ((disability, 0.6),), synonyms
    )
    assert (decision.kind, decision.options[0].candidate.id) == ("answer", disability)
