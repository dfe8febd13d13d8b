"""Tourism, health and education questions, answered from the API's data.

When the API has no such data (the field is missing, the list is empty, or it cannot be reached)
the assistant says so and points to the hotline: it never fills the gap itself.
"""

from datetime import datetime
import re
import unicodedata
from typing import Any, Dict, List, Optional, Set, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import catalogue, settings
from actions.api import ApiUnavailable, graphql, nodes
from actions.common import lang_of, say
from actions.place_answers import GENERIC_EVENT_WORDS, held_in, hours_text, names_an_event
from actions.resolve import beside

TEXTS = {
    "vi": {
        "no_data": (
            "Xin lỗi, tôi chưa có dữ liệu để trả lời câu này. Bạn có thể gọi đường dây nóng "
            "{hotline}."
        ),
        "nothing_found": 'Tôi không tìm thấy "{text}" trong dữ liệu của tỉnh.',
        "attractions": "Một số điểm tham quan:",
        "open_now": "{name}: đang mở cửa.",
        "closed_now": "{name}: hiện đang đóng cửa.",
        "hours": "Giờ mở cửa: {hours}",
        "events": "Sự kiện sắp tới:",
        "hospitals": "Cơ sở y tế:",
        "booking": (
            "Đặt khám trong ứng dụng: trước tối đa {days} ngày; đặt cho ngày hôm sau đóng lúc "
            "{cutoff} hôm trước."
        ),
        "schools": "Trường theo tuyến tuyển sinh của",
        "schools_matching": 'Dữ liệu chưa có xã/phường "{text}"; các trường có tên hoặc địa chỉ khớp:',
        "admission": "Lịch tuyển sinh:",
        "from_to": "từ {start} đến {end}",
        "exam": "thi ngày {date}",
        "ask_commune": "Bạn ở xã/phường nào? Ví dụ: phường Đông Thọ.",
    },
    "en": {
        "no_data": "Sorry, I don't have the data to answer that yet. You can call the hotline {hotline}.",
        "nothing_found": 'I could not find "{text}" in the province\'s data.',
        "attractions": "Some places to visit:",
        "open_now": "{name}: open now.",
        "closed_now": "{name}: closed at the moment.",
        "hours": "Opening hours: {hours}",
        "events": "Upcoming events:",
        "hospitals": "Health facilities:",
        "booking": (
            "Book in the app up to {days} days ahead; bookings for the next day close at {cutoff} "
            "the day before."
        ),
        "schools": "Schools whose catchment covers",
        "schools_matching": 'No ward or commune "{text}" in the data; schools whose name or address match:',
        "admission": "Admission rounds:",
        "from_to": "from {start} to {end}",
        "exam": "exam on {date}",
        "ask_commune": "Which ward or commune do you live in? For example: Dong Tho ward.",
    },
}


def _t(lang: str, key: str, **values: Any) -> str:
    return TEXTS[lang][key].format(**values)


def _lang_enum(lang: str) -> str:
    return "EN" if lang == "en" else "VI"


def _no_data(dispatcher: CollectingDispatcher, lang: str) -> List[EventType]:
    say(dispatcher, _t(lang, "no_data", hotline=settings.hotline()))
    return []


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    """The entity in this message (slots could carry an older one)."""
    values = list(tracker.get_latest_entity_values(name))
    return str(values[0]) if values else None


def _date(value: Optional[str]) -> str:
    if not value:
        return "?"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%d/%m/%Y")
    except ValueError:
        return value


GENERIC_PLACE_WORDS = {"thanh", "pho", "tp", "city", "town", "huyen", "thi", "xa", "district"}
ATTRACTIONS = """
query Attractions(
  $search: String, $category: AttractionCategory, $first: Int, $lang: Language
) {
  attractions(search: $search, category: $category, first: $first, lang: $lang) {
    nodes { name district address openNow openingHours { weekday opens closes } }
  }
}
"""


