"""Kinds of places asked about ("di tích", "đền", "bãi biển", "temples"), lodging, and a town's
name as people write it.

Pure Python (no Rasa imports), tested from tests/bots/.

- ``kinds_asked``: the kinds of attraction a question asks for, each with the API's categories
  it covers (a generic kind: "di tích" is every heritage site and temple) or none (a kind its
  records' names say: "đền" is a record named *Đền ...*, "chùa" one named *Chùa ...*).
- ``lodging_asked``: a question asking where to sleep ("homestay ở Pù Luông", "hotel near Sầm
  Sơn beach"): no catalogue holds lodging; the place it names is not the answer.
- ``district_said``: a district as the API gives it for schools ("thanh-hoa-city") written as
  the other catalogues write it ("TP Thanh Hóa").
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Collection, Dict, FrozenSet, List, Sequence, Set, Tuple

from actions.resolve import NameIndex, _tokens, _words_replaced
from actions.text import fold

ALL = frozenset(
    {
        "BEACH", "HERITAGE", "NATURE", "CAVE", "SPIRITUAL", "CRAFT_VILLAGE", "CUISINE",
        "MUSEUM", "RESORT", "LANDMARK",
    }
)
SIGHTS = frozenset({"LANDMARK", "NATURE", "CAVE"})
# A kind as people write it (with its accents) -> the categories it covers; empty: the kind is
# what the records' names say ("đền", "thác", "temple").
KINDS: Dict[str, FrozenSet[str]] = {
    "di tích": frozenset({"HERITAGE", "SPIRITUAL"}),
    "khu di tích": frozenset({"HERITAGE", "SPIRITUAL"}),
    "di tích lịch sử": frozenset({"HERITAGE", "SPIRITUAL"}),
    "historic site": frozenset({"HERITAGE", "SPIRITUAL"}),
    "historic sites": frozenset({"HERITAGE", "SPIRITUAL"}),
    "historical site": frozenset({"HERITAGE", "SPIRITUAL"}),
    "historical sites": frozenset({"HERITAGE", "SPIRITUAL"}),
    "heritage": frozenset({"HERITAGE", "SPIRITUAL"}),
    "relic": frozenset({"HERITAGE", "SPIRITUAL"}),
    "relics": frozenset({"HERITAGE", "SPIRITUAL"}),
    "tâm linh": frozenset({"SPIRITUAL"}),
    "đền chùa": frozenset({"SPIRITUAL"}),
    "spiritual": frozenset({"SPIRITUAL"}),
    "danh thắng": SIGHTS,
    "thắng cảnh": SIGHTS,
    "danh lam": SIGHTS,
    "cảnh đẹp": SIGHTS,
    "bãi biển": frozenset({"BEACH"}),
    "bãi tắm": frozenset({"BEACH"}),
    "tắm biển": frozenset({"BEACH"}),
    "beach": frozenset({"BEACH"}),
    "beaches": frozenset({"BEACH"}),
    "hang động": frozenset({"CAVE"}),
    "hang": frozenset({"CAVE"}),
    "động": frozenset({"CAVE"}),
    "cave": frozenset({"CAVE"}),
    "caves": frozenset({"CAVE"}),
    "bảo tàng": frozenset({"MUSEUM"}),
    "museum": frozenset({"MUSEUM"}),
    "museums": frozenset({"MUSEUM"}),
    "làng nghề": frozenset({"CRAFT_VILLAGE"}),
    "craft village": frozenset({"CRAFT_VILLAGE"}),
    "craft villages": frozenset({"CRAFT_VILLAGE"}),
    "ẩm thực": frozenset({"CUISINE"}),
    "đặc sản": frozenset({"CUISINE"}),
    "ăn gì": frozenset({"CUISINE"}),
    "món gì": frozenset({"CUISINE"}),
    "food": frozenset({"CUISINE"}),
    "khu nghỉ dưỡng": frozenset({"RESORT"}),
    "resort": frozenset({"RESORT"}),
    "resorts": frozenset({"RESORT"}),
    "khu bảo tồn": frozenset({"NATURE"}),
    "vườn quốc gia": frozenset({"NATURE"}),
    "thiên nhiên": frozenset({"NATURE"}),
    "sinh thái": frozenset({"NATURE"}),
    "nature": frozenset({"NATURE"}),
    "national park": frozenset({"NATURE"}),
    "điểm du lịch": ALL,
    "địa điểm du lịch": ALL,
    "điểm tham quan": ALL,
    "nơi tham quan": ALL,
    "chỗ đi chơi": ALL,
    "chỗ chơi": ALL,
    "có gì chơi": ALL,
    "chơi gì": ALL,
    "có gì đẹp": ALL,
    "có gì hay": ALL,
    "đi đâu chơi": ALL,
    "what to see": ALL,
    "places to visit": ALL,
    "things to see": ALL,
    "attractions": ALL,
    "sights": ALL,
    "sightseeing": ALL,
    # Kinds the names say.
    "đền": frozenset(),
    "chùa": frozenset(),
    "phủ": frozenset(),
    "thác": frozenset(),
    "làng cổ": frozenset(),
    "hồ": frozenset(),
    "lake": frozenset(),
    "lakes": frozenset(),
    "đảo": frozenset(),
    "núi": frozenset(),
    "chợ": frozenset(),
    "temple": frozenset(),
    "temples": frozenset(),
    "pagoda": frozenset(),
    "pagodas": frozenset(),
    "shrine": frozenset(),
    "shrines": frozenset(),
    "waterfall": frozenset(),
    "waterfalls": frozenset(),
    "island": frozenset(),
    "market": frozenset(),
}
# One syllable typed without its accents is often another word ("den" is "đến" as often as
# "đền", "chua" "chưa", "dong" "đóng"): such a kind counts only where it comes right before
# where or which ("den o Sam Son", "chua nao o ..."; not "chua co ai").
AMBIGUOUS_BEFORE = {"o", "tai", "gan", "nao", "in", "near", "at"}
# The kinds of one Vietnamese syllable (``AMBIGUOUS_BEFORE``; "hang" is "hàng" as often).
SYLLABLES = {"đền", "chùa", "phủ", "thác", "đảo", "núi", "chợ", "hang", "động", "hồ"}
# A word after a kind's syllable making another word of them, however typed ("hồ sơ").
OTHER_WORD_BEFORE = {"ho": {"so", "chi", "khau", "ten", "chieu", "xuan", "cong"}}
# Folded, a word before such a syllable making another word of them ("cửa hàng", "nhà hàng",
# "ngân hàng", "hoạt động", "siêu thị chợ"...).
OTHER_WORD_AFTER = {
    "hang": {"cua", "nha", "ngan", "khach", "mat", "don", "bach", "hang", "mua", "ban", "di", "giao"},
    "dong": {"hoat", "lao", "cong", "hop", "tac", "di", "chu", "bien", "so"},
    "dao": {"lanh", "giao", "dan", "chi"},
    "phu": {"chinh", "thanh"},
}

# A kind that also covers the records of another category whose names open so ("làng nghề":
# *Làng bánh gai Tứ Trụ*, a cuisine record, is a craft village too; not *Làng cổ Đông Sơn*).
ALSO_NAMED = {"lang nghe": ("CUISINE", "lang")}


# Kinds of the other place catalogues: their records in a town ("school in Tho Xuan").
OTHER_KINDS = {
    "trường": "school",
    "trường học": "school",
    "school": "school",
    "schools": "school",
    "bệnh viện": "hospital",
    "hospital": "hospital",
    "hospitals": "hospital",
    "cơ sở y tế": "hospital",
}


# School levels as people say them -> the words the schools' Vietnamese names say it with
# ("cấp 3 ở Thọ Xuân": *THPT Lê Lợi* and *THPT Lam Kinh*, not one of them stated).
LEVELS = {
    "thpt": "thpt",
    "cấp 3": "thpt",
    "trung học phổ thông": "thpt",
    "high school": "thpt",
    "high schools": "thpt",
    "thcs": "thcs",
    "cấp 2": "thcs",
    "trung học cơ sở": "thcs",
    "lower secondary": "thcs",
    "tiểu học": "tieu hoc",
    "cấp 1": "tieu hoc",
    "primary school": "tieu hoc",
    "primary schools": "tieu hoc",
    "mầm non": "mam non",
    "mẫu giáo": "mam non",
    "preschool": "mam non",
    "kindergarten": "mam non",
}


@dataclass(frozen=True)
class KindAsked:
    phrase: str  # folded
    categories: FrozenSet[str]
    record_kind: str = "attraction"
    level: str = ""  # a school's, as its name says it ("thpt")

    @property
    def words(self) -> Set[str]:
        """Its words, and for a level the words its names and how people say it hold."""
        if not self.level:
            return set(self.phrase.split())
        return {*self.phrase.split(), *self.level.split(), "truong", "school"}


def _written(text: str) -> List[str]:
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())


_FOLDED_KINDS = {fold(kind): kind for kind in [*KINDS, *OTHER_KINDS, *LEVELS]}


def kinds_asked(question: str) -> List[KindAsked]:
    """The kinds of attraction the question asks for, longest phrase first, each once.
    Typed with accents, read as typed ("đến" is no "đền"); without, folded, a single syllable
    only where it comes before where or which (``AMBIGUOUS_BEFORE``)."""
    written = _written(question)
    folded = [fold(word) for word in written]
    found: List[KindAsked] = []
    taken: Set[int] = set()
    for size in (4, 3, 2, 1):
        for at in range(len(written) - size + 1):
            if taken & set(range(at, at + size)):
                continue
            key = " ".join(folded[at : at + size])
            kind = _FOLDED_KINDS.get(key)
            if kind is None:
                continue
            typed = " ".join(written[at : at + size])
            plain = typed == key  # typed without accents
            if not plain and typed != kind:
                continue  # typed with accents: read as typed ("đến" is no "đền")
            after = folded[at + size] if at + size < len(folded) else ""
            if after in OTHER_WORD_BEFORE.get(key, set()):
                continue
            before = folded[at - 1] if at else ""
            if plain and kind in SYLLABLES and (
                after not in AMBIGUOUS_BEFORE or before in OTHER_WORD_AFTER.get(key, set())
            ):
                continue
            taken |= set(range(at, at + size))
            if kind in LEVELS:
                found.append(KindAsked(key, frozenset(), "school", LEVELS[kind]))
            elif kind in OTHER_KINDS:
                found.append(KindAsked(key, frozenset(), OTHER_KINDS[kind]))
            else:
                found.append(KindAsked(key, KINDS[kind]))
    if any(kind.level for kind in found):
        # "trường cấp 3": the level says which schools, not every school.
        found = [kind for kind in found if kind.level or kind.record_kind != "school"]
    return found


def markets(
    names: Dict[str, Sequence[str]], districts: Dict[str, str]
) -> Dict[str, Tuple[str, str, str]]:
    """The markets among the attractions (a Vietnamese name opening with "Chợ"), by the folded
    proper name people call them by (its capitalised words: "hoi" of *Chợ cá Hới*), with the
    whole name, the proper name as written (lower case) and the folded town it lies in; made
    once per names."""
    found: Dict[str, Tuple[str, str, str]] = {}
    for record_id, record_names in names.items():
        vi = record_names[0] if record_names else ""
        words = vi.split()
        if len(words) < 2 or fold(words[0]) != "cho":
            continue
        proper = [word for word in words[1:] if word[:1].isupper()]
        if proper:
            written = unicodedata.normalize("NFC", " ".join(proper)).lower()
            town = " ".join(fold(districts.get(record_id, "")).split())
            found[fold(written)] = (vi, written, town)
    return found


def market_named(question: str, known: Dict[str, Tuple[str, str, str]]) -> str:
    """The question with a market called by its proper name written whole ("cho Hoi o Sam
    Son", "chợ Hới": *Chợ cá Hới*). Typed without accents, "cho hoi" is how questions open
    ("cho hỏi"): the market only where its proper name is capitalised or accented as the name
    writes it (not "cho hoi lam ho chieu o dau", "cho hỏi ở Sầm Sơn", nor "cho hoi o sam son
    ..." or "cho hoi Sam Son co bien dep khong": the opener, then the town)."""
    if not known:
        return question
    text = unicodedata.normalize("NFC", question)
    spans = list(re.finditer(r"[^\W\d_]+", text))
    for at, market in enumerate(spans[:-1]):
        if fold(market.group()) != "cho":
            continue
        for size in (2, 1):
            said = spans[at + 1 : at + 1 + size]
            if len(said) < size:
                continue
            typed = text[said[0].start() : said[-1].end()]
            found = known.get(fold(typed))
            if found is None:
                continue
            name, written, _ = found
            lower = typed.lower()
            if fold(typed) != lower and lower != written:
                continue  # accents of another word ("cho hỏi" is no "chợ Hới")
            accented = fold(market.group()) != market.group().lower() or lower == written
            capital = typed[:1].isupper() and not typed.isupper()
            if accented or capital:
                return text[: market.start()] + name + text[said[-1].end() :]
    return question


def kind_words(kinds: Sequence[KindAsked]) -> Set[str]:
    return {word for kind in kinds for word in kind.words}


def _singular(phrase: str) -> Set[str]:
    """A phrase and, an English plural, its singular ("temples": "temple")."""
    return {phrase, phrase[:-1]} if phrase.endswith("s") and len(phrase) > 4 else {phrase}


def kind_records(
    kinds: Sequence[KindAsked],
    records: Sequence[Tuple[str, str, Sequence[str]]],
    categories: Dict[str, str],
) -> List[Tuple[str, str]]:
    """Of a town's records (kind, id, names), those of the kinds asked: attractions of one of
    their categories, or, a kind the names say, named so ("đền": *Đền Độc Cước*; "temple":
    *Độc Cước Temple*); the town's schools or hospitals ("school in Tho Xuan")."""
    found = []
    for kind, record_id, names in records:
        held = {f" {fold(name)} " for name in names if name}
        category = categories.get(record_id, "").upper()

        def fits(asked: KindAsked) -> bool:
            if kind != asked.record_kind:
                return False
            if asked.level:
                return f" {asked.level} " in f" {fold(names[0])} "
            if kind != "attraction":
                return True
            other, opening = ALSO_NAMED.get(asked.phrase, ("", ""))
            return (
                category in asked.categories
                or (category == other and fold(names[0]).split()[:1] == [opening])
                or any(f" {said} " in name for said in _singular(asked.phrase) for name in held)
            )

        if any(fits(asked) for asked in kinds):
            found.append((kind, record_id))
    return found


def _by_folded(phrases: Collection[str]) -> Dict[str, Set[str]]:
    """Phrases by their folded form (several spellings may fold alike: "hỏa", "hoả")."""
    found: Dict[str, Set[str]] = {}
    for phrase in phrases:
        found.setdefault(fold(phrase), set()).add(phrase)
    return found


# Where people sleep: no catalogue holds it (as written; one typed without accents is read
# folded, but for those whose folded form is as often something else: "chợ ở" is no "chỗ ở").
LODGING = {
    "homestay", "home stay", "homestays", "khách sạn", "nhà nghỉ", "nhà trọ", "phòng nghỉ",
    "thuê phòng", "đặt phòng", "chỗ ở", "chỗ nghỉ", "chỗ ngủ", "ngủ lại", "ngủ đêm", "nghỉ đêm",
    "qua đêm", "hotel", "hotels", "hostel", "hostels", "motel", "guesthouse", "guest house",
    "accommodation", "lodging", "place to stay", "places to stay", "where to stay", "bungalow",
    "villa", "camping", "cắm trại",
}
ACCENTS_NEEDED = {"chỗ ở", "chỗ nghỉ", "chỗ ngủ", "ngủ lại", "qua đêm"}
# A record whose name says it is lodging is asked about as such ("khách sạn FLC": the resort).
LODGING_NAMES = {fold(phrase) for phrase in LODGING} | {"khu nghi duong", "nghi duong", "resort"}
_FOLDED_LODGING = _by_folded(LODGING)


# Getting there by a service no catalogue holds (as written, read as ``LODGING`` is): "how much
# is a taxi to Pu Luong" asks no ticket of the reserve.
# (Not renting a car, told on the way to asking something else: "cả nhà tính thuê xe đi ...,
# lễ hội ... ngày nào"; nor a ticket, "vé xe điện", "tàu ra đảo", which a place may sell.)
TRANSPORT = {
    "taxi", "grab", "xe ôm", "xe khách", "xe buýt", "xe bus", "bus", "buses", "coach",
    "limousine", "tàu hỏa", "tàu hoả", "train", "trains", "shuttle",
}
_FOLDED_TRANSPORT = _by_folded(TRANSPORT)
# Where to eat out (read as ``LODGING`` is): "nhà hàng gần bãi biển Sầm Sơn" is no beach's overview.
EATING = {
    "nhà hàng", "quán ăn", "quán cà phê", "quán cafe", "quán nhậu", "restaurant", "restaurants",
    "cafe", "cafes", "café", "coffee shop", "coffee shops",
}
_FOLDED_EATING = _by_folded(EATING)
# A word after such a phrase making another of them ("nhà hàng xóm": a neighbour's house).
NOT_FOLLOWED_BY = {"nha hang": {"xom"}}


def _phrases(question: str) -> Set[str]:
    folded = fold(question).split()
    return {
        " ".join(folded[at : at + size])
        for size in (1, 2, 3)
        for at in range(len(folded) - size + 1)
    }


def _says(question: str, phrases: Dict[str, Set[str]]) -> bool:
    """Whether the question holds one of the phrases (folded -> as written), as typed where
    it is typed with accents (``ACCENTS_NEEDED``: only so)."""
    written = _written(question)
    folded = [fold(word) for word in written]
    for size in (1, 2, 3):
        for at in range(len(written) - size + 1):
            key = " ".join(folded[at : at + size])
            spellings = phrases.get(key, set())
            after = folded[at + size] if at + size < len(folded) else ""
            if after in NOT_FOLLOWED_BY.get(key, set()):
                continue
            typed = " ".join(written[at : at + size])
            if typed in spellings or (
                spellings and typed == fold(typed) and not spellings & ACCENTS_NEEDED
            ):
                return True
    return False


def lodging_asked(question: str) -> bool:
    """Whether the question asks where to sleep ("homestay ở Pù Luông", "hotel near the
    beach", "chỗ ở gần Lam Kinh"; read as typed: "chợ ở Sầm Sơn" is the market)."""
    return _says(question, _FOLDED_LODGING)


def eating_asked(question: str) -> bool:
    """Whether the question asks where to eat or drink out ("nhà hàng gần Hàm Rồng", "cafe
    near Sam Son beach")."""
    return _says(question, _FOLDED_EATING)


def transport_asked(question: str) -> bool:
    """Whether the question asks about a way of getting there no catalogue holds ("taxi to
    Pu Luong", "xe khách lên Pù Luông giá bao nhiêu", "bus to Ham Rong")."""
    return _says(question, _FOLDED_TRANSPORT)


def lodging_named(names: Collection[str]) -> bool:
    """Whether a record's names say it is lodging (*Quần thể nghỉ dưỡng FLC*, *... Resort*)."""
    return any(_phrases(name) & LODGING_NAMES for name in names if name)


# Words of a district's name that say what kind of unit it is, not which.
UNIT_WORDS = {"tp", "thanh", "pho", "city", "town", "thi", "xa", "huyen", "district", "quan"}


def district_said(district: str, spellings: Collection[str]) -> str:
    """A district as people write it: the API's own where it has accents or capitals ("TP
    Thanh Hóa", "Sầm Sơn"), else (a key, "thanh-hoa-city", "sam-son") the spelling another
    record gives the same place (its words less the unit's: "thanh hoa"), else its words."""
    plain = " ".join(district.replace("-", " ").split())
    if fold(plain) != plain:
        return plain
    wanted = [w for w in fold(plain).split() if w not in UNIT_WORDS] or fold(plain).split()
    for spelling in spellings:
        if fold(spelling) == spelling:
            continue
        words = [w for w in fold(spelling).split() if w not in UNIT_WORDS] or fold(spelling).split()
        if words == wanted:
            return spelling
    return plain


def district_spellings(districts: Dict[str, str]) -> Dict[str, str]:
    """Each record's district as people write it (``district_said``), computed once."""
    spellings = sorted({d for d in districts.values() if d and fold(d) != d})
    said: Dict[str, str] = {}
    found: Dict[str, str] = {}
    for record_id, district in districts.items():
        if district not in said:
            said[district] = district_said(district, spellings)
        found[record_id] = said[district]
    return found


# A pair held by more names than this names none of them alone ("lễ hội", "bãi biển").
NAMED_BY_PAIR_MAX = 2


def named_by_pairs(folded: Sequence[str], index: NameIndex) -> List[str]:
    """The records a rare word pair of the question (folded words) names: held by at most
    ``NAMED_BY_PAIR_MAX`` names, no place name several catalogues hold, no word of the
    language ("xuan lien" of "... driving up to Xuan Lien nature reserve this afternoon ...",
    which a long question's other words rank out of the search's first hits). Looked up in
    the names' pairs (made once per index): a few lookups per message."""
    held_by = index.pair_records()
    found: List[str] = []
    for a, b in zip(folded, folded[1:]):
        pair = f"{a} {b}"
        held = held_by.get(pair, set())
        if (
            not held
            or len(held) > NAMED_BY_PAIR_MAX
            or pair in index.localities
            or {a, b} & index.language_words
            or index.weight(pair) <= 0
        ):
            continue
        found.extend(record_id for record_id in sorted(held) if record_id not in found)
    return found


# Letters a word needs for a place's name to be read in it (chat abbreviations, "bn", are no
# typo of a syllable: "gia bn" is no "Bến").
MENDED_MIN_LETTERS = 3


def place_mended(question: str, index: NameIndex, known: Callable[[str], bool]) -> str:
    """The question with a word of a place's name mistyped (``NameIndex.mended``: "pồn" of
    "lễ hội pồn pôông" is *Pôồn*) read as the name writes it, only where the words on both
    sides of it are the name's too (a name's three words in a row; "học bạ ở" is no "học
    Bắc" of *Tiểu học Bắc Sơn*) and it has ``MENDED_MIN_LETTERS`` letters."""
    mended = index.mended(question, known)
    if mended == question:
        return question
    before, after = _tokens(question), _tokens(mended)
    if len(before) != len(after):
        return question
    fixed: Dict[int, str] = {}
    for at, ((_, was), (word, folded)) in enumerate(zip(before, after)):
        if was == folded and before[at][0] == word:
            continue
        if at == 0 or at + 1 >= len(after) or len(folded) < MENDED_MIN_LETTERS:
            continue
        left, right = after[at - 1][1], after[at + 1][1]
        if f"{left} {folded}" in index.frequency and f"{folded} {right}" in index.frequency:
            fixed[at] = word
    if not fixed:
        return question
    return _words_replaced(unicodedata.normalize("NFC", question), fixed)
