"""Reading a question: folded words, its language, and the aspect it asks about.

Pure Python (no Rasa imports), tested from tests/bots/. The NLU model classifies the domain and
the aspect (intents); these keyword rules read the aspect from the words themselves when the
intent is too coarse (the intents have no "price" or "phone") or wrong, and detect the language
when the app does not say which one the user writes in.
"""

import functools
import re
import unicodedata
from typing import (
    Callable,
    Collection,
    Dict,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
)

VI_LETTERS = set("ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ")


# What the API put in place of personal data ("<phone>", "<name>", "<id-number>":
# domains/chatbot/masking.py): not words of the question.
_PLACEHOLDER = re.compile(r"<[a-z]+(?:-[a-z]+)*>")
# An English possessive ("driver's", "grandfather’s"): the word it belongs to, not a word "s"
# (Vietnamese has no apostrophes).
POSSESSIVE = re.compile(r"(?<=[^\W_])['’]s\b")


def unpossessed(text: str) -> str:
    """The text with each English possessive "'s" dropped."""
    return POSSESSIVE.sub("", text)


def _fold(text: str) -> str:
    text = _PLACEHOLDER.sub(" ", text)
    text = unpossessed(unicodedata.normalize("NFC", text)).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


# Folds of the texts of the messages being answered (the resolver folds one question dozens of
# times): kept only while actions run, ``forget`` after each (actions/__init__.py), so no
# user's message (a name, a phone number, a health detail) stays in the action server's memory.
_recent: Dict[str, str] = {}
RECENT_MAX = 4096


def fold(text: str) -> str:
    """Lower case, no diacritics (đ -> d), words separated by single spaces. Remembered until
    ``forget`` (the message's texts); catalogue names: ``fold_name``."""
    found = _recent.get(text)
    if found is None:
        if len(_recent) >= RECENT_MAX:
            _recent.clear()
        found = _recent[text] = _fold(text)
    return found


@functools.lru_cache(maxsize=16384)
def fold_name(text: str) -> str:
    """``fold`` for the catalogues' names and phrases (not users' words), kept for the process:
    they are folded again for every question."""
    return _fold(text)


def forget() -> None:
    """Drop the remembered folds of messages (after an action has run)."""
    _recent.clear()


def words(text: str) -> List[str]:
    return fold(text).split()


# A syllable ending in "i" after "k" or "l" is also written with "y", whatever its tone ("đăng
# kí" / "đăng ký", "lí lịch" / "lý lịch", "học kì" / "học kỳ"); the catalogues and the
# assistant's own texts write "y", so a question's "i" there is read as "y".
_Y_OF_I = dict(zip("iíìỉĩị", "yýỳỷỹỵ"))
_I_SPELLING = re.compile(r"(?<![^\W\d_])([kKlL])([iíìỉĩị])(?![^\W\d_])")


# The old placement of a tone on a syllable ending in "oa", "oe" or "uy" (on its last vowel:
# "hoá", "khoẻ", "thuỷ") and the new (on the first: "hóa", "khỏe", "thủy") are one word; the
# new is read. ("quý": "qu" is the initial, the tone is on "y" either way.)
_TONED = "àáảãạ", "èéẻẽẹ", "ỳýỷỹỵ"
_PLAIN_TONED = "òóỏõọ", "òóỏõọ", "ùúủũụ"
_OLD_PLACEMENT = {
    f"{first}{toned}": f"{moved}{last}"
    for (first, last), toned_row, moved_row in zip(
        (("o", "a"), ("o", "e"), ("u", "y")), _TONED, _PLAIN_TONED
    )
    for toned, moved in zip(toned_row, moved_row)
}
_OLD_TONE = re.compile(r"(?<!q)(" + "|".join(_OLD_PLACEMENT) + r")(?![^\W\d_])")


def tone_placed(text: str) -> str:
    """The text (lower case) with a tone of a final "oa", "oe", "uy" on its first vowel."""
    return _OLD_TONE.sub(lambda m: _OLD_PLACEMENT[m.group(1)], text)


# How a Vietnamese question opens, asking nothing ("cho em hỏi", "xin hỏi", "ad ơi cho mình
# hỏi là"): its "cho" and "hỏi" are no words of what is asked ("cho hoi" folds to the market
# "Chợ Hới"; "cho ... con" to "nhận cha, mẹ, con"). Only at the start, after a greeting or a
# call; a "Hoi" with a capital is a name ("cho Hoi o Sam Son": the market, typed without
# accents), kept.
_OPENER = re.compile(
    r"""^\s*
    (?:(?:chào|chao|hi|hello)\s+(?:ad|admin|mn|mọi\s+người|moi\s+nguoi|anh\s+chị|anh\s+chi|
        anh|chị|chi|em|bạn|ban|bot)\s*[,.!]*\s*)?
    (?:(?:ad|admin|mn|mọi\s+người|moi\s+nguoi|anh\s+chị|anh\s+chi|bạn|ban|bot)\s+(?:ơi|oi)\s*[,.!]*\s*)?
    (?:cho|Cho|xin|Xin)
    (?:\s+(?:em|mình|minh|tôi|toi|con|cháu|chau|anh|chị|chi|t|e|m|mk|mik|tui))?
    \s+(?:hỏi|hoi|hõi)
    (?:\s+(?:chút|chut|tí|ti|xíu|xiu|với|voi|ạ|a))?
    (?:\s+(?:là|la))?
    (?:\s*[,:.!?]+|\s+|$)
    """,
    re.VERBOSE,
)


def without_opener(text: str) -> str:
    """The question without how it opens ("cho em hỏi", "xin hỏi", "ad ơi cho mình hỏi"): what
    follows, or the text as typed when nothing follows."""
    normal = unicodedata.normalize("NFC", text)
    match = _OPENER.match(normal)
    if not match:
        return text
    rest = normal[match.end() :].strip()
    return rest if re.search(r"[^\W_]", rest) else text


def y_spelled(text: str) -> str:
    """The text with each syllable "k"/"l" + "i" (any tone) written with "y" ("kí" -> "ký")."""
    text = unicodedata.normalize("NFC", text)
    return _I_SPELLING.sub(lambda m: m.group(1) + _Y_OF_I[m.group(2)], text)


# Words that only one of the two languages uses (Vietnamese typed without diacritics included).
EN_WORDS = set(
    """the a an is are was do does did how what where when which who why can could i my me we
    you your our it its of to for in on at from with and or there this that much many long
    open opening hours price ticket tickets address phone number book booking appointment
    hospital beach temple cave festival village school museum lake island waterfall park
    please get need want buy any have has some about near trip plan suggest like good quieter
    than should will tell right now today tomorrow weekend day days date time cost pay enter
    register registration certificate licence license passport card fee fees online apply
    hello hi hey thanks thank bye goodbye hotel hotels hostel accommodation""".split()
)
# English words of how any sentence goes, naming nothing (pronouns, conjunctions, auxiliaries,
# "says"): known to the assistant, though no record or example of it holds them ("if she is
# 15", "which law says"); actions/vocabulary.py.
EN_GRAMMAR = set(
    """he she him his her hers they them their us ours yours mine myself yourself himself
    herself ourselves themselves someone somebody anyone anybody something anything
    if because since but so nor then though although while until unless whether before after
    am be been being was were has had having will would shall may might must cannot
    not no yes also just only very really still already yet even too
    who whom whose these those into onto over under up down out off through
    say says said tell tells told know knows another other others got gotten""".split()
)
# English words of where, naming no record ("in another province", "my home country").
EN_WHERE = set(
    """province provinces country countries city cities town towns district districts abroad
    overseas""".split()
)
# Whom a question is asked for ("my girlfriend", "bố em", "cụ nhà em"): words of the language,
# naming no record (actions/vocabulary.py knows them).
PEOPLE_WORDS = set(
    """wife husband girlfriend boyfriend fiancee fiance partner daughter son grandfather
    grandmother grandparents grandson granddaughter mother father mom mum dad parents parent
    brother sister uncle aunt cousin nephew niece neighbour neighbor friend colleague landlord
    baby kid kids child children family relative relatives student students sv
    bố mẹ ba má cha ông bà anh chị em con cháu cụ chồng vợ cô chú bác dì cậu mợ thím dượng
    nội ngoại""".split()
)
# (Not the syllables English also uses or names carry: "ho", "to", "can", "con", "me", "nam".)
VI_WORDS = set(
    """la co khong ko k gi nao dau bao nhieu lau cho em toi minh ad thi duoc dc vay nhe oi voi
    cua va nhung cac lam xin nop phi le giay thu tuc benh vien truong hoc xa phuong huyen tinh
    ngay gio thang mo ve vao chua dong hoi sap nhu nay kia roi nua chao cam on tam biet vang
    muon hoi giup mua tien bi sai sua doi cap tp luon""".split()
)
# The same words as written with their accents (a question typed with diacritics must hold its
# words as written: "ơi", "chưa", "sửa" are the language, not words no catalogue knows).
VI_WRITTEN = set(
    """là có không gì nào đâu bao nhiêu lâu cho em tôi mình thì được đc vậy nhé ơi với của và
    những các làm xin nộp phí lệ giấy thủ tục bệnh viện trường học xã phường huyện tỉnh ngày
    giờ tháng mở về vào chưa đóng hỏi sắp như này kia rồi nữa chào cảm ơn tạm biệt vâng muốn
    giúp mua tiền bị sai sửa đổi cấp luôn""".split()
)


