"""Answers about one attraction, event, itinerary, hospital or school, from its API record.

Pure Python (no Rasa imports), tested from tests/bots/. Every answer starts with the record's
name, then the aspect asked; a field the record does not have is said to be missing, never
guessed. Addresses come with a map link built from the record's coordinates.
"""

from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Tuple

from actions.text import fold

Record = Dict[str, Any]
Link = Dict[str, str]

TEXTS: Dict[str, Dict[str, str]] = {
    "vi": {
        "address": "Địa chỉ: {address}",
        "address_missing": "Dữ liệu chưa có địa chỉ.",
        "map": "Xem bản đồ",
        "phone": "Số điện thoại: {phone}",
        "phone_missing": "Dữ liệu chưa có số điện thoại; bạn gọi đường dây nóng {hotline}.",
        "hours": "Giờ mở cửa: {hours}",
        "hours_missing": "Dữ liệu chưa có giờ mở cửa.",
        "daily": "hằng ngày",
        "open_now": "Hiện đang mở cửa.",
        "closed_now": "Hiện đang đóng cửa.",
        "free": "Vé vào cửa: miễn phí.",
        "price": "Giá vé: {prices}.",
        "adult": "người lớn {amount}",
        "child": "trẻ em {amount}",
        "price_missing": "Dữ liệu chưa có giá vé.",
        "money": "{amount} đồng",
        "events": "Sự kiện sắp tới:",
        "no_events": "Dữ liệu chưa có sự kiện sắp tới ở đây.",
        "events_elsewhere": "Sắp tới trong tỉnh:",
        "from_to": "từ {start} đến {end}",
        "when": "Thời gian: {when}",
        "venue": "Địa điểm: {venue}",
        "every_year": "Hằng năm: {rule}",
        "stops": "Lịch trình ({hours} giờ):",
        "departments": "Chuyên khoa, phòng khám:",
        "departments_missing": "Dữ liệu chưa có danh sách chuyên khoa.",
        "booking": (
            "Đặt khám trong ứng dụng Xứ Thanh: chọn cơ sở, chuyên khoa và giờ còn trống; đặt "
            "trước tối đa {days} ngày, lịch cho ngày hôm sau đóng lúc {cutoff} hôm trước."
        ),
        "admission": "Tuyển sinh:",
        "admission_missing": "Dữ liệu chưa có lịch tuyển sinh của trường này.",
        "round": "{name} ({year}): nhận hồ sơ {when}",
        "exam": "thi ngày {date}",
        "quota": "chỉ tiêu {quota}",
        "catchment": "Tuyến tuyển sinh: {communes}",
        "province_wide": "Tuyến tuyển sinh: toàn tỉnh.",
        "catchment_missing": "Dữ liệu chưa có tuyến tuyển sinh của trường này.",
        "transfer": (
            "Chuyển trường: dữ liệu chưa có quy định chuyển trường riêng của trường này; bạn liên "
            "hệ nhà trường hoặc phòng giáo dục nơi chuyển đến."
        ),
    },
    "en": {
        "address": "Address: {address}",
        "address_missing": "The data has no address.",
        "map": "Open the map",
        "phone": "Phone: {phone}",
        "phone_missing": "The data has no phone number; call the hotline {hotline}.",
        "hours": "Opening hours: {hours}",
        "hours_missing": "The data has no opening hours.",
        "daily": "daily",
        "open_now": "Open now.",
        "closed_now": "Closed at the moment.",
        "free": "Ticket: free entry.",
        "price": "Ticket price: {prices}.",
        "adult": "adults {amount}",
        "child": "children {amount}",
        "price_missing": "The data has no ticket price.",
        "money": "VND {amount}",
        "events": "Upcoming events:",
        "no_events": "The data has no upcoming events here.",
        "events_elsewhere": "Coming up elsewhere in the province:",
        "from_to": "from {start} to {end}",
        "when": "When: {when}",
        "venue": "Where: {venue}",
        "every_year": "Every year: {rule}",
        "stops": "Itinerary ({hours} h):",
        "departments": "Departments and clinics:",
        "departments_missing": "The data has no list of departments.",
        "booking": (
            "Book in the app: choose the facility, the specialty and a free time; book up to "
            "{days} days ahead, bookings for the next day close at {cutoff} the day before."
        ),
        "admission": "Admission:",
        "admission_missing": "The data has no admission rounds for this school.",
        "round": "{name} ({year}): applications {when}",
        "exam": "exam on {date}",
        "quota": "{quota} places",
        "catchment": "Catchment: {communes}",
        "province_wide": "Catchment: the whole province.",
        "catchment_missing": "The data has no catchment for this school.",
        "transfer": (
            "Transfer: the data has no transfer rules for this school; contact the school or the "
            "education office of the district you move to."
        ),
    },
}
WEEKDAYS = {
    "vi": ["T2", "T3", "T4", "T5", "T6", "T7", "CN"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
WEEKDAY_NAMES = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


def t(lang: str, key: str, **values: Any) -> str:
    return TEXTS.get(lang, TEXTS["vi"])[key].format(**values)


def date(value: Optional[str]) -> str:
    if not value:
        return "?"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%d/%m/%Y")
    except ValueError:
        return value


def money(amount: int, lang: str) -> str:
    grouped = f"{amount:,}"
    return t(lang, "money", amount=grouped if lang == "en" else grouped.replace(",", "."))


def hours_text(hours: List[Dict[str, Any]], lang: str) -> str:
    spans = {(interval.get("opens"), interval.get("closes")) for interval in hours}
    if len(hours) == 7 and len(spans) == 1:
        opens, closes = spans.pop()
        return f"{t(lang, 'daily')} {opens}–{closes}"
    parts = []
    for interval in hours:
        weekday = interval.get("weekday")
        index = WEEKDAY_NAMES.index(weekday) if weekday in WEEKDAY_NAMES else None
        day = WEEKDAYS[lang][index] if index is not None else str(weekday)
        parts.append(f"{day} {interval.get('opens')}–{interval.get('closes')}")
    return ", ".join(parts)


def map_link(lat: Any, lng: Any, lang: str) -> List[Link]:
    if lat is None or lng is None:
        return []
    url = f"https://www.google.com/maps/search/?api=1&query={lat},{lng}"
    return [{"title": t(lang, "map"), "url": url}]


def _address(record: Record, lang: str) -> Tuple[List[str], List[Link]]:
    address = record.get("address")
    location = record.get("location") or {}
    lat = location.get("lat", record.get("lat"))
    lng = location.get("lng", record.get("lng"))
    if not address:
        return [t(lang, "address_missing")], map_link(lat, lng, lang)
    return [t(lang, "address", address=address)], map_link(lat, lng, lang)


def _phone(record: Record, lang: str, hotline: str) -> List[str]:
    phone = record.get("phone") or (record.get("contacts") or {}).get("phone")
    if phone:
        return [t(lang, "phone", phone=phone)]
    return [t(lang, "phone_missing", hotline=hotline)]


def _hours(record: Record, lang: str, with_status: bool) -> List[str]:
    lines = []
    if with_status and record.get("openNow") is not None:
        lines.append(t(lang, "open_now" if record["openNow"] else "closed_now"))
    hours = record.get("openingHours") or []
    lines.append(t(lang, "hours", hours=hours_text(hours, lang)) if hours else t(lang, "hours_missing"))
    return lines


def _price(record: Record, lang: str) -> List[str]:
    tickets = record.get("tickets") or {}
    prices = []
    if tickets.get("adultVnd"):
        prices.append(t(lang, "adult", amount=money(tickets["adultVnd"], lang)))
    if tickets.get("childVnd"):
        prices.append(t(lang, "child", amount=money(tickets["childVnd"], lang)))
    if prices:
        line = t(lang, "price", prices=", ".join(prices))
    elif tickets.get("free"):
        line = t(lang, "free")
    else:
        return [t(lang, "price_missing")]
    note = tickets.get("note")
    return [f"{line} {note}" if note else line]


def _when(item: Record, lang: str) -> str:
    return t(lang, "from_to", start=date(item.get("startsAt")), end=date(item.get("endsAt")))


def _events(record: Record, lang: str) -> List[str]:
    events = record.get("upcomingEvents") or []
    if not events:
        # None here: the province's next ones (``provinceEvents``, when the caller adds them).
        elsewhere = record.get("provinceEvents") or []
        more = [f"- {e.get('name')}: {_when(e, lang)}" for e in elsewhere]
        return [t(lang, "no_events"), *([t(lang, "events_elsewhere"), *more] if more else [])]
    return [t(lang, "events"), *(f"- {e.get('name')}: {_when(e, lang)}" for e in events)]


# Words of a venue that say what kind of place, not which ("đền thờ", "các bản", "huyện").
VENUE_WORDS = {
    "le", "hoi", "festival", "the", "of", "den", "tho", "temple", "lang", "village", "villages",
    "ban", "cac", "xa", "huyen", "commune", "district", "thi", "tran", "pho", "thanh",
}


def _pairs(text: str) -> set:
    words = fold(text).split()
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def where_held(event: Record) -> set:
    """Word pairs that say where an event is held: its venue's, its district's and its name's
    last two words ("Lễ hội du lịch biển Sầm Sơn": "sam son"), less those of kind words only."""
    name = fold(str(event.get("name") or "")).split()
    texts = [" ".join(name[-2:]), str(event.get("venue") or ""), str(event.get("district") or "")]
    return {
        pair
        for text in texts
        for pair in _pairs(text)
        if not set(pair.split()) <= VENUE_WORDS
    }


# Words that say "festival" or "event" rather than which one.
GENERIC_EVENT_WORDS = {
    "le", "hoi", "festival", "fest", "the", "su", "kien", "event", "of", "carnival", "nao", "gi",
    "what", "which", "any",
}


def names_an_event(wanted: str) -> bool:
    """Whether an event's name as the NLU found it says which event ("lễ hội pháo hoa"), not
    only that one is asked ("lễ hội", "festivals", "sự kiện")."""
    words = [w[:-1] if w.endswith("s") and len(w) > 4 else w for w in fold(wanted).split()]
    return any(word not in GENERIC_EVENT_WORDS for word in words)


def held_in(question: str, events: List[Record]) -> List[Record]:
    """The events held where the question names ("lễ hội ở Nga Sơn sắp tới": Mai An Tiêm's,
    its venue in Nga Sơn district), in their order; none where it names no venue of theirs."""
    asked = _pairs(question)
    return [event for event in events if where_held(event) & asked]


def attraction_answer(
    record: Record, aspect: Optional[str], lang: str, hotline: str
) -> Tuple[str, List[Link]]:
    name = record.get("name") or record.get("slug") or "?"
    district = record.get("district")
    lines = [f"{name} ({district})" if district else name]
    links: List[Link] = []
    if aspect == "hours":
        lines += _hours(record, lang, with_status=True)
    elif aspect == "open_now":
        lines += _hours(record, lang, with_status=True)
    elif aspect == "price":
        lines += _price(record, lang)
    elif aspect == "address":
        more, links = _address(record, lang)
        lines += more
    elif aspect == "phone":
        lines += _phone(record, lang, hotline)
    elif aspect == "upcoming_events":
        lines += _events(record, lang)
    else:  # overview: what it is, where, when open, the ticket
        if record.get("description"):
            lines.append(str(record["description"]))
        more, links = _address(record, lang)
        lines += more + _hours(record, lang, with_status=False) + _price(record, lang)
    return "\n".join(lines), links


def event_answer(record: Record, aspect: Optional[str], lang: str) -> Tuple[str, List[Link]]:
    lines = [str(record.get("name") or record.get("slug") or "?")]
    lines.append(t(lang, "when", when=_when(record, lang)))
    rule = (record.get("recurrence") or {}).get("rule")
    if rule:
        lines.append(t(lang, "every_year", rule=rule))
    if record.get("venue"):
        lines.append(t(lang, "venue", venue=record["venue"]))
    if aspect not in ("upcoming_events", "hours") and record.get("description"):
        lines.append(str(record["description"]))
    return "\n".join(lines), []


def itinerary_answer(record: Record, aspect: Optional[str], lang: str) -> Tuple[str, List[Link]]:
    lines = [str(record.get("title") or record.get("slug") or "?")]
    if record.get("description"):
        lines.append(str(record["description"]))
    hours = f"{(record.get('totalMinutes') or 0) / 60:.0f}"
    lines.append(t(lang, "stops", hours=hours))
    for number, stop in enumerate(record.get("stops") or [], start=1):
        place = (stop.get("attraction") or {}).get("name") or "?"
        lines.append(f"{number}. {place} ({stop.get('minutes')}')")
    return "\n".join(lines), []


def _departments(record: Record, lang: str) -> List[str]:
    departments = record.get("departments") or []
    if not departments:
        return [t(lang, "departments_missing")]
    return [t(lang, "departments"), *(f"- {d.get('name')}" for d in departments)]


def _booking(record: Record, lang: str) -> List[str]:
    policy = record.get("bookingPolicy") or {}
    return [t(lang, "booking", days=policy.get("daysAhead", "?"), cutoff=policy.get("cutoff", "?"))]


def hospital_answer(
    record: Record, aspect: Optional[str], lang: str, hotline: str
) -> Tuple[str, List[Link]]:
    lines = [str(record.get("name") or record.get("id") or "?")]
    links: List[Link] = []
    if aspect == "phone":
        lines += _phone(record, lang, hotline)
    elif aspect in ("hours", "open_now"):
        # Hospitals' hours are not in the data: said so, with the phone to ask.
        lines += _hours(record, lang, with_status=False) + _phone(record, lang, hotline)
    elif aspect == "how_to_book":
        lines += _booking(record, lang)
    elif aspect == "departments":
        lines += _departments(record, lang)
    else:  # address, overview
        more, links = _address(record, lang)
        lines += more
        if aspect != "address":
            lines += _phone(record, lang, hotline) + _departments(record, lang)
    return "\n".join(lines), links


def _admission(record: Record, lang: str) -> List[str]:
    rounds = record.get("admissionRounds") or []
    if not rounds:
        return [t(lang, "admission_missing")]
    lines = [t(lang, "admission")]
    for item in rounds:
        when = t(lang, "from_to", start=date(item.get("opensOn")), end=date(item.get("closesOn")))
        line = t(lang, "round", name=item.get("name"), year=item.get("schoolYear"), when=when)
        if item.get("quota"):
            line += f", {t(lang, 'quota', quota=item['quota'])}"
        if item.get("examOn"):
            line += f", {t(lang, 'exam', date=date(item['examOn']))}"
        lines.append(f"- {line}")
    return lines


def _catchment(record: Record, lang: str) -> List[str]:
    catchment = record.get("catchment") or {}
    if catchment.get("provinceWide"):
        return [t(lang, "province_wide")]
    communes = [c.get("name") for c in catchment.get("communes") or [] if c.get("name")]
    if not communes:
        return [t(lang, "catchment_missing")]
    return [t(lang, "catchment", communes=", ".join(communes))]


def school_answer(
    record: Record, aspect: Optional[str], lang: str, hotline: str
) -> Tuple[str, List[Link]]:
    lines = [str(record.get("name") or record.get("id") or "?")]
    links: List[Link] = []
    if aspect == "phone":
        lines += _phone(record, lang, hotline)
    elif aspect == "admission":
        lines += _admission(record, lang)
    elif aspect == "catchment":
        lines += _catchment(record, lang)
    elif aspect == "transfer":
        lines.append(t(lang, "transfer"))
        lines += _phone(record, lang, hotline)
    else:  # address, overview
        more, links = _address(record, lang)
        lines += more
        if aspect != "address":
            lines += _catchment(record, lang)
    return "\n".join(lines), links


RENDERERS: Dict[str, Callable[..., Tuple[str, List[Link]]]] = {
    "attraction": attraction_answer,
    "hospital": hospital_answer,
    "school": school_answer,
}


def place_answer(
    kind: str, record: Record, aspect: Optional[str], lang: str, hotline: str
) -> Tuple[str, List[Link]]:
    """The answer text and links for one aspect of a place record of ``kind``."""
    if kind == "event":
        return event_answer(record, aspect, lang)
    if kind == "itinerary":
        return itinerary_answer(record, aspect, lang)
    return RENDERERS[kind](record, aspect, lang, hotline)
