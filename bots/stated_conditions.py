"""A health condition a person states about themselves or a relative ("mẹ em bị khuyết tật",
"con toi bi sot", "my kid has a fever", "I'm pregnant") is not stored with the conversation:
bots/tracker_store.py replaces it with ``<health-condition>`` in what it writes (the message's
text, its parse data, entities and slots taken from it).

Only the stored copy is masked: the assistant reads the message as typed, since the condition is
often what selects the answer ("mẹ tôi bị ung thư nên khám ở đâu": the oncology hospital; "con bị
khuyết tật xin trợ cấp": the disability allowance). Only a condition from the lists below, after a
verb stating it ("bị", "mắc", "has", "diagnosed with"...), is masked, so "bị mất căn cước", "bị
bệnh viện từ chối" or "I have a question" are stored as typed. A condition named without such a
statement ("khám tiểu đường ở đâu", "cancer hospital") asks about a service, not about a person,
and stays. Pure Python, no Rasa import (tests/bots test it in the API's environment).
"""

import re
import unicodedata
from typing import Any, Dict, List, Set, Tuple

CONDITION_TOKEN = "<health-condition>"  # noqa: S105

# A word after a condition that belongs to it ("viêm gan", "ung thư phổi"), not to the question.
_W = (
    r"(?!(?:thi|nen|ma|va|o|co|khong|can|phai|di|kham|muon|xin|lam|a|roi|nhung|de|duoc|thuoc"
    r"|voi|tai|khi|gi|nao|dau|sao|the|hay|hoac|cho|vien|nhan|xa|an|tu|bi)\b)\w+"
)
# Folded (no diacritics, lower case) Vietnamese conditions.
_VI_NAMED = rf"""
    chung\s+{_W}(?:\s+{_W})? | tieu\s+duong | dai\s+thao\s+duong
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
# "bệnh" then a named condition ("bệnh ung thư phổi"), else its next word or two ("bệnh gout").
# ("bệnh nền", an underlying disease: "nền" folds as "nên", which _W leaves out.)
_VI_DISEASE = rf"benh\s+nen | benh\s+(?:{_VI_NAMED}) | benh(?:\s+{_W}){{1,2}}"
_VI_CONDITIONS = rf"{_VI_DISEASE} | {_VI_NAMED}"
# A verb stating that someone has the condition; "bị" alone is also the passive ("bị mất"),
# which is why the condition must come from the list.
_VI_STATING = r"(?:bi|mac|dang\s+bi|dang\s+mac|nhiem|duong\s+tinh\s+voi)"
# A person, then the condition with no verb ("chồng tôi nghiện rượu", "mẹ tôi tiểu đường",
# "con em tự kỷ"): a statement as plain as "bị". Only conditions no everyday word folds like
# (not "ho" of "hộ khẩu", "lao" of "lao động", "sốt" of "sót", "đau" of "đâu", "cúm", "hen").
_VI_PERSON = (
    r"(?:toi|minh|em|con|chau|be|me|bo|ba|ma|chong|vo|ong|anh|chi|ban)"
    r"(?:\s+(?:cua\s+)?(?:toi|em|minh|ay|nha\s+toi))?(?:\s+(?:dang|van|hay|cung))?(?:\s+la(?:\s+nguoi)?)?"
)
# What one is addicted to, said without a verb ("chồng tôi nghiện rượu"); "em nghiện Pù Luông",
# "tôi nghiện cà phê" are a liking, not a condition.
_SUBSTANCES = (
    r"(?:ruou(?:\s+bia)?|bia|ma\s+tuy|thuoc\s+la(?:o)?|thuoc\s+lao|co\s+bac|danh\s+bac|game"
    r"|heroin|ke)"
)
# The statement ends there: the text's end, punctuation (two blanks in the character-wise fold:
# "nghiện, cai ở đâu") or a word beginning the next clause ("chồng tôi nghiện thì ...").
_CLAUSE_END = (
    r"(?=\s*$|\s{2,}|\s+(?:thi|nen|ma|va|o|can|phai|roi|nhung|de|duoc|lam|khong|a)\b)"
)
_VI_PLAIN = rf"""
    nghien\s+{_SUBSTANCES} | nghien{_CLAUSE_END} | tieu\s+duong | dai\s+thao\s+duong | ung\s+thu(?:\s+{_W})?
    | tu\s+ky | khuyet\s+tat(?:\s+nang|\s+nhe)? | dot\s+quy | tai\s+bien(?:\s+mach\s+mau\s+nao)?
    | tram\s+cam | dong\s+kinh | thieu\s+nang(?:\s+tri\s+tue)? | bai\s+nao | alzheimer
    | parkinson | liet(?!\s+ke\b)(?:\s+{_W})? | sot(?!\s+ruot\b)(?:\s+cao|\s+xuat\s+huyet)?
    | hen\s+suyen
    | suy\s+(?:than|tim|gan) | hiv | tim\s+bam\s+sinh | vo\s+sinh | hiem\s+muon