# English words Vietnamese questions use as they are.
LOANWORDS = {"online", "ok", "okay", "email", "app", "web", "website", "internet", "zalo"}


def detect_lang(text: str) -> Optional[str]:
    """'vi' or 'en' when the words say so; None when they do not (a code, a name alone). A text
    with Vietnamese letters is Vietnamese, unless its English words, typed as English is,
    outnumber its Vietnamese ones (a name or a term quoted: "lost my ID card (căn cước)")."""
    if any(ch in VI_LETTERS for ch in text.lower()):
        written = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())
        accented = sum(1 for word in written if fold(word) != word)
        english = sum(1 for word in written if word in EN_WORDS)
        vietnamese = sum(1 for word in written if word in VI_WORDS)
        return "en" if english > accented + vietnamese else "vi"
    # (English words Vietnamese uses as they are, "online", say neither language: "dang ky ho
    # kinh doanh online" is Vietnamese typed without accents; review, session 11.)
    tokens = [word for word in words(text) if word not in LOANWORDS]
    en = sum(1 for word in tokens if word in EN_WORDS)
    vi = sum(1 for word in tokens if word in VI_WORDS)
    if en > vi:
        return "en"
    if vi > en:
        return "vi"
    return None


# How a procedure is done, asked in so many words.
HOW_IT_IS_DONE = (
    "cac buoc", "nhung buoc", "quy trinh", "trinh tu", "the nao", "lam sao", "kieu gi",
    "how do i", "how to", "steps", "nhu the nao", "ntn", "how do we", "how do you", "how does",
    "nhu nao", "process", "the procedure",
)
# What to bring, asked in so many words.
WHAT_TO_BRING = (
    "giay to", "ho so", "can gi", "can nhung gi", "mang theo", "mang gi", "can mang",
    "documents", "papers", "what do i need", "can nhung giay", "can giay to", "to bring",
    "i bring", "what do we need", "paperwork", "chuan bi", "nop nhung gi", "nop gi", "giay gi",
    "prepare", "submit",
)
# Aspects, most specific first: the first whose phrase appears in the folded text wins. Each
# phrase is matched on word boundaries; a phrase written with accents ("chuyển con") is matched
# as written in a text typed with accents (folded, "chuyen con" is also "trường chuyên con"). The places' aspects and the procedures' are read apart
# ("o dau" is where to apply for a procedure, the address of a place).
# The state of one's own application ("làm sao biết hồ sơ hộ chiếu đã xong chưa", "has my
# application been approved"): no catalogue holds it; the answer says where to look (read
# first: "hồ sơ", "bao giờ có" would read documents, a time).
STATUS_PHRASES = (
    "da xong chua", "xong chua", "co ket qua chua", "da co ket qua chua", "tinh trang ho so",
    "tra cuu ho so", "den dau roi", "duoc duyet chua", "da duyet chua", "duoc cap chua",
    "xu ly den dau", "giai quyet den dau", "application status", "status of my", "track my",
    "check my application", "check on my", "check the status", "ready yet", "been approved",
    "been processed",
)
PROCEDURE_ASPECTS: Sequence[Tuple[str, Sequence[str]]] = (
    ("status", STATUS_PHRASES),
    ("legal", ("can cu", "luat nao", "nghi dinh", "thong tu", "phap ly", "legal", "law",
               "quy dinh nao", "laws", "decree", "decrees", "legislation", "regulation",
               "regulations", "regulates", "regulated")),
    ("online", ("online", "truc tuyen", "dich vu cong", "dvc", "dvcqg", "vneid", "qua mang",
                "tren mang")),
    # How long a paper stays valid ("hộ chiếu có thời hạn mấy năm", "how long is it valid"): no
    # processing time (the records do not hold it, answers.py says so).
    # The processing time in the records' own words ("có thời hạn giải quyết bao lâu"; review
    # R10), before "có thời hạn" asks how long a paper stays valid.
    ("time", ("thoi han giai quyet", "thoi han tra ket qua", "thoi han xu ly",
              "thoi han nhan ket qua",
              # How long until it is ready, however long at most ("tối đa bao lâu thì có").
              "bao lau thi co", "bao lau moi co", "bao lau thi lay", "bao lau thi xong",
              "bao lau thi nhan")),
    # (Its words are asking words, ASKING_WORDS: none of a name's, not "sử dụng".)
    ("validity", ("co thoi han", "han may nam", "han bao nhieu nam", "gia tri bao lau",
                  "gia tri may nam", "hieu luc bao lau", "hieu luc may nam", "gia tri may thang",
                  "gia tri bao nhieu thang", "hieu luc may thang", "how long is it valid",
                  "stay valid", "stays valid", "validity")),
    ("time", ("bao lau", "may ngay", "mat may", "thoi han", "how long", "bao gio co",
              "khi nao co", "processing time", "bao nhieu ngay",
              "bao nhieu lau", "may hom", "lau khong", "bao gio thi co", "bao gio thi lay",
              "bao gio thi xong", "bao gio thi nhan", "bao gio lay", "bao gio xong",
              "khi nao nhan", "khi nao lay", "when will i get", "how many days",
              # Every unit of time, before the fee's "mất/hết bao nhiêu".
              "thoi gian", "bao nhieu tuan", "bao nhieu thang", "bao nhieu nam",
              "bao nhieu buoi", "nhanh khong", "lay ngay", "lay lien",
              "how soon", "how quickly", "how fast", "when can i get", "when can i collect",
              "when can i pick", "be ready", "take long", "takes long")),
    # (After time: "mất bao nhiêu ngày" is how long, "mất bao nhiêu" alone how much.)
    ("fee", ("le phi", "mat phi", "mat tien", "bao nhieu tien", "lephi", "phi bao nhieu",
             "co phi", "thu phi", "ton phi", "how much", "cost", "fee", "fees", "charge",
             "lay phi", "bnhieu", "bnhiu", "mat bao nhieu", "het bao nhieu",
             # A price per page, beside "bao nhiêu" ("một trang trại" is a farm).
             "bao nhieu mot trang", "bao nhieu 1 trang", "mot trang bao nhieu",
             "1 trang bao nhieu", "moi trang bao nhieu",
             "ton bao nhieu", "mien phi", "free", "bao nhiu tien")),
    ("agency", ("o dau", "noi nao", "co quan nao", "where", "cho nao", "tai dau",
                "ubnd", "commune office", "xa nao", "ra dau", "which office", "what office",
                "which agency", "what agency", "len dau", "den dau", "di dau", "which authority",
                "who handles", "who issues", "o xa hay",
                # Whether one office will do, or another must ("ở xã được không hay bắt buộc
                # ra phòng công chứng"): where to apply, not who may.
                "ở xã được", "tại xã được", "ở phường được", "tại phường được",
                "bắt buộc ra", "bắt buộc lên", "phải ra xã", "phải ra phường", "phải lên huyện",
                "phải lên tỉnh")),
    ("documents", WHAT_TO_BRING),
    # Whether the child must come along ("có phải dẫn cháu lên công an không"): how it is
    # done, before "có phải" asks who may.
    ("steps", ("dẫn con", "dẫn cháu", "dẫn bé", "đưa con", "đưa cháu", "đưa bé",
               "bring my child", "bring the child",
               # How it is done, before "can i" asks who may.
               "how can i", "how can we")),
    # Who may, and on what conditions, asked in so many words.
    ("eligibility", ("dieu kien", "ai duoc", "truong hop nao", "eligible", "who can",
                     # What a person must have to qualify.
                     "bang cap", "trinh do", "ngoai ngu", "qualify", "requirements",
                     "requirement")),
    # How it is done, asked in so many words: before a yes-or-no ("sv thuê trọ có phải đk tạm
    # trú ko, làm ntn": the steps, whatever "có phải" asks).
    ("steps", HOW_IT_IS_DONE),
    # Whether one may, or must ("được không", "có phải", "có cần": needed at all).
    ("eligibility", ("duoc khong", "duoc ko", "co duoc", "co phai", "bat buoc", "can i",
                     "can they", "co bi", "co bat",
                     # (Accented: "thì có căn cước" is no "có cần"; unaccented, see the stops.)
                     "có cần")),
    ("steps", ("how can", "lam gi",
               # Last: wanting it done, asked nothing else ("muốn xoá tạm trú ở chỗ cũ").
               "muon", "want to", "wants to")),
)
PLACE_ASPECTS: Sequence[Tuple[str, Sequence[str]]] = (
    # Before "admission" (a school's): what a visit costs.
    ("price", ("entrance fee", "entry fee", "admission fee", "entrance ticket",
               "admission ticket", "entry ticket", "how much is the entrance")),
    ("transfer", ("chuyen truong", "chuyen den", "chuyen ve", "chuyen vao", "transfer",
                  # (not "chuyển sang" alone: "chuyển sang đào ao", land use; nor "chuyển cho
                  # con", a gift of land)
                  # (accented: "trường chuyên con ..." is no "chuyển con", see aspect_in)
                  "chuyen sang truong", "chuyen sang cap", "chuyen sang hoc", "chuyển con",
                  "chuyển cháu", "chuyển từ", "truong khac", "giua nam hoc", "giua ky",
                  "change school", "changing school", "switch school", "change schools",
                  "changing schools", "switch schools", "switching schools", "moving schools",
                  "move schools")),
    # Which wards a school admits from ("nhận học sinh những phường nào"), or whether one is
    # in ("ở ngoài phường X thì có thi vào ... được không"); "ở xã nào" is its address.
    ("catchment", ("dung tuyen", "khu vuc nao", "tuyen nao", "hoc truong nao", "catchment",
                   "dung khong", "nhan hoc sinh", "nhung phuong nao", "cac phuong nao",
                   "nhung xa nao", "cac xa nao", "phuong xa nao", "ngoai phuong", "ngoai xa",
                   "trai tuyen", "which communes", "which wards", "khu nao", "which areas",
                   "which neighbourhoods", "which neighborhoods", "kids from", "children from",
                   "co duoc hoc", "duoc vao hoc", "hoc duoc", "assigned to")),
    ("admission", ("tuyen sinh", "chi tieu", "diem chuan", "nhan tre", "thi vao", "admission",
                   "entrance", "enrol", "enroll", "enrolment", "enrollment", "lop 1", "lop 6",
                   "lop 10", "co tuyen", "tuyen nganh", "nhap hoc", "admissions",
                   "tuyen bao nhieu")),
    ("how_to_book", ("dat lich", "dat kham", "hen kham", "book", "appointment", "dang ky kham",
                     "booking", "bookings", "lay so kham", "hen lich")),
    ("phone", ("so dien thoai", "dien thoai", "sdt", "phone", "hotline", "goi so", "contact",
               "lien he", "lien lac", "call them", "who do i call", "who should i call",
               "who can i call", "who to call", "number to call", "their number",
               "can i call")),
    ("open_now", ("bay gio", "right now", "con mo", "dang mo", "open now", "hien gio",
                  "at the moment", "luc nay", "mo cua hom nay", "hom nay co mo", "hom nay mo",
                  "open today")),
    ("hours", ("gio mo cua", "mo cua", "may gio", "opening hours", "hours", "open on",
               "buoi toi", "what time", "gio hop", "hop cho", "gio lam viec", "co lam viec",
               "kham chu nhat", "kham thu 7", "dong cua", "opening times", "closing time",
               "close at")),
    ("price", ("ve vao", "gia ve", "ve bao nhieu", "bao nhieu tien", "mat tien", "thu phi",
               # "nhiêu" typed a letter short.
               "ve bao nhiu", "bao nhiu tien",
               "tien ve", "ticket", "price", "prise", "pay", "cost", "fee", "gia bao nhieu",
               "mien phi", "free", "how much", "entry", "charge", "tickets", "prices",
               "mat ve", "mat phi", "co phi", "ton phi", "mua ve", "bnhieu", "bnhiu",
               # Accented: unaccented, "ve" is also "về" ("còn về ...").
               "vé")),
    ("departments", ("chuyen khoa", "kham nhung gi", "co kham", "khoa nao", "clinic", "offer",
                     "department", "departments", "specialty", "specialties", "clinics",
                     "kham gi", "kham rang", "kham tim", "kham mat", "kham san",
                     # Accented: unaccented, "co khoa" is also "có khóa (học)".
                     "có khoa", "dentist")),
    ("upcoming_events", ("khi nao", "ngay nao", "thang may", "to chuc", "when", "date",
                         "su kien", "bao gio", "event", "events", "exhibition",
                         "exhibitions", "coming up", "sap dien ra", "hom nao", "ngay may",
                         "le hoi gi", "su kien gi", "khai mac")),
    ("address", ("o dau", "dia chi", "where", "address", "duong nao", "xa nao", "get there",
                 "mua o dau", "cho nao", "nam o", "which commune", "which ward", "located",
                 "o phuong nao", "o huyen nao", "thuoc huyen nao", "thuoc xa nao", "how far",
                 "bao xa", "directions", "duong di", "chi duong", "location", "get to",
                 "duong den")),
)
ASPECT_TABLES: Dict[str, Sequence[Tuple[str, Sequence[str]]]] = {
    "procedures": PROCEDURE_ASPECTS,
    "places": PLACE_ASPECTS,
    # Read together (``how_and_what_to_bring``), with the procedures' stops.
    "how": (("steps", HOW_IT_IS_DONE),),
    "what_to_bring": (("documents", WHAT_TO_BRING),),
}
# Phrases holding an aspect's phrase that ask no aspect, cut out before reading (folded): "đề
# thi giữa kỳ" is an exam, not a transfer in the middle of the term ("giua ky").
ASPECT_STOPS: Dict[str, Sequence[str]] = {
    "places": ("thi giua ky", "kiem tra giua ky", "thi hoc ky", "thi cuoi ky"),
    # A relative by marriage ("my father-in-law died") is no law asked about; "chưa bao giờ
    # có sổ đỏ" (never had one) asks no "bao giờ có" (when is it ready).
    # "co can cuoc" (có căn cước) is no "co can" (có cần).
    # "hồ sơ đến đâu rồi" asks how far a file has got, not where to go; "để làm giấy tờ đất"
    # says what for, not which papers to bring.
    # ("hồ sơ đến đâu rồi", "tình trạng hồ sơ": the state of one's own file, read first.)
    "procedures": ("in law", "in laws", "chua bao gio", "chua tung", "co can cuoc",
                   "de lam giay to", "kiem tra ho so"),
}

