"""The aspect a question asks in an indirect shape (eleventh session, issue 14): a yes-or-no
about an office is where to apply; getting into a school is its admission; a plain request is
no processing time; the state of one's own application is no steps. Stating the right record
with another aspect is a confident wrong answer.

Pure Python (actions/text.py, actions/answers.py); the phrasings are written here, not taken
from the eval sets.
"""

import pytest
from actions import answers, text


@pytest.mark.parametrize(
    "question",
    [
        # Vietnamese, with diacritics: "ở <office> (có) (làm) được không".
        "làm căn cước cho con ở công an phường được không",
        "xin trích lục khai sinh ở UBND xã có được không ạ",
        "đăng ký xe máy mới mua tại công an huyện được ko",
        "chứng thực bản sao ở bưu điện được không",
        "khai tử cho bố ở quê có làm được không",
        "đăng ký kết hôn ở nơi chồng thường trú được chứ",
        "có thể nộp hồ sơ tách hộ ở bộ phận một cửa không",
        "gia hạn tạm trú ở tỉnh khác được không",
        # Whether one must go there, or which of two.
        "làm hộ chiếu có phải lên tỉnh không",
        "đổi bằng lái có bắt buộc ra sở giao thông không",
        "cấp lại căn cước làm ở xã hay lên huyện",
        # Without diacritics, and in chat spelling.
        "dang ky tam tru o cong an xa dc ko",
        "lam giay xac nhan cu tru tai phuong duoc khong a",
        "xin ly lich tu phap o huyen co duoc k",
        "co phai len tinh lam ho chieu khong",
        # English: a yes-or-no whose place is an office.
        "Can I register my son's birth at the ward office?",
        "is it possible to renew my temporary residence in another district?",
        "Could we get our marriage registered at the commune people's committee?",
        "Do I have to go to the provincial police for a passport?",
        "Can the commune police issue an ID card for my daughter?",
        "I live in Sam Son. Can I apply for the criminal record certificate at the district?",
        "will the ward office certify a copy of my degree",
        # A place named, right before the yes-or-no (or ending an English one).
        "xin lý lịch tư pháp ở Đà Nẵng được không",
        "cấp đổi căn cước ở Sầm Sơn có được không ạ",
        "can I renew my driving licence in Sam Son?",
    ],
)
def test_a_yes_or_no_about_an_office_asks_where(question: str) -> None:
    assert text.aspect_in(question, "procedures") == "agency"
    assert text.aspect_asked(question, "procedures", "documents") == ("agency_conditions")


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # A question word asks what it asks, office or not.
        ("ở xã cần những giấy tờ gì", "documents"),
        ("Can the ward office certify my diploma? What do I need to bring?", "documents"),
        ("Do I need to bring my household book to the ward office?", "documents"),
        ("how can I apply at the ward office", "steps"),
        # Where the asker lives is no office asked about.
        ("tôi ở huyện khác, làm căn cước được không", "eligibility"),
        ("nhà em ở xã Quảng Phú có được hỗ trợ mai táng không", "eligibility"),
        # The office doing something asked without a place word: whether it may.
        ("bà em không ký được, xã có xác nhận điểm chỉ được không", "eligibility"),
        # "ở xa" is far away, "lên tận nơi" to the place itself: no office.
        ("con ở xa có làm được không", "eligibility"),
        # A room, a spot or a place of one's own is where one lives, no office; moving one's
        # residence there, or who may in so many words, asks whether one may (review W1).
        ("đăng ký tạm trú ở phòng trọ của công ty được không", "eligibility"),
        ("đăng ký thường trú ở chỗ ở mới được không", "eligibility"),
        ("khai tạm trú ở nơi làm việc có được không", "eligibility"),
        ("nhập hộ khẩu về quê ngoại được không", "eligibility"),
        ("is my mother eligible for the pension from the commune", "eligibility"),
        # Where the asker lives, named: no office asked about.
        ("tôi ở Hải Phòng, đổi bằng lái được không", "eligibility"),
        ("Can I get married in Vietnam as a foreigner?", "eligibility"),
        # A place named like an office that is a hospital.
        ("Can I register the birth? Does the district hospital do it?", "eligibility"),
    ],
)
def test_not_a_yes_or_no_about_an_office(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "procedures") == aspect
    assert not text.asks_if_there(question)


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("làm ở phường có mất phí không", "fee"),
        ("nộp ở huyện được không, mất bao lâu", "time"),
        ("can I apply online at the ward office", "online"),
    ],
)
def test_the_fee_the_time_and_online_are_read_first(question: str, aspect: str) -> None:
    assert text.aspect_asked(question, "procedures", "agency") == aspect