"""
# Under treatment for it: "đang điều trị ung thư", "đang chữa tiểu đường".
_VI_TREATED = r"(?:dang\s+dieu\s+tri|dang\s+chua)"
_VI_PREGNANT = (
    r"(?:dang\s+)?(?:mang\s+thai|co\s+thai|co\s+bau|mang\s+bau|bau\s+bi"
    r"|sap\s+sinh(?!\s+nhat)(?:\s+con)?|sap\s+de)"
)

_EN_CONDITIONS = r"""
    fever | cancer | diabetes | hiv | aids | asthma | hepatitis(?:\s+[bc])? | depression
    | tuberculosis | tb | covid(?:\s+19)? | flu | heart\s+(?:disease|condition|problems?)
    | high\s+blood\s+pressure | hypertension | stroke | epilepsy | dementia | autism
    | allerg(?:y|ies)(?:\s+to\s+\w+)? | disability | dengue(?:\s+fever)? | pneumonia | infection
    | (?:a\s+|an\s+)?(?:disease|illness|chronic\s+\w+) | broken\s+\w+ | cerebral\s+palsy
    | kidney\s+(?:disease|failure|stones?) | alzheimer\w* | parkinson\w* | an?\s+std
"""
_EN_STATES = r"""
    addicted(?:\s+to\s+\w+)? | an\s+(?:alcoholic|addict) | a\s+(?:drug\s+)?addict | alcoholic
    | pregnant | expecting(?:\s+a\s+baby|\s+twins)? | due\s+to\s+give\s+birth | diabetic
    | disabled | depressed | autistic | hiv\s+positive | epileptic | sick | ill
    | allergic(?:\s+to\s+\w+)?
"""
_EN_STATING = (
    r"(?:have|has|had|got|ve\s+got|suffer(?:s|ing)?\s+from|diagnosed\s+with|"
    r"living\s+with|tested\s+positive\s+for)"
)
_EN_BEING = r"(?:i\s+m|i\s+am|is|are|was|were|being|became|got|get)"

# "có" states a disease only as "có bệnh ...", the word "bệnh" masked with it: "có" alone asks
# ("có mất phí không") or owns ("co ho khau": "hộ" typed as the cough's "ho"; "có lao động").
_STATEMENT = re.compile(
    rf"""
    \b{_VI_STATING}\s+(?P<vi>{_VI_CONDITIONS})\b
    | \bco\s+(?P<disease>{_VI_DISEASE})\b
    | \b{_VI_PERSON}\s+(?P<plain>{_VI_PLAIN})\b
    | \b{_VI_TREATED}\s+(?P<treated>{_VI_PLAIN})\b
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
    "nen": {"nền", "nen"},
    "sap": {"sắp", "sap"},
    "de": {"đẻ", "de"},
    # the people of _VI_PERSON ("chống ung thư", "bỏ nghiện", "tới" are no one)
    "toi": {"tôi", "toi"},
    "minh": {"mình", "minh"},
    "chau": {"cháu", "chau"},
    "be": {"bé", "be"},
    "me": {"mẹ", "me"},
    "bo": {"bố", "bo"},
    "ba": {"ba", "bà"},
    "ma": {"má", "ma"},
    "chong": {"chồng", "chong"},
    "vo": {"vợ", "vo"},
    "ong": {"ông", "ong"},
    "chi": {"chị", "chi"},
    "ban": {"bạn", "ban"},
    "ay": {"ấy", "ay"},
    "dang": {"đang", "dang"},
    "van": {"vẫn", "van"},
    "cung": {"cũng", "cung"},
    "la": {"là", "la"},
    "nguoi": {"người", "nguoi"},
}


