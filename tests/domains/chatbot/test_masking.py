"""What identifies a person never leaves the API for the assistant."""

import json
from pathlib import Path

import pytest

from domains.chatbot.masking import mask_personal_data
from domains.chatbot.ports import PLACE_NAMES_TTL_SECONDS, PlaceNameSources


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


@pytest.mark.parametrize(
    ("text", "name", "masked"),
    [
        (
            "Tên tôi là Nguyễn Thị Mai, muốn đặt lịch khám tim",
            "Nguyễn Thị Mai",
            "Tên tôi là <name>, muốn đặt lịch khám tim",
        ),
        (
            "ten toi la nguyen van an, sinh nam 1980",
            "nguyen van an",
            "ten toi la <name>, sinh nam 1980",
        ),
        (
            "họ và tên: phạm quốc huy, sđt 0912345678",
            "phạm quốc huy",
            "họ và tên: <name>, sđt <phone>",
        ),
        ("Tôi là Lan, con tôi bị sốt", "Lan", "Tôi là <name>, con tôi bị sốt"),
        ("Chị Hoa muốn hỏi lịch tiêm", "Hoa", "Chị <name> muốn hỏi lịch tiêm"),
        ("bé Na bị ho 3 ngày", "Na", "bé <name> bị ho 3 ngày"),
        (
            "bệnh nhân Lê Thị Hồng Nhung cần tái khám",
            "Hồng Nhung",
            "bệnh nhân <name> cần tái khám",
        ),
        (
            "Hôm qua Trần Văn Bình đặt lịch nhưng chưa được",
            "Trần Văn Bình",
            "Hôm qua <name> đặt lịch nhưng chưa được",
        ),
        (
            "My name is John Smith and I need a passport",
            "John Smith",
            "My name is <name> and I need a passport",
        ),
        ("I'm Anna, where is the hospital?", "Anna", "I'm <name>, where is the hospital?"),
        ("the patient is Maria Lopez", "Maria", "the patient is <name>"),
        ("Mr Brown wants to book a visit", "Brown", "Mr <name> wants to book a visit"),
        ("Học sinh Phạm Thị Thu lớp 6A", "Phạm Thị Thu", "Học sinh <name> lớp 6A"),
        ("Hôm qua Lê Thị Hoa gọi", "Lê Thị Hoa", "Hôm qua <name> gọi"),  # "Thị" is no place
        ("Nguyễn Văn Thành đặt lịch", "Nguyễn Văn Thành", "<name> đặt lịch"),
        (
            "bệnh nhân nguyễn văn an cần tái khám",
            "nguyễn văn an",
            "bệnh nhân <name> cần tái khám",
        ),
        ("tên bé Na, 3 tuổi", "Na", "tên bé <name>, 3 tuổi"),
        ("Ho ten: le thi hoa", "le thi hoa", "Ho ten: <name>"),
        (
            "sinh viên Trần Minh Khôi cần giấy xác nhận",
            "Khôi",
            "sinh viên <name> cần giấy xác nhận",
        ),
    ],
)
def test_names_are_replaced(text: str, name: str, masked: str) -> None:
    assert mask_personal_data(text) == masked
    assert name not in mask_personal_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "tôi là sinh viên, muốn hỏi học bổng",  # "tôi là" + a lower-case word: not a name
        "I am looking for a hotel near Sầm Sơn",
        "đường Lê Lợi ở đâu",  # streets, schools and temples carry heroes' names
        "Phố Trần Phú có quán phở nào",
        "Trường THPT Đào Duy Từ tuyển sinh lớp 10",
        "THCS Trần Mai Ninh địa chỉ",
        "đền Bà Triệu mở cửa mấy giờ",
        "đường Nguyễn Văn Cừ",
        "vé máy bay Hà Nội đi Sài Gòn bao nhiêu tiền",
        "Nguyễn Du là ai",  # a family name and one word: as often a street or a hero
        "Bệnh Viện Lê Văn Thịnh ở đâu",
        "thị trấn Ngọc Lặc có bưu điện không",
        "bác sĩ Lê Văn Minh khám thứ mấy",  # doctors' names are published by the directory
    ],
)
def test_places_and_ordinary_words_are_not_names(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text",
    [
        # Questions about procedures and services: the assistant must parse them as typed.
        "bệnh nhân bảo hiểm y tế cần giấy tờ gì",
        "thay đổi tên bé trong giấy khai sinh",
        "bệnh nhân nội trú được thăm không",
        "người bệnh chuyển viện cần giấy gì",
        "tên của tôi là gì bạn biết không",
        "họ và tên ghi thế nào trong tờ khai",
        "đổi tên con trong sổ hộ khẩu như thế nào",
        "tên bé có dấu được không",
        "học sinh lớp 10 nộp hồ sơ ở đâu",
        "học sinh trường THPT Lam Sơn thi vào lớp 10 ngày nào",
        "sinh viên làm thẻ căn cước ở đâu",
        "bệnh nhân cao tuổi có được ưu tiên không",
        "Bệnh nhân chạy thận đăng ký khám thế nào",
        "patient portal hours",
        "my name is not on the list",
        "I am Vietnamese, can I register a birth here",
        "tôi là Việt kiều muốn làm hộ chiếu",
    ],
)
def test_questions_about_procedures_pass_unchanged(text: str) -> None:
    """Common words after "bệnh nhân", "tên bé", "I am"... are not names."""
    assert mask_personal_data(text) == text