@pytest.mark.parametrize(
    "question",
    [
        "How do kids get into the Lam Son gifted school?",
        "what does my son need to get accepted at Dao Duy Tu high school",
        "is it hard to get a place at the Ham Rong primary school",
        "vào trường chuyên Lam Sơn cần những gì",
        "vao truong thpt Ham Rong can bao nhieu diem",
        "con em muốn thi đỗ vào trường Đào Duy Từ thì phải làm sao",
        "đăng ký học lớp bổ túc buổi tối ở trung tâm GDTX thế nào",
        "điểm đầu vào lớp 10 trường Lam Sơn năm nay",
        "con tôi muốn học trường Nguyễn Du thì phải làm gì",
    ],
)
def test_getting_into_a_school_is_its_admission(question: str) -> None:
    assert text.aspect_in(question, "places") == "admission"


@pytest.mark.parametrize(
    "question",
    [
        # The way there, the time one goes in, a bus, parents let in (review W1).
        "đường vào trường THCS Điện Biên đi lối nào",
        "sáng mấy giờ học sinh vào trường Lam Sơn",
        "có xe buýt vào trường Hàm Rồng không",
        "phụ huynh có được vào trường đón con không",
        "what time do the kids get into class at Dao Duy Tu high school",
        # Getting into a place that is no school: no admission.
        "how do I get into the Tien Son cave",
        "how do we get into the citadel, is there a gate on the east side",
        # A procedure's file for a child at school: no school's admission.
        "xin xác nhận cư trú để nộp hồ sơ cho con đi học ở đâu",
        # Booking at a hospital of traditional medicine ("y học") is no school.
        "đăng ký khám ở bệnh viện y học cổ truyền",
    ],
)
def test_getting_into_something_else_is_no_admission(question: str) -> None:
    assert text.aspect_in(question, "places") != "admission"


@pytest.mark.parametrize(
    ("question", "intended", "aspect"),
    [
        # The classifier's processing time, with no word of time: nothing in particular.
        ("get a new ID card", "time", None),
        ("I want a new passport", "time", None),
        ("cấp đổi căn cước", "time", None),
        # Time words: the time.
        ("how soon can I get a new ID card", "time", "time"),
        ("làm lại căn cước mất mấy ngày", "time", "time"),
        ("when can I collect my passport", None, "time"),
        ("đổi bằng lái có lấy ngay được không", None, "time"),
        ("can I get the certified copy the same day", None, "time"),
        ("khai sinh có lấy trong ngày được không", None, "time"),
        ("đổi bằng lái có cách nào làm nhanh hơn không", None, "time"),
        ("can the ID card be expedited", None, "time"),
        # Whether one must go in person: whether it can be done online.
        ("làm lý lịch tư pháp có phải đến trực tiếp không", "eligibility", "online"),
        ("do I have to go in person to extend my temporary residence", None, "online"),
        # Other aspects still come from the intent when the words say none.
        ("cấp lại giấy phép lái xe", "fee", "fee"),
        ("how do I get a new ID card", "time", "steps"),
    ],
)
def test_a_time_only_in_words_of_time(
    question: str, intended: str | None, aspect: str | None
) -> None:
    assert text.aspect_asked(question, "procedures", intended) == aspect


@pytest.mark.parametrize(
    "question",
    [
        "làm sao biết hồ sơ làm hộ chiếu đã xong chưa",
        "lam sao biet ho so cap can cuoc da co ket qua chua",
        "hồ sơ đăng ký đất của nhà em đến đâu rồi",
        "tra cứu tình trạng hồ sơ xin lý lịch tư pháp ở đâu",
        "ho so tach ho cua toi duoc duyet chua",
        "how do I check the status of my passport application",
        "has my residence registration been approved yet",
        "how can I track my ID card application",
    ],
)
def test_the_state_of_ones_own_application(question: str) -> None:
    assert text.aspect_in(question, "procedures") == "status"


