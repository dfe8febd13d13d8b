"""What identifies a person never leaves the API for the assistant."""

import pytest

from domains.chatbot.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("số điện thoại của tôi 0912345678 nhé", "0912345678", "<phone>"),
        ("gọi 0912 345 678 giúp", "0912 345 678", "<phone>"),
        ("sdt 0912.345.678", "0912.345.678", "<phone>"),
        ("liên hệ +84 912 345 678", "+84 912 345 678", "<phone>"),
        ("máy bàn 02373852000", "02373852000", "<phone>"),
        ("cccd của tôi là 038123456789", "038123456789", "<id-number>"),
        ("cmnd 172345678 bị mất", "172345678", "<id-number>"),
        ("thẻ bhyt DN4012345678901 hết hạn", "DN4012345678901", "<bhyt-number>"),
        ("the bhyt hs 4 01 2345678901", "hs 4 01 2345678901", "<bhyt-number>"),
        ("email a.nguyen+1@gmail.com", "a.nguyen+1@gmail.com", "<email>"),
    ],
)
def test_identifiers_are_replaced(text: str, secret: str, placeholder: str) -> None:
    masked = mask_personal_data(text)
    assert secret not in masked
    assert placeholder in masked


@pytest.mark.parametrize(
    "text",
    [
        "lệ phí thủ tục 1.001193 bao nhiêu",
        "tuyển sinh lớp 6 năm 2025",
        "mất 15 ngày làm việc",
        '/inform_procedure{"procedure": "3.000347"}',
        "hotline 19001234",
    ],
)
def test_ordinary_numbers_and_procedure_codes_stay(text: str) -> None:
    assert mask_personal_data(text) == text