# Aspect phrases read only where typed with their accents: unaccented, "ve" is also "về".
ACCENTS_NEEDED = {"vé"}
# An aspect asked by words of several kinds together, read where its own phrases are: where the
# family lives, whether the child may go, and the school ("nhà mình ở xã X, cháu vào lớp 6
# trường Y được không", "we live in X, can my son go to Y primary"): the school's catchment,
# before admission's "lớp 6". (Not a hospital near home: no school word.) Folded.
ASPECT_TOGETHER: Dict[str, Dict[str, Sequence[Sequence[Sequence[str]]]]] = {
    # (Phrases here are no words of how questions ask, resolve.ASKING_WORDS: "trong", "in"
    # are words of names and of the language.)
    "procedures": {
        # Whether one must go in person ("có phải đến trực tiếp không", "do I have to go in
        # person"): whether it can be done without, online.
        "online": (
            (
                ("den truc tiep", "di truc tiep", "len truc tiep", "ra truc tiep",
                 "nop truc tiep", "in person"),
            ),
        ),
        # How long a paper stays valid, however it is named ("how long is a passport valid",
        # "valid for how long"; review R10).
        # So is the longest one may have it ("tạm trú tối đa bao lâu", "how long can I stay on
        # it"), not how long it takes.
        "validity": (
            (("how long",), ("valid",)),
            (("valid for",), ("how long", "how many")),
            (("toi da",), ("bao lau", "may nam", "may thang", "bao nhieu nam", "bao nhieu thang")),
            (("o duoc bao lau", "how long can i stay", "how long can we stay", "how long is it good"),),
            # When it expires ("hộ chiếu hết hạn sau mấy năm", "bao giờ thì hết hạn", "when does
            # it expire"); not an expired paper ("bằng lái hết hạn rồi đổi mất bao lâu").
            (("het han sau", "bao lau thi het han", "may nam thi het han", "khi nao het han",
              "bao gio het han", "bao gio thi het han", "when does it expire", "expire after",
              "expires after", "when will it expire"),),
        ),
    },
    "places": {
        # When it opens or closes ("when does the museum open"), not when an event is; open on
        # a day of the week ("thứ 7 có mở không"; a day alone is no hours: "chủ nhật có sự kiện
        # gì").
        "hours": (
            (("when", "what time"), ("open", "opens", "close", "closes")),
            (
                ("thu 2", "thu 3", "thu 4", "thu 5", "thu 6", "thu 7", "thu hai", "thu ba",
                 "thu tu", "thu nam", "thu sau", "thu bay", "chu nhat", "cuoi tuan", "sunday",
                 "sundays", "saturday", "saturdays", "weekend", "weekends", "monday",
                 "mondays"),
                ("mo", "mo cua", "open", "opens"),
            ),
            # Whether one may visit on a day of the week ("can we visit the citadel on a
            # Monday", "chủ nhật tham quan bảo tàng được không"); not a weekend's trip ("is it
            # worth visiting on the weekend": no hours asked).
            (
                ("thu 2", "thu 3", "thu 4", "thu 5", "thu 6", "thu 7", "thu hai", "thu ba",
                 "thu tu", "thu nam", "thu sau", "thu bay", "chu nhat", "sunday", "sundays",
                 "saturday", "saturdays", "monday", "mondays"),
                ("visit", "tham quan"),
                ("duoc khong", "duoc ko", "dc ko", "duoc k", "co duoc", "can i", "can we",
                 "could i", "could we", "possible"),
            ),
        ),
        "catchment": (
            (
                ("nha em o", "nha minh o", "nha toi o", "nha chau o", "nha o", "we live",
                 "i live", "living in"),
                ("duoc khong", "duoc ko", "co duoc", "duoc hoc", "duoc vao", "can my",
                 "can our", "can he", "can she", "allowed"),
                ("truong", "lop", "hoc", "school", "primary", "class", "grade"),
            ),
        ),
    },
}