class ActionAnswerAttractions(Action):
    def name(self) -> Text:
        return "action_answer_attractions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        place = _entity(tracker, "place")
        words = fold((tracker.latest_message or {}).get("text") or "")
        beaches = any(word in words for word in ("bai bien", "bai tam", "beach"))
        variables = {
            # "Beaches near the city": every beach; otherwise what matches the place named.
            "search": None if beaches else place,
            "category": "BEACH" if beaches else None,
            "first": 5,
            "lang": _lang_enum(lang),
        }
        try:
            found = nodes((await graphql(ATTRACTIONS, variables, lang=lang)).get("attractions"))
        except ApiUnavailable:
            return _no_data(dispatcher, lang)
        if place and not beaches:
            here = [
                a for a in found
                if matches_words(f"{a['name']} {a.get('district') or ''}", place, GENERIC_PLACE_WORDS)
            ]
            found = here or found
        if not found:
            return _no_data(dispatcher, lang)
        lines = [_t(lang, "attractions")]
        lines += [f"- {a['name']} ({a.get('district') or a.get('address') or ''})" for a in found]
        say(dispatcher, "\n".join(lines))
        return []


class ActionAnswerOpeningHours(Action):
    def name(self) -> Text:
        return "action_answer_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        place = _entity(tracker, "place") or tracker.get_slot("place")
        if not place:
            return _no_data(dispatcher, lang)
        variables = {"search": place, "category": None, "first": 1, "lang": _lang_enum(lang)}
        try:
            found = nodes((await graphql(ATTRACTIONS, variables, lang=lang)).get("attractions"))
        except ApiUnavailable:
            return _no_data(dispatcher, lang)
        if not found:
            say(dispatcher, _t(lang, "nothing_found", text=place))
            return []
        attraction = found[0]
        key = "open_now" if attraction.get("openNow") else "closed_now"
        lines = [_t(lang, key, name=attraction["name"])]
        if attraction.get("openingHours"):
            lines.append(_t(lang, "hours", hours=hours_text(attraction["openingHours"], lang)))
        say(dispatcher, "\n".join(lines))
        return []


EVENTS = """
query Events($first: Int, $lang: Language) {
  events(first: $first, lang: $lang) {
    nodes { name startsAt endsAt status venue(lang: $lang) district }
  }
}
"""
# On schedule only: a cancelled event, or one postponed and not yet given its new date, is not
# "coming up" (as the attraction's own upcomingEvents leaves them out).
PROVINCE_EVENTS = """
query ProvinceEvents($first: Int, $lang: Language) {
  events(first: $first, lang: $lang, status: [SCHEDULED, RESCHEDULED]) {
    nodes { name startsAt endsAt }
  }
}
"""


async def province_events(lang: str, first: int = 3) -> List[Dict[str, Any]]:
    """The province's next events (upcoming first), for a place that has none of its own."""
    variables = {"first": first, "lang": _lang_enum(lang)}
    return nodes((await graphql(PROVINCE_EVENTS, variables, lang=lang)).get("events"))


def fold(text: str) -> str:
    text = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped).split())


def matches_words(name: str, wanted: str, generic: Set[str]) -> bool:
    """All distinctive words of ``wanted`` appear in ``name`` (accents and case ignored)."""
    words = [word for word in fold(wanted).split() if word not in generic]
    have = set(fold(name).split())
    return bool(words) and all(word in have for word in words)


async def events(lang: str) -> List[Dict[str, Any]]:
    """The events, with their venue and district (the next first)."""
    variables = {"first": 50, "lang": _lang_enum(lang)}
    return nodes((await graphql(EVENTS, variables, lang=lang)).get("events"))


