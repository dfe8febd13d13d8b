"""Which record a question is about, or that it is not clear enough to say.

Pure Python (no Rasa imports), tested from tests/bots/. The candidates come from the API's
catalogue search with the user's words; this module decides whether to answer with the best
one, to ask "did you mean A or B?", or to say that nothing matches:

- **Evidence.** The words a question shares with a record's name (Vietnamese or English,
  accents and case ignored, one typo allowed in words of 4+ letters) count by their rarity in
  that catalogue: log(N / records whose name holds the word), computed from the catalogue's own
  names (fetched through the API), not from a hand-written stop list. A word in most records
  ("đăng ký", "bệnh viện", "Thanh Hóa") counts for almost nothing, so a record that shares only
  common words with the question is never answered. A record is a candidate only when its
  evidence reaches ``MIN_EVIDENCE`` (as much as one word found in ``FEW`` records).
- **Margin.** The best candidate is answered when it is clearly ahead of the next: the search's
  relative score margin ``(score - next) / score`` for procedures (``Procedure.searchMargin``),
  the same ratio on the evidence for the other catalogues. Below ``MARGIN`` (tuned on the dev
  split of bench/eval/chat_questions.jsonl) the assistant offers both.
"""

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Collection,
    Dict,
    FrozenSet,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from actions.text import (
    ASPECT_TABLES,
    EN_WORDS,
    PEOPLE_WORDS,
    VI_WORDS,
    detect_lang,
    fold,
    fold_name,
    function_words,
    tone_placed,
    unpossessed,
)
from actions.text import words as words_of_text

FEW = 3
FEW_SHARE = 0.12
MARGIN = 0.2
LEAD = 0.35
TYPO_MIN_LENGTH = 5
# Words this long may be read with two neighbouring letters swapped (``NameIndex._respell``).
SWAP_MIN_LENGTH = 4
MAX_SPELLINGS = 50_000
# Words this long are not Vietnamese syllables (at most 7 letters): "oncology", "obstetrics".
LONG_WORD = 8
# The country's people in English: every record of the catalogues is theirs, so "my
# Vietnamese wife", "my Vietnamese ID card" say where, as the province's name does, not what a
# record's name lacks (some names hold it, as "overseas Vietnamese": that pair still counts).
COUNTRY_WORDS = {"vietnamese"}
SHORT_WORD_FACTOR = 0.5
# How much a record's unmatched rare name words count against it when ranking candidates.
MISSING_PENALTY = 0.25
# The least share of a record's name (by rarity) a question must hold to be about it.
MIN_COVERAGE = 0.1
# A record is not answered when the question holds this share of its evidence again in this
# catalogue's words that the record's name lacks (tuned on the dev split).
RESIDUAL = 1.0
# The same, for two records offered: neither explains this share of what it shares.
RESIDUAL_CHOICE = 0.5
# A name's first words say what the record is: a question sharing a word pair of them is about
# it however long the rest of the name ("Chứng thực bản sao từ bản chính giấy tờ, văn bản do
# cơ quan, tổ chức có thẩm quyền ... cấp hoặc chứng nhận").
HEAD_WORDS = 4
# A word pair in the names of this many catalogues is a place name (see ``localities``).
LOCALITY_CATALOGUES = 3
# Lone syllables a procedure question must share with a name that shares no phrase with it.
LONE_WORDS = 3
# A pair of everyday names is another record's when those names mean at most this many records
# ("xe máy": the vehicle's; "cho con": many, says nothing of which).
FOREIGN_RECORDS = 2
# ... unless this record's name holds this share of a meaning's rarity (see ``NameIndex.held``).
HELD_SHARE = 0.5
# How people name the three school levels (a school system's facts, not a catalogue's words):
# a procedure for one level is not another's ("chuyển trường cho học sinh tiểu học").
LEVELS = {
    "primary": {"tieu hoc", "cap 1", "truong c1", "primary", *(f"lop {n}" for n in range(1, 6))},
    "lower": {
        "thcs",
        "trung hoc co so",
        "cap 2",
        "truong c2",
        "lower secondary",
        "lower-secondary",
        *(f"lop {n}" for n in range(6, 10)),
    },
    "upper": {
        "thpt",
        "trung hoc pho thong",
        "cap 3",
        "truong c3",
        "upper secondary",
        "upper-secondary",
        "high school",
        *(f"lop {n}" for n in range(10, 13)),
    },
}
# Schooling past the three levels, and before them, as a question says it: no record for a pupil
# of the three is one for a student or a preschool child ("chuyển trường đại học", "tuyển sinh
# mầm non"). (Read in questions only: a college's name says what it is, not whom it takes.)
LEVELS_BEYOND = {
    "higher": {"dai hoc", "cao dang", "university", "college"},
    "preschool": {"mam non", "nha tre", "preschool", "kindergarten"},
}
# A word this long after the pair a name ends with, that no name holds, says another kind of
# the thing ("kinh doanh karaoke"), not how the question goes on ("khai sinh vì ...").
ENDS_WORD = 4
# English words this long are words of their own ("permit", "driving"), not particles.
ENGLISH_WORD = 4
# The letters an inflected English word shares with its name's form ("regist" of "register"
# and "registration", "certifi" of "certified" and "certification").
STEM = 6
# Words of the question two records sharing the same words both lack: it says something else.
TWIN_LEFT = 2
# An age asked ("con 10 tuổi", "my 5-year-old") and the ages a name is for ("cho người dưới 14
# tuổi", "từ đủ 14 tuổi trở lên", "under 14", "aged 14 and over"), on folded text.
AGE_ASKED = re.compile(
    r"(?<!duoi )(?<!tren )(?<!du )(?<!tu )(?<!qua )(?<!under )(?<!over )"
    r"\b(\d{1,3})(?: ?tuoi| ?years? old|t)\b"  # "16t": 16 tuổi, as people type it
)
# English says a person's age with a verb after whom ("my daughter is 15", "he turned 14", "I
# am 20") or as one word ("a 15-year-old"); not a paper's ("my ID card is 10"), nor an amount
# ("the fee is 50 thousand"; review, session 11).
AGE_PERSONS = "|".join(
    sorted(
        {fold(word) for word in PEOPLE_WORDS}
        | {"i", "he", "she", "we", "they", "you", "boy", "girl", "man", "woman"}
    )
)
AGE_STATED = re.compile(
    rf"\b(?:{AGE_PERSONS}) (?:is|am|are|was|turned|turns|will turn|just turned) (\d{{1,2}})\b"
    r"(?! ?(?:km|kms|minutes?|mins?|hours?|days?|weeks?|months?|percent|%|k|thousand|dong"
    r"|vnd|usd|years? ago)\b)"
    r"|\b(\d{1,2})-years?-old\b"
)
# A paper or a thing said to be so old ("my ID card is 10 years old"): no person's age.
THING_AGED = re.compile(
    r"\b(?:card|passport|licence|license|certificate|book|house|car|motorbike|bike|scooter"
    r"|vehicle|permit|it) (?:is|was) \d{1,3} ?years? old\b"
)
AGE_UNDER = re.compile(r"\b(?:duoi|under) (\d{1,3})\b")
# Ages the question bounds from above ("chưa đủ 14 tuổi", "nhỏ hơn 14", "14 tuổi trở xuống",
# "under 14") or both ways ("từ 6 đến 14 tuổi", "6-14 tuổi", "from 6 to 14 years old").
AGES_BELOW = re.compile(
    r"\b(?:duoi|under|below)(?: (?:age|tuoi))? (\d{1,3})\b"
    r"|\b(?:chua du|chua|nho hon|it hon|younger than|less than) (\d{1,3}) ?(?:tuoi|years?)\b"
    r"|\b(\d{1,3}) tuoi tro xuong\b"
)
AGES_BETWEEN = re.compile(r"\b(\d{1,3}) (?:den |toi |to )?(\d{1,3}) ?(?:tuoi|years?)\b")
AGE_FROM = re.compile(r"\b(?:tu du|tu|tren) (\d{1,3}) tuoi\b|\b(\d{1,3}) and over\b")
# The words names say whom they are for with ("cho người dưới 14 tuổi", "trẻ em dưới 6 tuổi").
AGE_WORDS = {
    "cho",
    "nguoi",
    "tre",
    "em",
    "duoi",
    "tren",
    "tu",
    "du",
    "tro",
    "len",
    "tuoi",
    "for",
    "people",
    "persons",
    "children",
    "under",
    "over",
    "aged",
    "and",
    "years",
    "old",
}
# What a name says a procedure changes, renews or ends (as written: "đổi" is not "đối với"):
# *Đăng ký thay đổi nội dung đăng ký hộ kinh doanh* beside *Đăng ký thành lập hộ kinh doanh*.
CHANGE_WORDS = {"đổi", "lại", "xóa", "xoá", "thôi", "hủy", "huỷ", "re", "change", "changes"}
CHANGE_PAIRS = {"gia hạn", "điều chỉnh", "cải chính", "bổ sung", "biến động", "chấm dứt"}
CHANGE_EN = {"exchange", "extension", "cancellation", "correction", "adjusting", "ending"}
# Folded words of a question that ask for a change, a renewal or a loss ("đổi", "sửa", "mất",
# "hết hạn", "lost", "renew"): where none is said, the procedure that makes a thing is meant,
# not the one that changes it.
CHANGE_ASKED = {
    *"""doi thay sua mat xoa huy cat chuyen change changes changing renew renewal lost lose
    replace replacement extend amend update correct cancel stop end move moving again reissue
    expired damaged broken""".split(),
    # Their English verb forms ("get my red book updated", "the birth certificate corrected").
    *"""changed replaced replacing extended extending renewed renewing amended amending updated
    updating corrected correcting cancelled canceled cancelling canceling reissued""".split(),
    # What passes a thing to another owner, as "chuyển nhượng", "thừa kế" do ("sold the land",
    # "inherited my father's house", "transfer the red book"): a change of what was issued,
    # said of property only (``PASSING_ON``).
    *"""transfer transfers transferred transferring sell sells sold selling inherit inherits
    inherited inheriting inheritance""".split(),
    *("het han", "gia han", "bo sung", "cai chinh", "dieu chinh"),
    # "lại", "hỏng", "thêm", "thôi" fold to everyday words ("thì lại phải", "được hông",
    # "hỏi thêm", "thời gian"): a change only after the verb they change.
    *("cap lai", "lam lai", "ky lai", "in lai", "bi hong", "hu hong", "them ten"),
    *("thoi huong", "thoi viec", "thoi quoc tich"),
}
# Pairs holding a change word that change nothing: on someone's behalf, a bank transfer, whom a
# procedure is for ("đối tượng" typed without accents).
NO_CHANGE_PAIRS = {"thay mat", "chuyen khoan", "doi tuong"}
# English verbs of a change that are everyday words too ("moving to Thanh Hoa", "until the end
# of the year"): a change only with what is changed as their object ("move my business").
CHANGE_VERBS_WITH_OBJECT = {"move", "moving", "end", "stop"}
OBJECT_WORDS = {"my", "our", "his", "her", "their", "the", "this"}
# English verbs of passing a thing on to another owner: a change asked only where property is
# said within ``PASSING_REACH`` words ("sold the land", "the house I inherited", "transfer the
# red book"); not "sell coffee at home", "sell noodles from my house", "transfer money" (review
# R6, R7).
PASSING_ON = {
    *"""transfer transfers transferred transferring sell sells sold selling inherit inherits
    inherited inheriting inheritance""".split(),
}
PROPERTY_WORDS = {
    *"""land plot plots field fields farm house houses apartment flat property title deed car
    motorbike motorcycle scooter bike vehicle""".split(),
    "red book",
}
PASSING_REACH = 3
PREPOSITIONS = {"from", "at", "in", "on", "for", "with", "to", "into", "by", "of"}
# The kinds of change a question asks (folded, as in ``CHANGE_ASKED``) and a name says (as
# written): a change asked settles on the record changing a thing only where the two are of one
# kind ("đổi chỗ ở" is no cancellation: not *Xóa đăng ký tạm trú*).
CHANGE_KINDS_ASKED = {
    "cancel": {
        "xoa",
        "huy",
        "cat",
        "cancel",
        "stop",
        "end",
        "thoi huong",
        "thoi viec",
        "thoi quoc tich",
        "cancelled",
        "canceled",
        "cancelling",
        "canceling",
    },
    "extend": {
        "gia han",
        "het han",
        "extend",
        "renew",
        "renewal",
        "expired",
        "extended",
        "extending",
        "renewed",
        "renewing",
    },
    "modify": {
        "doi",
        "thay",
        "sua",
        "chuyen",
        "change",
        "changes",
        "changing",
        "move",
        "moving",
        "amend",
        "update",
        "correct",
        "changed",
        "amended",
        "amending",
        "updated",
        "updating",
        "corrected",
        "correcting",
        "dieu chinh",
        "bo sung",
        "cai chinh",
        "them ten",
        "transfer",
        "transfers",
        "transferred",
        "transferring",
        "sell",
        "sells",
        "sold",
        "selling",
        "inherit",
        "inherits",
        "inherited",
        "inheriting",
        "inheritance",
    },
    "renew": {
        "doi",
        "mat",
        "lost",
        "lose",
        "again",
        "reissue",
        "reissued",
        "replace",
        "replaced",
        "replacing",
        "renewed",
        "renewing",
        "replacement",
        "renew",
        "renewal",
        "expired",
        "het han",
        "damaged",
        "broken",
        "bi hong",
        "hu hong",
        "cap lai",
        "lam lai",
        "ky lai",
        "in lai",
    },
}
CHANGE_KINDS_NAMED = {
    "cancel": {"xóa", "xoá", "hủy", "huỷ", "thôi", "cancellation", "ending", "chấm dứt"},
    "extend": {"gia hạn", "extension"},
    "modify": {
        "đổi",
        "change",
        "changes",
        "điều chỉnh",
        "cải chính",
        "bổ sung",
        "biến động",
        "correction",
        "adjusting",
    },
    "renew": {"lại", "re", "đổi", "exchange"},
}
# A paper lost (folded): what a re-issue is for, not an exchange (the law's cases for *Cấp
# đổi*: worn, out of date, details changed; for *Cấp lại*: lost).
LOSS_ASKED = {
    *"mat lost lose losing stolen".split(),
    *("that lac", "danh roi", "bi trom"),
}
# Words before "mất" that make it a loss of whatever follows or came before ("bị mất", "làm
# mất", "đánh mất"); words after it that make it no loss ("mất công": effort, "mất hiệu lực":
# void, "mất việc": a job).
LOSING = {"bi", "lam", "danh"}
NOT_LOST = {"cong", "hieu", "viec", "ngu", "dien", "nuoc", "lien", "tich", "dau"}
# A paper out of date, worn or with wrong details (folded): what an exchange is for (the law's
# cases for *Cấp đổi*, *Đổi giấy phép lái xe*), not a re-issue.
EXPIRY_ASKED = {
    *"expire expires expired expiring renew renewal renewing damaged broken cracked worn".split(),
    *("het han", "bi hong", "hu hong", "bi rach", "bi sai", "in sai", "ghi sai", "bi mo"),
    *("out of date",),
}
# Single words of a change, a loss or an expiry the resolver reads ("replacement", "lost",
# "expired"): what is done to a paper, not a kind of paper the catalogue lacks.
RENEWAL_WORDS = frozenset(
    word for word in (*CHANGE_ASKED, *LOSS_ASKED, *EXPIRY_ASKED) if " " not in word
)
# Words before what a question asks to get ("có được trợ cấp", "xin trợ cấp", "hưởng ...").
WANTING = {"duoc", "xin", "huong"}
# A copy asked for (folded), and how names say they give one ("Cấp bản sao ...", "Certification
# of copies ..."): a record that makes the paper the first time is not what is asked.
COPY_ASKED = {"copy", "copies", "ban sao", "trich luc", "duplicate"}
COPY_NAMES = {"ban sao", "copies", "copy", "trich luc"}
# A foreigner named as a party (folded): procedures with a foreign party are others than the
# domestic ones (marriage, birth with a foreign element), unless the name says so.
FOREIGN_PARTY = {
    "foreigner",
    "foreigners",
    "foreign national",
    "foreign nationals",
    "nguoi nuoc ngoai",
    "yeu to nuoc ngoai",
    "nguoi ngoai quoc",
    "quoc tich nuoc ngoai",
    # Said by nationality (review R6: "my boyfriend is American", "not Vietnamese"; the
    # country's own people explain nothing, COUNTRY_WORDS, so "not Vietnamese" must say it).
    "not vietnamese",
    "non vietnamese",
    "nguoi han quoc",
    "nguoi trung quoc",
    "nguoi nhat ban",
    "nguoi dai loan",
    "nguoi thai lan",
}
# Nationalities in English, read only in an English question: folded, some are Vietnamese words
# ("thai" of "mang thai", "dân tộc Thái"; review R19).
FOREIGN_DEMONYMS = {
    "american",
    "korean",
    "chinese",
    "japanese",
    "french",
    "australian",
    "canadian",
    "taiwanese",
    "british",
    "german",
    "russian",
    "thai",
    "laotian",
    "cambodian",
    "indian",
    "filipino",
    "singaporean",
    "malaysian",
    "indonesian",
    "dutch",
    "italian",
    "spanish",
}
FOREIGN_NAMES = {"nuoc ngoai", "foreign", "foreigners", "foreigner"}
# How names say a re-issue and an exchange (folded, vi and en).
REISSUE_NAMES = {"cap lai", "dang ky lai", "re-issuance", "reissue", "re-issue", "re-registration"}
EXCHANGE_NAMES = {"cap doi", "exchange"}
COST_NEXT = {"bao", "may", "phi", "tien", "nhieu", "khoang", "thoi", "it", "lau", "ca", "het"}
# "Not yet": what follows is a circumstance, not the thing asked about (``unsaid_circumstance``).
NOT_YET = {"chua"}
NOT_YET_WRITTEN = {"chưa"}
NOT_YET_WORDS = 4
# Of two records offered, one keeping less than this share of its evidence without the
# circumstance is not what is asked, where the other keeps all of it.
CIRCUMSTANCE_KEPT = 0.5
# ... keeping at least this share ("xã hội" of *bảo trợ xã hội* is in "trợ cấp xã hội" too).
CIRCUMSTANCE_KEPT_OTHER = 0.7
# A benefit being received is a circumstance too ("cụ đang hưởng trợ cấp xã hội vừa mất, xin
# hỗ trợ mai táng": not the allowance): the words after "(đang) (được) hưởng".
RECEIVING = "huong"
RECEIVING_WRITTEN = "hưởng"
RECEIVING_BEFORE = {"dang", "duoc"}
# Whom a procedure is asked for, "cho người ..." (``unsaid_circumstance``, ``Scored.kept_whom``).
WHOM_FOR = "cho"
WHOM_PERSON = "nguoi"
CLAUSE_WORDS = {"thi", "ma", "nen", "nhung", "de", "can", "muon", "co", "duoc", "khong", "a", "gio"}
# Records whose name another everyday name reads as the question's own pair, far behind in
# fit ("tách hộ khẩu": *Tách hộ* by its own words, *Đăng ký thường trú* by "hộ khẩu"), and how
# far ahead (in ``LEAD`` × ``min_evidence``) a procedure must fit to be answered over the
# search's first.
RIVAL_FAR = 10
# Words no catalogue knows that make a question naming a record by one pair doubtful.
UNKNOWN_MANY = 2
# The word that makes a verb a renewal ("cấp lại", "đăng ký lại"; folded): it belongs to the
# verb before it, not to the thing after it.
AGAIN = "lai"
# How long, asked ("thời hạn"; folded): its last word begins no name's pair.
DURATION_ASKED = frozenset({"thoi han"})
# The English words names say what a procedure does with (folded): a record sharing only these
# with a question shares nothing of what it is about.
DEED_WORDS = frozenset(
    """registration register certification certify certified extension extend cancellation
    cancel mediation confirmation confirm transfer transfers exchange issuance issue
    re-issuance reissuance renewal change changes""".split()
)
# What a name says of a procedure done the first time (folded words and pairs).
FIRST_TIME = {"lan dau", "first", "first-time"}
# What a question says of a thing had before, besides a change (folded words and pairs): kept
# ("giữ lại biển số"), won at auction ("đấu giá biển số", "bid"), bought used ("xe cũ", "mua
# lại", "second-hand"), passed to a new owner ("sang tên", "transfer"); or which number it bears
# ("biển số đẹp", "choose my plate number"): no record done the first time ("Đăng ký, cấp biển
# số xe lần đầu") says it.
HAD_BEFORE = {
    "giu lai",
    "giu bien",
    "giu so",
    "giu nguyen",
    "dau gia",
    "mua lai",
    "sang ten",
    "chinh chu",
    "so dep",
    "bien dep",
    "chon so",
    "chon bien",
    "dau so",
    "choose",
    "pick",
    "lucky number",
    "nice number",
    "keep",
    "auction",
    # A vehicle bought used, however named ("xe cũ", "xe máy cũ", "ô tô cũ", "đã qua sử dụng"),
    # and a bicycle, which bears no plate (review R5).
    "xe cu",
    "may cu",
    "to cu",
    "oto cu",
    "qua su dung",
    "xe dap",
    "bicycle",
    # A plate revoked on a sale, what an owner-bound number is, a number chosen however said
    # (review R11: "thu hồi biển số khi bán xe", "biển số định danh là gì", "có được chọn").
    "thu hoi",
    "ban xe",
    "dinh danh",
    "chon",
    # A vehicle passed on or bought from someone (review R15).
    "thua ke",
    "cho tang",
    "tang cho",
    "dung ten",
    "inherit",
    "inherited",
    "inheriting",
    "gave me",
    "given to",
    "from my",
    "from a",
    "from someone",
    "in my name",
    "auctioned",
    "auctions",
    "bid",
    "bidding",
    "second-hand",
    "secondhand",
    "second hand",
    "transfer",
    "transferred",
    "transferring",
    # (Not "used" alone: "land my family has used for decades".)
    "a used",
    "used motorbike",
    "used motorcycle",
    "used scooter",
    "used bike",
    "used car",
    "used vehicle",
}
# Words of how people ask for an aspect ("opening hours", "fee"): what is asked, not which.
ASKING_WORDS = {
    word
    for table in ASPECT_TABLES.values()
    for _, phrases in table
    for phrase in phrases
    for word in phrase.split()
}
# Word pairs of how people ask for an aspect ("giấy tờ", "mất bao"): no record's phrase.
ASKING_PAIRS = {
    f"{a} {b}"
    for table in ASPECT_TABLES.values()
    for _, phrases in table
    for phrase in map(fold, phrases)
    for a, b in zip(phrase.split(), phrase.split()[1:])
}
# What every record of the procedures' catalogue is, "thủ tục hành chính" (folded pairs): no
# record's evidence, though one name (the linked procedures') holds them.
KIND_PAIRS = frozenset({"thu tuc", "tuc hanh", "hanh chinh"})
# Pairs any procedure question may hold, whatever it is about: how it asks an aspect, that
# it is the first time. (Not "thủ tục": one name holds it, and weighing it unexplained keeps
# "thủ tục nhận con nuôi", "thủ tục xin giấy phép lao động" from a neighbour, though it also
# keeps "tách sổ ... là thủ tục gì" from *Tách hộ*.)
SAID_OF_ANY = ASKING_PAIRS | FIRST_TIME