def test_the_frozen_chat_questions_pass_unchanged() -> None:
    """No question of the evaluation sets holds a name: masking must not touch one of them."""
    root = Path(__file__).resolve().parents[3] / "bench" / "eval"
    changed = []
    for name in ("chat_questions.jsonl", "air_quality_questions.jsonl"):
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            if mask_personal_data(text) != text:
                changed.append(text)
    assert changed == []


class _Places:
    def __init__(self, *names: str) -> None:
        self.names = list(names)

    def place_names(self) -> list[str]:
        return self.names


def _place_names(*names: str) -> PlaceNameSources:
    sources = PlaceNameSources()
    sources.add(_Places(*names))
    return sources


PLACES = _place_names(
    "Đền Cô Tiên", "Cô Tiên Temple", "Hang Hồ Công", "Hồ Công Cave", "Đền Bà Triệu"
)


@pytest.mark.parametrize(
    "text",
    [
        # A place the catalogue holds, named as people name it, without its kind word.
        "lên Cô Tiên ở núi Trường Lệ mở đến mấy giờ tối",
        "đi Bà Triệu mất bao lâu",
        "Hồ Công Cave có xa trung tâm không",
        "is Cô Tiên Temple open at night",
    ],
)
def test_a_place_the_catalogues_hold_is_not_a_name(text: str) -> None:
    assert mask_personal_data(text) != text  # masked as a name without the catalogue
    assert mask_personal_data(text, PLACES.holds) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # People stay masked: another given name after the same cue, a longer name beginning
        # like a place, a full name beginning like a cave's, a name stated as one.
        ("Cô Lan muốn hỏi lịch tiêm", "Cô <name> muốn hỏi lịch tiêm"),
        ("bà Triệu Thị Mai gọi hỏi lịch khám", "bà <name> gọi hỏi lịch khám"),
        ("Hồ Công Minh đặt lịch khám", "<name> đặt lịch khám"),
        ("tên tôi là Cô Tiên", "tên tôi là <name>"),
    ],
)
def test_a_person_is_masked_beside_the_places(text: str, masked: str) -> None:
    assert mask_personal_data(text, PLACES.holds) == masked


def test_place_names_are_read_again_after_a_while() -> None:
    now = [0.0]
    temple = _Places("Đền Cô Tiên")
    sources = PlaceNameSources(clock=lambda: now[0])
    sources.add(temple)
    assert sources.holds("cô tiên") and sources.holds("Co Tien")
    temple.names = ["Đền Bà Triệu"]
    assert sources.holds("Cô Tiên")  # kept for a while
    now[0] += PLACE_NAMES_TTL_SECONDS
    assert not sources.holds("Cô Tiên") and sources.holds("bà triệu")
    assert not sources.holds("Triệu")  # one word is no phrase of a name
