"""How a Vietnamese question opens ("cho em hỏi", "xin hỏi", "ad ơi cho mình hỏi") asks nothing:
the resolver reads what follows (actions/text.py ``without_opener``). Unread, "cho hoi" folded
to the fish market "Chợ Hới" and stated it for any question so opened (session 10 review R8).
Questions in my own words."""

import pytest
from actions.text import without_opener


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("cho hoi lam the bao hiem y te o dau", "lam the bao hiem y te o dau"),
        ("Cho em hỏi đổi bằng lái xe hết hạn cần gì ạ", "đổi bằng lái xe hết hạn cần gì ạ"),
        ("xin hỏi, lệ phí trích lục khai sinh", "lệ phí trích lục khai sinh"),
        ("ad ơi cho mình hỏi là tạm vắng khai ở đâu", "tạm vắng khai ở đâu"),
        ("chào ad, cho tôi hỏi: hồ sơ tách hộ", "hồ sơ tách hộ"),
        ("cho e hoi chut dk ket hon", "dk ket hon"),
        ("cho hỏi với, bảo tàng tỉnh mấy giờ mở", "bảo tàng tỉnh mấy giờ mở"),
    ],
)
def test_an_opener_asks_nothing(typed: str, read: str) -> None:
    assert without_opener(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        # A capital "Hoi" is the market's name typed without accents, and the market with
        # its accents is no opener.
        "cho Hoi o Sam Son ban ca may gio",
        "chợ Hới có bán hải sản khô không",
        # Nothing follows: the text as typed (the classifier's small talk).
        "cho hỏi",
        # "cho" not opening a question, "hỏi" not after it.
        "cho con nhập học lớp 1 ở đâu",
        "hỏi thủ tục làm giấy phép xây dựng",
        "cấp lại thẻ cho hỏi ai ký",
    ],
)
def test_what_opens_no_question_is_kept(typed: str) -> None:
    assert without_opener(typed) == typed