# Where a procedure is done, asked as a yes-or-no about a place ("nộp ở xã có được không",
# "làm ở công an huyện được ko", "can I get this done at the ward office?", "is it possible to
# apply in another district?"): where to apply, whatever else the question's words name (its
# "được không", "can I" ask whether one may; "documents certified" names no documents asked).
# Read by the shape of the question, not by its words alone: the offices' words ("công an",
# "xã") are words of the records' names too, so they are no words of how questions ask
# (resolve.ASKING_WORDS is made of the aspect tables' phrases).
OFFICES = tuple(
    tuple(office.split())
    for office in (
        "xã", "phường", "huyện", "quận", "tỉnh", "thị trấn", "thị xã", "thành phố", "tp",
        "công an", "ubnd", "ủy ban", "uỷ ban", "bưu điện", "một cửa", "bộ phận", "trung tâm",
        "sở", "phòng", "văn phòng", "tòa án", "toà án", "cơ quan", "địa phương", "nơi", "chỗ",
        "quê", "đây",
    )
)
# Words placing what follows ("ở xã", "lên huyện", "ra phòng công chứng").
PLACING = frozenset("ở tại lên ra về đến tới xuống qua".split())
# A room, a spot or a place of one's own ("phòng trọ", "chỗ thuê", "nơi làm việc", "nơi mình ở":
# where one lives or works, asked of a residence registration) is no office: the word after.
HOMES = frozenset({"phòng", "chỗ", "nơi"})
HOME_NEXT = frozenset(
    "tro thue o lam moi cu cua minh em toi chung rieng nha khach ngu hoc".split()
)
# Moving one's residence there ("chuyển hộ khẩu về quê được không"): whether one may.
MOVING = frozenset({"chuyen", "nhap"})
# Who may, asked in so many words ("is my son eligible ... from the district", "có đủ điều
# kiện"): the conditions, whatever the shape (folded).
ELIGIBILITY_WORDS = (
    "du dieu kien", "dieu kien", "duoc huong", "doi tuong", "eligible", "qualify", "qualifies",
    "entitled",
)
# Who lives where ("nhà em ở xã X", "tôi đang ở phường Y"): a place of the asker, not an office
# asked about (``AREAS``).
DWELLING = frozenset(
    "tôi toi em mình minh nhà nha con cháu chau bố bo mẹ me ông ong bà ba anh chị chi sống song "
    "đang dang hiện hien vợ vo chồng chong gia đình dinh người nguoi ai".split()
)
# Where one lives, of the offices: an area ("nhà em ở xã X"; not "con ở công an phường").
AREAS = frozenset({"xa", "phuong", "huyen", "quan", "tinh", "thi", "thanh", "tp", "que", "noi"})
# Whom it is done for ("khai tử cho bố ở quê"): the office that follows is where it is done.
FOR_WHOM = frozenset({"cho"})
# "được" and how a yes-or-no ends ("được không", "đc ko", "được chứ", "được ạ").
ABLE = frozenset({"được", "đc", "dc", "duoc"})
YES_NO_ENDS = frozenset(
    "không khong ko k kg hông hong hem chứ chu ạ a hả ha nhỉ nhi hay".split()
)
NOT = frozenset({"không", "khong", "ko", "k", "kg", "hông", "hong", "hem"})
# A question word in the clause ("ở xã cần giấy tờ gì"): not a yes-or-no.
WHAT = frozenset({"gì", "gi", "nào", "nao"})
BESIDE = frozenset({"ca", "ben", "tren", "duoi", "ngay"})
# How far before the office "phải", "cần" may stand ("phải nộp hồ sơ ở xã"), with only words
# of going or handing in between (not "phải dẫn cháu lên công an": whether the child comes).
MUST_REACH = 6
HANDING_IN = frozenset({"di", "nop", "ho", "so", "don", "giay", "to", "mang", "den", "tan"})
MUST = frozenset({"phải", "phai", "cần", "can", "buộc", "buoc"})
# Offices two of which are weighed against each other ("ở xã hay lên huyện").
OR = frozenset({"hay", "hoặc", "hoac"})
# Verbs of doing a procedure before "được" ("làm được", "cấp được": can it be done; not
# "được hỗ trợ", to receive).
DOING = frozenset({"lam", "nop", "cap", "ky", "xin", "doi", "ly", "thuc", "chung"})
# How many words may lie between the office and the yes-or-no's "được" ("ở UBND xã Quảng Phú
# có làm được không").
OFFICE_REACH = 8
# An English yes-or-no opens with one of these ("can I", "is it possible", "do I have to").
AUXILIARIES = frozenset(
    "can could may might is are am will would do does should must shall".split()
)
# Words a clause may open with before its auxiliary ("so can I ...", "and is it ...").
LEADING = frozenset("so and also but then or ok okay well please hi hello hey".split())
EN_OFFICES = frozenset(
    "ward commune district province police office committee department centre center authority "
    "authorities station hall".split()
)
# Words naming an office before its noun ("the provincial police", "the Sầm Sơn ward office",
# "the district people's committee"): at most this many.
EN_OFFICE_REACH = 3
# Records a clause names beside an office's words ("the Hoằng Hóa district hospital", "a
# hospital in Thọ Xuân district"): it asks about them, not where a procedure is done.
EN_NOT_OFFICES = frozenset("hospital hospitals school schools museum clinic".split())
# A question word anywhere in an English question ("Can the ward office certify it? What
# should I bring?"): it asks that, not the yes-or-no.
EN_WHAT = frozenset("what which how where when who why".split())
EN_PLACING = frozenset({"at", "in", "from", "through", "via", "by"})
EN_GOING = frozenset({"go", "come", "travel", "head", "return", "going"})
DETERMINERS = frozenset(
    "the a an my our any another their this that your one other local nearest nearby same "
    "different".split()
)
# What to bring, or a need, asked of an office ("do I need to bring my ID to the ward office"):
# the documents, not where.
EN_BRINGING = frozenset({"bring", "show", "carry", "take", "present", "need"})


def _clauses(text: str) -> List[List[Tuple[str, str]]]:
    """The text's clauses (cut at punctuation), each a list of its words: (as typed, lower
    case, NFC; folded)."""
    normal = unicodedata.normalize("NFC", unpossessed(text)).lower()
    return [
        [(word, fold(word)) for word in re.findall(r"[^\W_]+", part)]
        for part in re.split(r"[,.;:?!\n]+", normal)
    ]


def _word_is(typed: Tuple[str, str], word: str, accents: bool) -> bool:
    """Whether a typed word is ``word``: as written in a text typed with accents ("ở xa" is no
    "ở xã"), folded in one typed without."""
    return typed[0] == word if accents else typed[1] == fold(word)


def _office_at(clause: Sequence[Tuple[str, str]], at: int, accents: bool) -> int:
    """How many words the office named at ``at`` spans ("công an", "xã"), else 0 (not a room
    or a place of one's own: "phòng trọ", "nơi làm việc")."""
    for office in OFFICES:
        span = clause[at : at + len(office)]
        if len(span) == len(office) and all(
            _word_is(typed, word, accents) for typed, word in zip(span, office)
        ):
            after = at + len(office)
            if office[-1] in HOMES and after < len(clause) and clause[after][1] in HOME_NEXT:
                return 0
            return len(office)
    return 0


def _offices_placed(clause: Sequence[Tuple[str, str]], accents: bool) -> List[int]:
    """Where the clause names an office after a word placing it ("ở xã", "tại UBND xã", "lên
    công an huyện"), not where the asker lives ("nhà em ở xã X"): each office's first word."""
    found = []
    for at, typed in enumerate(clause):
        if not any(_word_is(typed, word, accents) for word in PLACING):
            continue
        before = {word for pair in clause[max(at - 2, 0) : at] for word in pair}
        if {folded for _, folded in clause[max(at - 3, 0) : at]} & MOVING:
            continue  # "chuyển hộ khẩu về quê": moving one's residence there
        lives = typed[1] == "o" and bool(before & DWELLING) and not before & FOR_WHOM
        if lives and at + 1 < len(clause) and _office_at(clause, at + 1, accents) and (
            clause[at + 1][1] in AREAS
        ):
            continue
        # The office right after, or past a word saying which side ("ở CA xã", "lên bên
        # huyện"; not "lên tận nơi", to the place itself).
        beside = at + 1 < len(clause) and clause[at + 1][1] in BESIDE
        for office in (at + 1, at + 2) if beside else (at + 1,):
            if office < len(clause) and _office_at(clause, office, accents):
                found.append(office)
                break
    return found