# The same of the procedures' aspects ("ở đâu", "giấy tờ", "lệ phí"): how a question asks,
# whatever it is about (not a place's "chuyển sang" of a school transfer, a procedure's words).
ASKING = {
    f"{a} {b}"
    for _, phrases in ASPECT_TABLES["procedures"]
    for phrase in map(fold, phrases)
    for a, b in zip(phrase.split(), phrase.split()[1:])
}


@dataclass(frozen=True)
class Candidate:
    kind: str  # procedure, attraction, event, itinerary, hospital, school
    id: str
    name: str  # in the conversation's language
    score: Optional[float] = None  # the search's score and margin, where the API gives them
    margin: Optional[float] = None


@dataclass
class Scored:
    candidate: Candidate
    evidence: float
    shared: Tuple[str, ...] = ()
    fit: float = 0.0
    unexplained: float = 0.0
    # Shared word pairs rare enough to be evidence alone ("tách hộ": one record holds it).
    strong: Tuple[str, ...] = ()
    # The name's words that weigh something, and those of them the question holds.
    words: FrozenSet[str] = frozenset()
    said: FrozenSet[str] = frozenset()
    # Word pairs of the question's everyday names read as this record ("giấy khai" and "khai
    # sinh" of "sửa giấy khai sinh"): this record's, however rare elsewhere.
    named: FrozenSet[str] = frozenset()
    # Pairs of the question that other records' everyday names hold and this record's name
    # neither holds nor means ("xe máy" asked of the land transfer), where an everyday name
    # alone makes this record.
    foreign: Tuple[str, ...] = ()
    # Shared lone syllables of how the question asks ("giấy" of "giấy tờ"): not what it asks.
    asking: FrozenSet[str] = frozenset()
    # The question shares only what the record does, the first words of its name ("thành lập"
    # of *Đăng ký thành lập hộ kinh doanh*), none of what it is about, and says of its own
    # what the name lacks ("công ty"): the thing asked about is another. The words of those
    # pairs of its own; only one no catalogue knows (``decide``'s ``unknown``) counts.
    head_only: Tuple[str, ...] = ()
    # Other provinces the question names ("Nghệ An" of "bệnh viện tỉnh Nghệ An") where an
    # everyday name made this record, which its name does not hold (``beside``).
    beside: Tuple[str, ...] = ()
    # The question's words this name lacks (no language word, no syllable of how it asks).
    left: FrozenSet[str] = frozenset()
    # The words of the name in the question's language that weigh something and the question
    # lacks ("xóa" of *Xóa đăng ký tạm trú* asked as "đăng ký tạm trú").
    unsaid: FrozenSet[str] = frozenset()
    # The weighty words of what the name is about: before its parenthesis, after its first two
    # words, what it does ("thẻ căn cước" of *Cấp đổi thẻ căn cước (...)*).
    thing: FrozenSet[str] = frozenset()
    # The question names a school level and the name another, not its ("tiểu học" asked of
    # *Chuyển trường đối với học sinh trung học cơ sở*).
    other_level: bool = False
    # The question names an age: whether the ages the name is for hold it (None: no age
    # asked, or the name is for every age).
    age: Optional[bool] = None
    # The name says it changes, renews or ends something, and the question asks for no change
    # (``CHANGE_WORDS``, ``CHANGE_ASKED``).
    change: bool = False
    # A pair the question shares with the name is followed in the question by a word no
    # name holds and in the name by words the question lacks ("trợ cấp thất nghiệp" of
    # *... trợ cấp hưu trí xã hội*): the question qualifies it otherwise. The words that
    # qualify it; only one no catalogue and no question of the assistant's knows
    # (``decide``'s ``unknown``) says another kind ("thất nghiệp", not "rồi" of "mất căn
    # cước rồi").
    qualified: Tuple[str, ...] = ()
    # The name says its procedure is done the first time ("lần đầu"), and the question asks for
    # a change, a renewal or a loss, not the first time ("đổi biển số xe", "mất sổ đỏ").
    first_time: bool = False
    # The question says the name's last words (its parenthesis aside), what the record is about:
    # "hộ kinh doanh" of *Đăng ký thay đổi nội dung đăng ký hộ kinh doanh*, not "giấy phép" of
    # *Cấp lại giấy phép lái xe*. A record that changes a thing the question names only in part
    # settles on no record that makes something else ("cấp giấy phép").
    thing_said: bool = True
    # The words shared are those of what the question says has not been done ("chưa đăng ký
    # kết hôn"): a circumstance, where the question asks about another record.
    not_yet: bool = False
    # What the name says the procedure does to a paper already issued: "reissue" (*Cấp lại
    # thẻ căn cước*, *Đăng ký lại khai sinh*: one lost) or "exchange" (*Cấp đổi thẻ căn cước*,
    # *Đổi giấy phép lái xe*: one worn, out of date or wrong); "" for neither.
    renewal: str = ""
    # The question says a paper is lost ("mất căn cước rồi", "lost my licence").
    loss: bool = False
    # Word pairs the question asks to get ("được trợ cấp", "xin trợ cấp": ``WANTING``) that
    # other names hold and this one neither holds nor is named by.
    wanted_missing: Tuple[str, ...] = ()
    # The question asks for a paper again: a copy, or one lost ("copy of my marriage
    # certificate", "lost my X"), and the name makes it the first time (no copy, no change).
    again_of_first: bool = False
    # The name gives a copy ("Cấp bản sao ..."); the question asks for one.
    copy_name: bool = False
    copy_asked: bool = False
    # The question names a foreigner as a party and the name says nothing foreign.
    foreign_party: bool = False
    # The share of the evidence the question gives without what it says has not been done or
    # is being received (``unsaid_circumstance``); 1.0 where it says no such thing.
    kept: float = 1.0
    # The question says it is the first time ("lần đầu", "first").
    first_asked: bool = False
    # The question goes on from a pair of the name with a phrase of another record's name instead
    # of the name's own ("giấy phép | xây dựng" asked of *Cấp lại giấy phép | lái xe*).
    another_thing: bool = False
    # What the question shares with the name is only when ("lần đầu"), lone syllables and pairs
    # too common to name a record ("đăng ký"): "đăng ký nghĩa vụ quân sự lần đầu", "đăng ký mã
    # số thuế lần đầu" name no first registration of a vehicle ("số" of "biển số") or of land.
    when_only: bool = False
    # The name says its procedure changes, renews or ends something (``names_change``),
    # whatever the question asks; and whether the question asks for a change (``asks_change``).
    changes: bool = False
    changing: bool = False
    # The kinds of change the name says (``change_kinds_named``) and the question asks
    # (``change_kinds_asked``): "cancel", "extend", "modify", "renew".
    change_kinds: FrozenSet[str] = frozenset()
    kinds_asked: FrozenSet[str] = frozenset()
    # The question says a paper is out of date, worn or wrong ("hết hạn", "expires", "bị
    # hỏng", "in sai"): what an exchange is for, not a re-issue (``EXPIRY_ASKED``).
    expiry: bool = False
    # The records the pairs of ``foreign`` name (by the synonym list's everyday names).
    foreign_records: FrozenSet[str] = frozenset()
    # The word pairs of the district a place lies in (``NameIndex.districts``): "Nga Sơn"
    # beside *Động Từ Thức* says where it is, not another record.
    district: FrozenSet[str] = frozenset()
    # Of ``said``, the words the question holds as typed (not from an everyday name's phrase).
    typed_said: FrozenSet[str] = frozenset()
    # The question holds a pair of the name's first words beginning with its first word, what
    # the procedure does and to what (an English head joined by a language word as one:
    # "certification copies" of *Certification of copies ...*; not "hộ chiếu" of *Cấp hộ
    # chiếu ...*).
    deed_said: bool = False
    # The rare word pairs (and long words) the question shares with the name as the name's own
    # thing: not a pair said of another thing in the question ("thuế | cá nhân" of *... hộ gia
    # đình, cá nhân ...*, asked "mã số thuế cá nhân"), nor one the question goes on from with a
    # thing of two words the name lacks ("giấy phép | hành nghề" of *Cấp lại giấy phép lái xe*):
    # ``own_phrases``. A procedure sharing none, and named by no everyday name, is not named.
    own: Tuple[str, ...] = ()
    # The question asks to have a paper again ("cấp lại", "đổi", "hết hạn") of a record that
    # makes things the first time and holds the thing asked past its first words, as one part
    # of it ("thẻ bảo hiểm y tế" of *Liên thông ... cấp thẻ bảo hiểm y tế cho trẻ em dưới 6
    # tuổi*): another procedure, the re-issue of that thing.
    renewal_of_part: bool = False
    # A place shared with a Vietnamese question only by a pair of the kind its name begins with,
    # said there of another thing ("kỳ thi THPT | quốc gia" of *Vườn quốc gia Bến En*): no word
    # of its own name is asked.
    kind_of_another: bool = False
    # The part of ``unexplained`` that is "thủ tục (hành chính)", what every procedure is: it
    # keeps two records offered from being "A or B?" ("thủ tục nhận con nuôi"), not one record
    # its own pair names from being answered ("tách sổ ... là thủ tục gì", "làm khai sinh ...
    # thì thủ tục ntn").
    kind_said: float = 0.0
    # As ``kept``, without whom the question is for ("cho người khuyết tật").
    kept_whom: float = 1.0


@dataclass
class Decision:
    """``answer`` (one record), ``choose`` (offer ``options``) or ``none``."""

    kind: str
    options: List[Scored] = field(default_factory=list)
    # Which rule decided (for tests and for reading a miss), "; "-joined when one led to another.
    why: str = ""

    @property
    def best(self) -> Optional[Scored]:
        return self.options[0] if self.options else None


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _tokens(text: str) -> List[Tuple[str, str]]:
    """(accented, folded) per word: lower case, accents kept in the first."""
    # (One tone placement, "hoá" = "hóa": text.tone_placed.)
    lowered = tone_placed(unpossessed(unicodedata.normalize("NFC", text)).lower())
    accented = re.findall(r"[^\W_]+", lowered)
    pairs = []
    for word in accented:
        folded = fold(word)
        if folded:
            pairs.append((word, folded))
    return pairs