RECORD = {
    "name": "Cấp hộ chiếu phổ thông",
    "code": "1.001456",
    "agency": "Phòng Quản lý xuất nhập cảnh Công an tỉnh",
    "level": "PROVINCE",
    "steps": ["Nộp hồ sơ", "Nhận kết quả"],
    "processingTime": {"workingDays": 8},
    "applicants": "Công dân Việt Nam",
    "conditions": "Có thẻ căn cước",
}


def test_the_state_of_an_application_is_looked_up_elsewhere() -> None:
    reply, _ = answers.procedure_answer(RECORD, "status", "vi")
    assert "Cổng dịch vụ công" in reply
    assert "Phòng Quản lý xuất nhập cảnh" in reply  # where it was handed in
    assert "Các bước" not in reply  # never the steps as if they answered it
    reply, _ = answers.procedure_answer(RECORD, "status", "en")
    assert "public services portal" in reply and "Steps" not in reply


def test_a_yes_or_no_about_an_office_is_answered_with_where_and_who() -> None:
    reply, _ = answers.procedure_answer(RECORD, "agency_conditions", "vi")
    assert "Nộp hồ sơ tại: Phòng Quản lý xuất nhập cảnh" in reply
    assert "Điều kiện: Có thẻ căn cước" in reply
    bare = {key: value for key, value in RECORD.items() if key not in ("applicants", "conditions")}
    reply, _ = answers.procedure_answer(bare, "agency_conditions", "en")
    assert reply.endswith("(province level).")  # no "the record does not say who can apply"


def test_the_words_asking_the_state_of_a_file_name_no_record() -> None:
    # "tình trạng" of the marital-status certificate's name is how the question asks here.
    assert text.without_status_words("tra cứu tình trạng hồ sơ căn cước ở đâu") == (
        "tra cứu căn cước ở đâu"
    )
    assert text.without_status_words("ho so dang ky ket hon den dau roi") == (
        "ho so dang ky ket hon"
    )
    # Not a status question: as typed ("tình trạng hôn nhân" is the record's own words).
    question = "xin giấy xác nhận tình trạng hôn nhân ở đâu"
    assert text.without_status_words(question) == question
    assert text.aspect_in(question, "procedures") == "agency"


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # Whether one may, with no office asked about: who may, on what conditions.
        ("con 13 tuổi có được làm căn cước không", "eligibility"),
        ("bà tôi 75 tuổi có được hưởng trợ cấp hưu trí không", "eligibility"),
        ("đăng ký tạm trú ở nhà thuê được không", "eligibility"),
        ("can I get married at 17?", "eligibility"),
        # Online, asked so.
        ("nộp hồ sơ khai sinh online có được không", "online"),
        ("can I register a death online?", "online"),
        # "get" with the aspect's own words.
        ("how long does it take to get a new passport", "time"),
        ("how much is it to get a new driving licence", "fee"),
        ("where do I get a criminal record certificate", "agency"),
    ],
)
def test_other_aspects_keep_their_words(question: str, aspect: str) -> None:
    assert text.aspect_asked(question, "procedures", None) == aspect


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("how do I get to the Lam Son gifted school", "address"),
        ("vào bảo tàng tỉnh có mất tiền không", "price"),
        ("vào Thành nhà Hồ lúc mấy giờ", "hours"),
    ],
)
def test_getting_to_or_into_a_place_keeps_its_aspect(question: str, aspect: str) -> None:
    assert text.aspect_in(question, "places") == aspect


@pytest.mark.parametrize(
    "question",
    [
        # Whether a paper is needed, or how many: the documents, not who may.
        "làm hộ chiếu cần mấy ảnh",
        "lam can cuoc can 2 anh the khong",
        "đăng ký kết hôn cần bao nhiêu bản sao",
        "có cần bản sao có chứng thực không",
        "tách hộ có phải nộp bản chính sổ hộ khẩu không",
        "đổi bằng lái có cần giấy khám sức khỏe không",
        "do I need a passport photo for the ID card",
        "is a health certificate required to exchange a driving licence?",
        "Should I bring photocopies or the originals?",
    ],
)
def test_whether_a_paper_is_needed_asks_the_documents(question: str) -> None:
    assert text.aspect_in(question, "procedures") == "documents"


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # A need stated before what is asked: what is asked.
        ("I need a copy of my birth certificate, how do I get one?", "steps"),
        ("em cần bản sao giấy khai sinh thì làm thế nào", "steps"),
        # A brother is no photo ("anh" folds as "ảnh"); a paper that is a record itself, or
        # simple ("đơn giản"), is no paper asked for.
        ("co can anh trai di cung khong", "eligibility"),
        ("trẻ em có cần làm căn cước không", "eligibility"),
        ("thủ tục tách hộ có đơn giản không", None),
        # Whether the child must come along: how it is done.
        ("làm căn cước cho con có phải dẫn cháu lên công an không", "steps"),
        # Whether it must be handed in at an office: where.
        ("có phải nộp hồ sơ ở xã không", "agency"),
    ],
)
def test_a_need_that_asks_something_else(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "procedures") == aspect