def _yes_no_about_office(clause: Sequence[Tuple[str, str]], accents: bool) -> bool:
    """Whether a Vietnamese clause asks whether it can be done at an office: "... ở <office>
    (có) (làm) được không", "có thể ... ở <office> không", "phải lên <office>", "<office> hay
    <office>"."""
    placed = _offices_placed(clause, accents)
    if not placed:
        return False
    folded = [f for _, f in clause]
    for at in placed:
        # "phải lên huyện", "có cần ra xã không", "bắt buộc về quê", "có phải nộp hồ sơ ở xã
        # không": whether one must go, or hand it in, there.
        for must in range(max(at - MUST_REACH, 0), at - 1):
            if folded[must] in MUST and set(folded[must + 1 : at - 1]) <= HANDING_IN:
                return True
        # "ở xã hay lên huyện", "ở quê hay ở đây".
        rest = clause[at + 1 : at + 5]
        if any(f in OR for _, f in rest) and any(
            _office_at(clause, later, accents) for later in range(at + 2, min(at + 6, len(clause)))
        ):
            return True
        # "... ở xã (có làm) được không": "được" past the office, then how a yes-or-no ends.
        for able in range(at + 1, min(at + 1 + OFFICE_REACH, len(clause))):
            if folded[able] in ABLE and (
                able + 1 == len(clause) or folded[able + 1] in YES_NO_ENDS
            ):
                return True
        # "ở xã có làm được căn cước không": a verb of doing, "được", what, "không" ending it.
        for able in range(at + 2, min(at + 1 + OFFICE_REACH, len(clause))):
            if folded[able] in ABLE and folded[able - 1] in DOING and folded[-1] in NOT | {"a"}:
                return True
        # "có thể làm ở xã không": "có thể" before, "không" ending the clause.
        can = any(a == "co" and b == "the" for a, b in zip(folded, folded[1:]))
        if can and folded[-1] in NOT | {"a"} and NOT & set(folded[at:]):
            return True
    return False


def _en_yes_no_about_office(words_of: Sequence[str]) -> bool:
    """Whether an English clause asks, as a yes-or-no, whether it can be done at an office
    ("can I get this done at the ward office", "is it possible to apply in another district",
    "do I have to go to the province", "can the commune police do it")."""
    folded = list(words_of)
    while folded and folded[0] in LEADING:
        folded = folded[1:]
    if not folded or folded[0] not in AUXILIARIES:
        return False
    if set(folded) & EN_NOT_OFFICES:
        return False
    going = any(word in EN_GOING for word in folded)
    if set(folded) & EN_BRINGING and not going:
        return False
    if "anywhere" in folded:
        return True
    for at, word in enumerate(folded):
        head = at + 1
        while head < len(folded) and folded[head] in DETERMINERS:
            head += 1
        named = folded[head : head + EN_OFFICE_REACH]
        if not set(named) & EN_OFFICES:
            continue
        if word in EN_PLACING or (word == "to" and going):
            return True
        # "can the ward office ...", "does the commune ...": the office does it.
        if at == 0 and word in AUXILIARIES - {"is", "are", "am"}:
            return True
    return False


# How many capitalised words a place's name may run to ("ở Hà Nội", "in Sam Son").
NAME_WORDS = 3


def _name_run(tokens: Sequence[str], at: int) -> int:
    """How many capitalised words (a place's name as typed: "Hà Nội", "Sam Son") begin at
    ``at``, up to NAME_WORDS."""
    run = 0
    while at + run < len(tokens) and run < NAME_WORDS and tokens[at + run][:1].isupper():
        run += 1
    return run


def _yes_no_about_a_named_place(text: str, english: bool, accents: bool) -> bool:
    """Whether the question asks whether it can be done in a place it names ("làm lý lịch tư
    pháp ở Hà Nội được không", "đổi bằng lái ở Sầm Sơn có được không", "can I apply for a
    passport in Sam Son?"): the name right before the yes-or-no's "được", or ending an English
    yes-or-no."""
    normal = unicodedata.normalize("NFC", unpossessed(text))
    for part in re.split(r"[,.;:?!\n]+", normal):
        tokens = re.findall(r"[^\W_]+", part)
        lower = [token.lower() for token in tokens]
        folded = [fold(token) for token in tokens]
        if english:
            start = 0
            while start < len(folded) and folded[start] in LEADING:
                start += 1
            if start >= len(folded) or folded[start] not in AUXILIARIES:
                continue
            for at in range(start + 1, len(tokens) - 1):
                run = _name_run(tokens, at + 1)
                if folded[at] in {"in", "at"} and run and at + 1 + run == len(tokens):
                    return True
            continue
        for at, word in enumerate(lower):
            placing = word in {"ở", "tại"} if accents else folded[at] in {"o", "tai"}
            if not placing or not (run := _name_run(tokens, at + 1)):
                continue
            before = set(lower[max(at - 2, 0) : at]) | set(folded[max(at - 2, 0) : at])
            if before & DWELLING and not before & FOR_WHOM:
                continue  # "tôi ở Hà Nội": where the asker lives
            after = at + 1 + run
            for able in range(after, min(after + 3, len(folded))):
                if folded[able] in ABLE and (
                    able + 1 == len(folded) or folded[able + 1] in YES_NO_ENDS
                ):
                    return True
    return False


def asks_if_there(text: str) -> bool:
    """Whether a procedure question asks, as a yes-or-no, whether it can be done at an office,
    or must be done at one ("làm ở công an huyện được ko", "nộp ở xã có được không", "có phải
    lên huyện không", "can I get it done at the ward office?"): where to apply."""
    clauses = _clauses(text)
    accents = any(word != folded for clause in clauses for word, folded in clause)
    said = f" {fold(text)} "
    if any(f" {phrase} " in said for phrase in ELIGIBILITY_WORDS):
        return False
    english = detect_lang(text) == "en"
    said_words = set(said.split())
    if said_words & (EN_WHAT if english else WHAT):
        return False  # a question word asks what it asks
    if _yes_no_about_a_named_place(text, english, accents):
        return True
    if english:
        return any(_en_yes_no_about_office([f for _, f in clause]) for clause in clauses)
    return any(_yes_no_about_office(clause, accents) for clause in clauses)


# Whether a paper is needed ("có cần bản sao công chứng không", "có phải nộp bản chính không",
# "cần mấy ảnh", "do I need a photo", "is a health certificate required"): the documents, not
# who may (its "có cần", "có phải" ask whether, of the paper). Not a paper that is a record
# itself ("trẻ em có cần căn cước không", "sửa nhà có cần giấy phép không": whether one needs
# it at all). Folded; a count may stand between ("cần 2 ảnh", "cần mấy bản sao").
NEEDING = frozenset({"can", "phai", "nop", "mang", "kem", "need", "needed", "required", "require"})
COUNTS = frozenset({"may", "bao", "nhieu"})
VI_YES_NO = frozenset({"khong", "ko", "hong", "kg", "chua"})
BETWEEN_NEED_AND_PAPER = frozenset(
    "co theo them ca nop mang may bao nhieu 1 2 3 4 a an the my some any".split()
)
PAPERS = (
    "ban sao", "ban chinh", "ban photo", "ban goc", "hinh the", "anh the", "giay to",
    "giay xac nhan", "giay kham", "giay gioi thieu", "giay uy quyen", "so ho khau", "ho khau",
    "to khai", "don", "photo", "photos", "picture", "pictures", "copy", "copies", "original",
    "originals", "form", "forms", "proof", "health certificate", "photocopy", "photocopies",
)
# "đơn" is also "đơn giản", "đơn vị" (simple, a unit): not a paper there.
NOT_PAPERS = ("don gian", "don vi", "don than", "don thuan")


def _needs_paper(tokens: Sequence[str], english: bool = False) -> bool:
    """Whether the folded words say a paper is needed: "cần (mấy) ảnh", "nộp bản chính", "need a
    (passport) photo", or "a health certificate required"."""
    for at, word in enumerate(tokens):
        if word not in NEEDING:
            continue
        rest = at + 1
        while rest < len(tokens) and rest - at <= 3 and tokens[rest] in BETWEEN_NEED_AND_PAPER:
            rest += 1
        # (English may say what kind first: "a passport photo", "certified copies".)
        for start in (rest, rest + 1) if english else (rest,):
            following = " " + " ".join(tokens[start : start + 3]) + " "
            if any(following.startswith(f" {paper} ") for paper in PAPERS):
                return True
        # "ảnh" folds as "anh" (a brother): a photo only counted ("cần mấy ảnh", "2 ảnh").
        counted = any(t in COUNTS or t.isdigit() for t in tokens[at + 1 : rest])
        if counted and following.startswith(" anh "):
            return True
    for at, word in enumerate(tokens):
        if word in {"required", "needed"} and at > 0:
            before = " " + " ".join(tokens[max(at - 3, 0) : at]) + " "
            if any(f" {paper} " in before for paper in PAPERS):
                return True
    return False


