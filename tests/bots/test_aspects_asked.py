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
    ],
)
def test_everyday_words_of_a_procedure_aspect(question: str, aspect: str) -> None:
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
