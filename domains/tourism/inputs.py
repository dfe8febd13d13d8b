"""Admin inputs and their validation; each turns into the stored fields or raises InvalidInput."""

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import strawberry

from domains.kernel.clock import as_utc
from domains.kernel.errors import InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import check_inside_vietnam, point
from domains.kernel.i18n import LocalizedTextInput
from domains.kernel.repository import parse_object_id
from domains.kernel.search import search_fields
from domains.tourism.hours import check_date, check_interval
from domains.tourism.vocabulary import (
    AttractionCategory,
    Calendar,
    EventStatus,
    ItineraryTheme,
    Weekday,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_SHORT = 500
MAX_LIST = 50
MAX_STOPS = 30
MAX_STOP_MINUTES = 24 * 60
MAX_EVENT_DAYS = 120


def check_slug(slug: str) -> str:
    slug = slug.strip()
    if not (1 <= len(slug) <= 80 and _SLUG.match(slug)):
        raise InvalidInput(
            "`slug` must be 1 to 80 lower-case letters, digits and single hyphens, "
            f"e.g. 'sam-son-beach'; got {slug[:80]!r}.",
            field="slug",
        )
    return slug


def localized(
    value: LocalizedTextInput | None, field: str, limit: int, *, required: bool = True
) -> dict[str, str]:
    if value is None:
        if required:
            raise InvalidInput(f"`{field}` is required (at least `vi`).", field=field)
        return {}
    document = value.to_document()
    if required and not document.get("vi"):
        raise InvalidInput(f"`{field}.vi` must not be empty.", field=field)
    for language, text in document.items():
        if len(text) > limit:
            raise InvalidInput(
                f"`{field}.{language}` is {len(text)} characters; at most {limit}.", field=field
            )
    return {k: v for k, v in document.items() if v}


def short_text(value: str | None, field: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"`{field}` must not be empty.", field=field)
    if len(text) > MAX_SHORT:
        raise InvalidInput(f"`{field}` is longer than {MAX_SHORT} characters.", field=field)
    return text


def check_url(url: str, field: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme != "https" or not parsed.netloc or len(url) > 1000:
        raise InvalidInput(f"`{field}` must be an https:// URL; got {url[:80]!r}.", field=field)
    return url.strip()


@strawberry.input(name="TourismLocationInput", description="A point inside Vietnam.")
class LocationInput:
    lat: float
    lng: float

    def to_document(self) -> dict[str, Any]:
        # The Vietnam check also catches out-of-range values, with the "swapped?" hint.
        check_inside_vietnam(self.lat, self.lng)
        return point(self.lat, self.lng)


@strawberry.input(description="Open from `opens` to `closes` (HH:MM; 24:00 is midnight).")
class OpeningHoursInput:
    weekday: Weekday
    opens: str
    closes: str


@strawberry.input(description="A date whose hours replace the weekly ones, or a closure.")
class SpecialDayInput:
    date: str = strawberry.field(description="YYYY-MM-DD, in the province's time zone.")
    closed: bool = False
    opens: str | None = None
    closes: str | None = None
    note: LocalizedTextInput | None = None


@strawberry.input(name="AttractionTicketsInput")
class TicketsInput:
    free: bool = False
    adult_vnd: int | None = None
    child_vnd: int | None = None
    note: LocalizedTextInput | None = None


@strawberry.input(name="AttractionContactsInput")
class ContactsInput:
    phone: str | None = None
    website: str | None = None
    email: str | None = None


@strawberry.input(description="Everything an administrator gives for an attraction.")
class AttractionInput:
    slug: str
    name: LocalizedTextInput
    description: LocalizedTextInput
    category: AttractionCategory
    location: LocationInput
    address: str
    district: str
    opening_hours: list[OpeningHoursInput]
    special_days: list[SpecialDayInput] = strawberry.field(default_factory=list)
    tickets: TicketsInput = strawberry.field(default_factory=TicketsInput)
    accessibility: LocalizedTextInput | None = None
    contacts: ContactsInput | None = None
    images: list[str] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)

    def to_fields(self) -> dict[str, Any]:
        """The stored fields (everything but ratings and timestamps), validated."""
        name = localized(self.name, "name", MAX_NAME)
        description = localized(self.description, "description", MAX_DESCRIPTION)
        district = short_text(self.district, "district", required=True)
        address = short_text(self.address, "address", required=True)
        tags = [short_text(tag, "tags") for tag in self.tags[:MAX_LIST] if tag.strip()]
        hours = []
        for index, interval in enumerate(self.opening_hours[: 7 * 4]):
            check_interval(interval.opens, interval.closes, f"openingHours[{index}]")
            hours.append(
                {
                    "weekday": interval.weekday.value,
                    "opens": interval.opens,
                    "closes": interval.closes,
                }
            )
        special = []
        for index, day in enumerate(self.special_days[:366]):
            field = f"specialDays[{index}]"
            entry: dict[str, Any] = {"date": check_date(day.date, f"{field}.date")}
            if day.closed:
                entry.update(closed=True, opens=None, closes=None)
            else:
                if day.opens is None or day.closes is None:
                    raise InvalidInput(
                        f"`{field}` needs `opens` and `closes`, or `closed: true`.", field=field
                    )
                check_interval(day.opens, day.closes, field)
                entry.update(closed=False, opens=day.opens, closes=day.closes)
            if day.note is not None:
                entry["note"] = localized(day.note, f"{field}.note", MAX_SHORT, required=False)
            special.append(entry)
        tickets: dict[str, Any] = {"free": self.tickets.free}
        for key, price in (
            ("adultVnd", self.tickets.adult_vnd),
            ("childVnd", self.tickets.child_vnd),
        ):
            if price is not None and not 0 <= price <= 100_000_000:
                raise InvalidInput(
                    f"`tickets.{key}` must be a price in đồng between 0 and 100,000,000.",
                    field=f"tickets.{key}",
                )
            tickets[key] = 0 if self.tickets.free else price
        if self.tickets.note is not None:
            tickets["note"] = localized(
                self.tickets.note, "tickets.note", MAX_SHORT, required=False
            )
        contacts: dict[str, str] = {}
        if self.contacts is not None:
            if self.contacts.phone:
                contacts["phone"] = short_text(self.contacts.phone, "contacts.phone")
            if self.contacts.email:
                contacts["email"] = short_text(self.contacts.email, "contacts.email")
            if self.contacts.website:
                contacts["website"] = check_url(self.contacts.website, "contacts.website")
        return {
            "slug": check_slug(self.slug),
            "name": name,
            "description": description,
            "category": self.category.value,
            "location": self.location.to_document(),
            "address": address,
            "district": district,
            "districtKey": fold(district),
            "nameKey": fold(name["vi"]),
            "openingHours": hours,
            "specialDays": special,
            "tickets": tickets,
            "accessibility": localized(
                self.accessibility, "accessibility", MAX_SHORT * 2, required=False
            ),
            "contacts": contacts,
            "images": [
                check_url(url, f"images[{i}]") for i, url in enumerate(self.images[:MAX_LIST])
            ],
            "tags": tags,
            **attraction_search_fields(name, description, district, tags, self.category),
        }


# Words people type for a category, in both languages, so "beach" or "bai bien" finds beaches.
CATEGORY_WORDS = {
    AttractionCategory.BEACH: "bãi biển beach biển sea",
    AttractionCategory.HERITAGE: "di tích lịch sử heritage historic site",
    AttractionCategory.NATURE: "thiên nhiên nature park vườn quốc gia khu bảo tồn",
    AttractionCategory.CAVE: "hang động cave",
    AttractionCategory.SPIRITUAL: "đền chùa tâm linh temple pagoda spiritual",
    AttractionCategory.CRAFT_VILLAGE: "làng nghề craft village",
    AttractionCategory.CUISINE: "ẩm thực đặc sản cuisine food",
    AttractionCategory.MUSEUM: "bảo tàng museum",
    AttractionCategory.RESORT: "khu nghỉ dưỡng resort",
    AttractionCategory.LANDMARK: "danh thắng landmark",
}


def attraction_search_fields(
    name: dict[str, str],
    description: dict[str, str],
    district: str,
    tags: list[str],
    category: AttractionCategory,
) -> dict[str, list[str]]:
    """Both languages' names are primary terms: "thanh nha ho" and "Ho Dynasty" both hit."""
    return search_fields(
        primary=[name],
        secondary=[district, " ".join(tags), CATEGORY_WORDS[category], description],
    )


@strawberry.input(name="TourismRecurrenceInput", description="A yearly event's next dates.")
class RecurrenceInput:
    calendar: Calendar
    rule: LocalizedTextInput
    next_dates: list[datetime]


@strawberry.input(name="TourismEventInput", description="An event at an attraction or a place.")
class EventInput:
    slug: str
    name: LocalizedTextInput
    description: LocalizedTextInput
    starts_at: datetime
    ends_at: datetime
    status: EventStatus = EventStatus.SCHEDULED
    status_note: LocalizedTextInput | None = None
    attraction_id: strawberry.ID | None = None
    location: LocationInput | None = strawberry.field(
        default=None, description="Required without `attractionId`; defaults to its location."
    )
    venue: LocalizedTextInput | None = None
    district: str | None = None
    recurrence: RecurrenceInput | None = None

    def to_fields(self) -> dict[str, Any]:
        """The stored fields except place details taken from the attraction, validated."""
        for field, value in (("startsAt", self.starts_at), ("endsAt", self.ends_at)):
            if value.tzinfo is None:
                raise InvalidInput(
                    f"`{field}` needs a time zone, e.g. 2027-04-24T20:00:00+07:00.", field=field
                )
        starts_at, ends_at = as_utc(self.starts_at), as_utc(self.ends_at)
        if ends_at <= starts_at:
            raise InvalidInput("`endsAt` must be after `startsAt`.", field="endsAt")
        if (ends_at - starts_at).days > MAX_EVENT_DAYS:
            raise InvalidInput(
                f"An event lasts at most {MAX_EVENT_DAYS} days; split longer seasons.",
                field="endsAt",
            )
        name = localized(self.name, "name", MAX_NAME)
        description = localized(self.description, "description", MAX_DESCRIPTION)
        venue = localized(self.venue, "venue", MAX_SHORT, required=False)
        fields: dict[str, Any] = {
            "slug": check_slug(self.slug),
            "name": name,
            "description": description,
            "startsAt": starts_at,
            "endsAt": ends_at,
            "status": self.status.value,
            "statusNote": localized(self.status_note, "statusNote", MAX_SHORT, required=False),
            "venue": venue,
            "district": short_text(self.district, "district"),
            "recurrence": None,
            "location": self.location.to_document() if self.location else None,
            "attractionId": None,
        }
        if self.attraction_id is not None:
            attraction_id = parse_object_id(str(self.attraction_id))
            if attraction_id is None:
                raise InvalidInput("`attractionId` is not an attraction id.", field="attractionId")
            fields["attractionId"] = attraction_id
        elif self.location is None:
            raise InvalidInput(
                "Give `attractionId` or a `location` for the event.", field="location"
            )
        if self.recurrence is not None:
            dates = sorted(as_utc(d) for d in self.recurrence.next_dates if d.tzinfo is not None)
            if len(dates) != len(self.recurrence.next_dates) or not dates:
                raise InvalidInput(
                    "`recurrence.nextDates` needs at least one date, each with a time zone.",
                    field="recurrence.nextDates",
                )
            fields["recurrence"] = {
                "frequency": "yearly",
                "calendar": self.recurrence.calendar.value,
                "rule": localized(self.recurrence.rule, "recurrence.rule", MAX_SHORT),
                "nextDates": dates[:10],
            }
        fields.update(search_fields(primary=[name], secondary=[venue, fields["district"]]))
        return fields


@strawberry.input(description="One stop: an attraction and the suggested time there.")
class ItineraryStopInput:
    attraction_id: strawberry.ID
    minutes: int
    note: LocalizedTextInput | None = None


@strawberry.input(description="A suggested route through attractions, in order.")
class ItineraryInput:
    slug: str
    title: LocalizedTextInput
    description: LocalizedTextInput
    theme: ItineraryTheme
    stops: list[ItineraryStopInput]

    def to_fields(self) -> dict[str, Any]:
        if not 1 <= len(self.stops) <= MAX_STOPS:
            raise InvalidInput(f"An itinerary has 1 to {MAX_STOPS} stops.", field="stops")
        stops = []
        for index, stop in enumerate(self.stops):
            attraction_id = parse_object_id(str(stop.attraction_id))
            if attraction_id is None:
                raise InvalidInput(
                    f"`stops[{index}].attractionId` is not an attraction id.",
                    field=f"stops[{index}].attractionId",
                )
            if not 5 <= stop.minutes <= MAX_STOP_MINUTES:
                raise InvalidInput(
                    f"`stops[{index}].minutes` must be between 5 and {MAX_STOP_MINUTES}.",
                    field=f"stops[{index}].minutes",
                )
            entry: dict[str, Any] = {"attractionId": attraction_id, "minutes": stop.minutes}
            if stop.note is not None:
                entry["note"] = localized(
                    stop.note, f"stops[{index}].note", MAX_SHORT, required=False
                )
            stops.append(entry)
        return {
            "slug": check_slug(self.slug),
            "title": localized(self.title, "title", MAX_NAME),
            "description": localized(self.description, "description", MAX_DESCRIPTION),
            "theme": self.theme.value,
            "stops": stops,
            "totalMinutes": sum(stop["minutes"] for stop in stops),
        }