def asks_if_paper_needed(text: str) -> bool:
    """Whether a procedure question asks whether a paper is needed, or how many (the
    documents): a yes-or-no or a count ("có cần bản sao không", "cần mấy ảnh"; English: a clause
    opening with an auxiliary, "do I need a photo"), not a need stated before what is asked ("I
    need a copy of my birth certificate, how do I get one": how)."""
    said = f" {fold(text)} "
    for phrase in NOT_PAPERS:
        said = said.replace(f" {phrase} ", " | ")
    # How many of a paper ("how many photos for a passport", "mấy ảnh", "bao nhiêu bản sao").
    for count in ("how many", "may", "bao nhieu"):
        for paper in (*PAPERS, "anh"):
            if f" {count} {paper} " in said:
                return True
    for clause in _clauses(text):
        tokens = [folded for _, folded in clause]
        while tokens and tokens[0] in LEADING:
            tokens = tokens[1:]
        if tokens and tokens[0] in AUXILIARIES and _needs_paper(tokens, english=True):
            return True
    if _holds_any(said, [fold(phrase) for phrase in HOW_IT_IS_DONE]):
        return False
    tokens = said.split()
    # A Vietnamese yes-or-no or count ("... không", "chưa", "mấy", "bao nhiêu"; "may" is also
    # English, "can" of "căn cước" too: no language told by the words alone).
    english = detect_lang(text) == "en" and not set(tokens) & VI_YES_NO
    asked = bool(set(tokens) & (VI_YES_NO | ({"may"} if not english else set())))
    return (asked or "bao nhieu" in said) and _needs_paper(tokens)


# Getting into a school, asked without the admission's words ("how do students get into
# ...", "vào trường X cần gì", "thi đỗ vào", "muốn học trường X thì phải làm sao"): its
# admission. English: a way in, then the school ("get into class" is no school). Vietnamese: a
# way in that says studying, or "vào trường" / "muốn học trường" with a word of studying or
# of what it takes. Never the way there, the time one enters, nor parents let in (folded).
GETTING_IN = (
    "get into", "get in to", "getting into", "got into", "get accepted", "accepted into",
    "accepted at", "get a place", "admitted to", "admitted into",
)
SCHOOL_WORDS = (
    "school", "schools", "gifted", "primary", "secondary", "kindergarten", "college", "truong",
    "lop", "thpt", "thcs", "c3", "gdtx", "cap 1", "cap 2", "cap 3", "tieu hoc", "mam non",
    "bo tuc",
)
STUDYING_IN = ("do vao", "dau vao", "thi do", "thi dau", "xin vao", "dang ky hoc", "ghi danh")
GOING_IN = ("vao truong", "muon hoc truong", "cho con hoc truong")
# (Folded: not "đỗ" and "đậu" alone, which fold as "đó", "đâu"; not "học", of "học phí" and
# "vào trường X học có xa không".)
STUDYING = (
    "thi", "tuyen", "diem", "ho so", "xin", "can gi", "can nhung gi", "lam sao", "phai lam gi",
    "dieu kien", "the nao", "ntn", "nhu nao",
)
# The way there, the gate, the time one goes in, a bus, parents, where it is, how far, what it
# costs (review W1, R1): the address, the hours, the price, never the admission.
NOT_GETTING_IN = (
    "may gio", "gio vao", "duong", "xe buyt", "xe bus", "di the nao", "di nhu nao", "phu huynh",
    "cong vao", "loi vao", "o dau", "xa khong", "co xa", "bao xa", "hoc phi", "bao nhieu tien",
    "what time", "get to", "bus", "route", "directions", "parents", "class", "classes", "where",
    "how far", "fee", "fees", "tuition", "gate",
)


def _holds_any(said: str, phrases: Sequence[str]) -> bool:
    """Whether the folded text, padded with spaces, holds one of the folded phrases."""
    return any(f" {phrase} " in said for phrase in phrases)


def asks_to_get_in(text: str) -> bool:
    """Whether a question asks how to get into a school (its admission) in words other than
    the admission's: "how do kids get into the gifted school", "vào trường X cần gì"."""
    said = f" {fold(text)} "
    if _holds_any(said, NOT_GETTING_IN):
        return False
    for phrase in GETTING_IN:
        at = said.find(f" {phrase} ")
        if at < 0:
            continue
        after = said[at + len(phrase) + 1 :]
        # The school after the way in, or before it where the way in ends the question ("is
        # the gifted school hard to get into?").
        ended = not after.strip()
        if _holds_any(after, SCHOOL_WORDS) or (ended and _holds_any(said, SCHOOL_WORDS)):
            return True
    if _holds_any(said, STUDYING_IN):
        return _holds_any(said, SCHOOL_WORDS)
    for phrase in GOING_IN:
        if f" {phrase} " in said:
            rest = said.replace(f" {phrase} ", " | ")
            return any(f" {word} " in rest for word in STUDYING)
    return False


# Done the same day, or sooner ("lấy trong ngày được không", "can I get it the same day", "có
# cách nào làm nhanh hơn không", "can it be expedited"): how long it takes, but only after the
# question's own where, fee, documents ("làm nhanh hộ chiếu nộp ở đâu", "express service fee";
# review R3), before whether one may ("được không", "can I"). Folded; no words of how questions
# ask ("hơn" of "kết hôn").
SOONER = (
    "same day", "lay trong ngay", "xong trong ngay", "co trong ngay", "nhanh hon", "lam nhanh",
    "faster", "expedite", "expedited", "urgently", "express service",
)


def asks_sooner(text: str) -> bool:
    """Whether a procedure question asks to have it the same day, or sooner."""
    return _holds_any(f" {fold(text)} ", SOONER)


# Aspects read just before another's phrases: (read before, aspect, the reading). After what
# the question asks in so many words, before whether one may.
ASPECT_BEFORE: Dict[str, Sequence[Tuple[str, str, Callable[[str], bool]]]] = {
    "procedures": (("eligibility", "time", asks_sooner),),
}


# Aspects read from a question's shape, at their place in a table's order (after the
# processing time and the fee: "ở xã có mất phí không" asks the fee; after the transfer and
# the catchment of a school).
ASPECT_SHAPES: Dict[str, Dict[str, Callable[[str], bool]]] = {
    "procedures": {"agency": asks_if_there, "documents": asks_if_paper_needed},
    "places": {"admission": asks_to_get_in},
}


_FOLDED_TABLES: Dict[str, List[Tuple[str, List[Tuple[str, str, bool]]]]] = {}


def _phrases_of(table: str) -> List[Tuple[str, List[Tuple[str, str, bool]]]]:
    """Each aspect's phrases padded for matching: (as written, folded, written with accents)."""
    if table not in _FOLDED_TABLES:
        _FOLDED_TABLES[table] = [
            (aspect, [(f" {p} ", f" {fold(p)} ", fold(p) != p) for p in phrases])
            for aspect, phrases in ASPECT_TABLES[table]
        ]
    return _FOLDED_TABLES[table]


# Letters of an aspect word typed in the wrong order are still that word ("qua mnag"), unless
# they spell a syllable of the language: "chua" (chưa) is no "chau", "tiem" (tiêm) no "time".
SWAP_MIN_LETTERS = 4
# An aspect word this long with one letter left out is still that word ("tiket"), on the same
# condition (no Vietnamese syllable is this long, so the words are English).
DROP_MIN_LETTERS = 6
_ASPECT_WORDS: Dict[str, Dict[str, str]] = {}
# A Vietnamese syllable, folded: an initial, then a vowel group ending in a glide ("ai", "ieu":
# no final), one that needs a final ("ie", "uo": "tiem", "muon") or one that may take one.
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnrstvx])?"
    r"(ieu|yeu|oai|oay|oeo|uay|uoi|uou|uyu|uya|ai|ao|au|ay|eo|eu|ia|iu|oi|ui|uu"
    r"|(uye|ie|ye|uo|oo)(ng|nh|ch|[cmnpt])"
    r"|(oa|oe|ua|ue|uy|[aeiouy])(ng|nh|ch|[cmnpt])?)"
)


def _syllable(word: str) -> bool:
    """Whether the folded word spells a Vietnamese syllable ("chua", "tiem"; not "mnag")."""
    return _SYLLABLE.fullmatch(word) is not None


