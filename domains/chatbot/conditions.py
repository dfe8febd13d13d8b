"""Masks a health condition a person states about themselves or a relative before a message
leaves the API for Rasa (and its tracker): "mẹ em bị khuyết tật", "con toi bi sot", "my kid has a
fever", "I'm pregnant".

The condition is replaced, the rest of the question is kept: the assistant answers from what is
asked ("... muốn xin giấy xác nhận khuyết tật thì làm ở đâu" still names the procedure). Only a
condition from the lists below, after a verb stating it ("bị", "mắc", "has", "diagnosed with"...),
is masked, so "bị mất căn cước" or "I have a question" pass unchanged. A condition named without
such a statement ("khám tiểu đường ở đâu", "cancer hospital") is a question about a service, not
about a person, and stays.
"""

import re
import unicodedata

CONDITION_TOKEN = "<health-condition>"  # noqa: S105

# A word after a condition that belongs to it ("viêm gan", "ung thư phổi"), not to the question.
_W = (
    r"(?!(?:thi|nen|ma|va|o|co|khong|can|phai|di|kham|muon|xin|lam|a|roi|nhung|de|duoc|thuoc"
    r"|voi|tai|khi|gi|nao|dau|sao|the|hay|hoac|cho|can|ma)\b)\w+"
)
# Folded (no diacritics, lower case) Vietnamese conditions.
_VI_CONDITIONS = rf"""
    benh(?:\s+{_W}){{1,3}} | chung\s+{_W}(?:\s+{_W})? | tieu\s+duong | dai\s+thao\s+duong
    | ung\s+thu(?:\s+{_W})? | hiv | aids | lao(?:\s+phoi)? | viem(?:\s+{_W}){{1,2}}
    | sot(?:\s+xuat\s+huyet|\s+cao)? | ho(?:\s+lao)? | cum | cam\s+cum | covid(?:\s+19)?
    | (?:cao\s+)?huyet\s+ap(?:\s+cao)?
    | dot\s+quy | tai\s+bien(?:\s+mach\s+mau\s+nao)? | tram\s+cam | tam\s+than | dong\s+kinh
    | hen(?:\s+suyen)? | suyen | khuyet\s+tat(?:\s+nang|\s+nhe)? | bai\s+nao | tu\s+ky | down
    | thieu\s+nang(?:\s+tri\s+tue)? | gout | gut | soi\s+than | suy\s+(?:than|tim|gan)
    | dau\s+(?:bung|dau|da\s+day|lung|nguc|tim|rang|hong|mat|khop|vai|chan|tay)
    | tieu\s+chay | di\s+ung(?:\s+{_W})? | nhiem\s+trung | khoi\s+u | u\s+(?:nao|phoi|gan|vu|xo)
    | alzheimer | parkinson | thoat\s+vi(?:\s+dia\s+dem)? | thuy\s+dau | quai\s+bi | zona
    | tay\s+chan\s+mieng | liet(?:\s+{_W})? | nghien(?:\s+{_W})?
    | dai\s+dam | tim\s+bam\s+sinh | vo\s+sinh | hiem\s+muon
"""
# A verb stating that someone has the condition; "bị" alone is also the passive ("bị mất"),
# which is why the condition must come from the list.
_VI_STATING = (
    r"(?:bi|mac|dang\s+bi|dang\s+mac|nhiem|duong\s+tinh\s+voi|co\s+benh|bi\s+benh|mac\s+benh)"
)
_VI_PREGNANT = r"(?:dang\s+)?(?:mang\s+thai|co\s+thai|co\s+bau|mang\s+bau|bau\s+bi)"

_EN_CONDITIONS = r"""
    fever | cancer | diabetes | hiv | aids | asthma | hepatitis(?:\s+[bc])? | depression
    | tuberculosis | tb | covid(?:\s+19)? | flu | heart\s+(?:disease|condition|problems?)
    | high\s+blood\s+pressure | hypertension | stroke | epilepsy | dementia | autism
    | allerg(?:y|ies)(?:\s+to\s+\w+)? | disability | dengue(?:\s+fever)? | pneumonia | infection
    | (?:a\s+|an\s+)?(?:disease|illness|chronic\s+\w+) | broken\s+\w+ | cerebral\s+palsy
    | kidney\s+(?:disease|failure|stones?) | alzheimer\w* | parkinson\w* | an?\s+std
"""
_EN_STATES = r"""
    pregnant | diabetic | disabled | depressed | autistic | hiv\s+positive | epileptic | sick | ill
    | allergic(?:\s+to\s+\w+)?
"""
_EN_STATING = (
    r"(?:have|has|had|got|ve\s+got|suffer(?:s|ing)?\s+from|diagnosed\s+with|"
    r"living\s+with|tested\s+positive\s+for)"
)
_EN_BEING = r"(?:i\s+m|i\s+am|is|are|was|were|being|became|got|get)"

_STATEMENT = re.compile(
    rf"""
    \b{_VI_STATING}\s+(?P<vi>{_VI_CONDITIONS})\b
    | \b(?P<pregnant>{_VI_PREGNANT})\b
    | \b{_EN_STATING}\s+(?:a\s+|an\s+|the\s+)?(?P<en>{_EN_CONDITIONS})\b
    | \b{_EN_BEING}\s+(?:very\s+|so\s+|really\s+)?(?P<state>{_EN_STATES})\b
    """,
    re.VERBOSE,
)


def _folded_by_character(text: str) -> str:
    """Folded ``text`` with one character for each of its characters, so that a match's span is
    also the original's: lower case, no diacritics, đ -> d, anything else than a-z0-9 a space."""
    folded = []
    for character in text:
        plain = unicodedata.normalize("NFD", character.lower().replace("đ", "d"))
        base = plain[0] if plain else " "
        folded.append(base if base.isascii() and base.isalnum() else " ")
    return "".join(folded)


# Folded words that also fold from another word ("sót" omitted, "đâu" where, "nhiệm" duty, "họ"
# they, "hẹn" appointment): the statement counts only where the word is typed as the condition's
# word or without diacritics at all.
_TYPED_AS = {
    "bi": {"bị", "bi"},
    "mac": {"mắc", "mac"},
    "benh": {"bệnh", "benh"},
    "dau": {"đau", "dau"},
    "sot": {"sốt", "sot"},
    "ho": {"ho"},
    "lao": {"lao"},
    "hen": {"hen"},
    "cum": {"cúm", "cum"},
    "liet": {"liệt", "liet"},
    "nghien": {"nghiện", "nghien"},
    "nhiem": {"nhiễm", "nhiem"},
    "mat": {"mắt", "mat"},
    "gut": {"gút", "gut"},
    "co": {"có", "co"},
    "bau": {"bầu", "bau"},
}


def _typed_as_stated(original: str, folded: str) -> bool:
    for word, folded_word in zip(original.lower().split(), folded.split(), strict=False):
        accepted = _TYPED_AS.get(folded_word)
        if accepted is not None and word.strip(".,;:!?()\"'") not in accepted:
            return False
    return True


def mask_health_statements(text: str) -> str:
    """``text`` with each condition stated about a person replaced by ``<health-condition>``."""
    text = unicodedata.normalize("NFC", text)
    folded = _folded_by_character(text)
    spans = []
    for match in _STATEMENT.finditer(folded):
        start, end = match.span()
        if not _typed_as_stated(text[start:end], folded[start:end]):
            continue
        group = next(name for name in ("vi", "pregnant", "en", "state") if match.group(name))
        spans.append(match.span(group))
    for start, end in reversed(spans):
        text = text[:start] + CONDITION_TOKEN + text[end:]
    return text
