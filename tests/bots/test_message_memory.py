"""The action server keeps no user's message after answering it: the folds of a message's texts
(the resolver folds one question dozens of times) are remembered only until the action has
run (actions/text.py ``forget``, called after every action run by actions/__init__.py); the
catalogue names' folds (``fold_name``) are kept for the process. Pure Python."""

from pathlib import Path

from actions import text

ROOT = Path(__file__).resolve().parents[2]

MESSAGE = "Tôi là Nguyễn Thị Hoa, số 0912 345 678, bị tiểu đường, khám ở đâu"


def _held() -> list[str]:
    """Every text the module's memories hold, keys and values."""
    found = [*text._recent, *text._recent.values()]
    return [t for t in found if "0912" in t or "tieu duong" in t or "tiểu đường" in t]


def test_a_message_is_forgotten_after_the_action() -> None:
    names_before = text.fold_name.cache_info().currsize
    assert text.fold(MESSAGE).startswith("toi la nguyen thi hoa")
    assert _held()  # remembered while the message is answered
    text.forget()
    assert _held() == []
    assert text.fold_name.cache_info().currsize == names_before  # no message among the names


def test_folds_are_the_same_remembered_or_not() -> None:
    name = "Bệnh viện Đa khoa tỉnh Thanh Hóa"
    assert text.fold(name) == text.fold_name(name) == "benh vien da khoa tinh thanh hoa"
    assert text.fold(name) == text.fold(name)


def test_the_action_server_forgets_after_every_action_run() -> None:
    # actions/__init__.py imports the Rasa SDK (not installed here): its wrapper read as text.
    source = (ROOT / "bots" / "actions" / "__init__.py").read_text(encoding="utf-8")
    assert "ActionExecutor.run = _forgetting_run" in source and "forget()" in source
