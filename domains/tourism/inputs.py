"""Admin inputs and their validation; each turns into the stored fields or raises InvalidInput."""

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import strawberry
from bson import ObjectId

from domains.kernel.clock import as_utc
from domains.kernel.errors import InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import check_inside_vietnam, point
from domains.kernel.i18n import LocalizedDict, LocalizedTextInput
from domains.kernel.repository import parse_object_id
from domains.kernel.search import search_fields
from domains.kernel.validation import clean_text, localized_text, required_text
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


def _short(value: str | None, field: str) -> str:
    """Optional short text, stored as "" when not given."""
    return clean_text(value, field=field, limit=MAX_SHORT) or ""


def _note(value: LocalizedTextInput | None, field: str) -> LocalizedDict:
    """An optional short localized note."""
    return localized_text(value, field=field, limit=MAX_SHORT, required=False)


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

    def to_document(self, field: str) -> dict[str, Any]:
        check_interval(self.opens, self.closes, field)
        return {"weekday": self.weekday.value, "opens": self.opens, "closes": self.closes}


@strawberry.input(description="A date whose hours replace the weekly ones, or a closure.")
class SpecialDayInput:
    date: str = strawberry.field(description="YYYY-MM-DD, in the province's time zone.")
    closed: bool = False
    opens: str | None = None
    closes: str | None = None
    note: LocalizedTextInput | None = None

    def to_document(self, field: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"date": check_date(self.date, f"{field}.date")}
        if self.closed:
            entry.update(closed=True, opens=None, closes=None)
        else:
            if self.opens is None or self.closes is None:
                raise InvalidInput(
                    f"`{field}` needs `opens` and `closes`, or `closed: true`.", field=field
                )
            check_interval(self.opens, self.closes, field)
            entry.update(closed=False, opens=self.opens, closes=self.closes)
        if self.note is not None:
            entry["note"] = _note(self.note, f"{field}.note")
        return entry


@strawberry.input(name="AttractionTicketsInput")
class TicketsInput:
    free: bool = False
    adult_vnd: int | None = None
    child_vnd: int | None = None
    note: LocalizedTextInput | None = None

    def to_document(self) -> dict[str, Any]:
        tickets: dict[str, Any] = {"free": self.free}
        for key, price in (("adultVnd", self.adult_vnd), ("childVnd", self.child_vnd)):
            if price is not None and not 0 <= price <= 100_000_000:
                raise InvalidInput(
                    f"`tickets.{key}` must be a price in đồng between 0 and 100,000,000.",
                    field=f"tickets.{key}",
                )
            tickets[key] = 0 if self.free else price
        if self.note is not None:
            tickets["note"] = _note(self.note, "tickets.note")
        return tickets


@strawberry.input(name="AttractionContactsInput")
class ContactsInput:
    phone: str | None = None
    website: str | None = None
    email: str | None = None

    def to_document(self) -> dict[str, str]:
        contacts: dict[str, str] = {}
        if self.phone:
            contacts["phone"] = _short(self.phone, "contacts.phone")
        if self.email:
            contacts["email"] = _short(self.email, "contacts.email")
        if self.website:
            contacts["website"] = check_url(self.website, "contacts.website")
        return contacts


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
        name = localized_text(self.name, field="name", limit=MAX_NAME)
        description = localized_text(self.description, field="description", limit=MAX_DESCRIPTION)
        district = required_text(self.district, field="district", limit=MAX_SHORT)
        address = required_text(self.address, field="address", limit=MAX_SHORT)
        tags = [_short(tag, "tags") for tag in self.tags[:MAX_LIST] if tag.strip()]
        hours = [
            interval.to_document(f"openingHours[{index}]")
            for index, interval in enumerate(self.opening_hours[: 7 * 4])
        ]
        special = [
            day.to_document(f"specialDays[{index}]")
            for index, day in enumerate(self.special_days[:366])
        ]
        tickets = self.tickets.to_document()
        contacts = self.contacts.to_document() if self.contacts is not None else {}
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
            "accessibility": localized_text(
                self.accessibility, field="accessibility", limit=MAX_SHORT * 2, required=False
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

    def to_document(self) -> dict[str, Any]:
        dates = sorted(as_utc(d) for d in self.next_dates if d.tzinfo is not None)
        if len(dates) != len(self.next_dates) or not dates:
            raise InvalidInput(
                "`recurrence.nextDates` needs at least one date, each with a time zone.",
                field="recurrence.nextDates",
            )
        return {
            "frequency": "yearly",
            "calendar": self.calendar.value,
            "rule": localized_text(self.rule, field="recurrence.rule", limit=MAX_SHORT),
            "nextDates": dates[:10],
        }


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

    def _times(self) -> tuple[datetime, datetime]:
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
        return starts_at, ends_at

    def _attraction_id(self) -> ObjectId | None:
        if self.attraction_id is None:
            if self.location is None:
                raise InvalidInput(
                    "Give `attractionId` or a `location` for the event.", field="location"
                )
            return None
        attraction_id = parse_object_id(str(self.attraction_id))
        if attraction_id is None:
            raise InvalidInput("`attractionId` is not an attraction id.", field="attractionId")
        return attraction_id

    def to_fields(self) -> dict[str, Any]:
        """The stored fields except place details taken from the attraction, validated."""
        starts_at, ends_at = self._times()
        name = localized_text(self.name, field="name", limit=MAX_NAME)
        description = localized_text(self.description, field="description", limit=MAX_DESCRIPTION)
        venue = _note(self.venue, "venue")
        district = _short(self.district, "district")
        fields: dict[str, Any] = {
            "slug": check_slug(self.slug),
            "name": name,
            "description": description,
            "startsAt": starts_at,
            "endsAt": ends_at,
            "status": self.status.value,
            "statusNote": _note(self.status_note, "statusNote"),
            "venue": venue,
            "district": district,
            "recurrence": None,
            "location": self.location.to_document() if self.location else None,
            "attractionId": self._attraction_id(),
        }
        if self.recurrence is not None:
            fields["recurrence"] = self.recurrence.to_document()
        fields.update(search_fields(primary=[name], secondary=[venue, district]))
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
                entry["note"] = _note(stop.note, f"stops[{index}].note")
            stops.append(entry)
        return {
            "slug": check_slug(self.slug),
            "title": localized_text(self.title, field="title", limit=MAX_NAME),
            "description": localized_text(
                self.description, field="description", limit=MAX_DESCRIPTION
            ),
            "theme": self.theme.value,
            "stops": stops,
            "totalMinutes": sum(stop["minutes"] for stop in stops),
        }
