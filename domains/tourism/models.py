"""Stored documents of the tourism collections (camelCase keys, as stored)."""

from datetime import datetime
from typing import Any, NotRequired, TypedDict

from bson import ObjectId

LocalizedDict = dict[str, str]
GeoPoint = dict[str, Any]  # {"type": "Point", "coordinates": [lng, lat]}


class OpeningInterval(TypedDict):
    """Open from ``opens`` to ``closes`` (``"HH:MM"``, ``"24:00"`` for midnight) on ``weekday``."""

    weekday: int  # 0 = Monday ... 6 = Sunday, as datetime.weekday()
    opens: str
    closes: str


class SpecialDay(TypedDict):
    """A date whose hours replace the weekly ones: a holiday, a festival day or a closure."""

    date: str  # YYYY-MM-DD in the province's time zone
    closed: bool
    opens: NotRequired[str | None]
    closes: NotRequired[str | None]
    note: NotRequired[LocalizedDict]


class Tickets(TypedDict):
    free: bool
    adultVnd: NotRequired[int | None]
    childVnd: NotRequired[int | None]
    note: NotRequired[LocalizedDict]


class Contacts(TypedDict, total=False):
    phone: str
    website: str
    email: str


class RatingTotals(TypedDict):
    """Running totals of visible reviews; changed only with ``$inc`` so they never drift."""

    sum: int
    count: int


class AttractionDocument(TypedDict):
    """``tourism_attractions``."""

    _id: ObjectId
    slug: str
    name: LocalizedDict
    description: LocalizedDict
    category: str
    location: GeoPoint
    address: str
    district: str
    districtKey: str  # folded district, for accent-insensitive filtering
    nameKey: str  # folded Vietnamese name, the default sort order
    openingHours: list[OpeningInterval]
    specialDays: list[SpecialDay]
    tickets: Tickets
    accessibility: LocalizedDict
    contacts: Contacts
    images: list[str]
    tags: list[str]
    rating: RatingTotals
    searchPrimary: list[str]
    searchTerms: list[str]
    createdAt: datetime
    updatedAt: datetime


class ReviewDocument(TypedDict):
    """``tourism_reviews``: one per user per attraction."""

    _id: ObjectId
    attractionId: ObjectId
    uid: str
    rating: int
    text: str
    hidden: bool
    hiddenReason: NotRequired[str | None]
    hiddenBy: NotRequired[str | None]
    createdAt: datetime
    updatedAt: datetime


class Recurrence(TypedDict):
    frequency: str  # "yearly"
    calendar: str  # "lunar" | "solar"
    rule: LocalizedDict  # e.g. "21st–22nd day of the 8th lunar month"
    nextDates: list[datetime]  # concrete next start dates (UTC)


class EventDocument(TypedDict):
    """``tourism_events``: a festival or event, at an attraction or at a free location."""

    _id: ObjectId
    slug: str
    name: LocalizedDict
    description: LocalizedDict
    startsAt: datetime
    endsAt: datetime
    status: str
    statusNote: NotRequired[LocalizedDict]
    recurrence: NotRequired[Recurrence | None]
    attractionId: ObjectId | None
    location: GeoPoint
    venue: LocalizedDict
    district: str
    scheduleVersion: int  # bumped on every reschedule; part of the reminder dedupe keys
    searchPrimary: list[str]
    searchTerms: list[str]
    createdAt: datetime
    updatedAt: datetime


class EventSubscriptionDocument(TypedDict):
    """``tourism_event_subscriptions`` (before topics): who wanted reminders for which event; read
    only by the start-up migration (``migrations``)."""

    _id: ObjectId
    eventId: ObjectId
    uid: str
    createdAt: datetime


class ItineraryStop(TypedDict):
    attractionId: ObjectId
    minutes: int
    note: NotRequired[LocalizedDict]


class ItineraryDocument(TypedDict):
    """``tourism_itineraries``: ordered stops with suggested durations."""

    _id: ObjectId
    slug: str
    title: LocalizedDict
    description: LocalizedDict
    theme: str
    stops: list[ItineraryStop]
    totalMinutes: int
    createdAt: datetime
    updatedAt: datetime


class FavoriteDocument(TypedDict):
    """``tourism_favorites``: a user's saved attractions."""

    _id: ObjectId
    uid: str
    attractionId: ObjectId
    createdAt: datetime
