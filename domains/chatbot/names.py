"""Finding people's names in a chat message, so they are masked before the assistant stores them.

What is found:
- a name after a phrase that introduces one: "tên tôi là ...", "họ và tên ...", "bệnh nhân ...",
  "my name is ...", "patient ..." (any case, with or without accents: up to four words, ending
  at a word that cannot be part of a name, a digit or punctuation);
- capitalised words after a weaker cue: "tôi là Lan", "chị Mai", "bé Na", "I'm Anna", "Mr Smith";
- three to five capitalised words: a common Vietnamese family name, a common middle name, the
  rest ("Nguyễn Văn An", "Lê Thị Hồng Nhung"), unless a word before or in the run names a kind
  of place ("đường Nguyễn Văn Cừ", "trường THPT Lê Lợi", "đền Bà Triệu"): streets, schools and
  temples carry heroes' names, and "Lê Lợi" or "Nguyễn Du" alone are left for that reason.

What is not found (docs/security.md, "Chat transcripts"): a name typed in lower case without an
introducing phrase ("nguyen van an dat lich"), a foreign name without a cue, a given name alone
("Lan bị sốt"), a two-word name ("Trần Bình"), and a family name or middle name outside
the lists. Masking is a safeguard for the transcript,
not a guarantee; the transcript is also kept 30 days only and erased with the account.
"""

import re
import unicodedata

NAME_TOKEN = "<name>"  # noqa: S105


def _words(text: str) -> list[str]:
    return text.split()


# The commonest Vietnamese family names (about nine in ten people carry one of them).
FAMILY_NAMES = frozenset(
    _words(
        """nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đào đoàn vương
    trịnh trương lâm phùng mai tô hà cao lương lưu quách tạ thái triệu"""
    )
)
# Middle names that mark a person's full name ("Nguyễn Văn An", "Lê Thị Hồng"): a family name
# alone plus one word ("Lê Lợi", "Nguyễn Du") is as often a street, a school or a hero.
MIDDLE_NAMES = frozenset(
    _words(
        """văn thị hữu đức minh ngọc quốc thanh thu thùy thuỳ gia bảo tuấn xuân công quang kim
    phương hồng trọng đình thành mạnh hải khánh nhật tiến thế như mỹ diệu"""
    )
)
# Words before a capitalised run that make it a place or an institution, not a person.
PLACE_WORDS = frozenset(
    _words(
        """đường phố ngõ ngách hẻm phường xã huyện quận tỉnh thị trấn thành trường thpt thcs học
    viện bv bệnh đền chùa miếu lăng tượng đình nhà cầu chợ bến công quảng khu hội lễ giải
    cup cúp street road school temple hospital"""
    )
)
# Words that end a name after a strong cue (what follows a name in a sentence).
STOP_WORDS = frozenset(
    _words(
        """và với là thì mà có không bị đang đã sẽ muốn cần cho ở tại sinh năm số sdt điện đặt
    khám hỏi ạ nhé nha ơi ah à vậy đó này nhưng vì nên rồi của bao and is am i my to for
    with at in on was has have wants want need needs please thanks born"""
    )
)
STRONG_CUES = (
    r"(?:tên|ten)\s+(?:của\s+)?(?:tôi|toi|em|mình|minh|con|cháu|chau|tớ|to|bé|be|mẹ|me|bố|bo"
    r"|chồng|chong|vợ|vo)\s+(?:là\s+|la\s+)?",
    r"(?:tên|ten)\s+(?:là|la)\s+",
    r"(?:họ\s+(?:và\s+)?tên|ho\s+(?:va\s+)?ten)\s*:?\s*(?:là\s+|la\s+)?",
    r"(?:bệnh\s+nhân|benh\s+nhan)\s*:?\s+",
    r"my\s+name\s+is\s+",
    r"(?:full\s+)?name\s*:\s*",
    r"(?:the\s+)?patient(?:'s\s+name)?(?:\s+is\s+|\s*:\s*|\s+)",
)
WEAK_CUES = (
    r"(?:tôi|toi|em|mình|minh|con|cháu|tớ)\s+(?:là|la)\s+",
    r"(?:anh|chị|chi|em|ông|ong|bà|cô|chú|chu|bác|bac|cháu|bé|mẹ|bố|vợ|chồng)\s+",
    r"(?:i'm|i\s+am|this\s+is)\s+",
    r"(?:mr|mrs|ms|miss|dr)\.?\s+",
)
_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)?"
_STRONG = re.compile(rf"(?i)\b(?:{'|'.join(STRONG_CUES)})((?:{_WORD}[ \t]*){{1,4}})")
_WEAK = re.compile(rf"(?i)\b(?:{'|'.join(WEAK_CUES)})((?:{_WORD}[ \t]*){{1,4}})")
_WORDS = re.compile(_WORD)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper())


def _after_place_word(text: str, position: int) -> bool:
    before = text[:position].split()
    return bool(before) and _fold(before[-1].strip(",.:;!?\"'()")) in PLACE_WORDS


def _mask_after_cues(text: str, pattern: re.Pattern[str], *, capitalised: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        if capitalised and _after_place_word(text, match.start()):
            return match.group(0)  # "đền Bà Triệu": a place
        words = list(_WORDS.finditer(match.group(1)))
        taken = 0
        for word in words:
            folded = _fold(word.group(0))
            if folded in STOP_WORDS or (capitalised and not _is_capitalised(word.group(0))):
                break
            taken += 1
        if taken == 0:
            return match.group(0)
        start = match.start(1) - match.start(0)
        end = start + words[taken - 1].end()
        whole = match.group(0)
        return f"{whole[:start]}{NAME_TOKEN}{whole[end:]}"

    return pattern.sub(replace, text)


def _capitalised_runs(text: str) -> list[list[re.Match[str]]]:
    """Runs of capitalised words separated by blanks only."""
    runs: list[list[re.Match[str]]] = []
    for word in _WORDS.finditer(text):
        if not _is_capitalised(word.group(0)):
            continue
        if runs and text[runs[-1][-1].end() : word.start()].strip() == "":
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _mask_family_names(text: str) -> str:
    """A family name, a common middle name and up to three more capitalised words."""
    spans: list[tuple[int, int]] = []
    for run in _capitalised_runs(text):
        folded = [_fold(word.group(0)) for word in run]
        if _after_place_word(text, run[0].start()) or PLACE_WORDS & set(folded):
            continue  # "THCS Trần Mai Ninh", "Bệnh viện Lê Văn Thịnh"
        for i in range(len(run) - 2):
            if folded[i] in FAMILY_NAMES and folded[i + 1] in MIDDLE_NAMES:
                spans.append((run[i].start(), run[min(len(run), i + 5) - 1].end()))
                break
    for start, end in reversed(spans):
        text = f"{text[:start]}{NAME_TOKEN}{text[end:]}"
    return text


def mask_names(text: str) -> str:
    """``text`` with the names it can find replaced by ``<name>``."""
    text = _mask_after_cues(text, _STRONG, capitalised=False)
    text = _mask_after_cues(text, _WEAK, capitalised=True)
    return _mask_family_names(text)