def _swapped(word: str) -> List[str]:
    """The word with two neighbouring letters swapped, every way."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]


def _unswapped(folded: str, table: str) -> str:
    """The folded text with each word that is an aspect word of ``table`` with two neighbouring
    letters swapped ("mnag") spelled as that word ("mang")."""
    if table not in _ASPECT_WORDS:
        words = {
            word
            for _, phrases in ASPECT_TABLES[table]
            for phrase in phrases
            for word in fold(phrase).split()
            if len(word) >= SWAP_MIN_LETTERS and word.isalpha()
        }
        _ASPECT_WORDS[table] = {
            typo: word
            for word in words
            for typo in _swapped(word) + (_dropped(word) if len(word) >= DROP_MIN_LETTERS else [])
            # (A plural's singular is a word of its own: "a proof of residence paper" names the
            # paper wanted, it asks for no "papers".)
            if typo not in words and not _syllable(typo) and f"{typo}s" != word
        }
    typos = _ASPECT_WORDS[table]
    return " ".join(typos.get(word, word) for word in folded.split())


def _dropped(word: str) -> List[str]:
    """The word with one letter left out, every way."""
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def aspect_typos(text: str, table: str) -> Set[str]:
    """The folded words of the text that are an aspect word of ``table`` mistyped ("tiket"):
    known words, though no text the assistant knows holds them."""
    _unswapped("", table)
    return set(fold(text).split()) & set(_ASPECT_WORDS[table])


def aspect_in(text: str, table: str) -> Optional[str]:
    """The first aspect of ``table`` whose phrase the text holds, else None. A phrase written
    with accents is read as written where the text has accents, folded where it has none (and
    an aspect word with two neighbouring letters swapped is that word)."""
    typed = fold(text)
    folded = f" {_unswapped(typed, table)} "
    written = " ".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()))
    # Accents are those of the text as typed, not of the swapped words put right.
    accents = written != typed.strip()
    written = f" {written} "
    for stop in ASPECT_STOPS.get(table, ASPECT_STOPS["procedures"]):
        folded = folded.replace(f" {stop} ", " | ")
    together = ASPECT_TOGETHER.get(table, {})
    shapes = ASPECT_SHAPES.get(table, {})
    before = {place: (aspect, reading) for place, aspect, reading in ASPECT_BEFORE.get(table, ())}
    for aspect, phrases in _phrases_of(table):
        if aspect in before:
            earlier, reading = before.pop(aspect)
            if reading(text):
                return earlier
        shape = shapes.get(aspect)
        if shape is not None and shape(text):
            return aspect
        if any(
            all(any(f" {phrase} " in folded for phrase in kind) for kind in words)
            for words in together.get(aspect, ())
        ):
            return aspect
        for as_written, plain, accented in phrases:
            if accented and accents:
                if as_written in written:
                    return aspect
            elif as_written.strip() not in ACCENTS_NEEDED and plain in folded:
                return aspect
    return None


# Procedure aspects asked only in words of their own ("bao lâu", "how long", "mấy ngày"): the
# intent alone does not give them (the classifier reads "get a new ID card" as its processing
# time; a plain "how do I get X" asks how, or nothing in particular).
WORDED_ONLY = frozenset({"time"})


def aspect_asked(text: str, table: str, intended: Optional[str]) -> Optional[str]:
    """The aspect a question asks: in its words (``aspect_in``), else the one the intent gives
    (``intended``), not an aspect asked only in words of its own. A yes-or-no about an office
    ("làm ở công an huyện được không") is "agency_conditions": where it is done, and who may on
    what conditions (the asker learns yes or no from both)."""
    aspect = aspect_in(text, table)
    if aspect is None and not (table == "procedures" and intended in WORDED_ONLY):
        aspect = intended
    if table == "procedures" and aspect == "agency" and asks_if_there(text):
        return "agency_conditions"
    return aspect


def without_status_words(text: str) -> str:
    """A question asking the state of one's own file with the words asking it cut out ("tra
    cứu tình trạng hồ sơ căn cước": "tra cứu căn cước"): how it asks is no record's words
    ("tình trạng" of *Cấp Giấy xác nhận tình trạng hôn nhân*). Any other question as typed."""
    if aspect_in(text, "procedures") != "status":
        return text
    tokens = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text))
    folded = [fold(token) for token in tokens]
    cut: Set[int] = set()
    for phrase in STATUS_PHRASES:
        size = len(phrase.split())
        for at in range(len(folded) - size + 1):
            if " ".join(folded[at : at + size]) == phrase:
                cut.update(range(at, at + size))
    return " ".join(token for at, token in enumerate(tokens) if at not in cut) or text


def how_and_what_to_bring(text: str) -> bool:
    """Whether a procedure question asks in so many words both how it is done and what to bring
    ("how do I apply and what do I need to bring", "làm thế nào, cần giấy tờ gì"): both are
    answered (the one read first alone would leave the other unsaid)."""
    return aspect_in(text, "how") is not None and aspect_in(text, "what_to_bring") is not None


# Words that point back to the record being talked about ("vào đó", "trường đó", "that
# school"): a follow-up about it, whatever catalogue the intent names. Accented phrases are read
# as written where the question has accents ("sổ đỏ" is no "số đó").
REFERS_BACK = (
    "đó", "đấy", "ấy", "trường này", "viện này", "chỗ này", "nơi này",
    "vao do", "truong do", "o do", "cho do", "noi do", "vien do", "truong nay",
    # (Not "there" alone: "is there a fee".)
    "that school", "that hospital", "that place", "this school", "this hospital", "this place",
)
# Pointing at the record talked about in so many words ("what is it exactly", "nơi đó"): no
# particle ("đấy", "ấy" end many questions) and no "is it a" (review R12 of session 10).
POINTS_BACK = (
    "what is it", "what is that", "tell me more about it", "that festival", "that event",
    "that place", "that school", "that hospital", "nơi đó", "chỗ đó", "trường đó", "lễ hội đó",
    "đó là gì", "cái đó", "noi do", "cho do la gi", "le hoi do",
)


def points_back(text: str) -> bool:
    """Whether the text points at the record talked about in so many words (``POINTS_BACK``)."""
    typed = f" {fold(text)} "
    letters = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())
    written = " " + " ".join(letters) + " "
    return any(
        f" {phrase} " in (written if fold(phrase) != phrase else typed) for phrase in POINTS_BACK
    )


def refers_back(text: str) -> bool:
    """Whether the text points back to the record talked about (``REFERS_BACK``)."""
    typed = fold(text)
    written = " ".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()))
    accents = written != typed
    for phrase in REFERS_BACK:
        plain = fold(phrase)
        accented = plain != phrase
        if accented and not accents:
            continue  # typed without accents, "do" is also "đỏ"
        haystack = f" {written} " if accented else f" {typed} "
        if f" {phrase} " in haystack:
            return True
    return False


# Aspects asked in words that only a record answers ("giá vé", "số điện thoại", "lệ phí"):
# a message the NLU puts outside the assistant's scope is still looked up when it asks one of
# these ("phone number of Hàm Rồng"); "where", "how", "when" alone are not enough.
SPECIFIC_ASPECTS = {
    "price", "hours", "open_now", "phone", "how_to_book", "departments", "admission",
    "catchment", "transfer", "fee", "documents", "time", "online", "legal", "status",
}


def specific_aspect(text: str) -> bool:
    """Whether the text asks an aspect only a record can answer."""
    asked = {aspect_in(text, "places"), aspect_in(text, "procedures")}
    return bool(asked & SPECIFIC_ASPECTS)


# English words of how people ask this short ("the", "for", "of") that the language's texts
# or more than this many names of a catalogue hold are its function words.
FUNCTION_WORD_LETTERS = 3
FUNCTION_WORD_RECORDS = 3


def function_words(index: "_Names") -> Set[str]:
    """A catalogue's English function words: short English words the language's texts or
    several of its names hold ("the", "for", "of"; not "trong", "và", nor "card")."""
    return {
        word
        for word in EN_WORDS
        if len(word) <= FUNCTION_WORD_LETTERS
        and (word in index.language_words or index.frequency.get(word, 0) > FUNCTION_WORD_RECORDS)
    }


class _Names(Protocol):
    frequency: Mapping[str, int]
    language_words: Set[str]

    def _spelled(self, word: str) -> str: ...


class _Vocabulary(Protocol):
    words: Set[str]

    def knows(self, word: str) -> bool: ...

    def in_phrases(self, words: Sequence[str]) -> Set[int]: ...


def _typo_of_name(word: str, indexes: Sequence[_Names]) -> Set[str]:
    """The names' words a folded word is one typo from, or its singular is where the names say
    it in the singular ("passprots": "passport")."""
    spelled = {index._spelled(word) for index in indexes} - {word}
    if not spelled and word.endswith("s"):
        spelled = {index._spelled(word[:-1]) for index in indexes} - {word[:-1]}
    return spelled


def respelled(text: str, indexes: Sequence[_Names], vocabulary: _Vocabulary) -> str:
    """An English question with each word no text holds but one typo from a name's spelled as
    that word ("pasport"); any other question as typed."""
    if detect_lang(text) != "en":
        return text
    found = []
    for word in text.split():
        folded = fold(word)
        unheld = (
            folded.isalpha()
            and folded not in vocabulary.words
            and not any(folded in index.frequency for index in indexes)
        )
        spelled = _typo_of_name(folded, indexes) if unheld else set()
        found.append(sorted(spelled)[0] if spelled else word)
    return " ".join(found)


# English says the deed with a verb, before or after the thing ("register the birth", "extend
# my temporary residence", "get my signature certified"); the catalogue's English names say it
# with a noun, after the thing ("Birth registration") or before it, with "of" ("Extension of
# temporary residence", "Certification of signatures"). Each verb's forms and its noun:
DEED_NOUNS = {
    verb: noun
    for noun, verbs in {
        "registration": ("register", "registers", "registered", "registering"),
        "certification": ("certify", "certified", "certifying", "notarize", "notarized",
                          "notarise", "notarised", "notarizing", "notarising"),
        "extension": ("extend", "extends", "extended", "extending"),
        "cancellation": ("cancel", "cancels", "cancelled", "canceled", "cancelling",
                         "canceling"),
        "mediation": ("mediate", "mediates", "mediated", "mediating"),
        "confirmation": ("confirm", "confirms", "confirmed", "confirming"),
    }.items()
    for verb in verbs
}
# The thing is looked for this many words after the verb (or before it: "signature certified").
DEED_REACH = 3
CERTIFIED = "certification"
COPY_WORDS = {"copies", "copy"}


# Where the name of the paper copied ends: a preposition or a verb after it ("... diploma
# certified at the ward office", "a copy of my lease for the bank").
COPIED_PAPER_ENDS = {"at", "in", "for", "by", "from", "to", "with", "on", "and", "or", "so"}
COPIED_PAPER_WORDS = 6


def copied_paper(text: str) -> Set[str]:
    """The words naming the paper a copy to be certified is made of ("copies of my foreign
    university diploma certified": "my", "foreign", "university", "diploma"), up to the verb,
    a preposition or the clause's end: any paper may be copied, so none of them says the
    question is about another kind of procedure. Empty where no copy is certified."""
    if detect_lang(text) != "en":
        return set()
    folded = [word for word in re.split(r"([,.;:!?])", fold(text)) for word in word.split()]
    if not any(DEED_NOUNS.get(word) == CERTIFIED for word in folded):
        return set()
    found: Set[str] = set()
    for at, (word, after) in enumerate(zip(folded, folded[1:])):
        if word not in COPY_WORDS or after != "of":
            continue
        for paper in folded[at + 2 : at + 2 + COPIED_PAPER_WORDS]:
            if paper in COPIED_PAPER_ENDS or paper in DEED_NOUNS or not paper.isalpha():
                break
            found.add(paper)
    return found


def _deed_phrase(
    noun: str, thing: str, terms: Mapping[str, int], everyday: Collection[str] = ()
) -> Optional[str]:
    """The names' phrase of the deed done to the thing, where they hold it: "birth
    registration", "extension of temporary", "certification of signatures" (a name's plural);
    or an everyday name's ("household registration")."""
    if f"{thing} {noun}" in terms or f"{thing} {noun}" in everyday:
        return f"{thing} {noun}"
    if f"{noun} of" in terms:
        for form in (thing, f"{thing}s"):
            if f"of {form}" in terms:
                return f"{noun} of {form}"
    return None


# How many words after a verb the thing done is looked for, where they run on as one noun
# phrase ("register my motorbike rental business").
OBJECT_REACH = DEED_REACH + 1


def _object_of(folded: Sequence[str], at: int) -> List[int]:
    """The positions of the words of the thing the verb at ``at`` is done to, the last first:
    English puts the thing last in its phrase ("register my motorbike rental business"
    registers the business). Up to the first small word after one of them ("register the birth
    of my son": the birth)."""
    found: List[int] = []
    for position in range(at + 1, min(at + 1 + OBJECT_REACH, len(folded))):
        if folded[position] in EN_WORDS and len(folded[position]) <= 3:
            if found:
                break
            continue  # "the", "my", "a": no thing
        found.append(position)
    return found[::-1]


def deed_after_thing(
    text: str, terms: Mapping[str, int], everyday: Collection[str] = ()
) -> str:
    """An English question that does a name's deed with a verb ("register ... X", "extend ...
    X", "X certified") read also as the names' phrase for it ("X registration", "extension of
    X") where they hold it (``terms``: a catalogue's words and pairs) or an everyday name is it
    (``everyday``: "get my household registered"), said after the question (its words as
    typed still make its everyday names: "register our marriage"); any other question as
    typed. What a copy is made of is not what is certified ("a copy of my contract
    certified": the copy)."""
    if detect_lang(text) != "en":
        return text
    folded = fold(text).split()
    copied = copied_paper(text)
    for at, word in enumerate(folded):
        noun = DEED_NOUNS.get(word)
        if noun is None:
            continue
        before = range(at - 1, max(at - 1 - DEED_REACH, -1), -1)
        for thing in [*_object_of(folded, at), *before]:
            if folded[thing] in EN_WORDS and len(folded[thing]) <= 3:
                continue  # "the", "my", "a": no thing
            if noun == CERTIFIED and folded[thing] in copied:
                continue
            phrase = _deed_phrase(noun, folded[thing], terms, everyday)
            if phrase is not None:
                return f"{text} {phrase}"
        # What is certified is the copy, however long the paper's name between the two ("copies
        # of my foreign university diploma certified", "certify a copy of ...").
        copy_said = noun == CERTIFIED and bool(set(folded) & COPY_WORDS)
        phrase = _deed_phrase(noun, "copies", terms) if copy_said else None
        if phrase is not None:
            return f"{text} {phrase}"
    return text


# English names a vehicle by its kind ("my new car", "a scooter"); the catalogue's English
# name says "vehicles" ("First registration and number-plate issuance for vehicles (... authorised
# to register vehicles)").
VEHICLE_KINDS = {
    "car", "cars", "motorbike", "motorbikes", "motorcycle", "motorcycles", "scooter", "scooters",
    "moped", "mopeds", "bike", "bikes", "truck", "trucks", "vehicle",
}
REGISTER_VERBS = {"register", "registering", "registered", "registers"}
# A vehicle sold, or a contract about it certified: no registration asked ("I want to sell my
# car, where do I notarize the contract"; review R15).
NOT_REGISTERING = {
    "sell", "selling", "sold", "sale", "contract", "notarize", "notarise", "notarized",
    "notarised", "certify", "certified",
}


# What a vehicle's own papers are called after its kind ("car plate", "motorbike registration").
VEHICLE_PAPERS = {"plate", "plates", "registration", "number", "numbers", "papers", "paper"}
# Irregular verb forms that may follow the vehicle ("a motorbike bought from a friend").
VERB_FORMS = {"bought", "got", "gotten", "given", "brought", "made", "taken", "built"}


def _vehicle_itself(said: Sequence[str]) -> bool:
    """Whether a vehicle kind the question names is the thing itself, not a word qualifying
    the noun after it ("a motorbike rental business", "car insurance"; English puts the thing
    last): followed by a word of the language, a verb form, a paper of its own, or nothing."""
    return any(
        word in VEHICLE_KINDS
        and (
            after is None
            or after in EN_WORDS
            or after in EN_GRAMMAR
            or after in VEHICLE_PAPERS
            or after in VERB_FORMS
            or after.endswith(("ed", "ing"))
            or not after.isalpha()
        )
        for word, after in zip(said, [*said[1:], None])
    )


def vehicles_named(text: str, terms: Mapping[str, int]) -> str:
    """An English question naming a kind of vehicle read also as the names' "vehicles" (with a
    verb of registering, "register vehicles"; with a plate, "number plate") where they hold it;
    any other question as typed."""
    if detect_lang(text) != "en":
        return text
    said = set(words(text))
    if not said & VEHICLE_KINDS or said & NOT_REGISTERING:
        return text
    if not _vehicle_itself(words(text)):
        return text  # "my motorbike rental business": the business (English: the last noun)
    if not said & (REGISTER_VERBS | {"plate", "plates"}):
        return text  # a vehicle named, no registration nor plate asked (review R15)
    extra = [phrase for phrase in ("vehicles",) if phrase in terms]
    if said & REGISTER_VERBS and "register vehicles" in terms:
        extra.append("register vehicles")
    if said & {"plate", "plates"} and "number plate" in terms:
        extra.append("number plate")  # "get a plate" for it: the names' "number-plate"
    return f"{text} {' '.join(extra)}" if extra else text


def search_words(text: str, indexes: Sequence[_Names], vocabulary: _Vocabulary) -> str:
    """What to search the catalogues with for an English question: its words that some record's
    name holds (not the language's own, "the", "of"), a word no text holds but one typo from a
    name's spelled as that word ("passpot"), and words nothing known holds (perhaps what the
    catalogues lack); not the words of how it is asked ("how long does it take"), which
    outweigh its one or two words naming the record in a long question. Any other question: as
    typed."""
    if detect_lang(text) != "en":
        return text
    kept: List[str] = []
    folded = words(text)
    # An everyday name of several words is searched whole ("lost my id card"), as the search
    # expands it: its words one by one ("lost", "card") find other records.
    everyday = vocabulary.in_phrases(folded)
    for at, word in enumerate(folded):
        if at in everyday:
            kept.append(word)
            continue
        # (A name's plural or singular is its word: "rock" of "Trống Mái Rocks".)
        forms = (
            word,
            f"{word}s",
            word[:-1] if word.endswith("s") else word,
            f"{word[:-1]}ies" if word.endswith("y") else word,  # "copy" of "copies"
        )
        held = [index for index in indexes if any(form in index.frequency for form in forms)]
        if held:
            if not any(word in function_words(index) for index in held):
                kept.append(word)
            continue
        if word in vocabulary.words:
            continue
        spelled = _typo_of_name(word, indexes)
        if spelled:
            kept.append(sorted(spelled)[0])
        elif not vocabulary.knows(word):
            kept.append(word)
    return " ".join(kept) or text