def _typed_as_stated(original: str, folded: str) -> bool:
    """Whether each word of a statement that folds like another word is typed as the statement's
    (``original`` and ``folded`` are the same span of the text and of its character-wise fold)."""
    for word in re.finditer(r"[a-z0-9]+", folded):
        accepted = _TYPED_AS.get(word.group())
        if accepted is not None and original[word.start() : word.end()].lower() not in accepted:
            return False
    return True


def stated_condition_spans(text: str) -> List[Tuple[int, int]]:
    """Where ``text`` (NFC) states a condition about a person: (start, end) of each condition."""
    folded = _folded_by_character(text)
    spans = []
    for match in _STATEMENT.finditer(folded):
        start, end = match.span()
        if not _typed_as_stated(text[start:end], folded[start:end]):
            continue
        groups = ("vi", "disease", "plain", "treated", "pregnant", "en", "state")
        group = next(name for name in groups if match.group(name))
        spans.append(match.span(group))
    return spans


def mask_health_statements(text: str) -> str:
    """``text`` with each condition stated about a person replaced by ``<health-condition>``."""
    text = unicodedata.normalize("NFC", text)
    for start, end in reversed(stated_condition_spans(text)):
        text = text[:start] + CONDITION_TOKEN + text[end:]
    return text


def redact_parse_data(parse_data: Dict[str, Any], masked_values: Set[str]) -> Dict[str, Any]:
    """A copy of a message's parse data (Rasa's ``latest_message``/a user event's
    ``parse_data``) with the stated conditions masked in its text and in the entities read from
    them; the entities' masked values are added to ``masked_values`` (slots set from them)."""
    text = parse_data.get("text")
    if not isinstance(text, str):
        return parse_data
    original = unicodedata.normalize("NFC", text)
    spans = stated_condition_spans(original)
    if not spans:
        return parse_data
    redacted = dict(parse_data, text=mask_health_statements(original))
    entities = []
    for entity in parse_data.get("entities") or []:
        start, end = entity.get("start"), entity.get("end")
        inside = isinstance(start, int) and isinstance(end, int)
        if inside and any(start < span_end and span_start < end for span_start, span_end in spans):
            if isinstance(entity.get("value"), str):
                masked_values.add(entity["value"])
            entity = dict(entity, value=CONDITION_TOKEN, text=CONDITION_TOKEN)
        entities.append(entity)
    redacted["entities"] = entities
    return redacted


def _is_masked(value: Any, masked_values: Set[str]) -> bool:
    # A slot's value may be any JSON value (a dict, a list): only a text was read from a message.
    return isinstance(value, str) and value in masked_values


def redact_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Stored events (Rasa's ``as_dict``) with stated conditions masked: user messages' text
    and parse data, and slots set from a masked entity."""
    masked_values: Set[str] = set()
    redacted = []
    for event in events:
        if event.get("event") == "user" and isinstance(event.get("text"), str):
            event = dict(event, text=mask_health_statements(event["text"]))
            if isinstance(event.get("parse_data"), dict):
                event["parse_data"] = redact_parse_data(event["parse_data"], masked_values)
        elif event.get("event") == "slot" and _is_masked(event.get("value"), masked_values):
            event = dict(event, value=CONDITION_TOKEN)
        redacted.append(event)
    return redacted


def redact_state(state: Dict[str, Any]) -> Dict[str, Any]:
    """The tracker's stored state (without events) with stated conditions masked in its latest
    message and in the slots set from them."""
    latest = state.get("latest_message")
    if not isinstance(latest, dict):
        return state
    masked_values: Set[str] = set()
    redacted = dict(state, latest_message=redact_parse_data(latest, masked_values))
    slots = state.get("slots")
    if masked_values and isinstance(slots, dict):
        redacted["slots"] = {
            name: CONDITION_TOKEN if _is_masked(value, masked_values) else value
            for name, value in slots.items()
        }
    return redacted