class NameIndex:
    """Words and word pairs of every record's names in one catalogue, and how many records
    hold each (their rarity)."""

    def __init__(self, names: Dict[str, Iterable[str]]) -> None:
        self.terms: Dict[str, Set[str]] = {}
        self.accented: Dict[str, Set[str]] = {}
        self.frequency: Counter = Counter()
        # The word pairs each name begins with: what the record is ("Chứng thực bản sao ...").
        self.heads: Dict[str, Set[str]] = {}
        # The first word of each of a record's names (folded: "certification", "chung").
        self.firsts: Dict[str, Set[str]] = {}
        # The first word pair of each of a record's names (what it does: "đăng ký", "cấp lại"),
        # and the words a name goes on from past its first ("phép" of "giấy phép lái xe"):
        # ``goes_on_elsewhere``.
        self.deeds: Dict[str, Set[str]] = {}
        self.continued: Dict[str, Set[str]] = {}
        self.ends: Dict[str, Set[str]] = {}
        # Words only the other-language names hold ("driving", not "thanh" of "thành lập").
        self.translated: Set[str] = set()
        for record_id, record_names in names.items():
            first = {f for _, f in _tokens(record_names[0])} if record_names else set()
            self.translated.update(
                f for name in record_names[1:] for _, f in _tokens(name) if f not in first
            )
            terms: Set[str] = set()
            accented: Set[str] = set()
            heads: Set[str] = set()
            for name in record_names:
                tokens = _tokens(name)
                accented.update(word for word, _ in tokens)
                folded = [f for _, f in tokens]
                terms.update(folded)
                terms.update(f"{a} {b}" for a, b in zip(folded, folded[1:]))
                head = folded[:HEAD_WORDS]
                heads.update(f"{a} {b}" for a, b in zip(head, head[1:]))
                self.firsts.setdefault(record_id, set()).update(folded[:1])
                self.deeds.setdefault(record_id, set()).add(" ".join(folded[:2]))
                self.continued.setdefault(record_id, set()).update(folded[1:-1])
                # (Its last pair outside a parenthesis: what the record is about, "hộ kinh
                # doanh" of *Đăng ký thay đổi nội dung đăng ký hộ kinh doanh*.)
                bare = [f for _, f in _tokens(re.sub(r"\([^)]*\)", " ", name))]
                self.ends.setdefault(record_id, set()).update(
                    f"{a} {b}" for a, b in zip(bare[-2:-1], bare[-1:])
                )
            self.terms[record_id] = terms
            self.heads[record_id] = heads
            self.accented[record_id] = accented
            self.frequency.update(terms)
        self.size = max(len(self.terms), 1)
        self.names = {record_id: list(record_names) for record_id, record_names in names.items()}
        # Words of the other catalogues: a real word, not a typo of one of these.
        self.elsewhere: Set[str] = set()
        # Words of the language itself ("in", "the", "và", "của"): found in much of the
        # catalogues' descriptive text. Alone they single out no record (see ``common_words``).
        self.language_words: Set[str] = set()
        # Word pairs of the assistant's own questions ("thủ tục", "giấy tờ"): how people ask,
        # not what they ask about.
        self.question_pairs: Set[str] = set()
        # Place names found in several catalogues' names ("Thanh Hóa", "Sầm Sơn"): where a
        # record is, not which (see ``localities``).
        self.localities: Set[str] = set()
        # A catalogue of places: a word of such a place name is no lone word of a name there
        # (``evidence``).
        self.places = False
        # Each place's district as word pairs ("nga son"), from the API's records.
        self.districts: Dict[str, FrozenSet[str]] = {}
        self._whole: Dict[str, float] = {}
        self._spellings: Dict[str, str] = {}
        self._meanings: Dict[Tuple[str, ...], Set[str]] = {}
        self._accented_pairs: Optional[Dict[str, Tuple[str, str]]] = None
        self._written: Optional[Dict[str, str]] = None
        self._pair_records: Optional[Dict[str, Set[str]]] = None
        self._written_pairs: Set[str] = set()
        # The names' written words by their folded form, and by their folded form with one
        # letter dropped: ``mended`` looks a typed word's candidates up instead of scanning.
        self._written_by_folded: Dict[str, List[str]] = {}
        self._written_by_deletion: Dict[str, List[str]] = {}
        self._asked_words: Optional[Tuple[Set[str], Set[str]]] = None

    def asked_words(self) -> Set[str]:
        """The words of the assistant's own questions' word pairs (``question_pairs``): made
        once per set of pairs."""
        if self._asked_words is None or self._asked_words[0] is not self.question_pairs:
            found = {word for pair in self.question_pairs for word in pair.split()}
            self._asked_words = (self.question_pairs, found)
        return self._asked_words[1]

    def accented_pairs(self) -> Dict[str, Tuple[str, str]]:
        """Each word pair of the names, folded, and its two words as the names write them."""
        if self._accented_pairs is None:
            self._accented_pairs = {}
            for record_names in self.names.values():
                for name in record_names:
                    tokens = _tokens(name)
                    for (a, fa), (b, fb) in zip(tokens, tokens[1:]):
                        self._accented_pairs.setdefault(f"{fa} {fb}", (a, b))
        return self._accented_pairs

    def whole(self, record_id: str) -> float:
        """The evidence a record's own name gives it (the most a question can share)."""
        if record_id not in self._whole:
            self._whole[record_id] = max(
                [self.evidence(name, record_id)[0] for name in self.names.get(record_id, [])]
                or [0.0]
            )
        return self._whole[record_id]

    @property
    def words(self) -> Dict[str, Set[str]]:
        return self.terms

    def weight(self, term: str) -> float:
        """log(N / records holding the term); a single short syllable counts half (Vietnamese
        syllables such as "có", "tử" say little alone; a pair such as "khai sinh" says a lot)."""
        held = self.frequency.get(term, 0)
        if not held or term in self.language_words:
            return 0.0
        rarity = math.log(self.size / held)
        if " " not in term and len(term) < LONG_WORD:
            return rarity * SHORT_WORD_FACTOR
        return rarity

    def common(self, share: float) -> Set[str]:
        """Words found in more than ``share`` of the records (for the docs and tests)."""
        return {
            term
            for term, held in self.frequency.items()
            if " " not in term and held > share * self.size
        }

    def min_evidence(self) -> float:
        """As much as one word pair found in ``FEW_SHARE`` of the records (at least ``FEW``)."""
        few = max(FEW, FEW_SHARE * self.size)
        return math.log(self.size / few) if self.size > few else 0.5

    def _spelled(self, word: str) -> str:
        """The word as the index spells it (one typo allowed in long words); remembered, as
        the typo search walks the whole vocabulary (most of an answer's CPU otherwise)."""
        known = self._spellings.get(word)
        if known is None:
            if len(self._spellings) >= MAX_SPELLINGS:
                self._spellings.clear()
            known = self._spellings[word] = self._respell(word)
        return known

    def _respell(self, word: str) -> str:
        if (
            word in self.frequency
            or word in self.elsewhere
            or word in ASKING_WORDS  # "nhieu" of "bao nhiêu" is no typo of "chiếu"
            or len(word) < SWAP_MIN_LENGTH
            or word.isdigit()
        ):
            return word
        if len(word) < TYPO_MIN_LENGTH:
            # A shorter word only with two neighbouring letters swapped ("khia" of "khai"):
            # one letter more or less or another makes other syllables ("kha", "khai", "khan").
            for at in range(len(word) - 1):
                swapped = f"{word[:at]}{word[at + 1]}{word[at]}{word[at + 2 :]}"
                if swapped != word and swapped in self.frequency and " " not in swapped:
                    return swapped
            return word
        for known in self.frequency:
            if " " not in known and len(known) >= TYPO_MIN_LENGTH - 1 and _one_edit(word, known):
                return known
        return word

    def evidence(
        self, question: str, record_id: str, also: Sequence[str] = ()
    ) -> Tuple[float, Tuple[str, ...]]:
        """How much the question's words single this record out (and which terms did).

        In a question typed with diacritics every word must match with its accents ("mấy" is
        not "Mây", "bao nhiêu" not "Bảo tàng"); typed without any, words match whatever the
        accents. ``also``: more
        phrases meaning the same (the catalogue's everyday names: "gplx" for "giấy phép lái
        xe"), matched the same way.
        """
        terms = self.terms.get(record_id)
        if not terms:
            return 0.0, ()
        accented = self.accented[record_id]
        shared: Set[str] = set()
        for segment in (question, *also):
            tokens = _tokens(segment)
            typed_with_accents = any(word != folded for word, folded in tokens)
            usable: List[Optional[str]] = []
            for word, folded in tokens:
                if typed_with_accents and word not in accented and word.isalpha():
                    usable.append(None)
                else:
                    usable.append(self._spelled(folded))
            pairs = {
                f"{a} {b}"
                for at, (a, b) in enumerate(zip(usable, usable[1:]))
                if a is not None
                and b is not None
                and f"{a} {b}" in terms
                # "lại" ends the verb before it ("cấp lại | giấy phép"): "lại giấy" is shared
                # only after the name's verb ("sửa lại giấy phép" is no *Cấp lại giấy phép*).
                and (a != AGAIN or (at > 0 and f"{usable[at - 1]} {a}" in terms))
                # "thời hạn" (how long, asked) owns its "hạn": "thời hạn tạm trú" shares no
                # "hạn tạm" of *Gia hạn tạm trú* (review R4; "hết hạn tạm trú" still does).
                and not (at > 0 and f"{tokens[at - 1][1]} {a}" in DURATION_ASKED)
            }
            # Two neighbours typed without accents in a question typed with some ("gia hạn
            # tam tru"): a pair is specific enough to match however it is accented.
            plain = [folded if word == folded else None for word, folded in tokens]
            pairs.update(
                f"{a} {b}"
                for a, b in zip(plain, plain[1:])
                if a is not None and b is not None and f"{a} {b}" in terms
            )
            paired = {word for pair in pairs for word in pair.split()}
            shared |= pairs
            # A lone syllable is not shared where it asks ("đâu" of "ở đâu" typed "o dau" is no
            # "đầu" of a name's "lần đầu"): only where it stands outside such a pair.
            asking = _asking_spots([folded for _, folded in tokens])
            # Nor, among places, is a word of a place name several catalogues hold ("hóa" of
            # "Thanh Hóa" is no "Hòa" of *Bãi biển Hải Hòa*): the place name is one, where, not
            # which. (Not measured among procedures: there an English question's "Thanh" of
            # "Thanh Hoa" is the "thành" of "thành lập" that one dev3 answer needed.)
            placed = {
                spot
                for at, (a, b) in enumerate(zip(usable, usable[1:]))
                if self.places and f"{a} {b}" in self.localities
                for spot in (at, at + 1)
            }
            # Nor whom the question is for ("cho con" of "đăng ký tiêm phòng cho con" is no
            # "con" of *Đăng ký nhận cha, mẹ, con*).
            for_whom = {
                at
                for at in range(1, len(tokens))
                if tokens[at - 1][1] == "cho" and tokens[at][1] in PEOPLE_FOLDED
            }
            shared.update(
                t
                for at, t in enumerate(usable)
                if t is not None
                and t in terms
                and t not in paired
                and at not in asking
                and at not in placed
                and at not in for_whom
            )
        # A word counted inside a pair does not count again alone.
        in_pairs = {word for term in shared if " " in term for word in term.split()}
        shared = {term for term in shared if " " in term or term not in in_pairs}
        # What every procedure is ("thủ tục") names none ("ly hôn thủ tục thế nào" is not the
        # linked procedure, whose name begins "Liên thông thủ tục hành chính").
        shared -= KIND_PAIRS
        return sum(self.weight(term) for term in shared), tuple(sorted(shared))

    def unexplained(
        self,
        question: str,
        record_id: str,
        meanings: Optional[Dict[str, List[str]]] = None,
        rivals: Optional[Set[str]] = None,
    ) -> float:
        """Rarity of what the question says in this catalogue's words that the record's name
        does not: word pairs and long words other records' names hold ("bảo hiểm y tế" asked
        of "Cấp lại thẻ căn cước"). ``meanings``: the synonym list's phrases for words of the
        question ("bhyt": "bao hiem y te"); a word whose meaning the name holds is explained,
        any other is read as its meaning. ``rivals``: for a question in English, whose
        words are words, not syllables, the English words of the first words of the other
        records' names the search found (what they are); each the question holds counts in full ("driving" of the driving
        licences, asked of the international tour guide card)."""
        terms = self.terms.get(record_id, set())
        folded = f" {fold(question)} "
        named: Set[str] = set()
        for key, phrases in (meanings or {}).items():
            held = any(all(word in terms for word in phrase.split()) for phrase in phrases)
            if not held:
                folded = folded.replace(f" {key} ", f" {phrases[0]} ")
                continue
            # Kept as typed when the name holds its meaning: its neighbours still pair with
            # it ("tách hộ khẩu": "tách hộ" is not explained by "thường trú"), but its own
            # words are this record's everyday name ("sửa giấy khai sinh" of the correction of
            # civil-status information), explained by it.
            words = [self._spelled(word) for word in key.split()]
            named.update(words)
            named.update(f"{a} {b}" for a, b in zip(words, words[1:]))
        spelled = [self._spelled(word) for word in folded.split()]
        known = terms | self.language_words
        english = detect_lang(question) == "en"
        # A pair whose two words the name holds apart ("the Cẩm Lương", "Lương fish") says
        # nothing the name does not; nor, in English, a pair with a function word ("at the").
        pairs = list(zip(spelled, spelled[1:]))
        held = {at for at, (a, b) in enumerate(pairs) if f"{a} {b}" in terms}

        def said(at: int, a: str, b: str) -> str:
            # A pair another name holds beside one this name holds ("giấy khai" of "giấy khai
            # tử" asked of *Đăng ký khai tử*) says only its other word more ("giấy").
            if f"{a} {b}" in self.frequency and at - 1 in held:
                return b
            if f"{a} {b}" in self.frequency and at + 1 in held:
                return a
            return f"{a} {b}"

        asked = {
            said(at, a, b)
            for at, (a, b) in enumerate(pairs)
            if (a not in known or b not in known)
            and not (english and {a, b} & function_words(self))
            # Nor how a question asks ("giấy tờ", "ở đâu"), or says when ("lần đầu"), which
            # any procedure may be asked with; nor "lại" with what follows, of the verb before
            # it ("đăng ký lại | giấy phép").
            and f"{a} {b}" not in SAID_OF_ANY
            and a != AGAIN
        }
        # A long word (English: no syllable is this long) whose stem a word of the name begins
        # with is that word inflected ("register" of "registration").
        stems = {term[:STEM] for term in terms if " " not in term and len(term) >= STEM}
        asked.update(
            word
            for word in spelled
            if len(word) >= LONG_WORD
            and word[:STEM] not in stems
            and not (english and word in COUNTRY_WORDS)
        )
        # A place name several catalogues hold, or the district the place lies in, says where,
        # not what ("đi từ tp Thanh Hóa" of Pù Luông, "hang Từ Thức ở Nga Sơn").
        explained = terms | named | self.localities | self.districts.get(record_id, frozenset())
        found = sum(self.weight(term) for term in asked if term not in explained)
        if rivals:
            found += sum(
                math.log(self.size / self.frequency[word])
                for word in set(spelled) - explained - asked - self.language_words - ASKING_WORDS
                if len(word) >= ENGLISH_WORD and word in rivals
            )
        return found

    def head_only(
        self, question: str, record_id: str, shared: Sequence[str], everyday: Set[str]
    ) -> Tuple[str, ...]:
        """Where ``shared`` holds only words of the name's first words while the rest of the
        name weighs a phrase at least, the words of the question's word pairs of its own,
        neither word in the name nor the pair in an everyday name (``everyday``: "cho con");
        see ``Scored.head_only``."""
        terms = self.terms.get(record_id, set())
        head = {word for pair in self.heads.get(record_id, set()) for word in pair.split()}
        if any(set(term.split()) - head for term in shared if self.weight(term) > 0):
            return ()
        rest = sum(self.weight(w) for w in terms if " " not in w and w not in head)
        if rest < self.min_evidence():
            return ()
        spelled = [self._spelled(word) for word in fold(question).split()]
        # Another province's name says where from, not what ("chuyển trường từ Hà Nội").
        places = {word for name in beside(question, set()) for word in name.split()}
        own = {
            word
            for a, b in zip(spelled, spelled[1:])
            if a not in terms
            and b not in terms
            and not {a, b} & places
            and f"{a} {b}" not in ASKING_PAIRS
            and f"{a} {b}" not in everyday
            and not {a, b} & self.language_words
            and not (a.isdigit() or b.isdigit())
            for word in (a, b)
        }
        return tuple(sorted(own))

    def held(self, phrase: str, terms: Set[str]) -> float:
        """The share of the phrase's rarity that ``words`` (a name's) hold: most of "tuyển
        sinh trung học cơ sở" (its word pairs) for the lower-secondary transfer, little of
        "đăng ký xe" for the land transfer. ``terms``: a name's words and pairs."""
        found = phrase.split()
        paired = [f"{a} {b}" for a, b in zip(found, found[1:])] or found
        weights = {term: self.weight(term) for term in paired}
        total = sum(weights.values())
        return sum(w for term, w in weights.items() if term in terms) / total if total else 0.0

    def meaning(self, phrases: Sequence[str]) -> Set[str]:
        """The records whose name holds one of the phrases' words all (kept per phrase list:
        the same everyday names come back with every question that uses them)."""
        key = tuple(phrases)
        found = self._meanings.get(key)
        if found is None:
            found = {
                record_id
                for record_id, terms in self.terms.items()
                if any(all(word in terms for word in phrase.split()) for phrase in phrases)
            }
            self._meanings[key] = found
        return set(found)

    def phrases_beside(self, question: str, terms: Set[str]) -> float:
        """Rarity, in this catalogue, of the question's word pairs and long words its names
        hold and ``terms`` (another catalogue's record's name) lacks: what a procedure
        question says in the procedures' words that a place's name does not."""
        spelled = [self._spelled(word) for word in fold(question).split()]
        asked = {f"{a} {b}" for a, b in zip(spelled, spelled[1:])}
        asked.update(word for word in spelled if len(word) >= LONG_WORD)
        return sum(self.weight(term) for term in asked if term not in terms)

    def words_of(self, question: str, also: Sequence[str] = ()) -> Set[str]:
        """The question's words (and its synonyms' phrases'), as the index spells them."""
        return {self._spelled(folded) for _, folded in _tokens(" ".join((question, *also)))}

    def mended(self, question: str, known: Callable[[str], bool]) -> str:
        """The question with a word mistyped inside one of the names' word pairs written as the
        names write it: its neighbour typed as a name writes it, the pair a name's, and the
        word the name's but for its accents ("hộ chiêu", "biển só") or, where no text the
        assistant knows holds it as typed (``known``: the word as written), one letter ("hộ
        chếu", "khai sin", "đăng kí"). Any other word as typed."""
        tokens = _tokens(question)
        if len(tokens) < 2:
            return question
        accents = any(word != folded for word, folded in tokens)
        written = self._written_words()

        def named(word: str, folded: str) -> bool:
            return word in written if accents and word != folded else folded in self.frequency

        fixed: Dict[int, str] = {}
        for at, (word, folded) in enumerate(tokens):
            if not word.isalpha() or named(word, folded):
                continue
            # Its neighbours as a name writes them (folded, in a question typed without
            # accents: then the pairs are compared folded).
            near = [
                (other, tokens[other][0] if accents else tokens[other][1])
                for other in (at - 1, at + 1)
                if 0 <= other < len(tokens) and named(*tokens[other])
            ]
            typo = not known(word)
            # A word of how questions ask, or of the language, typed as such ("cần" of "cần
            # mang gì" is no "căn" of "thẻ căn cước"): as typed.
            asking = not typo and (folded in ASKING_WORDS or folded in VI_WORDS)
            pairs = self._written_pairs if accents else self.frequency
            found = {
                name_word if accents else name_folded
                for name_word, name_folded in self._written_near(folded, typo=typo)
                # (Never a word of the language: "vừa", "cả" are no "và" of a name.)
                if name_folded not in self.language_words
                and (
                    (name_folded == folded and not asking)
                    # (A letter missing or one too many, not another letter: "tụng" of
                    # "kiện tụng" is a word, no "dụng" of "sử dụng".)
                    or (
                        typo
                        and len(folded) >= 2
                        and abs(len(folded) - len(name_folded)) == 1
                        and _one_edit(folded, name_folded)
                    )
                )
                and any(
                    (
                        f"{beside} {name_word if accents else name_folded}"
                        if other < at
                        else f"{name_word if accents else name_folded} {beside}"
                    )
                    in pairs
                    for other, beside in near
                )
            }
            if len(found) == 1:
                fixed[at] = found.pop()
        if not fixed:
            return question
        # The question as typed, punctuation kept (clauses end there), the words mended.
        return _words_replaced(unicodedata.normalize("NFC", question), fixed)

    def pair_records(self) -> Dict[str, Set[str]]:
        """Each word pair of the names, with the records whose names hold it; made once."""
        if self._pair_records is None:
            self._pair_records = {}
            for record_id, terms in self.terms.items():
                for term in terms:
                    if " " in term:
                        self._pair_records.setdefault(term, set()).add(record_id)
        return self._pair_records

    def _written_words(self) -> Dict[str, str]:
        """Every word of the names as written (lower case, accents kept), with its folded form;
        made once per index."""
        if self._written is None:
            self._written = {word: fold(word) for found in self.accented.values() for word in found}
            for word, folded in self._written.items():
                self._written_by_folded.setdefault(folded, []).append(word)
                for at in range(len(folded)):
                    dropped = folded[:at] + folded[at + 1 :]
                    self._written_by_deletion.setdefault(dropped, []).append(word)
            for record_names in self.names.values():
                for name in record_names:
                    written = [word for word, _ in _tokens(name)]
                    self._written_pairs.update(f"{a} {b}" for a, b in zip(written, written[1:]))
        return self._written

    def _written_near(self, folded: str, *, typo: bool) -> List[Tuple[str, str]]:
        """The names' written words (with their folded forms) that ``mended`` may read a typed
        word as: those folding to it, and for a typo those one letter longer or shorter."""
        written = self._written_words()
        candidates = set(self._written_by_folded.get(folded, ()))
        if typo:
            candidates.update(self._written_by_deletion.get(folded, ()))
            for at in range(len(folded)):
                candidates.update(self._written_by_folded.get(folded[:at] + folded[at + 1 :], ()))
        return [(word, written[word]) for word in candidates]

    def missing(self, question: str, record_id: str, also: Sequence[str] = ()) -> float:
        """Rarity of the record's name words the question does not have (a longer name that
        adds a rare word, "Xóa đăng ký tạm trú", fits "đăng ký tạm trú" less)."""
        have = {self._spelled(folded) for _, folded in _tokens(" ".join((question, *also)))}
        return sum(
            self.weight(term)
            for term in self.terms.get(record_id, ())
            if " " not in term and term not in have
        )


# Where a clause ends: an everyday name does not run across it.
CLAUSE_END = re.compile(r"[,;:!?()]|\.(?=\s|$)")


def _unstopped(question: str, synonyms: Dict[str, List[str]]) -> str:
    """The folded question, padded with spaces, with the list's stop phrases (keys meaning
    nothing: "trường chuyên biệt", a special-needs school, is no "trường chuyên") cut out, so
    no shorter key matches inside them; nor across a clause's end ("bà tôi mất, căn cước của
    bà" holds no "mất căn cước")."""
    folded = f" {' | '.join(fold(clause) for clause in CLAUSE_END.split(question))} "
    for key, phrases in synonyms.items():
        if not phrases and f" {key} " in folded:
            folded = folded.replace(f" {key} ", " | ")
    return folded


def synonym_keys(question: str, synonyms: Dict[str, List[str]]) -> List[str]:
    """The synonym list's keys the question holds (outside its stop phrases), in English also
    with its plurals as singulars ("certified copies": "certified copy")."""
    folded = _unstopped(question, synonyms)
    singular = _singulars(folded) if detect_lang(question) == "en" else folded
    return [
        key
        for key, phrases in synonyms.items()
        if phrases and (f" {key} " in folded or f" {key} " in singular)
    ]


def _singulars(folded: str) -> str:
    """Each English plural of the folded text as its singular ("copies", "cards"), not the
    language's own words ending in s ("this", "does")."""

    def singular(word: str) -> str:
        if len(word) <= 3 or word in EN_WORDS or word.endswith("ss"):
            return word
        if word.endswith("ies"):
            return f"{word[:-3]}y"
        return word[:-1] if word.endswith("s") else word

    return " ".join(singular(word) for word in folded.split(" "))


# Vietnam's other provinces and cities as people name them (old names too, and the tourist
# towns): a question naming one asks about a place there, not about the province's place an
# everyday name reads ("bệnh viện tỉnh Nghệ An", "trường chuyên Hà Nội"). Not the names Thanh
# Hóa's own wards share ("Điện Biên", "Bắc Sơn"). Typed with accents a name must match with
# them: folded, "Sơn La" is also "Lam Sơn là ..." and "Đà Nẵng" "đá nặng".
OTHER_PROVINCE_NAMES = tuple(
    " ".join(name.split())
    for name in """Hà Nội|Hanoi|Hồ Chí Minh|HCM|Sài Gòn|Saigon|Hải Phòng|Đà Nẵng|Danang|
    Cần Thơ|Nghệ An|Ninh Bình|Hà Tĩnh|Quảng Bình|Quảng Trị|Thừa Thiên Huế|Quảng Nam|
    Quảng Ngãi|Bình Định|Phú Yên|Khánh Hòa|Nha Trang|Ninh Thuận|Bình Thuận|Phan Thiết|
    Kon Tum|Gia Lai|Đắk Lắk|Đắk Nông|Lâm Đồng|Đà Lạt|Dalat|Bình Phước|Tây Ninh|Bình Dương|
    Đồng Nai|Bà Rịa|Vũng Tàu|Long An|Tiền Giang|Bến Tre|Trà Vinh|Vĩnh Long|Đồng Tháp|An Giang|
    Kiên Giang|Phú Quốc|Hậu Giang|Sóc Trăng|Bạc Liêu|Cà Mau|Hà Giang|Cao Bằng|Bắc Kạn|
    Tuyên Quang|Lào Cai|Sa Pa|Sapa|Yên Bái|Thái Nguyên|Lạng Sơn|Bắc Giang|Phú Thọ|Lai Châu|
    Sơn La|Hòa Bình|Mai Châu|Quảng Ninh|Hạ Long|Bắc Ninh|Hải Dương|Hưng Yên|Thái Bình|Hà Nam|
    Nam Định|Vĩnh Phúc""".split("|")
)
# Folded, these are also common words or the province's own places ("Sơn là", "Hà Long" of Hà
# Trung): typed without accents they are not read as another province.
FOLDED_AMBIGUOUS = frozenset({"son la", "ha long"})


def _one_tone_placement(text: str) -> str:
    """Lower case, composed, the tone mark of "oa" on the "o" ("hoà" = "hòa")."""
    text = unicodedata.normalize("NFC", text).lower()
    for old, new in (("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa")):
        text = text.replace(old, new)
    return text


# Folded name -> the name with its accents.
OTHER_PROVINCES = {
    fold_name(name): " ".join(word for word, _ in _tokens(_one_tone_placement(name)))
    for name in OTHER_PROVINCE_NAMES
}
LONGEST_PROVINCE_NAME = max(len(name.split()) for name in OTHER_PROVINCES)


def beside(question: str, terms: Set[str]) -> Tuple[str, ...]:
    """The other provinces and cities the question names (``OTHER_PROVINCES``) that a record's
    name (``terms``: its words and word pairs) does not hold."""
    tokens = _tokens(_one_tone_placement(question))
    named = set()
    for at in range(len(tokens)):
        for span in (tokens[at : at + size] for size in range(1, LONGEST_PROVINCE_NAME + 1)):
            name = " ".join(folded for _, folded in span)
            typed = " ".join(word for word, _ in span)
            if name not in OTHER_PROVINCES:
                continue
            if typed != name:  # typed with accents: they must be the name's
                if typed == OTHER_PROVINCES[name]:
                    named.add(name)
            elif name not in FOLDED_AMBIGUOUS:
                named.add(name)
    return tuple(sorted(n for n in named if n not in terms and not set(n.split()) <= terms))


