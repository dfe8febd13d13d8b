"""The aspect a question asks, read from everyday words (ninth session, issue 14): a question
stating the right record with another aspect is a confident wrong answer.

Pure Python (actions/text.py); the phrasings are written here, not taken from the eval sets.
"""

import pytest
from actions import text


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # "mất/hết bao nhiêu" is money; "bao nhiêu ngày" is time; "một trang" a price per page.
        ("công chứng giấy tờ ở phường mất bao nhiêu", "fee"),
        ("chung thuc ban sao het bao nhieu", "fee"),
        ("chứng thực bản sao bao nhiêu một trang", "fee"),
        # Review R13: a unit of time is the time; "một trang trại" is a farm, no page.
        ("đăng ký khai sinh mất bao nhiêu thời gian", "time"),
        ("làm hộ chiếu mất bao nhiêu tháng", "time"),
        ("làm sổ đỏ hết bao nhiêu tuần", "time"),
        ("het bao nhieu buoi", "time"),
        ("bao giờ thì có kết quả", "time"),
        ("làm hộ chiếu mất bao nhiêu ngày", "time"),
        ("đổi bằng lái bao nhiêu ngày thì có", "time"),
        # "chưa bao giờ có" (never had) is no "bao giờ có" (when is it ready).
        ("con em chưa bao giờ có giấy khai sinh, giờ làm cần những giấy tờ gì", "documents"),
        ("nhà em chưa bao giờ có sổ đỏ, làm lần đầu thì nộp ở đâu", "agency"),
        ("làm khai sinh cho con bao giờ có", "time"),
        # "như nào" is how.
        ("hòa giải tranh chấp đất đai ở xã làm như nào", "steps"),
        ("dang ky ket hon lam nhu nao", "steps"),
        # The office asked in so many words, beside "how do I".
        ("How do I get a certified copy? Which office does it?", "agency"),
        ("what office handles birth registration", "agency"),
        # More everyday words of each aspect.
        ("đăng ký kết hôn phải chuẩn bị những gì", "documents"),
        ("xin trích lục khai sinh thì nộp những gì", "documents"),
        ("what do I need to submit for a death registration", "documents"),
        ("làm căn cước tốn bao nhiêu", "fee"),
        ("đổi bằng lái tốn bao nhiêu tiền", "fee"),
        ("đăng ký khai sinh có miễn phí không", "fee"),
        ("is birth registration free", "fee"),
        ("mấy hôm thì có căn cước", "time"),
        ("nộp hồ sơ rồi bao giờ thì lấy được", "time"),
        ("how many days until I get the passport", "time"),
        ("how can I register a marriage", "steps"),
        ("what is the process to transfer land", "steps"),
        ("làm hộ chiếu thì lên đâu", "agency"),
        ("which authority issues building permits", "agency"),
        ("tách hộ theo quy định nào", "legal"),
        ("do I qualify for the social allowance", "eligibility"),
        # How, asked in so many words, over a yes-or-no; who may, asked so, over how.
        ("đi làm xa có phải khai tạm trú không, làm thế nào", "steps"),
        ("Do I have to register my stay? How do I do it?", "steps"),
        ("tách hộ cần điều kiện gì, làm thế nào", "eligibility"),
        ("con 15 tuổi làm căn cước có cần bố mẹ đi cùng không", "eligibility"),
        # Not: "có căn cước" is no "có cần"; the funeral support's "chi phí" asks no fee.
        ("con có căn cước rồi thì làm hộ chiếu ở đâu", "agency"),
        ("hỗ trợ chi phí mai táng cần giấy tờ gì", "documents"),
        # Review R13: a farm asks no fee.
        ("đăng ký kinh doanh một trang trại nuôi gà", None),
    ],
)
def test_everyday_words_of_a_procedure_aspect(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "procedures") == aspect


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # A ticket, typed with accents: "vé" alone ("còn vé thì sao").
        ("thế còn vé thì sao", "price"),
        ("vé trẻ em thế nào", "price"),
        ("co phai mua ve khong", "price"),
        ("vào đó có cần mua vé không", "price"),
        # Who to call is the phone.
        ("Who should I call about the boat to the island?", "phone"),
        ("who do I call for a tour there", "phone"),
        # Bookings, plural.
        ("do they take bookings by phone?", "how_to_book"),
        ("can I make bookings online", "how_to_book"),
        # Where the family lives, and whether the child may go there: the catchment.
        ("nhà mình ở xã Quảng Phú, cháu vào lớp 6 trường Nguyễn Du được không", "catchment"),
        ("truong tieu hoc Le Loi nha o phuong nao thi duoc hoc", "catchment"),
        ("We live in Dong Tho ward, can my son go to Dien Bien primary?", "catchment"),
        # Not without the child's school: a hospital near home, admission dates.
        ("nhà em ở Sầm Sơn, có được khám ở bệnh viện tỉnh không", None),
        ("nhà em ở phường Đông Hải, tuyển sinh lớp 1 khi nào", "admission"),
        # More everyday words of each aspect.
        ("bảo tàng đóng cửa lúc mấy giờ", "hours"),
        ("when does the museum open", "hours"),
        ("how much is the entrance to the citadel", "price"),
        ("đường đi đến Pù Luông thế nào", "address"),
        ("what's their number", "phone"),
        ("bệnh viện nhi lấy số khám online được không", "how_to_book"),
        ("does the hospital have a dentist", "departments"),
        ("lớp 1 khi nào nhập học", "admission"),
        ("con có học được trường Điện Biên không", "catchment"),
        ("my daughter is switching schools in March", "transfer"),
        ("thứ 7 đền Bà Triệu có mở không", "hours"),
        ("is the citadel open on Sundays", "hours"),
        ("how do I get to the citadel from the city", "address"),
        ("can I call the temple before we go", "phone"),
        ("which primary school is our street assigned to", "catchment"),
        # A day alone is no hours.
        ("chủ nhật này có sự kiện gì ở Lam Kinh", "upcoming_events"),
        # "nhiêu" typed a letter short.
        ("đền Bà Triệu vé bao nhiu", "price"),
    ],
)
def test_everyday_words_of_a_place_aspect(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "places") == aspect


@pytest.mark.parametrize(
    "question",
    [
        # "vé" needs its accent: unaccented "ve" is also "về".
        "con ve thi sao",
        "ve Sam Son choi gi",
    ],
)
def test_an_unaccented_ve_is_no_ticket(question: str) -> None:
    assert text.aspect_in(question, "places") != "price"


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        # A phone number taken down is no booking; a place's area is no catchment.
        ("cho em lấy số điện thoại bệnh viện nhi", "phone"),
        ("which area is Pu Luong in", None),
    ],
)
def test_words_near_an_aspect_are_not_it(question: str, aspect: str | None) -> None:
    assert text.aspect_in(question, "places") == aspect


def test_how_a_dish_is_made_asks_no_procedures_steps() -> None:
    # "cách làm" is how anything is made: the steps come from the intent, if it says so.
    assert text.aspect_in("cách làm bánh chưng", "procedures") is None


@pytest.mark.parametrize(
    ("question", "not_asked"),
    [
        # Review R13: how far a file has got is no office; from what age is no processing time.
        ("hồ sơ của tôi đến đâu rồi", "agency"),
        ("bao giờ thì được đăng ký kết hôn", "time"),
    ],
)
def test_words_near_a_procedure_aspect_are_not_it(question: str, not_asked: str) -> None:
    assert text.aspect_in(question, "procedures") != not_asked