def test_a_school_hard_to_get_into_and_a_day_to_visit() -> None:
    assert text.aspect_in("is the Dao Duy Tu high school hard to get into?", "places") == (
        "admission"
    )
    assert text.aspect_in("can we visit the citadel on a Monday", "places") == "hours"
    assert text.aspect_in("chủ nhật tham quan bảo tàng được không", "places") == "hours"
    # A day alone is no hours ("on Sunday" of an event: its dates).
    assert text.aspect_in("chủ nhật này có sự kiện gì", "places") == "upcoming_events"


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # The longest one may have it: how long it stays valid.
        ("tạm trú được tối đa bao nhiêu năm", "validity"),
        ("dang ky tam tru o duoc bao lau", "validity"),
        ("how long can I stay on one temporary residence registration", "validity"),
        # When it expires; an expired paper asks no validity.
        ("căn cước hết hạn sau mấy năm", "validity"),
        ("the passport, when does it expire", "validity"),
        ("bằng lái hết hạn rồi đổi mất bao lâu", "time"),
        # How long until it is ready, at most: the processing time.
        ("cấp đổi căn cước tối đa bao lâu thì có", "time"),
    ],
)
def test_the_longest_one_may_have_it(question: str, aspect: str) -> None:
    assert text.aspect_in(question, "procedures") == aspect


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # Where the way in is, how far, what it costs: no admission (review R1; "đâu", "đó"
        # fold as "dau", "do").
        ("cổng vào trường THPT Đào Duy Từ ở đâu", "address"),
        ("vao truong thcs dien bien o dau", "address"),
        ("vào trường đó có xa không", None),
        ("con tôi vào trường Điện Biên học có xa không", None),
        ("vào trường chuyên học phí bao nhiêu", None),
    ],
)
def test_where_the_way_in_is_is_no_admission(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "places") == aspect


def test_a_persons_place_named_is_no_office() -> None:
    # Marrying someone from Hà Nội: whether one may, not where.
    assert not text.asks_if_there("đăng ký kết hôn với người ở Đà Nẵng được không")
    assert text.asks_if_there("đăng ký kết hôn ở Đà Nẵng được không")


@pytest.mark.parametrize(
    "question",
    [
        "Is it worth visiting Sam Son on Sunday?",
        "Can I visit Pu Luong on the weekend? What is there to do?",
        "thứ 7 tham quan Sầm Sơn có đông không",
    ],
)
def test_a_trip_on_a_day_asks_no_hours(question: str) -> None:
    assert text.aspect_in(question, "places") != "hours"


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # A verb of doing before "được", what is done after: can it be done there.
        ("ở phường có làm được hộ chiếu cho trẻ em không", "agency"),
        # Receiving ("được hỗ trợ") is no doing: whether one may.
        ("ở xã có được hỗ trợ tiền mai táng không", "eligibility"),
        # Handing papers in at an office: where; bringing one to it: the documents.
        ("Is it okay to submit the documents at the post office?", "agency"),
        ("Do I need to submit my ID to the ward office?", "documents"),
    ],
)
def test_doing_it_at_an_office(question: str, aspect: str) -> None:
    assert text.aspect_in(question, "procedures") == aspect


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # Sooner, with the question's own where or fee: those (review R3).
        ("làm nhanh căn cước thì nộp ở đâu", "agency"),
        ("ID card express service fee", "fee"),
        ("I need it urgently, where do I go", "agency"),
        # Sooner alone, or with whether one may: how long it takes.
        ("cấp lại bằng lái có cách nào nhanh hơn không", "time"),
        ("can I get my ID card faster", "time"),
        # How many of a paper: the documents.
        ("how many photos for an ID card", "documents"),
        ("đổi bằng lái mấy ảnh", "documents"),
    ],
)
def test_sooner_comes_after_what_is_asked(question: str, aspect: str) -> None:
    assert text.aspect_in(question, "procedures") == aspect
