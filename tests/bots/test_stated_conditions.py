"""A health condition someone states is not stored with the conversation (bots/stated_conditions.py,
used by bots/tracker_store.py on what it writes); the assistant still reads the message as typed."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _load() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bots" / "stated_conditions.py"
    spec = importlib.util.spec_from_file_location("stated_conditions", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conditions = _load()
MASK = "<health-condition>"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("tôi bị tiểu đường, làm lại căn cước ở đâu", f"tôi bị {MASK}, làm lại căn cước ở đâu"),
        (
            "mẹ em bị khuyết tật, muốn xin giấy xác nhận khuyết tật thì làm ở đâu ạ",
            f"mẹ em bị {MASK}, muốn xin giấy xác nhận khuyết tật thì làm ở đâu ạ",
        ),
        ("con toi bi sot cao thi kham o dau", f"con toi bi {MASK} thi kham o dau"),
        ("mẹ tôi mắc bệnh ung thư phổi, xin trợ cấp", f"mẹ tôi mắc {MASK}, xin trợ cấp"),
        ("em bị nhiễm HIV thì khám ở đâu", f"em bị nhiễm {MASK} thì khám ở đâu"),
        ("tôi đang mang thai, khám ở bệnh viện nào", f"tôi {MASK}, khám ở bệnh viện nào"),
        (
            "my kid has a fever. Where is the hospital?",
            f"my kid has a {MASK}. Where is the hospital?",
        ),
        ("I'm diabetic, which hospital", f"I'm {MASK}, which hospital"),
        ("She was diagnosed with cancer last year", f"She was diagnosed with {MASK} last year"),
        # "có" states a disease like "bị": "bệnh ..." is the condition, the word "bệnh" with it
        ("bố tôi có bệnh tim, khám ở đâu", f"bố tôi có {MASK}, khám ở đâu"),
        ("ông tôi có bệnh tiểu đường thì khám ở đâu", f"ông tôi có {MASK} thì khám ở đâu"),
        ("me toi co benh huyet ap cao", f"me toi co {MASK}"),
        (
            "con em đang có bệnh hen, nên khám bệnh viện nào",
            f"con em đang có {MASK}, nên khám bệnh viện nào",
        ),
        # an underlying disease; a birth due (review R9)
        ("tôi có bệnh nền, tiêm vắc xin ở đâu", f"tôi có {MASK}, tiêm vắc xin ở đâu"),
        ("vợ tôi sắp sinh, nên đến bệnh viện nào", f"vợ tôi {MASK}, nên đến bệnh viện nào"),
        ("vo toi sap de thi kham o dau", f"vo toi {MASK} thi kham o dau"),
        ("my wife is expecting, which hospital", f"my wife is {MASK}, which hospital"),
        # a condition said of someone with no verb (review: "nghiện" without "bị")
        ("chồng tôi nghiện rượu thì cai ở đâu", f"chồng tôi {MASK} thì cai ở đâu"),
        ("anh ấy đang nghiện ma túy", f"anh ấy đang {MASK}"),
        ("chồng em nghiện, cai ở đâu", f"chồng em {MASK}, cai ở đâu"),
        ("mẹ tôi tiểu đường, khám ở đâu", f"mẹ tôi {MASK}, khám ở đâu"),
        ("con em tự kỷ thì học trường nào", f"con em {MASK} thì học trường nào"),
        ("ong toi dot quy nam vien o dau", f"ong toi {MASK} nam vien o dau"),
        ("tôi là người khuyết tật nặng", f"tôi là người {MASK}"),
        ("con tôi sốt 3 ngày rồi", f"con tôi {MASK} 3 ngày rồi"),
        ("bố tôi đang điều trị ung thư", f"bố tôi đang điều trị {MASK}"),
        ("my son is addicted to gambling", f"my son is {MASK}"),
        ("my husband is an alcoholic", f"my husband is {MASK}"),
    ],
)
def test_a_health_condition_someone_states_is_masked(text: str, masked: str) -> None:
    assert conditions.mask_health_statements(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "lam lai cccd bi mat o dau",  # "bị" of the passive: lost
        "cccd bị sai ngày sinh",
        "tên con bị sót trong sổ hộ khẩu",  # "sót" (left out) folds as "sốt" (fever)
        "bị họ lừa thì báo ở đâu",
        "tôi bị hẹn lại lịch khám",
        "tôi bị bệnh viện Nhi từ chối khám thì làm sao",  # a hospital, not a disease
        "tôi bị bệnh viện từ chối nhận",
        "khám tiểu đường ở đâu",  # a service asked about, not a person's condition
        "bệnh viện ung bướu ở đâu",
        "tôi bị bệnh thì khám ở đâu",
        "khám bệnh có mất phí không",  # "có" of a question, not of a disease
        "co mat phi khong",
        "có bệnh viện nào gần Sầm Sơn không",
        "ở đây có bệnh viện nhi không",
        "có bệnh gì thì khám ở đâu",
        "co ho khau o Thanh Hoa thi lam can cuoc o dau",  # "hộ" typed "ho", not a cough
        "có lao động nước ngoài thì xin giấy phép ở đâu",
        "có sốt không",
        "I have a question about passports",
        "I am Vietnamese, can I register a birth here",
        "cancer hospital address",
        "đăng ký khai sinh cho con mới sinh",
        "sắp sinh nhật con, đăng ký khai sinh muộn được không",
        "có bệnh nên phải làm giấy tờ gì",
        # a service, or a word that folds like a person or a condition
        "trung tâm cai nghiện ở đâu",
        "người nghiện ma túy đăng ký cai nghiện ở đâu",
        "thuốc chống ung thư mua ở đâu",  # "chống" folds as "chồng"
        "bỏ nghiện thuốc lá thế nào",  # "bỏ" folds as "bố"
        "con tôi hộ khẩu ở đâu",
        "con toi ho khau o dau",
        "mẹ tôi lao động ở nước ngoài",
        "tên con tôi bị sót",
        "giấy xác nhận khuyết tật cho con",
        # "liệt kê" (list), "sốt ruột" (impatient), a liking (review R3)
        "anh liệt kê giúp các bước làm hộ chiếu",
        "ban liet ke giup toi giay to can mang",
        "tôi sốt ruột chờ hộ chiếu quá",
        "em nghiện Pù Luông lắm, mùa lúa chín là khi nào",
        "tôi nghiện cà phê, ở Sầm Sơn có quán nào",
    ],
)
def test_what_states_no_condition_about_a_person_is_kept(text: str) -> None:
    assert conditions.mask_health_statements(text) == text


def _user(text: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
    parse = {"text": text, "intent": {"name": "ask_hospital"}, "entities": entities}
    return {"event": "user", "text": text, "parse_data": parse, "timestamp": 1.0}


def test_stored_events_and_state_hold_no_stated_condition() -> None:
    text = "mẹ tôi bị ung thư nên khám ở bệnh viện nào"
    start = text.index("ung thư")
    entity = {"entity": "specialty", "value": "ung thư", "start": start, "end": start + 7}
    hospital = {"entity": "hospital", "value": "bệnh viện", "start": 29, "end": 38}
    events = [
        {"event": "action", "name": "action_listen"},
        _user(text, [entity, hospital]),
        {"event": "slot", "name": "specialty", "value": "ung thư"},
        {"event": "slot", "name": "record", "value": "hospital:bv-ung-buou"},
        {"event": "slot", "name": "session_started_metadata", "value": {"a": 1}},
    ]
    stored = conditions.redact_events(events)
    assert "ung thư" not in repr(stored)
    assert stored[1]["text"] == f"mẹ tôi bị {MASK} nên khám ở bệnh viện nào"
    assert stored[1]["parse_data"]["entities"][1] == hospital
    assert stored[2]["value"] == MASK
    assert stored[0] == events[0] and stored[3:] == events[3:]
    assert events[1]["text"] == text, "the tracker in memory keeps what was typed"

    slots = {"specialty": "ung thư", "session_started_metadata": {"a": 1}}
    state = {"latest_message": events[1]["parse_data"], "slots": slots}
    stored_state = conditions.redact_state(state)
    assert "ung thư" not in repr(stored_state)
    assert state["slots"]["specialty"] == "ung thư"


def test_a_message_stating_nothing_is_stored_as_it_came() -> None:
    events = [_user("bệnh viện ung bướu ở đâu", []), {"event": "slot", "name": "x", "value": "y"}]
    assert conditions.redact_events(events) == events
    state = {"latest_message": events[0]["parse_data"], "slots": {"x": "y"}}
    assert conditions.redact_state(state) == state