def key_pairs(question: str, synonyms: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """The question's word pairs found inside the synonym list's everyday names of several
    words ("xe máy" of "đăng ký xe máy"), each with the phrases of those names: which records
    the pair names."""
    words = fold(question).split()
    asked = {f"{a} {b}" for a, b in zip(words, words[1:])}
    found: Dict[str, List[str]] = {}
    for pairs, phrases in _key_pairs_of(synonyms):
        for pair in asked & pairs:
            found.setdefault(pair, []).extend(phrases)
    return found


_pairs_of_keys: Dict[int, Tuple[Dict[str, List[str]], List[Tuple[Set[str], List[str]]]]] = {}


def _key_pairs_of(synonyms: Dict[str, List[str]]) -> List[Tuple[Set[str], List[str]]]:
    """Each multi-word key's word pairs with its phrases, in the list's order; made once per
    synonym list (the list is read once per process) instead of once per question."""
    kept = _pairs_of_keys.get(id(synonyms))
    if kept is None or kept[0] is not synonyms:
        pairs = [
            ({f"{a} {b}" for a, b in zip(parts, parts[1:])}, phrases)
            for key, phrases in synonyms.items()
            if " " in key and phrases
            for parts in [key.split()]
        ]
        if len(_pairs_of_keys) > 8:
            _pairs_of_keys.clear()
        kept = _pairs_of_keys[id(synonyms)] = (synonyms, pairs)
    return kept[1]


# A Vietnamese question of this many words is long: the search's score of its one or two
# phrases naming a procedure drowns in the words telling its story (``rare_words``).
LONG_QUESTION = 20


def rare_words(question: str, index: NameIndex, synonyms: Dict[str, List[str]]) -> str:
    """What to search the procedures with for a long Vietnamese question (``LONG_QUESTION``
    words or more): its word pairs some name holds (not a pair of how it asks, nor one with a
    word of the language) and the everyday names it holds, in order; "" for a shorter question
    or none found ("ông bà mất để lại mảnh đất ... làm thừa kế sang tên sổ đỏ cho từng người
    ...": "thua ke sang ten so do")."""
    folded = fold(question).split()
    if len(folded) < LONG_QUESTION:
        return ""
    words = [index._spelled(word) for word in folded]
    kept: Set[int] = set()
    for at, (a, b) in enumerate(zip(words, words[1:])):
        pair = f"{a} {b}"
        if (
            pair in index.frequency
            and index.weight(pair) > 0
            and pair not in ASKING_PAIRS
            and not {a, b} & index.language_words
        ):
            kept.update((at, at + 1))
    for key in synonym_keys(question, synonyms):
        size = len(key.split())
        kept.update(
            spot
            for at in range(len(folded) - size + 1)
            if " ".join(folded[at : at + size]) == key
            for spot in range(at, at + size)
        )
    return " ".join(words[at] for at in sorted(kept))


def expansions(question: str, synonyms: Dict[str, List[str]]) -> List[str]:
    """The phrases the catalogue's synonym list gives for words in the question."""
    folded = _unstopped(question, synonyms)
    return [
        phrase for key, phrases in synonyms.items() if f" {key} " in folded for phrase in phrases
    ]


# Syllables of the question's own words that say nothing of what a thing is: how questions ask
# and whom for, what is done to a paper ("lại", "mất", "hết hạn"), what one wants ("xin").
CHANGE_SYLLABLES = frozenset(
    word for phrase in (*CHANGE_ASKED, *LOSS_ASKED, *EXPIRY_ASKED) for word in phrase.split()
)


# The school levels' words: a level asked is weighed by ``Scored.other_level``, not as a thing
# ("chuyển trường thcs giữa năm").
LEVEL_SYLLABLES = frozenset(
    word
    for levels in (LEVELS, LEVELS_BEYOND)
    for names in levels.values()
    for name in names
    for word in name.split()
)


_EVERYDAY_TERMS: Dict[int, Tuple[Dict[str, List[str]], FrozenSet[str]]] = {}


def everyday_terms(synonyms: Dict[str, List[str]]) -> FrozenSet[str]:
    """The single words and the word pairs of the list's everyday names that have a meaning (not
    its stop phrases); made once per list."""
    kept = _EVERYDAY_TERMS.get(id(synonyms))
    if kept is None or kept[0] is not synonyms:
        found: Set[str] = set()
        for key, phrases in synonyms.items():
            words = key.split()
            if not phrases:
                continue
            if len(words) == 1:
                found.add(key)
            found.update(f"{a} {b}" for a, b in zip(words, words[1:]))
        kept = (synonyms, frozenset(found))
        _EVERYDAY_TERMS[id(synonyms)] = kept
    return kept[1]


def deed_pairs(index: NameIndex) -> Set[str]:
    """The word pairs two or more names begin with: what procedures do ("đăng ký", "cấp lại",
    "chứng thực"), no thing of one of them."""
    held = Counter(pair for pairs in index.deeds.values() for pair in pairs)
    return {pair for pair, count in held.items() if count >= 2}


def plain_words(index: NameIndex, deeds: Set[str]) -> Set[str]:
    """Words that name no thing of a record (see ``own_phrases``): the language's, how
    questions ask, whom for, what is done to a paper, and what procedures do (``deeds``)."""
    return (
        VI_WORDS
        | PEOPLE_WORDS
        | ASKING_WORDS
        | WANTING
        | CHANGE_SYLLABLES
        | AGE_WORDS
        | index.language_words
        | {AGAIN}
        | {word for pair in deeds for word in pair.split()}
    )


def _continued(
    typed: Sequence[str], pairs: Sequence[str], terms: Collection[str]
) -> Iterator[Tuple[int, str, str, str]]:
    """Where the question goes on from one of ``pairs`` (word pairs shared with a name that the
    name goes on from with its own words): the pair's place in ``typed``, its second word, and
    the two words the question goes on with (``own_phrases``, ``goes_on_to_another`` weigh
    them)."""
    for term in pairs:
        a, b = term.split()
        if not any(other.startswith(f"{b} ") for other in terms):
            continue
        for at in range(len(typed) - 3):
            if typed[at] == a and typed[at + 1] == b:
                yield at, b, typed[at + 2], typed[at + 3]


def own_phrases(
    typed: Sequence[str],
    shared: Sequence[str],
    index: NameIndex,
    record_id: str,
    plain: Set[str],
    deeds: Set[str],
    keys: Collection[str] = frozenset(),
) -> Tuple[str, ...]:
    """The shared terms that name the record (``Scored.own``): word pairs rare enough to be
    evidence alone, and long words, less the pairs every place of which in the question is
    said of another thing. Vietnamese puts a thing before what qualifies it: a pair after a
    word of a thing the name lacks qualifies that thing ("mã số thuế | cá nhân"); a pair the
    question goes on from with two words of a thing the name lacks, where the name goes on
    with its own, is another kind of it ("giấy phép | hành nghề y", "hộ chiếu | ngoại giao")."""
    terms = index.terms.get(record_id, set())
    floor = index.min_evidence()
    # A thing of two words no name holds that the question goes on to from a pair the name goes
    # on from with its own words: the question asks another kind of the thing, and no pair of
    # it is the record's ("giấy phép hành nghề" of *Cấp lại giấy phép lái xe*, "hộ chiếu ngoại
    # giao" of *Cấp hộ chiếu phổ thông ...*): one of its words is none of the assistant's own
    # questions' (they say "thẻ mới", "giữa năm" of any paper).
    asked = index.asked_words()
    for at, b, c, d in _continued(typed, [t for t in shared if " " in t], terms):
        if (
            c.isalpha()
            and d.isalpha()
            and len(c) > 1
            and len(d) > 1
            # (Nor words of an everyday name, whose meaning a name holds: "thẻ bhyt", "thay
            # đổi ngành nghề hộ kinh doanh".)
            and not {c, d, f"{c} {d}"} & keys
            # (Nor the start of how the question asks: "đất trồng lúa | gồm những bước".)
            and " ".join(typed[at + 3 : at + 5]) not in ASKING_PAIRS
            # (A syllable of how questions ask may still name a thing: "ngoại" of "ngoại giao",
            # not of "ngoài giờ".)
            and not {c, d} & ((plain - ASKING_WORDS) | VI_WORDS | AGE_WORDS | LEVEL_SYLLABLES)
            and f"{c} {d}" not in ASKING_PAIRS
            and f"{b} {c}" not in index.frequency
            and f"{c} {d}" not in index.frequency
            and c not in terms
            and not {c, d} <= asked
            # (Its last word a word of some catalogue's names, "nghề", "giao", or its first a
            # thing only other catalogues name, "vườn": not a loanword of how people call the
            # same card, "gắn chip".)
            and (
                d in index.frequency
                or d in index.elsewhere
                or (c in index.elsewhere and c not in index.frequency)
            )
        ):
            return ()
    found: List[str] = []
    for term in shared:
        if " " not in term:
            if len(term) >= LONG_WORD:
                found.append(term)
            continue
        a, b = term.split()
        if index.weight(term) < floor or term in deeds or a == AGAIN:
            # (What procedures do, "cấp lại"; "lại" belongs to the verb before it: "lại giấy".)
            continue
        # (A pair read from an everyday name's phrase is the name's own; so is one of what the
        # name is, its first words or its last: "ngành nghề | hộ kinh doanh" asks the
        # household business's, "nhờ | hòa giải" a mediation.)
        if (
            term in index.heads.get(record_id, set())
            or term in index.ends.get(record_id, set())
            or not said_of_another(typed, term, terms, plain)
        ):
            found.append(term)
    return tuple(found)


def _kind_of_another(
    typed: Sequence[str], shared: Sequence[str], index: NameIndex, record_id: str, plain: Set[str]
) -> bool:
    """See ``Scored.kind_of_another``: the rare pairs shared are all of the kind the name
    begins with (its first words, which its other-language name translates: "quốc gia" of
    *Vườn quốc gia Bến En*, "National Park"; not a proper name both keep, "Bến En", "Xuân
    Liên"), said of another thing, and no other word of the name is shared."""
    terms = index.terms.get(record_id, set())
    heads = index.heads.get(record_id, set())
    names = index.names.get(record_id, [])
    kept = set()
    for name in names[1:]:
        folded = [f for _, f in _tokens(name)]
        kept.update(f"{a} {b}" for a, b in zip(folded, folded[1:]))
    heads = heads - kept
    pairs = [t for t in shared if " " in t and index.weight(t) >= index.min_evidence()]
    said = {word for pair in pairs for word in pair.split()}
    return (
        bool(pairs)
        and all(pair in heads and said_of_another(typed, pair, terms, plain) for pair in pairs)
        and all(word in said for term in shared for word in term.split())
    )


def said_of_another(typed: Sequence[str], pair: str, terms: Set[str], plain: Set[str]) -> bool:
    """Whether the question says the pair, and says it everywhere after a word of a thing the
    name (``terms``) lacks (no word of ``plain``): of that thing ("thuế | cá nhân", "THPT |
    quốc gia"), not the name's."""
    a, b = pair.split()
    spots = [at for at in range(len(typed) - 1) if typed[at] == a and typed[at + 1] == b]
    return bool(spots) and all(
        at > 0
        and typed[at - 1].isalpha()
        and typed[at - 1] not in terms
        and typed[at - 1] not in plain
        and f"{typed[at - 1]} {a}" not in terms
        for at in spots
    )


def score(
    question: str,
    candidates: Sequence[Candidate],
    index: NameIndex,
    synonyms: Optional[Dict[str, List[str]]] = None,
) -> List[Scored]:
    """Candidates with their evidence and fit, in the search's order (duplicates dropped)."""
    # What the question says has not been done, where it asks about something else.
    circumstance = (
        unsaid_circumstance(question)
        if any(candidate.kind == "procedure" for candidate in candidates)
        else question
    )
    whom = (
        unsaid_circumstance(question, whom=True)
        if any(candidate.kind == "procedure" for candidate in candidates)
        else question
    )
    meanings = {key: (synonyms or {})[key] for key in synonym_keys(question, synonyms or {})}
    # A pair the names hold as typed ("tạm trú") needs no reading: its phrase ("đăng ký tạm
    # trú") would only add words the question did not say. (One word, "passport", is still
    # read: alone it is a sliver of a long name.)
    read = {
        key: phrases
        for key, phrases in meanings.items()
        if " " not in key or key not in index.frequency
    }
    # The synonyms' phrases the question gives without its circumstance (``Scored.kept``).
    read_circumstance = (
        {
            phrase
            for key in synonym_keys(circumstance, synonyms or {})
            for phrase in (synonyms or {})[key]
        }
        if circumstance != question
        else set()
    )
    found_pairs = key_pairs(question, synonyms or {})
    every_pair = set(found_pairs)
    asking_pairs = _asking_pairs(question)
    everyday = {
        pair: (index.meaning(phrases), phrases)
        for pair, phrases in found_pairs.items()
        if pair not in ASKING_PAIRS
        and not set(pair.split()) & index.language_words
        # (Nor a pair with whose it is: "transfer my" of "transfer my land" is no sign of the
        # land change in "transfer my household registration"; review R17.)
        and not set(pair.split()) & OBJECT_WORDS
        and pair not in asking_pairs
        and pair not in _state_pairs(question)
    }
    typed = [index._spelled(word) for word in fold(question).split()]
    english = in_english(question)
    change_said = _change_said(question)
    changing = bool(change_said)
    kinds_asked = frozenset(_change_kinds(change_said))
    expiry = asks_expiry(question)
    with_accents = any(word != folded for word, folded in _tokens(question))
    # The pairs right after a word of wanting, that some name holds as a rare-enough pair.
    # (With the word after the pair: "trợ cấp mai táng" asks the funeral support's own thing.)
    wanted = {
        (f"{a} {b}", after)
        for want, a, b, after in zip(typed, typed[1:], typed[2:], [*typed[3:], ""])
        if want in WANTING
        and f"{a} {b}" in index.frequency
        and index.weight(f"{a} {b}") >= index.min_evidence()
        and f"{a} {b}" not in ASKING_PAIRS
    }
    copy_asked = _holds([_singulars(f" {fold(question)} ")], COPY_ASKED)
    # A replacement of a paper is of one issued before: a re-issue or an exchange, never the
    # first time ("a replacement birth certificate"; review R11).
    replacement_asked = "replacement" in fold(question).split()
    foreigner = _holds([question], FOREIGN_PARTY) or (
        english and _holds([question], FOREIGN_DEMONYMS)
    )
    # English words outnumber Vietnamese ones, whatever a Vietnamese name quoted in it says
    # ("lost her ID card (căn cước) while travelling").
    tokens = words_of_text(question)
    more_english = sum(w in EN_WORDS for w in tokens) > sum(w in VI_WORDS for w in tokens)
    everyday_words = {word for key in (synonyms or {}) for word in key.split()}
    every_term = set(typed) | {f"{a} {b}" for a, b in zip(typed, typed[1:])}
    asked_levels = levels_in(question, beyond=True)
    asked_words = {
        word
        for a, b in zip(typed, typed[1:])
        if f"{a} {b}" in index.question_pairs
        for word in (a, b)
    }
    deeds = deed_pairs(index)
    plain = plain_words(index, deeds)
    known_names = everyday_terms(synonyms or {})
    # (Not "mất" alone: someone who died, "chồng tôi mất thì ... trợ cấp mai táng".)
    renewal_asked = bool(_change_kinds(change_said - LOSS_ASKED) & {"renew", "extend"})
    seen: Set[str] = set()
    scored: List[Scored] = []
    for candidate in candidates:
        if candidate.id in seen:
            continue
        seen.add(candidate.id)
        # A synonym's phrase counts for the records whose name holds it whole: "khai tử" read
        # as "đăng ký khai tử" is no "đăng ký khai ..." evidence for *Đăng ký khai sinh*.
        words = {term for term in index.terms.get(candidate.id, ()) if " " not in term}
        also = [
            phrase
            for phrases in read.values()
            for phrase in phrases
            if all(word in words for word in phrase.split())
        ]
        evidence, shared = index.evidence(question, candidate.id, also)
        whole = index.whole(candidate.id)
        # The search's first hit sharing a word pair no other name holds ("thừa kế").
        # (A pair the assistant's own questions hold is how people ask, "thủ tục", unless the
        # everyday names list it as a record's: "biển số", "hộ chiếu".)
        unique = not scored and any(
            " " in term
            and index.frequency.get(term) == 1
            and (term not in index.question_pairs or term in (synonyms or {}))
            for term in shared
        )
        head = {
            term
            for term in index.heads.get(candidate.id, set()) & set(shared)
            if not set(term.split()) & index.language_words
        }
        # An English name's head is joined by a language word ("Certification of copies"):
        # the question holding both its pairs ("certification of", "of copies") holds the head.
        head_pairs = index.heads.get(candidate.id, set()) & set(shared)
        head |= {
            f"{first} {last}"
            for first, joint in (pair.split() for pair in head_pairs)
            for other in head_pairs
            if joint in index.language_words
            and other.split()[0] == joint
            and (last := other.split()[1]) not in index.language_words
            and first not in index.language_words
            and last != first  # "copies of" and "of copies" of "... of copies of ..."
        }
        if whole and evidence < MIN_COVERAGE * whole and not unique and not head:
            # A sliver of a long name ("Việt Nam" of "... công dân Việt Nam, người nước
            # ngoài ..."): not enough to say the question is about this record.
            evidence = 0.0
        fit = evidence - MISSING_PENALTY * index.missing(question, candidate.id, also)
        # English words count one by one for procedures, whose English names are long phrases
        # of plain words; a place's English name is its Vietnamese one and a kind word.
        rivals = (
            {
                word
                for other in candidates
                if other.id != candidate.id
                for pair in index.heads.get(other.id, ())
                for word in pair.split()
                if word in index.translated
            }
            if english and candidate.kind == "procedure"
            else None
        )
        unexplained = index.unexplained(question, candidate.id, meanings, rivals)
        # Of the question's own words (a synonym's phrase is the list's reading, not theirs).
        literal = index.evidence(question, candidate.id)[1] if evidence and also else shared
        strong = (
            tuple(
                term
                for term in literal
                if " " in term
                and term not in index.localities
                and term not in index.question_pairs  # how people ask ("thủ tục"), not what
                and index.weight(term) >= index.min_evidence()
                # An English function word pairs with any word: "the commune" is "commune".
                and not (english and set(term.split()) & function_words(index))
            )
            if evidence
            else ()
        )
        words = frozenset(
            term
            for term in index.terms.get(candidate.id, ())
            if " " not in term and index.weight(term) > 0
        )
        said = frozenset(words & index.words_of(question, also))
        named = frozenset(
            f"{a} {b}"
            for key, phrases in read.items()
            if any(phrase in also for phrase in phrases)
            for a, b in zip(key.split(), key.split()[1:])
        )
        # A pair of other records' everyday names that this name neither holds nor means
        # ("xe máy" of "đăng ký xe máy", asked as "sang tên xe máy" of the land transfer).
        name_terms = index.terms.get(candidate.id, set())
        # Only where an everyday name alone makes the record: the question's own words share
        # too little with its name to name it ("sang tên" read as the land transfer).
        by_name = index.evidence(question, candidate.id)[0] if also else evidence
        foreign = tuple(
            sorted(
                pair
                for pair, (meant, phrases) in everyday.items()
                if evidence
                and by_name < index.min_evidence()
                and meant
                and candidate.id not in meant
                and len(meant) <= FOREIGN_RECORDS
                and pair not in index.terms.get(candidate.id, ())
                and not set(pair.split()) <= words
                and not any(index.held(phrase, name_terms) >= HELD_SHARE for phrase in phrases)
            )
        )
        foreign_records = frozenset(record for pair in foreign for record in everyday[pair][0])
        asking = frozenset(term for term in shared if " " not in term and term in asked_words)
        # Syllables of how the question asks ("cho" of "cho người") are not what it shares.
        head_only = (
            index.head_only(
                question, candidate.id, [t for t in shared if t not in asking], every_pair
            )
            if evidence
            else ()
        )
        # Another province named beside an everyday name this record was read from.
        others = beside(question, name_terms) if also else ()
        scored.append(
            Scored(
                candidate,
                evidence,
                shared,
                fit,
                unexplained,
                strong,
                words,
                said,
                named,
                foreign,
                asking,
                head_only,
                others,
                district=index.districts.get(candidate.id, frozenset()),
                typed_said=words & index.words_of(question) if also else said,
                deed_said=any(
                    term.split()[0] in index.firsts.get(candidate.id, set()) for term in head
                ),
                # (English words are words, not syllables of compounds: no context weighed.)
                own=own_phrases(typed, shared, index, candidate.id, plain, deeds, known_names)
                if not english
                else tuple(
                    term
                    for term in shared
                    if (" " in term and index.weight(term) >= index.min_evidence())
                    or len(term) >= LONG_WORD
                ),
                kept_whom=index.evidence(
                    whom,
                    candidate.id,
                    [
                        phrase
                        for phrase in also
                        if any(
                            phrase in (synonyms or {})[key]
                            for key in synonym_keys(whom, synonyms or {})
                        )
                    ],
                )[0]
                / evidence
                if whom != question and evidence
                else 1.0,
                kind_said=sum(
                    index.weight(pair)
                    for pair in KIND_PAIRS & every_term
                    if pair not in name_terms
                    and set(pair.split()) - name_terms - index.language_words
                ),
                kind_of_another=candidate.kind != "procedure"
                and not english
                and not also
                and _kind_of_another(typed, shared, index, candidate.id, plain),
                renewal_of_part=renewal_asked
                and candidate.kind == "procedure"
                and not names_change(own_name(index, candidate.id, english))
                and not renewal_of(index.names.get(candidate.id, []))
                and not _holds(index.names.get(candidate.id, []), COPY_NAMES)
                and not any(
                    " " in term and term in index.heads.get(candidate.id, set()) for term in shared
                ),
                left=frozenset(
                    word
                    for word in typed
                    if word not in name_terms
                    and word not in index.language_words
                    and word not in asked_words
                    and not word.isdigit()
                ),
                unsaid=frozenset(
                    word
                    for word in index.words_of(own_name(index, candidate.id, english))
                    if index.weight(word) > 0
                )
                - said,
                thing=_thing_words(index, own_name(index, candidate.id, english)),
                other_level=bool(asked_levels)
                and not asked_levels & levels_in(" ".join(index.names.get(candidate.id, [])))
                and bool(levels_in(" ".join(index.names.get(candidate.id, [])))),
                age=age_fits(question, index.names.get(candidate.id, [])),
                change=not changing and names_change(own_name(index, candidate.id, english)),
                thing_said=_thing_said(index, own_name(index, candidate.id, english), typed),
                renewal=renewal_of(index.names.get(candidate.id, [])),
                loss=asks_loss(question, {word for term in shared for word in term.split()}),
                changes=names_change(own_name(index, candidate.id, english)),
                changing=changing,
                change_kinds=frozenset(
                    change_kinds_named(" ".join(index.names.get(candidate.id, [])))
                ),
                kinds_asked=kinds_asked,
                first_asked=bool(FIRST_TIME & every_term),
                another_thing=candidate.kind == "procedure"
                and (
                    goes_on_elsewhere(question, candidate.id, index)
                    or (
                        not english
                        # (A copy is of another record's paper: "trích lục | kết hôn".)
                        and not _holds(index.names.get(candidate.id, []), COPY_NAMES)
                        and goes_on_to_another(typed, shared, index, candidate.id, synonyms or {})
                    )
                ),
                when_only=bool(FIRST_TIME & set(shared))
                and sum(
                    index.weight(term)
                    for term in shared
                    if term not in FIRST_TIME and (" " in term or len(term) >= LONG_WORD)
                )
                < index.min_evidence(),
                kept=index.evidence(
                    circumstance,
                    candidate.id,
                    [phrase for phrase in also if phrase in read_circumstance],
                )[0]
                / evidence
                if circumstance != question and evidence
                else 1.0,
                again_of_first=candidate.kind == "procedure"
                and (
                    copy_asked
                    or replacement_asked
                    or asks_loss(question, {word for term in shared for word in term.split()})
                )
                and not names_change(own_name(index, candidate.id, english))
                and not renewal_of(index.names.get(candidate.id, []))
                and not _holds(index.names.get(candidate.id, []), COPY_NAMES),
                copy_name=_holds(index.names.get(candidate.id, []), COPY_NAMES),
                copy_asked=copy_asked,
                wanted_missing=tuple(
                    sorted(
                        pair
                        for pair, after in wanted
                        if pair not in name_terms
                        and after not in name_terms
                        and pair not in named
                        and not set(pair.split()) <= words
                    )
                )
                if candidate.kind == "procedure"
                else (),
                foreign_party=foreigner
                and candidate.kind == "procedure"
                and not _holds(index.names.get(candidate.id, []), FOREIGN_NAMES),
                expiry=expiry,
                foreign_records=foreign_records,
                not_yet=circumstance != question
                and evidence >= index.min_evidence()
                and index.evidence(circumstance, candidate.id, also)[0] < index.min_evidence(),
                first_time=(changing or bool(HAD_BEFORE & every_term))
                and not FIRST_TIME & every_term
                and bool(FIRST_TIME & name_terms),
                # Vietnamese qualifies a noun after it; English before ("ID card (căn cước)
                # while travelling" qualifies nothing).
                # (Places are decided with whether the question holds any unknown word, not
                # which: only the folded filters there.)
                qualified=qualified(
                    typed,
                    shared,
                    index,
                    candidate.id,
                    everyday_words,
                    with_accents and candidate.kind == "procedure",
                )
                if evidence and not (english or more_english)
                else (),
            )
        )
    return scored


def unsaid_circumstance(question: str, whom: bool = False) -> str:
    """The question without what it says has not been done ("nhận con khi hai người chưa đăng
    ký kết hôn": the marriage is not what is asked): the words after "chưa" up to the next
    word of how a clause goes on (``CLAUSE_WORDS``), at most ``NOT_YET_WORDS`` of them."""
    tokens = _tokens(question)
    kept: List[str] = []
    skip = 0
    before = ""
    for word, folded in tokens:
        if skip and folded not in CLAUSE_WORDS:
            skip -= 1
            continue
        skip = 0
        kept.append(word)
        if folded in NOT_YET and (word == folded or word in NOT_YET_WRITTEN):
            skip = NOT_YET_WORDS
        elif (
            folded == RECEIVING
            and before in RECEIVING_BEFORE
            and (word == folded or word == RECEIVING_WRITTEN)
        ):
            skip = NOT_YET_WORDS
        elif whom and folded == WHOM_PERSON and before == WHOM_FOR:
            # With ``whom``, also whom it is for ("trợ cấp xã hội cho người khuyết tật").
            skip = NOT_YET_WORDS
        before = folded
    if len(kept) == len(tokens):
        return question
    return " ".join(kept)


def _asking_pairs(question: str) -> Set[str]:
    """The question's word pairs that overlap a pair of how people ask (``ASKING_PAIRS``: "lại
    cần" of "sửa lại cần giấy tờ gì", where "cần giấy" asks): no everyday name of a record."""
    words = fold(question).split()
    spots = {
        at
        for i, (a, b) in enumerate(zip(words, words[1:]))
        if f"{a} {b}" in ASKING_PAIRS
        for at in (i, i + 1)
    }
    every = {f"{a} {b}" for a, b in zip(words, words[1:])}
    clean = {
        f"{a} {b}"
        for i, (a, b) in enumerate(zip(words, words[1:]))
        if i not in spots and i + 1 not in spots
    }
    return every - clean


# Whom a question is for, folded ("con", "me", "bo"): after "cho", said of a person.
PEOPLE_FOLDED = frozenset(fold(word) for word in PEOPLE_WORDS)


def _asking_spots(words: Sequence[str]) -> Set[int]:
    """Positions of the folded words inside a pair of how people ask (``ASKING``)."""
    return {
        at
        for i, (a, b) in enumerate(zip(words, words[1:]))
        if f"{a} {b}" in ASKING
        for at in (i, i + 1)
    }


def _state_pairs(question: str) -> Set[str]:
    """The question's word pairs that say what became of a paper, or overlap one ("hết hạn",
    "sắp hết"; ``CHANGE_ASKED``, ``LOSS_ASKED``): any paper's state, no record's name."""
    words = fold(question).split()
    states = {p for p in CHANGE_ASKED | LOSS_ASKED if " " in p}
    spots = {
        at
        for i, (a, b) in enumerate(zip(words, words[1:]))
        if f"{a} {b}" in states
        for at in (i, i + 1)
    }
    return {f"{a} {b}" for i, (a, b) in enumerate(zip(words, words[1:])) if {i, i + 1} & spots}


def levels_in(text: str, beyond: bool = False) -> Set[str]:
    """The school levels a text names (``LEVELS``; with ``beyond``, a question's, also
    ``LEVELS_BEYOND``)."""
    folded = f" {fold(text)} "
    levels = {**LEVELS, **LEVELS_BEYOND} if beyond else LEVELS
    return {
        level for level, names in levels.items() if any(f" {name} " in folded for name in names)
    }


def age_fits(question: str, names: Sequence[str]) -> Optional[bool]:
    """Whether the ages a record's names are for (``AGE_UNDER``, ``AGE_FROM``) hold the age the
    question names (``AGE_ASKED``); None where either says no age."""
    ages = _ages_asked(fold(question))
    if ages is None:
        return None
    folded = " ".join(fold_name(name) for name in names)
    under = [int(found) for found in AGE_UNDER.findall(folded)]
    start = [int(a or b) for a, b in AGE_FROM.findall(folded)]
    if not under and not start:
        return None
    # Some age asked is one the record is for.
    return all(ages[0] < limit for limit in under) and all(ages[1] > limit for limit in start)


def _ages_asked(folded: str) -> Optional[Tuple[int, int]]:
    """The ages a question asks about, first and past the last: a range it states
    (``AGES_BETWEEN``, ``AGES_BELOW``: "chưa đủ 14 tuổi" is no age 14), else an age."""
    between = AGES_BETWEEN.search(folded)
    if between and int(between.group(1)) < int(between.group(2)):
        return int(between.group(1)), int(between.group(2)) + 1
    below = AGES_BELOW.search(folded)
    if below:
        limit, tried, at_most = below.groups()
        return (0, int(at_most) + 1) if at_most else (0, int(limit or tried))
    asked = AGE_ASKED.search(THING_AGED.sub(" ", folded))
    if asked:
        return int(asked.group(1)), int(asked.group(1)) + 1
    stated = AGE_STATED.search(folded)
    if stated:
        age = int(stated.group(1) or stated.group(2))
        return age, age + 1
    return None


# The one-syllable change words of CHANGE_ASKED as written: typed with diacritics, only these
# are a change ("thấy" is no "thay", "đợi" no "đổi", "Cát" no "cắt", "chuyện" no "chuyển";
# review R1, R17); typed without any, the folded word is read.
CHANGE_WRITTEN = {
    "doi": {"đổi"},
    "thay": {"thay"},
    "sua": {"sửa"},
    "mat": {"mất"},
    "xoa": {"xóa", "xoá"},
    "huy": {"hủy", "huỷ"},
    "cat": {"cắt"},
    "chuyen": {"chuyển"},
}


def asks_change(question: str) -> bool:
    """Whether the question asks for a change, a renewal or a replacement (``CHANGE_ASKED``)."""
    return bool(_change_said(question))


def change_kinds_asked(question: str) -> Set[str]:
    """The kinds of change the question asks (``CHANGE_KINDS_ASKED``)."""
    return _change_kinds(_change_said(question))


def _change_kinds(said: Set[str]) -> Set[str]:
    """The kinds of change the words and pairs of ``CHANGE_ASKED`` said ask."""
    return {kind for kind, asked in CHANGE_KINDS_ASKED.items() if asked & said}


def change_kinds_named(name: str) -> Set[str]:
    """The kinds of change a name (as written) says its procedure makes (``CHANGE_KINDS_NAMED``)."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", name).lower())
    said = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}
    return {kind for kind, named in CHANGE_KINDS_NAMED.items() if named & said}


def _change_said(question: str) -> Set[str]:
    """The words and pairs of ``CHANGE_ASKED`` the question says as a change."""
    typed = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", unpossessed(question)))
    typed = [word for word in typed if fold(word)]
    words = [fold(word) for word in typed]
    with_accents = any(word.lower() != folded for word, folded in zip(typed, words))
    # A one-syllable change word typed otherwise than as written ("thấy", "đợi"), or a proper
    # name inside the sentence ("Huy", "Quảng Cát"), asks no change.
    not_change = {
        at
        for at, (word, folded) in enumerate(zip(typed, words))
        if folded in CHANGE_WRITTEN
        and (
            (with_accents and word.lower() not in CHANGE_WRITTEN[folded])
            or (at > 0 and word[:1].isupper())
        )
    }
    not_change.update(
        at
        for i, (a, b) in enumerate(zip(words, words[1:]))
        if f"{a} {b}" in NO_CHANGE_PAIRS
        for at in (i, i + 1)
    )
    not_change.update(
        at
        for at, word in enumerate(words)
        if word in CHANGE_VERBS_WITH_OBJECT
        and (at + 1 >= len(words) or words[at + 1] not in OBJECT_WORDS)
    )
    not_change.update(
        at for at, word in enumerate(words) if word in PASSING_ON and not _property_near(words, at)
    )
    # Not a word of how it asks ("mất" of "mất bao lâu", "mất phí").
    asking = {
        at
        for i, (a, b) in enumerate(zip(words, words[1:]))
        if f"{a} {b}" in ASKING_PAIRS
        for at in (i, i + 1)
    }
    # "mất" before how much or how long ("mất bao lâu", "mất mấy ngày") costs, not loses;
    # "mất công" (effort), "mất hiệu lực" (void) lose no paper either (``NOT_LOST``).
    asking.update(
        at
        for at, (a, b) in enumerate(zip(words, words[1:]))
        if a == "mat" and b in COST_NEXT | NOT_LOST
    )
    said = {word for at, word in enumerate(words) if at not in asking | not_change}
    said.update(f"{a} {b}" for a, b in zip(words, words[1:]) if f"{a} {b}" not in NO_CHANGE_PAIRS)
    return said & CHANGE_ASKED


def _property_near(words: Sequence[str], at: int) -> bool:
    """Whether property (``PROPERTY_WORDS``) is said next to the verb at ``at``: within
    ``PASSING_REACH`` words after it ("sold us his rice field"; one more) or before it ("the
    house I inherited", "the red book transferred"), not past a preposition ("sell noodles from
    my house")."""
    after: List[str] = []
    for word in words[at + 1 : at + PASSING_REACH + 2]:
        if word in PREPOSITIONS:
            break
        after.append(word)
    before: List[str] = []
    for word in reversed(words[max(at - PASSING_REACH, 0) : at]):
        if word in PREPOSITIONS:
            break
        before.insert(0, word)
    return any(
        PROPERTY_WORDS & {*near, *(f"{a} {b}" for a, b in zip(near, near[1:]))}
        for near in (after, before)
    )


def _holds(texts: Sequence[str], phrases: Collection[str]) -> bool:
    """Whether one of the texts holds one of the folded phrases as whole words."""
    folded = " ".join(f" {' '.join(fold(text).split())} " for text in texts)
    return any(f" {phrase} " in folded for phrase in phrases)


def asks_expiry(question: str) -> bool:
    """Whether the question says a paper is out of date, worn or wrong (``EXPIRY_ASKED``)."""
    folded = f" {' '.join(fold(question).split())} "
    return any(f" {phrase} " in folded for phrase in EXPIRY_ASKED)


def asks_loss(question: str, thing: Set[str]) -> bool:
    """Whether the question says a paper is lost: a word of loss (``LOSS_ASKED``) beside the
    paper (``thing``: the folded words it shares with a name) in the same clause, or "mất"
    after "bị", "làm", "đánh" ("căn cước bị mất"). Not "mất" of "mất bao lâu", "mất công",
    nor of a person who died ("bà tôi mất, căn cước của bà ..."); not "missing" (lacking)."""
    for clause in re.split(r"[,.;:!?()]", question):
        words = fold(clause).split()
        asking = _asking_spots(words)
        for at, word in enumerate(words):
            before = words[at - 1] if at else ""
            after = words[at + 1 : at + 5] if word != "mat" else words[at + 1 : at + 2]
            pair = " ".join(words[at : at + 2])
            if pair in LOSS_ASKED and set(words[max(at - 3, 0) : at + 5]) & thing:
                return True
            if word not in LOSS_ASKED or at in asking:
                continue
            if word == "mat" and (set(after) & (COST_NEXT | NOT_LOST)):
                continue
            if (word == "mat" and before in LOSING) or before in thing or set(after) & thing:
                return True
    return False


def renewal_of(names: Sequence[str]) -> str:
    """ "reissue" or "exchange" (``Scored.renewal``) from a record's names (vi, en)."""
    said = " ".join(f" {fold_name(name)} " for name in names)
    if any(f" {phrase} " in said for phrase in REISSUE_NAMES):
        return "reissue"
    if any(f" {phrase} " in said for phrase in EXCHANGE_NAMES):
        return "exchange"
    return ""


def names_change(name: str) -> bool:
    """Whether a name (as written) says its procedure changes, renews or ends something."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", name).lower())
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:])}
    return bool(set(words) & (CHANGE_WORDS | CHANGE_EN) or pairs & CHANGE_PAIRS)


def qualified(
    typed: Sequence[str],
    shared: Sequence[str],
    index: NameIndex,
    record_id: str,
    known: Set[str],
    accented: bool = False,
) -> Tuple[str, ...]:
    """See ``Scored.qualified``: ``typed``, the question's words as the index spells them;
    ``known``, words of the everyday names ("cccd"); ``accented``, typed with diacritics."""
    said = set(typed)
    found: List[str] = []
    for name in index.names.get(record_id, [])[:1]:
        words = fold_name(name).split()
        for pair in (term for term in shared if " " in term):
            a, b = pair.split()
            after_name = [
                words[i + 2] for i in range(len(words) - 2) if words[i] == a and words[i + 1] == b
            ]
            after_question = [
                typed[i + 2] for i in range(len(typed) - 2) if typed[i] == a and typed[i + 1] == b
            ]
            # Or the name ends with the pair and the question goes on with a word no name
            # holds ("giấy phép kinh doanh karaoke" of *... hộ kinh doanh*): another kind.
            ends = words[-2:] == [a, b] and any(len(word) >= ENDS_WORD for word in after_question)
            if ends or any(word not in said for word in after_name):
                found.extend(
                    word
                    for word in after_question
                    if word.isalpha()
                    and (not ends or len(word) >= ENDS_WORD)
                    # (Typed with accents, a word the names hold folded may still be one no
                    # text holds as typed, "bạ" of "với học bạ": ``decide`` keeps only the
                    # question's unknown words.)
                    and (accented or word not in index.frequency)
                    and (accented or word not in index.elsewhere)
                    and word not in known
                    and word not in ASKING_WORDS
                    # Not a typo of the name's next word ("kinh doan").
                    and not any(n.startswith(word) or _one_edit(word, n) for n in after_name)
                )
    return tuple(sorted(set(found)))


def in_english(question: str) -> bool:
    """Said in English, or in no language the words tell, unaccented, with a word longer than
    any Vietnamese syllable ("international driving permit")."""
    lang = detect_lang(question)
    words = fold(question).split()
    return lang == "en" or (lang is None and any(len(word) >= LONG_WORD for word in words))


# Where an English name ends saying where its procedure is done ("Issuance of an ordinary
# passport in Viet Nam"): where, not what the record is about.
DONE_WHERE = re.compile(r"\s+in\s+viet\s*nam\s*$", re.IGNORECASE)


def _thing_said(index: NameIndex, name: str, typed: Sequence[str]) -> bool:
    """Whether the question holds one of the last two words of ``name`` outside its
    parenthesis and where it is done (two: a typo may spoil one, "hộ kinh doan")."""
    what = DONE_WHERE.sub("", re.sub(r"\([^)]*\)", " ", name).strip())
    words = [folded for _, folded in _tokens(what)]
    return not words or any(index._spelled(word) in typed for word in words[-2:])


def _with_next(best: Scored, eligible: Sequence[Scored]) -> List[Scored]:
    """The best record and the next eligible one (if any): what a choice or "not found; the
    closest are" offers."""
    return [best] + [s for s in eligible if s is not best][:1]


def own_name(index: NameIndex, record_id: str, english: bool) -> str:
    """The record's name in the question's language (its first name otherwise)."""
    found = index.names.get(record_id) or [""]
    return found[1] if english and len(found) > 1 and found[1] else found[0]


def goes_on_elsewhere(question: str, record_id: str, index: NameIndex) -> bool:
    """Whether the question goes on from a word pair of the record's names with two pairs of
    one other record's name that this record's lacks, where the name goes on with its own
    ("cấp lại giấy phép xây dựng" of *Cấp lại giấy phép lái xe*: the building permit's "giấy
    phép xây dựng", not a driving licence). Where the name ends there ("đăng ký tạm trú cho bố
    mẹ"), or what follows is no other name's phrase ("hộ chiếu hết hạn"), it does not."""
    own = index.terms.get(record_id, set())
    goes_on = index.continued.get(record_id, set())
    words = fold(question).split()
    holders = index.pair_records()
    # (Not from what the name does, its first pair: "đăng ký | kết hôn" asked of *Đăng ký
    # nhận cha, mẹ, con* is said of the parents, beside what is asked.)
    deed = index.deeds.get(record_id, set())
    return any(
        f"{a} {b}" in own
        and f"{a} {b}" not in deed
        and b in goes_on
        and f"{b} {c}" not in own
        and f"{c} {d}" not in own
        and bool(holders.get(f"{b} {c}", set()) & holders.get(f"{c} {d}", set()))
        for a, b, c, d in zip(words, words[1:], words[2:], words[3:])
    )


def goes_on_to_another(
    typed: Sequence[str],
    shared: Sequence[str],
    index: NameIndex,
    record_id: str,
    synonyms: Dict[str, List[str]],
) -> bool:
    """Whether the question goes on from a rare pair the name goes on from with its own words,
    through a pair no name holds, to a rare pair of other records' names this name lacks: "thẻ
    bảo hiểm | xã hội" asked of the linked procedure issuing a "thẻ bảo hiểm | y tế". Not
    whom it is for ("cho người"), nor an everyday name's meaning the name is read as ("thẻ căn
    cước công dân", the meaning of "cccd")."""
    terms = index.terms.get(record_id, set())
    floor = index.min_evidence()
    rare = [term for term in shared if " " in term and index.weight(term) >= floor]
    for at, b, c, d in _continued(typed, rare, terms):
        a = typed[at]
        if (
            f"{b} {c}" not in index.frequency
            and f"{c} {d}" not in terms
            and index.weight(f"{c} {d}") >= floor
            and not {c, d} & (AGE_WORDS | PEOPLE_WORDS)
            # (Nor how any procedure is asked, "lần đầu", "giấy tờ".)
            and f"{c} {d}" not in SAID_OF_ANY
            and not any(
                record_id in index.meaning(phrases)
                for phrases in synonyms.values()
                if any(f" {a} {b} {c} {d} " in f" {phrase} " for phrase in phrases)
            )
        ):
            return True
    return False


def decide(
    scored: Sequence[Scored],
    min_evidence: float,
    **options: Any,
) -> Decision:
    """``decide_among`` (below), but a record the question goes on from to another record's
    thing (``Scored.another_thing``) is offered as the closest, not stated."""
    decision = decide_among(scored, min_evidence, **options)
    best = decision.best
    if decision.kind == "answer" and best is not None and best.another_thing:
        return Decision("unsure", [best], why=f"{decision.why}; another thing asked")
    return decision


def decide_among(
    scored: Sequence[Scored],
    min_evidence: float,
    *,
    margin: float = MARGIN,
    lead: float = LEAD,
    residual: float = RESIDUAL,
    rival_answers: bool = True,
    residual_choice: float = RESIDUAL_CHOICE,
    phrase_needed: bool = False,
    unknown: Union[bool, Collection[str]] = False,
    heads: bool = False,
    places: bool = False,
    english: bool = False,
    story: bool = False,
) -> Decision:
    """Answer, offer a choice, or nothing, from candidates scored by ``score``.

    Among the candidates whose evidence reaches ``min_evidence`` (kept in the search's order),
    the search's best is answered when the search puts it clearly ahead (score margin at least
    ``margin``) and no other candidate fits the words better (by a quarter of the lead), or when
    it fits the words
    better than every other by ``lead`` × ``min_evidence``. A candidate that fits the words far
    better than the search's best (twice that lead) is answered instead. Otherwise the two are
    offered ("did you mean A or B?").

    ``phrase_needed`` (procedures): a record sharing only one or two lone syllables with the
    question is offered, not answered. ``unknown``: the question holds words no catalogue knows
    (actions/vocabulary.py), so a choice becomes "not found exactly; the closest are".
    ``heads`` (procedures asked in Vietnamese, whose names begin with what the procedure does:
    "Đăng ký thành lập ..."): with ``unknown``, a record sharing only its name's first words
    (``Scored.head_only``) is not stated. ``places`` (the place catalogues, where a name says
    where): a record an everyday name made, asked with another province named
    (``Scored.beside``), is not stated.
    ``english`` (a question in English): of two offered, a rare pair of English words settles
    it (``_within``). ``story``: the candidates were found by a long question's rare words
    (``rare_words``): one pair of a name among words no catalogue knows is not stated.
    """
    eligible = [s for s in scored if s.evidence >= min_evidence]
    if any(s.age and _thing_shared(s) for s in eligible):
        # The question names an age some names are for ("căn cước cho con 10 tuổi"): not the
        # records for other ages. Not to elect a record sharing only how its ages are said
        # ("trợ cấp cho người già 80 tuổi": neither identity card).
        eligible = [s for s in eligible if s.age is not False]
    if not eligible:
        return Decision("none")
    decision = _settled(_decide(eligible, min_evidence, margin, lead, rival_answers), eligible)
    fitting = [s for s in decision.options if not s.other_level]
    if (
        decision.kind == "choose"
        and len(fitting) == 1 < len(decision.options)
        and all(_pairs_of(o) <= _pairs_of(fitting[0]) for o in decision.options)
    ):
        # "cấp 2 Bắc Sơn" of *Trường Tiểu học Bắc Sơn* and *Trường THCS Bắc Sơn*: the school
        # level asked says which, of two records the question names alike (not *Mầm non Đông
        # Thọ* for "mầm non Hàm Rồng" beside *Tiểu học Hàm Rồng*).
        decision = Decision("answer", fitting)
    if decision.kind == "choose" and all(s.other_level for s in decision.options):
        # Every record offered is for another school level than the one asked ("tuyển sinh
        # đại học": the grade-6 and grade-10 admissions): none of them is asked about.
        decision = Decision("unsure", decision.options, why=f"{decision.why}; other levels")
    if english:
        # English words are words: a rare pair of them settles more than Vietnamese syllables'
        # ("ca nhan" of "mã số thuế cá nhân" is no land registration for individuals).
        decision = _headed(_within(decision))
        if decision.options and all(_deed_only(s) for s in decision.options):
            # Only what the procedures do is shared ("transfer" of *School transfer ...* asked
            # "how do I transfer money", "exchange" of *Exchange of ...* asked "exchange
            # money"), nothing of what they are about: none of them (review R9).
            return Decision("none", why="deed only")
    best = decision.best
    if phrase_needed and decision.kind == "answer" and best is not None and not _phrase(best):
        # Only lone syllables shared ("mẹ", "con" of "Đăng ký nhận cha, mẹ, con"): the words
        # do not name this record; offer it (and the next), do not state it.
        decision = Decision(
            "choose", _with_next(best, eligible), why=f"{decision.why}; lone syllables"
        )
    if (
        heads
        and best is not None
        and best.candidate.kind == "procedure"
        and decision.kind in ("answer", "choose")
        and not any(_named_by_own(s) for s in decision.options)
    ):
        # No record offered shares a phrase of its own with the question, nor is named by an
        # everyday name: only what procedures do ("đăng ký"), lone syllables ("doanh" of "doanh
        # nghiệp", "con" of "con nuôi"), or a phrase said of another thing ("thuế | cá nhân").
        # What is asked is perhaps a procedure the catalogue lacks: "not found exactly; the
        # closest", never stated, nor "A or B?".
        return Decision(
            "unsure",
            decision.options if decision.kind == "choose" else _with_next(best, eligible),
            why=f"{decision.why}; no phrase of its own",
        )
    # A procedures' choice too: where the two share the very same words, "not found; the
    # closest" rather than "A or B?" (places keep their choice: a place and its event).
    procedure = best is not None and best.candidate.kind == "procedure"
    offered = (
        decision.options[1]
        if decision.kind == "choose" and len(decision.options) == 2 and procedure
        else None
    )
    twin = (
        # Of a re-issue and an exchange offered, what the question says of the paper settles
        # it (below), before any other record sharing the same words.
        offered
        if best is not None and offered is not None and _renewed(best, offered)
        else _twin(best, eligible)
        if decision.kind == "answer" or (decision.kind == "choose" and procedure)
        else None
    )
    renewed = _renewed(best, twin) if best is not None and twin is not None else None
    if renewed is not None:
        # A re-issue and an exchange of the same paper, the question saying it is lost: the
        # re-issue ("mất căn cước rồi làm lại", "lost her ID card ... a replacement"); out of
        # date, worn or wrong: the exchange ("bằng lái hết hạn", "my licence expires").
        decision, best, twin = Decision("answer", [renewed], why="renewal said"), renewed, None
    changed = _by_change(best, twin, unknown) if best is not None and twin is not None else None
    if changed is not None:
        # Of a record that makes a thing and one that changes it ("Đăng ký tạm trú", "Gia hạn
        # tạm trú"; "Đăng ký thành lập hộ kinh doanh", "... thay đổi nội dung ..."): the one
        # that changes it where the question asks a change ("chuyển địa điểm"), else the other.
        decision, best, twin = Decision("answer", [changed], why="change said"), changed, None
    if (
        decision.kind == "choose"
        and best is not None
        and best.first_asked
        and not best.changing
        and not best.changes
        and twin is None
        and all(s.changes for s in decision.options[1:])
    ):
        # Asked for the first time ("làm cccd lần đầu"), of a record making the paper and
        # one renewing or changing it (*Cấp lại thẻ căn cước*): the first.
        decision = Decision("answer", [best], why=f"{decision.why}; first time, not renewed")
    if (
        best is not None
        and best.first_asked
        and not best.changing
        and all(s.changes for s in ([best, twin] if twin is not None else decision.options))
    ):
        # Asked for the first time ("bằng lái lần đầu", "my first driving licence"), and every
        # record offered renews or changes one already issued: the catalogue lacks it.
        return Decision("none", why="first time asked, only renewals")
    made = _made_instead(best, twin, decision, eligible)
    if made:
        # Every record offered renews or changes a paper ("Cấp đổi thẻ căn cước", "Cấp lại thẻ
        # căn cước") and the question asks for none of that: no change, loss or expiry ("làm
        # căn cước ở đâu", "le phi lam cccd"). The records making that paper are what is asked:
        # the one, or the first two offered (the identity card for 14 and over, under 14).
        if len(made) == 1:
            return Decision("answer", made, why="made, not renewed")
        return Decision("choose", made[:2], why="made, not renewed")
    if best is not None and twin is not None:
        # Another record shares the very same words with the question ("đăng ký" and "lần
        # đầu" of the vehicle's and the land's first registration): the words do not say
        # which; where the question says more that neither name holds ("nghĩa vụ quân sự"),
        # perhaps neither.
        if len(best.left & twin.left) >= TWIN_LEFT:
            return Decision("unsure", [best, twin], why="twins, more left")
        decision = Decision("choose", [best, twin], why=f"{decision.why}; twins")
    if decision.kind == "answer" and best is not None and best.age and not _thing_shared(best):
        # Only how the name says whom it is for is shared ("trợ cấp cho người chưa đủ 18 tuổi"
        # of *Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên*): not this one.
        return Decision("unsure", _with_next(best, eligible), why="age words only")
    if decision.kind == "answer" and best is not None and best.other_level:
        # A procedure for another school level than the one asked about: not this one.
        return Decision("unsure", _with_next(best, eligible), why="other level")
    if decision.kind == "answer" and best is not None and best.foreign:
        # The question holds a phrase of another record's everyday names ("xe máy") that this
        # record's name neither holds nor means: it asks about another record, or one the
        # catalogue lacks ("sang tên xe máy"). Offer the closest, do not state it; or, where
        # one other record is named by them all ("tách sổ hộ khẩu": *Tách hộ*), that one.
        meant = [
            s for s in eligible if s is not best and not s.foreign and set(best.foreign) <= s.named
        ] or [
            # Or the one record those pairs' everyday names mean that the question names too
            # ("cccd bị ..." beside "sai ngày sinh": the ID card's exchange, named by "đổi thẻ").
            s
            for s in eligible
            if s is not best and not s.foreign and s.candidate.id in best.foreign_records
        ]
        # (Not a record done the first time for a thing had before: "đăng ký sang tên xe máy
        # cũ" names the vehicle's first registration by "đăng ký xe máy", and asks a transfer.)
        meant = [s for s in meant if not s.first_time]
        # (Nor one sharing nothing of its own but when, or those pairs: "đăng ký lần đầu xe ô
        # tô cũ nhập khẩu" names no first land registration by "lần đầu".)
        meant = [s for s in meant if not s.when_only]
        if len(meant) == 1:
            return Decision("answer", meant, why="foreign: the record named")
        return Decision("unsure", _with_next(best, eligible), why="foreign")
    if decision.kind == "answer" and best is not None and best.kind_of_another and places:
        # "đăng ký thi THPT quốc gia": the national exam, not *Vườn quốc gia Bến En*.
        return Decision("unsure", _with_next(best, eligible), why="kind of another thing")
    if decision.kind == "answer" and best is not None and best.beside and places:
        # "bệnh viện tỉnh Nghệ An", "trường chuyên Hà Nội": the everyday name fits, but the
        # question names another province (the everyday names of the province's places say
        # "Thanh Hóa" by themselves).
        return Decision("unsure", _with_next(best, eligible), why="beside")
    if decision.kind == "answer" and best is not None and _among(unknown, best.head_only) and heads:
        # Only what the record does is shared ("thành lập"), and the question holds a word no
        # catalogue knows ("công ty"): what it asks about is not this record's.
        return Decision("unsure", _with_next(best, eligible), why="head only")
    if decision.kind == "choose" and sum(s.not_yet for s in decision.options) == 1:
        # "nhận con khi bố mẹ chưa đăng ký kết hôn": of the two, not the marriage.
        asked = [s for s in decision.options if not s.not_yet]
        return Decision("answer", asked, why=f"{decision.why}; not yet")
    if decision.kind == "answer" and best is not None and best.not_yet:
        others = [s for s in eligible if s is not best and not s.not_yet]
        if others and others[0].named:
            # Another record its everyday name names ("nhận con"): that one.
            return Decision("answer", others[:1], why="not yet, the other named")
        if others:
            # "nhận con khi hai người chưa đăng ký kết hôn": not the marriage.
            return Decision("unsure", others[:1] + [best], why="not yet")
    if decision.kind == "answer" and best is not None and best.wanted_missing:
        # What the question asks to get ("có được trợ cấp không") is a thing this name does
        # not hold and another record's does ("con bị khuyết tật nặng có được trợ cấp không":
        # the allowance, not the disability certificate): offer that one first.
        holders = [
            s
            for s in scored  # among all the search found: a long name may share too little
            if s is not best
            and s.candidate.kind == best.candidate.kind
            and set(best.wanted_missing) & set(s.shared)
        ]
        return Decision(
            "choose" if holders else "unsure",
            [*holders[:1], best] if holders else _with_next(best, eligible),
            why="wanted, not in the name",
        )
    if decision.kind == "answer" and best is not None and best.again_of_first:
        # A copy asked, or a paper lost, of a record that makes it the first time ("copy of
        # my marriage certificate", "I lost my marriage certificate"): the copy or re-issue
        # record if the search found one, else not stated.
        again = [
            s
            for s in eligible
            if s is not best and _phrase(s) and (s.copy_name if s.copy_asked else s.renewal)
        ]
        if len(again) == 1:
            return Decision("answer", again, why="again: the copy or re-issue")
        return Decision("unsure", _with_next(best, eligible), why="again, of a first-time record")
    if decision.kind == "answer" and best is not None and best.renewal_of_part:
        # "cấp lại thẻ bảo hiểm y tế" of the linked procedure that issues the card with a birth
        # registration: the re-issue of the card is another procedure.
        return Decision("unsure", _with_next(best, eligible), why="renewal of a part")
    if decision.kind == "choose" and any(s.renewal_of_part for s in decision.options):
        # (Nor offered as "A or B?" beside another re-issue: "cấp lại thẻ bhyt".)
        return Decision("unsure", decision.options, why=f"{decision.why}; renewal of a part")
    if decision.kind == "answer" and best is not None and best.foreign_party:
        # "married to a foreigner": the domestic procedure is not the one with a foreign party.
        return Decision("unsure", _with_next(best, eligible), why="foreign party")
    if decision.kind == "answer" and best is not None and best.first_time:
        # "đổi biển số xe ô tô" of the first registration: a change is no first time.
        return Decision("unsure", _with_next(best, eligible), why="first time")
    if decision.kind == "choose" and any(s.first_time for s in decision.options):
        # "mất biển số xe máy làm lại ở đâu": the first registration or the driving licence's
        # re-issue? Neither: a plate had before is no first time, and the other record's words
        # did not win alone. The closest, the first-time record last.
        options = sorted(decision.options, key=lambda s: s.first_time)
        return Decision("unsure", options, why=f"{decision.why}; first time")
    if decision.kind == "answer" and best is not None and best.when_only:
        # Only "lần đầu" and common words shared ("đăng ký nghĩa vụ quân sự lần đầu"): when,
        # not what; the catalogue may lack what is asked.
        return Decision("unsure", _with_next(best, eligible), why="when only")
    if (
        decision.kind == "answer"
        and best is not None
        and heads
        and not isinstance(unknown, bool)
        and not best.named
        and (
            (story and len(set(unknown)) >= UNKNOWN_MANY and len(_pairs_of(best)) <= 1)
            # Asked in few words, only the pair shared, beside more words no catalogue knows.
            or (len(set(unknown)) > UNKNOWN_MANY and len(best.shared) == 1)
        )
    ):
        # One pair of the name shared ("thừa kế"), nothing an everyday name says, and more
        # words no catalogue knows ("rút tiền thừa kế sổ tiết kiệm ở ngân hàng"): what it
        # asks about is perhaps one the catalogue lacks. (Two such words suffice for a long
        # question found by a few of its words; in a short one, everyday words the
        # vocabulary lacks, "lấn", "mét", "đơn", are common.)
        return Decision("unsure", _with_next(best, eligible), why="one pair, words unknown")
    if decision.kind == "answer" and best is not None and _among(unknown, best.qualified):
        # "trợ cấp thất nghiệp" of *... trợ cấp hưu trí xã hội*: another kind of the thing.
        return Decision("unsure", _with_next(best, eligible), why="qualified")
    if decision.kind == "answer" and best is not None and best.kept_whom < CIRCUMSTANCE_KEPT:
        # Named only by whom the question is for ("người khuyết tật" of the disability
        # assessment, asked "trợ cấp xã hội cho người khuyết tật"): the one record an everyday
        # name of what is asked names, else not stated.
        meant = [
            s
            for s in eligible
            if s is not best
            and s.named
            and not s.foreign
            and s.kept_whom >= CIRCUMSTANCE_KEPT_OTHER
        ]
        if len(meant) == 1:
            return Decision("answer", meant, why="whom it is for")
    if (
        decision.kind == "answer"
        and best is not None
        and best.unexplained - best.kind_said >= residual * best.evidence
    ):
        # The question says as much again that this record's name does not: perhaps another
        # procedure, one the catalogue lacks. Offer it, do not state it.
        return Decision("unsure", _with_next(best, eligible), why="unexplained")
    holder = _holder(best, eligible) if decision.kind == "answer" else None
    if best is not None and holder is not None:
        decision = Decision("choose", [best, holder], why="holder")
    if decision.kind == "choose" and len(decision.options) == 2:
        # "cụ đang hưởng trợ cấp xã hội vừa mất, xin hỗ trợ tiền mai táng": one record owes
        # most of its words to the circumstance, the other most of its own: the other.
        low, high = sorted(decision.options, key=lambda s: s.kept)
        if low.kept < CIRCUMSTANCE_KEPT and high.kept >= CIRCUMSTANCE_KEPT_OTHER:
            return Decision("answer", [high], why=f"{decision.why}; circumstance")
        low, high = sorted(decision.options, key=lambda s: s.kept_whom)
        if (
            low.kept_whom < CIRCUMSTANCE_KEPT
            and high.kept_whom >= CIRCUMSTANCE_KEPT_OTHER
            and high.named
            and not high.foreign
        ):
            # One record named only by whom the question is for ("người khuyết tật" of the
            # disability assessment), the other by an everyday name of what is asked ("trợ cấp
            # xã hội cho người khuyết tật": the monthly allowance): the other.
            return Decision("answer", [high], why=f"{decision.why}; whom it is for")
    if (
        decision.kind == "choose"
        and procedure
        and all(s.foreign or not _phrase(s) for s in decision.options)
        and any(s.foreign for s in decision.options)
    ):
        # Neither would be stated alone: one is made by an everyday name while the question
        # holds another record's everyday phrase ("sang tên" of the land transfer beside "xe
        # máy"), the other shares lone syllables ("lại", "xe"): perhaps a record the
        # catalogue lacks (a motorbike's change of owner), not "A or B?".
        return Decision("unsure", decision.options, why=f"{decision.why}; neither would be said")
    if decision.kind == "choose" and all(
        s.unexplained >= residual_choice * s.evidence for s in decision.options
    ):
        # Neither name explains what the question says: not "A or B?" but "not found; the
        # closest are A and B".
        return Decision("unsure", decision.options, why=f"{decision.why}; neither explains")
    if decision.kind == "choose" and unknown:
        # The question holds a word no catalogue knows: perhaps a record the catalogue lacks.
        return Decision("unsure", decision.options, why=f"{decision.why}; unknown word")
    return decision


def headed_procedure(decision: Decision, index: NameIndex) -> bool:
    """Whether the decision answers with one procedure sharing a pair its name begins with,
    rare enough to be evidence alone, and leaving nothing of the question unexplained
    ("chuyển trường" of *Chuyển trường đối với học sinh trung học cơ sở*)."""
    best = decision.best
    return (
        decision.kind == "answer"
        and best is not None
        and best.candidate.kind == "procedure"
        and not best.unexplained
        and any(
            index.weight(term) >= index.min_evidence()
            for term in index.heads.get(best.candidate.id, set()) & set(best.shared)
        )
    )


def _among(unknown: Union[bool, Collection[str]], words: Sequence[str]) -> bool:
    """Whether ``words`` hold a word no catalogue knows: ``unknown`` is those of the question
    (folded), or only whether it holds any."""
    if not words:
        return False
    if isinstance(unknown, bool):
        return unknown
    return bool(set(words) & set(unknown))


def _pairs_of(scored: Scored) -> Set[str]:
    """The word pairs a record shares with the question, less those naming a school level."""
    levels = {name for names in LEVELS.values() for name in names}
    return {term for term in scored.shared if " " in term and term not in levels}


def _settled(decision: Decision, eligible: Sequence[Scored]) -> Decision:
    """Procedures the words settle between: of a record and the one that changes it, the first
    where no change is asked ("đăng ký hộ kinh doanh": *Đăng ký thành lập hộ kinh doanh*, not
    *Đăng ký thay đổi nội dung ...*); of two offered, the one whose own pair an everyday name
    read as the other's ("tách hộ khẩu": *Tách hộ*, not *Đăng ký thường trú* read from "hộ
    khẩu")."""
    best = decision.best
    if best is None or best.candidate.kind != "procedure" or decision.kind == "none":
        return decision
    if best.changing and not best.changes and not best.loss and not best.expiry:
        # A change asked of a record that makes the thing ("chuyển cửa hàng sang địa chỉ mới
        # ... giấy phép kinh doanh hộ": *Đăng ký thành lập hộ kinh doanh*): the one record
        # changing what it makes (*Đăng ký thay đổi nội dung đăng ký hộ kinh doanh*); not a
        # re-issue, for a paper lost.
        changing = [
            s
            for s in eligible
            if s.changes
            and s.change_kinds & best.kinds_asked
            and s.renewal != "reissue"
            and s.thing_said
            and s.candidate.kind == "procedure"
            # (Or its words as typed, two or more: an everyday name's phrase, "giấy phép kinh
            # doanh" read as *Đăng ký thành lập hộ kinh doanh*, says what it makes, not what is
            # changed; one word, "registration" of "household registration", says too little.)
            and (best.said <= s.words or (len(best.typed_said) >= 2 and best.typed_said <= s.words))
        ]
        if len(changing) == 1:
            return Decision("answer", changing, why="changed, not made")
    # The records that change something the question names, and those that make it.
    changed = [s for s in decision.options if s.change]
    options = decision.options if decision.kind == "choose" else eligible
    if decision.kind == "choose" and len(changed) == len(decision.options):
        # Every option changes or renews a thing the question asks to have made ("con 10 tuổi
        # làm căn cước được ko": not the exchange, nor the re-issue): the record that makes it
        # for the age asked. Without an age the choice stays ("cấp giấy phép": the driving
        # licence's, not the one other record that makes a permit).
        fitting = [s for s in eligible if s.age]
        if fitting:
            options = fitting
    made = [
        s
        for s in options
        if not s.change
        and s.candidate.kind == "procedure"
        and any(o.said <= s.words for o in changed if o.thing_said)
    ]
    if changed and len(made) == 1:
        return Decision("answer", made, why="made, not changed")
    # What the changing record shares, less the words that say its change ("lại" of "đi lại").
    plain = {fold(word) for word in CHANGE_WORDS}
    made = [
        s
        for s in options
        if not s.change
        and s.candidate.kind == "procedure"
        and any(o.said - plain <= s.words for o in changed if o.thing_said)
    ]
    if decision.kind == "answer" and changed and len(made) > 1:
        # No change asked of a record that changes a thing two records make ("căn cước có
        # mất công đi lại": the ID card's re-issue by "lại" of "đi lại"; the cards for 14+ and
        # under 14): which of those, not the change.
        return Decision("choose", sorted(made, key=lambda s: -s.fit)[:2], why="made by two")
    if decision.kind == "choose" and len(decision.options) == 2:
        top, rival = decision.options
        if set(rival.foreign) & set(top.shared) and not top.foreign:
            return Decision("answer", [top], why="foreign rival")
        if set(top.foreign) & set(rival.shared) and not rival.foreign:
            return Decision("answer", [rival], why="foreign top")
        for one, other in ((top, rival), (rival, top)):
            if set(one.foreign) & other.named and one.named <= other.named and not other.foreign:
                # The other record's everyday name, whole, read from the question ("photo
                # công chứng" of the copy certification, "tách sổ hộ khẩu" of *Tách hộ*), and
                # this one named by nothing more ("công chứng", "hộ khẩu"): the other.
                return Decision("answer", [other], why="foreign, the other named")
        copies = [s for s in (top, rival) if s.copy_name and not s.copy_asked]
        if len(copies) == 1:
            other = rival if copies[0] is top else top
            # (Named by more than the copy: "công chứng" names both certifications.)
            if other.named - copies[0].named and not other.foreign:
                # A copy of a paper no copy of which is asked ("giấy khai sinh mất ... muốn
                # khai sinh lại"), beside a record an everyday name of the question names:
                # that one.
                return Decision("answer", [other], why="no copy asked, the other named")
        changed = _by_change(top, rival)
        changing, making = (top, rival) if top.changes else (rival, top)
        if (
            changed is making
            and not making.changing
            and making.said
            and making.said <= changing.words
        ):
            # Offered as close, a record and the one changing the same thing (the first's
            # words the second's name holds all), no change asked: the record that makes it
            # ("tạm trú làm ở đâu": *Đăng ký tạm trú*). Not the other way: a change read from
            # folded everyday words ("thấy", "đợi", "Cát"; review R1) stays a choice here.
            return Decision("answer", [making], why="no change asked, offered")
    return decision


def _renewed(best: Scored, twin: Scored) -> Optional[Scored]:
    """Of a re-issue and an exchange of the same paper, the re-issue where a loss is said, the
    exchange where the paper is said to be out of date, worn or wrong (and no loss)."""
    if {best.renewal, twin.renewal} != {"reissue", "exchange"}:
        return None
    if not {t for t in best.shared if " " in t} & set(twin.shared):
        return None  # not the same paper
    if best.loss or twin.loss:
        return best if best.renewal == "reissue" else twin
    if best.expiry:
        return best if best.renewal == "exchange" else twin
    return None


# The words a procedure's name begins with saying what it does ("cấp", "cấp đổi", "đăng ký").
DOING_WORDS = frozenset({fold(word) for word in CHANGE_WORDS} | {"cap", "dang", "ky"})
# Words asking to have a paper made, no more ("làm căn cước", "xin cccd", "get an ID card").
MAKING_WORDS = frozenset({"lam", "xin", "cap", "muon", "get", "make", "apply", "for", "an", "a"})
ASKING_FOLDED = frozenset(fold(word) for word in ASKING_WORDS)
# A word without vowels is an abbreviation of a name's words ("cccd", "gplx"), not more said.
VOWELS = frozenset("aeiouy")


def _thing_words(index: "NameIndex", name: str) -> FrozenSet[str]:
    """The weighty words of what a name is about: before its parenthesis, after the words it
    begins with saying what the procedure does ("thẻ căn cước" of *Cấp đổi thẻ căn cước (...)*,
    *Cấp thẻ căn cước cho ...*)."""
    folded = [index._spelled(word) for _, word in _tokens(name.split("(")[0])]
    while folded and folded[0] in DOING_WORDS:
        folded.pop(0)
    return frozenset(word for word in folded if index.weight(word) > 0)


def _made_instead(
    best: Optional[Scored], twin: Optional[Scored], decision: Decision, eligible: Sequence[Scored]
) -> List[Scored]:
    """The records making the paper that every record offered renews or changes, where the
    question asks for no change, loss or expiry of it: those sharing the offered records' words
    of the paper, in the search's order. Empty where any of that does not hold."""
    offered = [best, twin] if best is not None and twin is not None else list(decision.options)
    if len(offered) < 2 or decision.kind == "answer" and twin is None:
        return []
    if not all(s.changes and s.thing and s.candidate.kind == "procedure" for s in offered):
        return []
    if any(s.changing or s.loss or s.expiry for s in offered):
        return []
    said_else = {
        word
        for word in offered[0].left
        if word not in MAKING_WORDS and fold(word) not in ASKING_FOLDED and set(word) & VOWELS
    }
    if said_else:
        # The question says more of the paper than making it and how it asks ("căn cước sai
        # ngày sinh"): perhaps why it is to be renewed; not the records making it.
        return []
    paper = set.intersection(*(set(s.shared) for s in offered))
    return [
        s
        for s in eligible
        if s not in offered
        and not s.changes
        and s.candidate.kind == "procedure"
        and paper <= set(s.shared)
        and paper
        # The same thing made ("thẻ căn cước"), not another of its kind: "cấp giấy phép" of
        # *Cấp lại giấy phép lái xe* is no construction permit made.
        and all(o.thing <= s.thing for o in offered)
        and s.age is not False
    ]


def _by_change(
    best: Scored, twin: Scored, unknown: Union[bool, Collection[str]] = ()
) -> Optional[Scored]:
    """Of two records, one whose name says it changes, renews or ends something and one whose
    name does not, the one the question asks for: a change asked, the first; else the other.
    None where both or neither change, or they are of different things."""
    if best.changes == twin.changes or best.candidate.kind != twin.candidate.kind:
        return None
    if not set(best.shared) & set(twin.shared):
        return None
    picked = best if best.changes == best.changing else twin
    if picked.changes and not picked.change_kinds & picked.kinds_asked:
        # Another change than the name's ("đổi chỗ ở" of *Xóa đăng ký tạm trú*).
        return None
    if not picked.changes and _among(unknown, sorted(picked.left)):
        # No change said, but a word no catalogue knows beside the thing ("tạm ngừng hộ kinh
        # doanh"): perhaps a change the catalogue lacks, not the record making the thing.
        return None
    if picked.changes and picked.renewal == "reissue" and not picked.loss:
        # A re-issue or re-registration is for a paper lost, not one to correct ("sửa").
        return None
    if picked.renewal == "exchange" and picked.loss:
        # A paper lost is re-issued, not exchanged.
        return None
    return picked


def _within(decision: Decision) -> Decision:
    """Of two records offered, the one a rare pair of its own names, where the other shares
    only words of that pair ("household business": *Household business registration*, not a
    name holding "household" alone), or where the other leaves as much unexplained as it
    shares: the words settle it."""
    if decision.kind != "choose" or len(decision.options) != 2:
        return decision
    for top, rival in (decision.options, decision.options[::-1]):
        pair_words = {word for term in top.strong for word in term.split()}
        if top.strong and not (rival.strong or rival.named) and rival.said <= pair_words:
            return Decision("answer", [top])
        if (
            (top.strong or top.named)
            and top.unexplained < RESIDUAL_CHOICE * top.evidence
            and rival.unexplained >= RESIDUAL * rival.evidence
        ):
            # One name explains most of what the question says; the other leaves as much
            # again unexplained as it shares (it would not be answered alone): the first.
            return Decision("answer", [top])
    return decision


def _deed_only(scored: Scored) -> bool:
    """Whether a procedure shares with an English question only words of what it does
    (``DEED_WORDS``), and no everyday name reads the question as it."""
    # (Not the short words English and the Vietnamese names share: "can" of "căn cước".)
    said = {word for word in scored.said if not (word in EN_WORDS and len(word) <= 3)}
    return (
        scored.candidate.kind == "procedure"
        and not scored.named
        and bool(said)
        and said <= DEED_WORDS
    )


def modified_in_english(question: str, scored: Scored, unknown: Collection[str]) -> bool:
    """Whether an English question says a word of the record's name right before a word no
    catalogue knows that is no verb form: a noun that word qualifies, and the question is
    about that other thing ("passport photos", "id card holder"; not "passport renewed",
    "passports are issued"). English qualifies a noun before it."""
    typed = words_of_text(question)
    return any(
        (word in scored.said or word[:-1] in scored.said)
        and after in unknown
        and not after.endswith(("ed", "ing"))
        for word, after in zip(typed, typed[1:])
    )


# What may happen to a paper that a record is for (a loss, damage), though no catalogue knows
# the word: no other deed asked ("I lost my passport", "my ID card got damaged").
BEFALLING = {
    *LOSS_ASKED, "damaged", "broken", "torn", "burnt", "burned", "misplaced", "forgot",
    "forgotten", "wet", "ruined", "faded",
}
# Verbs of having something done to a paper by others ("get my certificate translated").
CAUSATIVE = {"get", "gets", "got", "getting", "have", "has", "had", "having", "need", "needs",
             "want", "wants"}
# The words between a verb and the paper it is done to ("translate my birth certificate").
BEFORE_PAPER = {"my", "our", "his", "her", "their", "your", "the", "a", "an", "this", "that"}


def undone_deed(question: str, scored: Scored, unknown: Collection[str]) -> bool:
    """Whether an English question does to the record's paper something no catalogue knows:
    a verb form after it ("get my death certificate translated", "the card laminated"), a verb
    before it ("translate my birth certificate"), or a deed's noun with "of" ("a translation of
    my diploma"); not a loss or damage (``BEFALLING``). The catalogue lacks that deed: the
    record's own is not what is asked."""
    typed = words_of_text(question)
    paper = {
        at
        for at, word in enumerate(typed)
        if word in scored.said or word[:-1] in scored.said
    }
    if not paper:
        return False

    def deed(word: str) -> bool:
        return word in unknown and word not in BEFALLING and len(word) > 3

    for at, word in enumerate(typed):
        if not deed(word):
            continue
        after = typed[at + 1 : at + 4]
        if (
            word.endswith("ed")
            and any(at - step in paper for step in (1, 2))
            and set(typed[max(0, at - 6) : at]) & CAUSATIVE
        ):
            return True  # "get my death certificate translated" (not "... based on")
        if after and after[0] in BEFORE_PAPER and any(at + 1 + k in paper for k in (1, 2, 3)):
            return True  # "translate my birth certificate"
        if after and after[0] == "of" and any(at + 1 + k in paper for k in (1, 2, 3)):
            return True  # "a translation of my diploma"
    return False


# English verbs of asking to do a procedure (folded): getting or applying for a paper, having it
# issued, renewed or updated, what one needs ("needs a certificate of single status").
PROCEDURE_VERBS = frozenset(
    """get gets getting got apply applies applying applied obtain obtaining issue issued
    issuing renew renewing renewed update updating updated need needs needed request
    requesting register registering registered certify certified certifying notarize
    notarized notarise notarised""".split()
)


# Of those, the verbs of doing one (not of needing a paper: "do I need a passport to fly"),
# and the words that may stand between such a verb and the thing it is done to ("apply for my
# passport", "renew the passport").
DOING_VERBS = PROCEDURE_VERBS - {"need", "needs", "needed"}
VERB_TO_THING = {"for", "a", "an", "the", "my", "our", "his", "her", "their", "your", "new"}


def _done_to_thing(question: str, scored: Scored, unknown: Collection[str]) -> bool:
    """Whether the question does a procedure to what the record is about, its name's thing
    said right after a verb of doing one ("can my wife apply for my passport"; not "get
    passport photos", another thing it qualifies)."""
    if not scored.thing_said or modified_in_english(question, scored, unknown):
        return False
    typed = words_of_text(question)
    for at, word in enumerate(typed):
        if word not in DOING_VERBS:
            continue
        for after in typed[at + 1 : at + 4]:
            if after in scored.said or after[:-1] in scored.said:
                return True
            if after not in VERB_TO_THING:
                break
    return False


def names_procedure(question: str, scored: Scored, unknown: Collection[str] = ()) -> bool:
    """Whether an English question names this procedure by words of its own: a rare pair of
    its name ("criminal record"), an everyday name of several words ("single status", "police
    clearance"), what it does to what, its name's first words ("signature certified" of
    *Certification of signatures*), or its thing done with a verb ("apply for my passport")."""
    return scored.candidate.kind == "procedure" and bool(
        scored.strong
        or scored.named
        or scored.deed_said
        or _done_to_thing(question, scored, unknown)
    )


def asks_named_procedure(question: str, decision: Decision, unknown: Collection[str] = ()) -> bool:
    """Whether an English question asks to do a procedure its words name: a verb of getting or
    doing one (``PROCEDURE_VERBS``), and the procedures' catalogue answering with one record,
    or offering two, each named by words of its own (``names_procedure``). Such a question is
    within what the assistant answers, whatever the classifier says ("my girlfriend needs a
    certificate of single status", "how do I get my signature certified"); the weather,
    football or what a thing costs name no procedure so. ``unknown``: the question's words
    no catalogue knows."""
    if not in_english(question) or not set(words_of_text(question)) & PROCEDURE_VERBS:
        return False
    if decision.kind == "answer":
        offered = decision.options[:1]
    elif decision.kind == "choose":
        offered = decision.options[:2]
    else:
        return False
    return bool(offered) and all(names_procedure(question, s, unknown) for s in offered)


def _headed(decision: Decision) -> Decision:
    """Of two procedures offered to an English question, the one whose name's first words (what
    it does to what: "Certification of copies") the question says, where the other's it does
    not ("Issuance of copies ...", asked "copies of my diploma certified"); not between a record
    and one changing a thing (``_settled`` and ``_by_change`` weigh what is asked there)."""
    if decision.kind != "choose" or len(decision.options) != 2:
        return decision
    first, second = decision.options
    headed = [s for s in decision.options if s.deed_said]
    if (
        len(headed) == 1
        and first.changes == second.changes
        and all(s.candidate.kind == "procedure" for s in decision.options)
    ):
        return Decision("answer", headed, why=f"{decision.why}; head said")
    return decision


def _twin(best: Optional[Scored], eligible: Sequence[Scored]) -> Optional[Scored]:
    """Another record sharing exactly the words the best one shares, while each name adds
    words the other lacks and the question does not say (not "đăng ký tạm trú" of *Xóa đăng
    ký tạm trú*, nor "làm khai sinh" of *Đăng ký lại khai sinh*: one name holds the other)."""
    if best is None or not best.shared or not best.unsaid:
        return None
    twins = [
        other
        for other in eligible
        if other is not best
        # Of the same kind: the festival named after the beach it is held at is no twin of
        # the beach ("biển Sầm Sơn giá vé"; venue_first chooses between them).
        and other.candidate.kind == best.candidate.kind
        and set(other.shared) == set(best.shared)
        and other.unsaid - best.unsaid
        and best.unsaid - other.unsaid
    ]
    return max(twins, key=lambda s: s.fit) if twins else None


def _holder(best: Optional[Scored], eligible: Sequence[Scored]) -> Optional[Scored]:
    """Another record whose name holds a rare pair of the question apart from the words the
    best one shares ("tách hộ khẩu": *Tách hộ* beside *Đăng ký thường trú*, read from "hộ
    khẩu"; not "giấy khai" beside "khai sinh"): the words do not settle it; offer both."""
    if best is None:
        return None
    said = {word for term in best.shared for word in term.split()}
    for other in eligible:
        # "lần đầu" says when, not what: the vehicle's and the land's first registration hold
        # it, and "lần đầu đăng ký kết hôn" is still the marriage.
        # The district the best one lies in ("hang Từ Thức ở Nga Sơn") says where it is.
        extra = set(other.strong) - set(best.shared) - best.named - FIRST_TIME - best.district
        if other.copy_name and not other.copy_asked:
            # The paper the question names ("giấy khai sinh ghi sai"), not a copy of it.
            continue
        if other.first_time:
            # A record done the first time, where a change is asked ("inherited a plot ... the
            # red book" of the first land registration): no rival of the record changing it.
            continue
        if other is not best and any(not set(term.split()) & said for term in extra):
            return other
    return None


def venue_first(decision: Decision, scored: Sequence[Scored]) -> Decision:
    """An event answered or offered where an attraction's name explains the question as well
    as any option ("Lam Kinh", "Lê Hoàn Temple events", "Pù Luông: any events?"): the place,
    whose answers carry its upcoming events. A question naming the festival ("lễ hội Lam
    Kinh") shares more with the event, which stays."""
    if decision.kind not in ("answer", "choose"):
        return decision
    if not any(s.candidate.kind == "event" for s in decision.options):
        return decision
    top = max(s.evidence for s in decision.options)
    venues = [s for s in scored if s.candidate.kind == "attraction" and s.evidence >= top]
    return Decision("answer", venues[:1]) if venues else decision


def localities(indexes: Dict[str, NameIndex]) -> Set[str]:
    """Word pairs the names of ``LOCALITY_CATALOGUES`` catalogues or more hold: the province's
    and its towns' names ("Thanh Hóa": hospitals, schools, the museum), computed from the
    names like the rarities."""
    held: Counter = Counter()
    for index in indexes.values():
        held.update(term for term in index.frequency if " " in term)
    return {term for term, catalogues in held.items() if catalogues >= LOCALITY_CATALOGUES}


def only_place_names(scored: Scored, index: NameIndex) -> bool:
    """Whether the words a record shares with the question are only place names several
    catalogues hold ("Thanh Hóa" of *Bảo tàng tỉnh Thanh Hóa*): they say where, not which."""
    said = [term for term in scored.shared if index.weight(term) > 0]
    # A pair of a place name's word and a word of the language ("in Sầm" of *A weekend in Sầm
    # Sơn*) says where too; a letter alone ("s" of "driver's") says nothing. (Not "ở Sầm" of
    # *Cuối tuần ở Sầm Sơn*: read as where, the itinerary asked as "lịch trình 2 ngày ở Sầm Sơn"
    # was dropped and the Sầm Sơn festival stated; review R4 of session 9.)
    where = {word for term in index.localities for word in term.split()} | index.language_words
    return bool(said) and all(
        term in index.localities or set(term.split()) <= where or len(term) == 1 for term in said
    )


def pair_beyond_place_names(scored: Scored, index: NameIndex) -> bool:
    """Whether a record reaching the catalogue's evidence shares a word pair of its name that
    is no place name several catalogues hold and holds no word of the language ("tạm trú",
    "tour guide"; not "Thanh Hóa", nor "permit for" of "work permit for a teacher")."""
    language = index.language_words | function_words(index)
    return scored.evidence >= index.min_evidence() and any(
        " " in term
        and term not in index.localities
        and not set(term.split()) & language
        and index.weight(term) > 0
        for term in scored.shared
    )


def beyond_place_names(scored: Sequence[Scored], index: NameIndex) -> List[Scored]:
    """The candidates less those sharing only place names (``only_place_names``), where another
    is named by words of its own: "Pù Luông ở đâu, đi từ tp Thanh Hóa" is about Pù Luông, not
    *Bảo tàng tỉnh Thanh Hóa*."""
    min_evidence = index.min_evidence()
    own = [
        s
        for s in scored
        if s.evidence >= min_evidence
        and (
            s.named
            or any(
                " " in term and term not in index.localities and term not in s.district
                for term in s.shared
            )
        )
    ]
    if not own:
        return list(scored)
    # Nor is a record named only by the district another named record lies in ("chuyển về
    # Hoằng Hóa, xin vào tiểu học Bút Sơn": *THPT Hoằng Hóa 4* beside the Bút Sơn school).
    return [
        s
        for s in scored
        if not only_place_names(s, index)
        and not any(
            other is not s
            and all(t in other.district for t in s.shared if index.weight(t) > 0 and " " in t)
            and any(" " in t for t in s.shared)
            and not any(" " not in t and index.weight(t) >= min_evidence for t in s.shared)
            for other in own
        )
    ]


def kind_words(markers: Collection[str]) -> Set[str]:
    """The words of a kind's marker phrases ("lễ hội", "temple festival": le, hoi, temple,
    festival), computed from the names (``domain_markers``)."""
    return {word for term in markers for word in term.split()}


def _own_pair(scored: Scored, kind: Collection[str]) -> bool:
    """Whether the words shared with the record's name hold a pair of its own, not of the kind
    words every name of its kind holds ("lễ hội"), or an everyday name of it."""
    return bool(scored.named) or any(
        " " in term and not set(term.split()) <= set(kind) for term in scored.shared
    )


def only_specialty(
    scored: Scored, question: str, index: NameIndex, synonyms: Dict[str, List[str]]
) -> bool:
    """Whether the record is named only by everyday names of part of its name, what it treats
    ("có bầu", "pregnant" read as "phụ sản", "obstetrics"): the question's own words do not
    single it out, and no everyday name found means the whole name ("viện sản", "cancer
    hospital"). Such words say whom the question is about, not which record."""
    record_id = scored.candidate.id
    if index.evidence(question, record_id)[0] >= index.min_evidence():
        return False
    whole = {fold(name) for name in index.names.get(record_id, ())}
    found = synonym_keys(question, synonyms)
    return bool(found) and not any(
        phrase in whole for key in found for phrase in synonyms.get(key, ())
    )


def named_event(scored: List[Scored], index: NameIndex, kind: Collection[str]) -> Decision:
    """Of the tourism candidates, the event the words name best: by a pair of its own name
    (``_own_pair``: "Sòng Sơn", not "lễ hội" and the lone syllable "Sơn" of Nga Sơn), singling
    it out (``min_evidence``); two as good: a choice; else none (the events held where the
    question says, or the place's own)."""
    events = sorted(
        (
            s
            for s in scored
            if s.candidate.kind == "event"
            and s.evidence >= index.min_evidence()
            and _own_pair(s, kind)
        ),
        key=lambda s: s.evidence,
        reverse=True,
    )
    if len(events) > 1 and events[1].evidence >= events[0].evidence:
        return Decision("choose", events[:2])
    return Decision("answer", events[:1]) if events else Decision("none")


def venue_named(scored: Sequence[Scored], index: NameIndex) -> Optional[Scored]:
    """The attraction a festival question names by words of its own ("núi Nưa", "Hàm Rồng"),
    not only by place names several catalogues hold ("Sầm Sơn"): the place whose upcoming
    events answer it."""
    places = [
        s
        for s in scored
        if s.candidate.kind == "attraction"
        and s.evidence >= index.min_evidence()
        and not only_place_names(s, index)
        and (s.named or any(" " in t and t not in index.localities for t in s.shared))
    ]
    return max(places, key=lambda s: s.evidence) if places else None


def phrased(decisions: Dict[str, Decision]) -> Dict[str, Decision]:
    """The catalogues' decisions less those whose best record shares only lone syllables with
    a Vietnamese question ("cuoi" of "ra ở riêng sau khi cưới" and *Cuối tuần ở Sầm Sơn*),
    where another catalogue's best shares a phrase of its name ("tách khẩu"): no rival."""
    found = {
        domain: decision
        for domain, decision in decisions.items()
        if decision.kind != "none" and decision.best is not None and _phrase(decision.best)
    }
    if not found:
        return decisions
    return {
        domain: decision
        for domain, decision in decisions.items()
        if domain in found or decision.kind == "none" or decision.best is None
    }


def _thing_shared(scored: Scored) -> bool:
    """Whether the words shared with the record's name hold a phrase besides the words that
    say whom it is for (``AGE_WORDS``): "căn cước" of "căn cước cho con 10 tuổi"."""
    return any(
        (" " in term or len(term) >= LONG_WORD) and not AGE_WORDS & set(term.split())
        for term in scored.shared
    )


def _named_by_own(scored: Scored) -> bool:
    """Whether the question names the record: a phrase of its own (``Scored.own``), an
    everyday name, or ``LONE_WORDS`` of its lone syllables ("chuyển đất lúa sang trồng cây")."""
    lone = [t for t in scored.shared if " " not in t and t not in scored.asking]
    return bool(scored.own or scored.named) or len(lone) >= LONE_WORDS


def _phrase(scored: Scored) -> bool:
    """Whether the words shared with the record's name hold a phrase (a word pair, or a word
    too long to be one Vietnamese syllable) or ``LONE_WORDS`` lone syllables, not one or two."""
    return len(scored.shared) - len(scored.asking) >= LONE_WORDS or any(
        " " in term or len(term) >= LONG_WORD for term in scored.shared
    )


def _decide(
    eligible: Sequence[Scored], min_evidence: float, margin: float, lead: float, rival_answers: bool
) -> Decision:
    top, others = eligible[0], eligible[1:]
    if not others:
        return Decision("answer", [top], why="alone")
    rival = max(others, key=lambda s: s.fit)
    needed = lead * min_evidence
    search_margin = top.candidate.margin
    if search_margin is not None and search_margin >= margin and rival.fit - top.fit < needed / 4:
        return Decision("answer", [top], why="search margin")
    if top.fit - rival.fit >= needed and not _alike(top, rival, search_margin, margin):
        return Decision("answer", [top], why="word lead")
    if rival_answers and rival.fit - top.fit >= 2 * needed:
        return Decision("answer", [rival], why="rival fits")
    if rival.fit - top.fit >= RIVAL_FAR * needed and rival.evidence >= 2 * top.evidence:
        # Far ahead in the words, however the search ranks it ("hỗ trợ tiền mai táng").
        return Decision("answer", [rival], why="rival far")
    if (
        rival.fit - top.fit >= 2 * needed
        and not rival.unexplained
        and top.unexplained >= RESIDUAL * top.evidence
    ):
        # Ahead in the words, and its name explains all the question says in this catalogue's
        # words while the search's first leaves as much again unexplained ("làm khai sinh,
        # nhập hộ khẩu với thẻ bhyt cho bé một lần": the linked birth, residence and health
        # insurance procedure, not the residence alone).
        return Decision("answer", [rival], why="rival explains")
    return Decision("choose", [top, rival], why="close")


def _alike(top: Scored, rival: Scored, search_margin: Optional[float], margin: float) -> bool:
    """Whether the question holds only words both names share, none of what tells them apart
    ("đăng ký hộ kinh doanh" of *Đăng ký thành lập hộ kinh doanh* and *Đăng ký thay đổi nội
    dung đăng ký hộ kinh doanh*), while each name adds words the question lacks, and the
    search does not put one clearly ahead: a better word fit alone does not settle it."""
    if search_margin is not None and search_margin >= margin:
        return False
    return (
        not top.said - rival.words
        and not rival.said - top.words
        and bool(top.words - rival.words)
        and bool(rival.words - top.words)
    )


# Words that say which catalogue a question is about: how records of one catalogue begin or
# (in English) end their names ("Bệnh viện ...", "Trường THPT ...", "Lễ hội ...", "... Hospital"),
# found in at least MARKER_SHARE of that catalogue's records and in at most MARKER_ELSEWHERE
# of every other's names. Computed from the names, like the rarities; single words need
# MARKER_MIN_LETTERS ("cấp" begins procedures and is also "cấp 2", a school level).
MARKER_SHARE = 0.1
MARKER_ELSEWHERE = 0.07
MARKER_MIN_LETTERS = 5
# The abbreviations of those kind words that people type (the API's search knows them too).
KIND_ABBREVIATIONS = {
    "bv": "benh vien",
    "bvdk": "benh vien da khoa",
    "tyt": "tram y te",
    "ttyt": "trung tam y te",
    "thpt": "truong thpt",
    "thcs": "truong thcs",
    "fest": "festival",
}
# How people name school levels ("cấp 2" is lower secondary): the names say THCS.
SCHOOL_LEVELS = {
    "cap 1": "truong tieu hoc",
    "cap 2": "truong thcs",
    "cap 3": "truong thpt",
    # as typed in a chat ("trường c3 Hàm Rồng"; not "C1" alone, a driving licence's class)
    "truong c1": "truong tieu hoc",
    "truong c2": "truong thcs",
    "truong c3": "truong thpt",
}


def _ends(names: Sequence[str]) -> Set[str]:
    """The first one to three words of the Vietnamese name and the last one or two of the
    others (folded)."""
    ends: Set[str] = set()
    for position, name in enumerate(names):
        found = fold_name(name).split()
        if not found:
            continue
        if position == 0:
            ends.update(" ".join(found[:n]) for n in (1, 2, 3))
        else:
            ends.update(" ".join(found[-n:]) for n in (1, 2))
    return {end for end in ends if " " in end or len(end) >= MARKER_MIN_LETTERS}


def domain_markers(indexes: Dict[str, NameIndex]) -> Dict[str, Set[str]]:
    """Per catalogue, the kind words of its records' names that the other catalogues lack."""
    found: Dict[str, Set[str]] = {}
    for domain, index in indexes.items():
        counts: Counter = Counter()
        for record_names in index.names.values():
            counts.update(_ends(record_names))
        own = {
            term for term, held in counts.items() if held >= 2 and held >= MARKER_SHARE * index.size
        }
        for other, other_index in indexes.items():
            if other != domain:
                limit = MARKER_ELSEWHERE * other_index.size
                own = {term for term in own if other_index.frequency.get(term, 0) <= limit}
        found[domain] = own
    return found


# The abbreviations above as written out, for reading a question's words against the names.
KIND_WORDS = {
    "bv": "bệnh viện",
    "bvdk": "bệnh viện đa khoa",
    "tyt": "trạm y tế",
    "ttyt": "trung tâm y tế",
}


def accents_mended(question: str, index: NameIndex, known: Collection[str]) -> str:
    """A question typed with accents whose syllable no text the assistant knows holds as
    written ("só"), beside a word a name writes as typed with which, folded, it makes a pair of
    that name ("biển só": "biển số"), with the syllable written as the name writes it: one
    accent mistyped. So is a syllable typed without its accents beside a word the name writes
    as typed with its own ("bảo tang": "bảo tàng"; two unaccented neighbours already pair
    whatever the accents). Any other question as typed (``known``: the words known as
    written)."""
    tokens = _tokens(question)
    if not any(word != folded for word, folded in tokens):
        return question
    pairs = index.accented_pairs()
    mended: Dict[int, str] = {}
    for at, (word, folded) in enumerate(tokens):
        bare = word == folded
        if (word in known and not bare) or not word.isalpha():
            continue
        for other, first in ((at - 1, False), (at + 1, True)):
            if not 0 <= other < len(tokens):
                continue
            neighbour, neighbour_folded = tokens[other]
            if bare and neighbour == neighbour_folded:
                continue
            key = f"{folded} {neighbour_folded}" if first else f"{neighbour_folded} {folded}"
            spelled = pairs.get(key)
            if spelled is None:
                continue
            own, theirs = spelled if first else spelled[::-1]
            if theirs == neighbour and own != word:
                mended[at] = own
                break
    if not mended:
        return question
    return _words_replaced(unpossessed(unicodedata.normalize("NFC", question)), mended)


def _words_replaced(text: str, replaced: Dict[int, str]) -> str:
    """``text`` with its words at the given positions (counted as ``_tokens`` counts them)
    replaced, everything else as typed."""
    count = [0]

    def word(match: "re.Match[str]") -> str:
        if not fold(match.group(0)):
            return match.group(0)  # no token of ``_tokens``
        at, count[0] = count[0], count[0] + 1
        return replaced.get(at, match.group(0))

    return re.sub(r"[^\W_]+", word, text)


# Other abbreviations people type for words of the names ("đk tạm trú").
WORD_ABBREVIATIONS = {"đk": "đăng ký", "dk": "đăng ký", "đkí": "đăng ký", "dki": "đăng ký"}
WRITTEN_OUT = {**KIND_WORDS, **WORD_ABBREVIATIONS}


def spelled_out(question: str) -> str:
    """The question with the kind abbreviations and ``WORD_ABBREVIATIONS`` written out ("bv
    nhi" -> "bệnh viện nhi", "đk" -> "đăng ký"), accents kept only when the question has them
    (evidence matches accents that way)."""
    accents = fold(question) != " ".join(re.findall(r"[^\W_]+", question.lower()))

    def word(match: "re.Match[str]") -> str:
        full = WRITTEN_OUT[match.group(0).lower()]
        return full if accents else fold(full)

    pattern = r"\b(" + "|".join(WRITTEN_OUT) + r")\b"
    return re.sub(pattern, word, question, flags=re.IGNORECASE)


def domains_named(question: str, markers: Dict[str, Set[str]]) -> Set[str]:
    """The catalogues whose kind words the question holds ("BV Nhi" names a hospital)."""
    # English plurals as the names' singulars ("festivals"); no Vietnamese syllable ends in s.
    tokens = [t[:-1] if t.endswith("s") and len(t) > 4 else t for t in fold(question).split()]
    expanded = " ".join(KIND_ABBREVIATIONS.get(token, token) for token in tokens)
    text = f" {expanded} ".replace(" truong hop ", " ")  # "trường hợp": a case, not a school
    for level, school in SCHOOL_LEVELS.items():
        text = text.replace(f" {level} ", f" {school} ")
    return {
        domain for domain, terms in markers.items() if any(f" {term} " in text for term in terms)
    }


# Words just before a town's name that place something there ("bảo tàng ở Hoằng Hóa", "hospital
# in Sam Son", "TP Sầm Sơn"), folded.
WHERE_BEFORE = {"o", "tai", "gan", "in", "at", "near", "around", "tp", "pho", "huyen", "xa", "tran"}
# Whose town it is when a person comes before the where word ("tôi ở Sầm Sơn", "we are staying
# in Sam Son"): where they are, not where the place asked about is.
DWELLERS = {"toi", "minh", "em", "nha", "chung", "we", "i", "live", "living", "staying", "stay"}


def district_pairs(text: str) -> Set[str]:
    """The word pairs of a district's name as the API gives it ("TP Thanh Hóa", "hoang-hoa")."""
    folded = fold(text.replace("-", " ")).split()
    return {f"{a} {b}" for a, b in zip(folded, folded[1:])}


def towns(districts: Dict[str, str], indexes: Dict[str, NameIndex]) -> Dict[str, str]:
    """The towns and districts the places lie in, as word pairs, with the name to say
    ("hoang hoa": "Hoằng Hóa"), less the province's name, the place name the most names hold
    ("Thanh Hóa": every record is in it), and the city named after it ("TP Thanh Hóa",
    "thanh-hoa-city": "Thanh Hóa" alone is as often the province)."""
    held: Counter = Counter()
    for index in indexes.values():
        held.update({term: index.frequency[term] for term in index.localities})
    province = max(held, key=lambda term: held[term], default="")
    found: Dict[str, str] = {}
    for district in districts.values():
        said = " ".join(district.replace("-", " ").split())
        town = district_pairs(said)
        if province in town:
            continue
        for pair in town:
            if pair not in found or fold(found[pair]) == found[pair]:
                found[pair] = said  # the accented spelling where some record has one
    return found


def towns_placed(
    question: str,
    named_towns: Dict[str, str],
    after: Collection[str] = (),
    asked: Collection[str] = (),
) -> List[str]:
    """The towns the question places what it asks about in, as word pairs: after a where word
    ("ở Hoằng Hóa", "in Sam Son", "TP Sầm Sơn") or right after one of the words ``after``
    ("bảo tàng Sầm Sơn"), and past the first of the words ``asked`` (what it asks about: "bảo
    tàng ở Hoằng Hóa"; not "con học lớp 11 ở Hoằng Hóa, muốn vào THPT chuyên Lam Sơn"), unless
    the question begins with where ("ở Sầm Sơn có bảo tàng không"). Not a town the question
    comes from or goes through ("đi từ Sầm Sơn", "cách Sầm Sơn"), nor where the person asking
    is ("tôi ở Sầm Sơn")."""
    folded = fold(question).split()
    first = next((at for at, word in enumerate(folded) if word in asked), 0 if not asked else None)
    found = []
    for at in range(1, len(folded) - 1):
        pair = f"{folded[at]} {folded[at + 1]}"
        if pair not in named_towns:
            continue
        before = folded[at - 1]
        where = before in WHERE_BEFORE
        if not (where or before in after):
            continue
        if where and at >= 2 and folded[at - 2] in DWELLERS:
            continue
        if (first is None or at <= first) and not (where and at == 1):
            continue
        found.append(pair)
    return found


def town_elsewhere(
    question: str, scored: Scored, index: NameIndex, named_towns: Dict[str, str]
) -> Optional[str]:
    """The town the question places the record in ("bảo tàng ở Hoằng Hóa", "bệnh viện nhi ở Sầm
    Sơn", "bảo tàng Sầm Sơn") when neither its name nor its district holds that town: the
    record is elsewhere, the kind asked may be missing there (review R10); see
    ``towns_placed``."""
    own = index.terms.get(scored.candidate.id, set()) | set(scored.district)
    shared = {word for term in scored.shared for word in term.split()}
    for pair in towns_placed(question, named_towns, shared, shared):
        if pair not in own:
            return pair
    return None


def in_town(
    best: Scored, scored: Sequence[Scored], town: str, index: NameIndex
) -> Optional[Scored]:
    """Another record of the same kind lying in ``town`` (a word pair) that shares every word
    the best one shares besides the towns: "bãi biển ở Nghi Sơn" is *Bãi biển Hải Hòa* (Nghi
    Sơn), not *Bãi biển Sầm Sơn* the search ranked first."""
    town_words = set(town.split())
    said = {
        t
        for t in best.shared
        if index.weight(t) > 0 and t not in best.district and not set(t.split()) <= town_words
    }
    for other in scored:
        if (
            other is not best
            and other.candidate.kind == best.candidate.kind
            and town in other.district
            and said <= set(other.shared)
        ):
            return other
    return None


def placed_only(
    question: str, scored: Scored, index: NameIndex, named_towns: Dict[str, str]
) -> Optional[str]:
    """The town (a word pair) when all the record shares with the question is the name of the
    town the question places what it asks about in ("đền ở Thọ Xuân" of *Bệnh viện Đa khoa huyện
    Thọ Xuân*): where, not which."""
    placed = towns_placed(question, named_towns)
    town_words = {word for pair in placed for word in pair.split()}
    said = [t for t in scored.shared if index.weight(t) > 0]
    if placed and said and all(set(t.split()) <= town_words for t in said):
        return placed[0]
    return None


# How a plan for a visit is asked ("lịch trình 2 ngày", "chơi gì", "weekend itinerary"): what an
# itinerary answers, whatever town it is for (folded words and pairs).
PLAN_ASKED = {
    "lich trinh",
    "lo trinh",
    "hanh trinh",
    "choi gi",
    "di dau",
    "tham quan",
    "cuoi tuan",
    "ngay",
    "dem",
    "du lich",
    "tour",
    "itinerary",
    "plan",
    "weekend",
    "trip",
    "day",
    "days",
    "schedule",
    "route",
}


def itinerary_by_town_only(scored: Scored, index: NameIndex, question: str) -> bool:
    """Whether an itinerary ("Cuối tuần ở Sầm Sơn") shares with the question only its town and
    the word placing something there ("ở Sầm"), while the question asks no plan: "quán cà phê ở
    Sầm Sơn", "khách sạn ở Sầm Sơn" ask for a kind of place no catalogue holds, not the
    weekend's plan (review S4; "lịch trình 2 ngày ở Sầm Sơn" keeps it, review R4)."""
    if scored.candidate.kind != "itinerary" or not scored.shared:
        return False
    town_words = {word for term in index.localities for word in term.split()}
    where = WHERE_BEFORE | index.language_words
    for term in scored.shared:
        parts = term.split()
        if term in index.localities or (
            len(parts) == 2 and parts[0] in where and parts[1] in town_words
        ):
            continue
        return False
    folded = fold(question).split()
    said = {*folded, *(f"{a} {b}" for a, b in zip(folded, folded[1:]))}
    return not said & PLAN_ASKED


# The country's name: every procedure is the country's ("Việt Nam" of "... người Việt Nam" names
# none, as "Vietnamese" of an English question, ``COUNTRY_WORDS``).
COUNTRY_PAIRS = {"viet nam"}


def says_procedure(scored: Sequence[Scored], index: NameIndex) -> bool:
    """Whether the question shares a phrase with some procedure's name (a word pair or a long
    word, not a place's or the country's name), or names one by an everyday name: "đăng ký 4G
    Viettel" asks for a procedure the catalogue lacks; "kết quả bóng đá Việt Nam Thái Lan",
    "how much is a beer" ask for none, whatever the classifier says (review R12)."""
    for found in scored:
        if found.named:
            return True
        for term in found.shared:
            if index.weight(term) <= 0 or term in index.localities or term in COUNTRY_PAIRS:
                continue
            if " " in term or len(term) >= LONG_WORD:
                return True
    return False


def place_over_plan(decision: Decision, question: str) -> Decision:
    """A choice between a place and an itinerary named by the same words ("Pù Luông": the
    reserve, *Pù Luông và suối cá Cẩm Lương*), the question asking no plan (``PLAN_ASKED``):
    the place ("Is Pu Luong worth visiting?"). "Lịch trình đi Pù Luông" keeps the choice."""
    if decision.kind not in ("choose", "unsure") or len(decision.options) != 2:
        return decision
    kinds = {s.candidate.kind: s for s in decision.options}
    place, plan = kinds.get("attraction"), kinds.get("itinerary")
    if place is None or plan is None or not set(plan.shared) <= set(place.shared):
        return decision
    folded = fold(question).split()
    if {*folded, *(f"{a} {b}" for a, b in zip(folded, folded[1:]))} & PLAN_ASKED:
        return decision
    return Decision("answer", [place], why=f"{decision.why}; the place, no plan asked")


def town_records(
    question: str, town: str, records: Sequence[Tuple[str, str, Sequence[str]]]
) -> List[Tuple[str, str]]:
    """Of the records lying in ``town`` (kind, id, names), those whose name holds a word the
    question asks about besides the town, the where word and how it asks ("đền ở Thọ Xuân":
    *Đền thờ Lê Hoàn*), however the search ranked them (review R13 of session 10)."""
    town_words = set(town.split())
    written = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", question).lower())
    # Typed with accents, read as typed ("đền" is no "đến" of "mở đến mấy giờ").
    accents = " ".join(written) != fold(question)

    def said(text: str) -> List[str]:
        if accents:
            return re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())
        return fold(text).split()

    asked = {
        word
        for word in said(question)
        if len(word) >= 3
        and fold(word) not in town_words
        and fold(word) not in WHERE_BEFORE
        and word not in ASKING_WORDS
    }
    return [
        (kind, record_id)
        for kind, record_id, names in records
        if asked & {word for name in names for word in said(name)}
    ]
