"""Finding people's names in a chat message, so they are masked before the assistant sees them.

The masked text is what the assistant parses, so a word is masked only when it is clearly part
of a name; an ordinary lower-case word never is ("bệnh nhân bảo hiểm y tế", "tên bé trong giấy
khai sinh" stay as typed). What is found:
- anything after a phrase that states a name: "tên tôi là ...", "tên là ...", "họ và tên: ...",
  "my name is ...", "name: ...", "the patient is ..." (any case, with or without accents: up to
  four words, ending at a word that cannot be part of a name, a digit or punctuation);
- capitalised words after a cue: "bệnh nhân Lê Thị Hồng", "tên bé Na", "học sinh Phạm Thu",
  "tôi là Lan", "chị Mai", "I'm Anna", "Mr Smith" — or, after "bệnh nhân", "patient", "tên
  bé"..., a lower-case run shaped like a full name (a common family name, a common middle name,
  one to three more words: "bệnh nhân nguyễn văn an");
- three to five capitalised words: a common Vietnamese family name, a common middle name, the
  rest ("Nguyễn Văn An", "Lê Thị Hồng Nhung"), unless the words before name a kind of place
  ("đường Nguyễn Văn Cừ", "trường THPT Lê Lợi", "thị trấn ...") or a doctor ("bác sĩ Lê Văn
  Minh": doctors' names are published by the directory and the assistant may need them).

A place's name is not a person's: a run of words that a catalogue's place names hold ("lên Cô
Tiên": the temple *Đền Cô Tiên*; "Hồ Công Cave") is left as typed (``is_place``, from the
catalogues through domains/chatbot/ports.py).

What is not found (docs/security.md, "Chat transcripts"): a name typed in lower case without a
cue ("nguyen van an dat lich"), a foreign name without a cue, a given name alone ("Lan bị
sốt"), a two-word name ("Trần Bình"), and a family name or middle name outside the lists.
Masking is a safeguard for the transcript, not a guarantee; the transcript is also kept 30 days
only and erased with the account.
"""

import re
import unicodedata
from collections.abc import Callable

NAME_TOKEN = "<name>"  # noqa: S105


def _words(text: str) -> list[str]:
    return text.split()


def _bare(word: str) -> str:
    """``word`` in lower case without its accents ("Nguyễn" -> "nguyen")."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _with_bare(words: str) -> frozenset[str]:
    listed = _words(words)
    return frozenset(listed) | frozenset(_bare(word) for word in listed)


# The commonest Vietnamese family names (about nine in ten people carry one of them).
FAMILY_NAMES = _with_bare(
    """nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đào đoàn vương
    trịnh trương lâm phùng mai tô hà cao lương lưu quách tạ thái triệu"""
)
# Middle names that mark a person's full name ("Nguyễn Văn An", "Lê Thị Hồng"): a family name
# alone plus one word ("Lê Lợi", "Nguyễn Du") is as often a street, a school or a hero.
MIDDLE_NAMES = _with_bare(
    """văn thị hữu đức minh ngọc quốc thanh thu thùy thuỳ gia bảo tuấn xuân công quang kim
    phương hồng trọng đình thành mạnh hải khánh nhật tiến thế như mỹ diệu"""
)
# A word just before a capitalised run that makes it a place or an institution, not a person.
PLACE_WORDS = frozenset(
    _words(
        """đường phố ngõ ngách hẻm phường xã huyện quận tỉnh trấn trường thpt thcs th viện bv
    khoa đền chùa miếu lăng tượng đài cầu chợ bến khu giải cup cúp street road avenue school
    temple hospital park"""
    )
)
# Two words just before a run that do the same: places, and the titles of published doctors.
PLACE_PHRASES = frozenset(
    """công viên|quảng trường|nhà thờ|nhà hát|văn hoá|văn hóa|đại học|tiểu học|trung học
    |mầm non|di tích|bác sĩ|bác sỹ|bac si|giáo sư|tiến sĩ""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
# Titles of doctors (one word); "Dr" is not a cue for the same reason.
DOCTOR_WORDS = frozenset(_words("bs bsĩ bscki bsckii ths ts gs pgs dr doctor"))
# Capitalised words that follow "I am", "tôi là"... and are not names.
NOT_NAMES = frozenset(
    _words(
        """vietnamese american english british french german chinese japanese korean thai lao
    laotian cambodian australian canadian russian indian italian spanish việt kiều"""
    )
)
# Words that end a name (what follows a name in a sentence, or asks for one).
STOP_WORDS = frozenset(
    _words(
        """và với là thì mà có không bị đang đã sẽ muốn cần cho ở tại sinh năm số sdt điện đặt
    khám hỏi ạ nhé nha ơi ah à vậy đó này nhưng vì nên rồi của gì gi nào đâu ai sao chưa được
    phải ghi viết sai trong trên bao and is am i my to for with at in on was has have wants
    want need needs please thanks born not a what who written spelled wrong missing"""
    )
)
# Phrases that state a name: what follows is masked in any case.
STATING_CUES = (
    r"(?:tên|ten)\s+(?:của\s+)?(?:tôi|toi|em|mình|minh|con|cháu|chau|tớ|to|bé|be|mẹ|me|bố|bo"
    r"|chồng|chong|vợ|vo|bệnh\s+nhân|benh\s+nhan)\s+(?:là|la)\s+",
    r"(?:tên|ten)\s+(?:là|la)\s+",
    r"(?:họ\s+(?:và\s+)?tên|ho\s+(?:va\s+)?ten)\s*(?::\s*(?:là\s+|la\s+)?|\s(?:là|la)\s+)",
    r"(?:bệnh\s+nhân|benh\s+nhan)\s*:\s*",
    r"my\s+name\s+is\s+",
    r"(?:full\s+)?name\s*:\s*",
    r"(?:the\s+)?patient(?:'s\s+name)?(?:\s+is\s+|\s*:\s*)",
)
# Cues after which capitalised words, or a lower-case run shaped like a full name, are a name.
NAMING_CUES = (
    r"(?:tên|ten)\s+(?:của\s+)?(?:tôi|toi|em|mình|minh|con|cháu|chau|tớ|bé|be|mẹ|bố|chồng|vợ)\s+",
    r"(?:họ\s+(?:và\s+)?tên|ho\s+(?:va\s+)?ten)\s+",
    r"(?:bệnh\s+nhân|benh\s+nhan|người\s+bệnh|học\s+sinh|hoc\s+sinh|sinh\s+viên|patient)\s+",
)
# Cues after which only capitalised words are a name.
WEAK_CUES = (
    r"(?:tôi|toi|em|mình|minh|con|cháu|tớ)\s+(?:là|la)\s+",
    r"(?:anh|chị|chi|em|ông|ong|bà|cô|chú|chu|bác|bac|cháu|bé|mẹ|bố|vợ|chồng)\s+",
    r"(?:i'm|i\s+am|this\s+is)\s+",
    r"(?:mr|mrs|ms|miss)\.?\s+",
)
_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)?"


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?i)\b(?:{'|'.join(cues)})((?:{_WORD}[ \t]*){{1,4}})")