def answer_events(
    dispatcher: CollectingDispatcher,
    lang: str,
    message: str,
    wanted: Optional[str],
    found: List[Dict[str, Any]],
    elsewhere: bool = False,
) -> List[EventType]:
    """The events the message names, else those held where it names, else (naming none) the
    next ones; not those where the message says something the data lacks (``elsewhere``:
    another province, a word no catalogue knows: "lễ hội ở Hà Nội", "Halloween")."""
    # An event is meant when the message holds every distinctive word of its name (entity
    # spans can be cut short; the message as a whole is more reliable).
    named = [e for e in found if matches_words(message, e["name"], GENERIC_EVENT_WORDS)]
    here = held_in(message, found)
    if named:
        found = named
    elif here:
        # "lễ hội ở Nga Sơn sắp tới": those held there, not the province's next ones.
        found = here
    elif (wanted and names_an_event(wanted)) or elsewhere:
        named_one = wanted if wanted and names_an_event(wanted) else None
        say(dispatcher, _t(lang, "nothing_found", text=named_one or message))
        return []
    if not found:
        return _no_data(dispatcher, lang)
    lines = [_t(lang, "events")]
    for item in found[:5]:
        when = _t(lang, "from_to", start=_date(item.get("startsAt")), end=_date(item.get("endsAt")))
        lines.append(f"- {item['name']}: {when}")
    say(dispatcher, "\n".join(lines))
    return []


class ActionAnswerEvents(Action):
    def name(self) -> Text:
        return "action_answer_events"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        message = (tracker.latest_message or {}).get("text") or ""
        try:
            found = await events(lang)
            vocabulary = (await catalogue.names()).vocabulary
        except ApiUnavailable:
            return _no_data(dispatcher, lang)
        elsewhere = bool(beside(message, set()) or vocabulary.unknown(message, accents=False))
        return answer_events(
            dispatcher, lang, message, _entity(tracker, "event"), found, elsewhere
        )


GENERIC_HOSPITAL_WORDS = {"benh", "vien", "bv", "hospital", "the", "tinh", "provincial"}
HOSPITALS = """
query Hospitals($search: String, $specialty: String, $first: Int, $lang: Language) {
  hospitals(search: $search, specialty: $specialty, first: $first) {
    nodes { name(lang: $lang) address phone bookingPolicy { daysAhead cutoff } }
  }
}
"""


class ActionAnswerHospital(Action):
    def name(self) -> Text:
        return "action_answer_hospital"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        hospital = _entity(tracker, "hospital")
        distinctive = " ".join(
            w for w in fold(hospital or "").replace("'s", "").split() if w not in GENERIC_HOSPITAL_WORDS
        )
        message = (tracker.latest_message or {}).get("text") or ""
        variables = {
            # Without a recognised name, the API's ranked search over the whole question.
            "search": distinctive or (None if _entity(tracker, "specialty") else message[:200]),
            "specialty": _entity(tracker, "specialty"),
            "first": 3,
            "lang": _lang_enum(lang),
        }
        try:
            found = nodes((await graphql(HOSPITALS, variables, lang=lang)).get("hospitals"))
        except ApiUnavailable:
            return _no_data(dispatcher, lang)
        if distinctive:
            found = [h for h in found if matches_words(h["name"], distinctive, set())]
            if not found:
                say(dispatcher, _t(lang, "nothing_found", text=hospital))
                return []
        if not found:
            return _no_data(dispatcher, lang)
        lines = [_t(lang, "hospitals")]
        for hospital in found:
            phone = f", {hospital['phone']}" if hospital.get("phone") else ""
            lines.append(f"- {hospital['name']}: {hospital.get('address', '')}{phone}")
        policy = found[0].get("bookingPolicy")
        if policy:
            lines.append(_t(lang, "booking", days=policy["daysAhead"], cutoff=policy["cutoff"]))
        say(dispatcher, "\n".join(lines))
        return []


