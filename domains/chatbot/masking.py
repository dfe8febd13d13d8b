"""Masks what identifies a person before a message leaves the API for Rasa (and its tracker).

Health insurance (BHYT) numbers, phone numbers, ID numbers (9-digit CMND, 12-digit CCCD), any
other long digit run, and e-mail addresses become placeholders; so do the people's names
`domains/chatbot/names.py` can find (its docstring says which it cannot). Procedure codes such as
1.001193 (seven digits) and ordinary numbers ("lớp 6", "2025") are left alone.
"""

import re

from domains.chatbot.names import IsPlace, mask_names

# Digits may be grouped with single spaces, dots or dashes: "0912 345 678", "0912.345.678".
_SEP = r"[ .\-]?"
# BHYT card: two letters then 13 digits, e.g. DN4012345678901.
BHYT = re.compile(rf"\b[A-Za-z]{{2}}{_SEP}\d(?:{_SEP}\d){{12}}\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Nine or more digits in a row (allowing group separators), optionally with a leading +.
DIGIT_RUN = re.compile(rf"(?<!\w)\+?\d(?:{_SEP}\d){{8,}}(?![\w])")

# Placeholders the assistant sees instead of the numbers (plain words, not secrets).
PHONE_TOKEN = "<phone>"  # noqa: S105
ID_TOKEN = "<id-number>"  # noqa: S105
BHYT_TOKEN = "<bhyt-number>"  # noqa: S105
EMAIL_TOKEN = "<email>"  # noqa: S105
NUMBER_TOKEN = "<number>"  # noqa: S105


def _digit_token(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") or (digits.startswith("84") and len(digits) == 11):
        return PHONE_TOKEN
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE_TOKEN
    if len(digits) in (9, 12):
        return ID_TOKEN
    return NUMBER_TOKEN


def _no_place(_: str) -> bool:
    return False


def mask_personal_data(text: str, is_place: IsPlace = _no_place) -> str:
    """``text`` with personal identifiers replaced by placeholders such as ``<phone>``; names of
    places ``is_place`` knows are not people's names."""
    text = BHYT.sub(BHYT_TOKEN, text)
    text = EMAIL.sub(EMAIL_TOKEN, text)
    return mask_names(DIGIT_RUN.sub(_digit_token, text), is_place)