_STATING = _cue_pattern(STATING_CUES)
_NAMING = _cue_pattern(NAMING_CUES)
_WEAK = _cue_pattern(WEAK_CUES)
_WORDS = re.compile(_WORD)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper())


def _after_place_word(text: str, position: int) -> bool:
    """Whether the words just before ``position`` name a place or a doctor."""
    before = [_fold(word.strip(",.:;!?\"'()")) for word in text[:position].split()[-2:]]
    if not before:
        return False
    return (
        before[-1] in PLACE_WORDS or before[-1] in DOCTOR_WORDS or " ".join(before) in PLACE_PHRASES
    )


def _full_name_shape(words: list[str]) -> int:
    """How many of ``words`` (folded) form a full name: family, middle, one to three more."""
    if len(words) < 3 or words[0] not in FAMILY_NAMES or words[1] not in MIDDLE_NAMES:
        return 0
    taken = 2
    for word in words[2:5]:
        if word in STOP_WORDS or word in PLACE_WORDS:
            break
        taken += 1
    return taken if taken > 2 else 0


def _name_length(words: list[str], *, stating: bool, shaped: bool) -> int:
    """How many of ``words`` (as typed) after a cue are a name."""
    folded = [_fold(word) for word in words]
    taken = 0
    for word, low in zip(words, folded, strict=True):
        if low in STOP_WORDS or low in PLACE_WORDS or low in NOT_NAMES:
            break
        if not stating and not _is_capitalised(word):
            break
        taken += 1
    if taken == 0 and shaped:
        return _full_name_shape(folded)
    return taken


# Whether a run of words is (part of) the name of a place a catalogue holds: "Cô Tiên" of the
# temple *Đền Cô Tiên*, "Hồ Công Cave" (domains/chatbot/ports.py). Nothing is, by default.
IsPlace = Callable[[str], bool]


def _no_place(_: str) -> bool:
    return False


def _mask_after_cues(
    text: str,
    pattern: re.Pattern[str],
    *,
    stating: bool,
    shaped: bool,
    is_place: IsPlace = _no_place,
) -> str:
    def replace(match: re.Match[str]) -> str:
        if not stating and _after_place_word(text, match.start()):
            return match.group(0)  # "đền Bà Triệu": a place
        words = list(_WORDS.finditer(match.group(1)))
        taken = _name_length([w.group(0) for w in words], stating=stating, shaped=shaped)
        if taken == 0:
            return match.group(0)
        start = match.start(1) - match.start(0)
        end = start + words[taken - 1].end()
        whole = match.group(0)
        if not stating and is_place(whole[:end]):
            return whole  # "lên Cô Tiên": the temple's name, the cue and all
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


def _mask_family_names(text: str, is_place: IsPlace = _no_place) -> str:
    """A family name, a common middle name and up to three more capitalised words (not a place's
    name: "Hồ Công Cave")."""
    spans: list[tuple[int, int]] = []
    for run in _capitalised_runs(text):
        folded = [_fold(word.group(0)) for word in run]
        if PLACE_WORDS & set(folded[1:]):
            continue  # "Lê Văn Hưu Street"
        for i in range(len(run) - 2):
            if _after_place_word(text, run[i].start()):
                continue  # "THCS Trần Mai Ninh", "Bệnh Viện Lê Văn Thịnh"
            if folded[i] in FAMILY_NAMES and folded[i + 1] in MIDDLE_NAMES:
                end = run[min(len(run), i + 5) - 1].end()
                if is_place(text[run[i].start() : run[i + 2].end()]):
                    break
                spans.append((run[i].start(), end))
                break
    for start, end in reversed(spans):
        text = f"{text[:start]}{NAME_TOKEN}{text[end:]}"
    return text


def mask_names(text: str, is_place: IsPlace = _no_place) -> str:
    """``text`` with the names it can find replaced by ``<name>``; a run of words ``is_place``
    holds for (a place a catalogue names) is left as typed, unless a phrase states it is a
    name ("tên tôi là ...")."""
    text = _mask_after_cues(text, _STATING, stating=True, shaped=False)
    text = _mask_after_cues(text, _NAMING, stating=False, shaped=True, is_place=is_place)
    text = _mask_after_cues(text, _WEAK, stating=False, shaped=False, is_place=is_place)
    return _mask_family_names(text, is_place)