COMMUNES = """
query Communes($lang: Language) { communes(lang: $lang) { code name kind } }
"""
SCHOOLS_FOR_COMMUNE = """
query SchoolsForCommune($code: String!, $lang: Language) {
  schoolsForCommune(communeCode: $code, lang: $lang) {
    commune { name }
    schools { school { name address } }
  }
}
"""
GENERIC_COMMUNE_WORDS = {"phuong", "xa", "ward", "commune", "thi", "tran"}
SCHOOLS = """
query Schools($search: String, $first: Int, $lang: Language) {
  schools(search: $search, first: $first, lang: $lang) { nodes { name address } }
}
"""


class ActionAnswerSchool(Action):
    def name(self) -> Text:
        return "action_answer_school"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        commune = _entity(tracker, "commune") or tracker.get_slot("commune")
        if not commune:
            say(dispatcher, _t(lang, "ask_commune"))
            return []
        try:
            communes = (await graphql(COMMUNES, {"lang": _lang_enum(lang)}, lang=lang)).get(
                "communes"
            ) or []
            match = next(
                (c for c in communes if matches_words(c["name"], commune, GENERIC_COMMUNE_WORDS)),
                None,
            )
            if match is None:
                # Not a ward/commune we know (names changed in the 2025 merger): schools whose
                # name or address carries the words, said as such.
                words = " ".join(
                    w for w in fold(commune).split() if w not in GENERIC_COMMUNE_WORDS
                )
                variables = {"search": words or commune, "first": 5, "lang": _lang_enum(lang)}
                by_name = nodes((await graphql(SCHOOLS, variables, lang=lang)).get("schools"))
                lookup = {"schools": [{"school": school} for school in by_name]}
                heading = _t(lang, "schools_matching", text=commune)
            else:
                variables = {"code": match["code"], "lang": _lang_enum(lang)}
                lookup = (await graphql(SCHOOLS_FOR_COMMUNE, variables, lang=lang)).get(
                    "schoolsForCommune"
                ) or {}
                heading = f"{_t(lang, 'schools')} {match['name']}"
        except ApiUnavailable:
            return _no_data(dispatcher, lang)
        schools = [m["school"] for m in lookup.get("schools") or []]
        if not schools:
            say(dispatcher, _t(lang, "nothing_found", text=commune))
            return []
        lines = [heading]
        lines += [f"- {s['name']} ({s.get('address') or ''})" for s in schools]
        say(dispatcher, "\n".join(lines))
        return []


ADMISSIONS = """
query Admissions($grade: AdmissionGrade, $first: Int, $lang: Language) {
  admissionRounds(grade: $grade, first: $first, lang: $lang) {
    nodes { name schoolYear opensOn closesOn examOn }
  }
}
"""
GRADES = {"1": "GRADE_1", "6": "GRADE_6", "10": "GRADE_10"}


def grade_of(text: str) -> Optional[str]:
    folded = fold(text)
    if "mam non" in folded or "preschool" in folded or "mau giao" in folded:
        return "PRESCHOOL"
    digits = "".join(ch for ch in folded if ch.isdigit())
    return GRADES.get(digits)


class ActionAnswerAdmission(Action):
    def name(self) -> Text:
        return "action_answer_admission"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        lang = lang_of(tracker)
        grade = grade_of(_entity(tracker, "grade") or "")
        variables = {"grade": grade, "first": 5, "lang": _lang_enum(lang)}
        try:
            found = nodes((await graphql(ADMISSIONS, variables, lang=lang)).get("admissionRounds"))
        except ApiUnavailable:
            return _no_data(dispatcher, lang)
        if not found:
            return _no_data(dispatcher, lang)
        lines = [_t(lang, "admission")]
        for item in found:
            when = _t(lang, "from_to", start=_date(item.get("opensOn")), end=_date(item.get("closesOn")))
            exam = f"; {_t(lang, 'exam', date=_date(item['examOn']))}" if item.get("examOn") else ""
            lines.append(f"- {item['name']} ({item.get('schoolYear')}): {when}{exam}")
        say(dispatcher, "\n".join(lines))
        return []
