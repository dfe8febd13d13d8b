"""Strawberry output types; every relation is resolved through a per-request DataLoader."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import strawberry
from bson import ObjectId
from strawberry.dataloader import DataLoader

from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.context import Info
from domains.kernel.geo import distance_km
from domains.kernel.i18n import Language, LocalizedText, pick
from domains.kernel.node import Node
from domains.search import MARGIN_DESCRIPTION, SCORE_DESCRIPTION, margin_of, score_of
from domains.tourism import attractions, events, favorites, reviews, subscriptions
from domains.tourism.hours import is_open
from domains.tourism.listing import DISTANCE_FIELD
from domains.tourism.models import AttractionDocument, EventDocument, ReviewDocument
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import AttractionCategory, Calendar, EventStatus, Weekday

MAX_NESTED = 20
Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def described(text: str) -> Callable[[Resolver], Resolver]:
    """``@strawberry.field(description=...)`` with the resolver's own type kept for mypy."""
    return cast(Callable[[Resolver], Resolver], strawberry.field(description=text))


def _capped(first: int) -> int:
    return max(0, min(first, MAX_NESTED))


def tourism(info: Info) -> TourismStore:
    """The request's tourism store."""
    return info.context.scoped(TourismStore.of)


def visitor(info: Info) -> Caller[TourismStore]:
    """The request's tourism store with the principal making the request."""
    return info.context.caller(TourismStore.of)


def attraction_loader(info: Info) -> DataLoader[ObjectId, AttractionDocument | None]:
    store = tourism(info)

    async def load(ids: Sequence[ObjectId]) -> list[AttractionDocument | None]:
        return await attractions.load_attractions(store=store, ids=ids)

    return info.context.loader("tourism.attractions", load)


@strawberry.type(name="TourismLocation", description="A point: latitude and longitude (WGS 84).")
class Location:
    lat: float
    lng: float

    @classmethod
    def from_geojson(cls, geometry: dict[str, Any]) -> "Location":
        lng, lat = geometry["coordinates"]
        return cls(lat=lat, lng=lng)


@strawberry.type(name="AttractionRating", description="Average of visible reviews (1–5 stars).")
class Rating:
    average: float | None = strawberry.field(description="Null until someone reviews it.")
    count: int


@strawberry.type(name="AttractionHours", description="Open from `opens` to `closes` on a weekday.")
class OpeningHours:
    weekday: Weekday
    opens: str
    closes: str


@strawberry.type(name="AttractionSpecialDay", description="A date with its own hours or closed.")
class SpecialDay:
    date: str
    closed: bool
    opens: str | None
    closes: str | None
    note_text: strawberry.Private[dict[str, str] | None]
    language: strawberry.Private[str]

    @strawberry.field
    def note(self, lang: Language | None = None) -> str | None:
        return pick(self.note_text, lang.value if lang else self.language)


@strawberry.type(name="AttractionTickets", description="Entry prices in đồng.")
class Tickets:
    free: bool
    adult_vnd: int | None
    child_vnd: int | None
    note_text: strawberry.Private[dict[str, str] | None]
    language: strawberry.Private[str]

    @strawberry.field
    def note(self, lang: Language | None = None) -> str | None:
        return pick(self.note_text, lang.value if lang else self.language)


@strawberry.type(name="AttractionContacts")
class Contacts:
    phone: str | None
    website: str | None
    email: str | None


@strawberry.type(description="A place worth visiting in Thanh Hóa.")
class Attraction(Node):
    id: strawberry.ID
    document: strawberry.Private[AttractionDocument]
    language: strawberry.Private[str]
    distance_m: strawberry.Private[float | None]

    @classmethod
    def from_document(cls, document: AttractionDocument, language: str) -> "Attraction":
        distance: Any = document.get(DISTANCE_FIELD)
        return cls(
            id=strawberry.ID(str(document["_id"])),
            document=document,
            language=language,
            distance_m=float(distance) if distance is not None else None,
        )

    @strawberry.field
    def slug(self) -> str:
        return self.document["slug"]

    @strawberry.field
    def name(self, lang: Language | None = None) -> str:
        return pick(self.document["name"], lang.value if lang else self.language) or ""

    @strawberry.field
    def description(self, lang: Language | None = None) -> str | None:
        return pick(self.document.get("description"), lang.value if lang else self.language)

    @described("Name in every language (for editors).")
    def names(self) -> LocalizedText:
        return LocalizedText.from_document(self.document["name"])

    @strawberry.field
    def category(self) -> AttractionCategory:
        return AttractionCategory(self.document["category"])

    @strawberry.field
    def location(self) -> Location:
        return Location.from_geojson(self.document["location"])

    @strawberry.field
    def address(self) -> str:
        return self.document["address"]

    @strawberry.field
    def district(self) -> str:
        return self.document["district"]

    @described("Distance from `near`, in km (null without `near`).")
    def distance_km(self) -> float | None:
        return None if self.distance_m is None else round(self.distance_m / 1000, 3)

    @described(SCORE_DESCRIPTION)
    def search_score(self) -> float | None:
        return score_of(self.document)

    @described(MARGIN_DESCRIPTION)
    def search_margin(self) -> float | None:
        return margin_of(self.document)

    @strawberry.field
    def opening_hours(self) -> list[OpeningHours]:
        return [
            OpeningHours(weekday=Weekday(i["weekday"]), opens=i["opens"], closes=i["closes"])
            for i in self.document.get("openingHours", [])
        ]

    @described("Holidays, festival days and closures that replace the hours.")
    def special_days(self) -> list[SpecialDay]:
        return [
            SpecialDay(
                date=day["date"],
                closed=day.get("closed", False),
                opens=day.get("opens"),
                closes=day.get("closes"),
                note_text=day.get("note"),
                language=self.language,
            )
            for day in self.document.get("specialDays", [])
        ]

    @described("Open right now, in Vietnam time, honouring special days.")
    def open_now(self) -> bool:
        return is_open(
            self.document.get("openingHours", []), self.document.get("specialDays", []), utcnow()
        )

    @strawberry.field
    def tickets(self) -> Tickets:
        tickets = self.document.get("tickets") or {"free": False}
        return Tickets(
            free=tickets.get("free", False),
            adult_vnd=tickets.get("adultVnd"),
            child_vnd=tickets.get("childVnd"),
            note_text=tickets.get("note"),
            language=self.language,
        )

    @strawberry.field
    def accessibility(self, lang: Language | None = None) -> str | None:
        return pick(self.document.get("accessibility"), lang.value if lang else self.language)

    @strawberry.field
    def contacts(self) -> Contacts:
        contacts = self.document.get("contacts") or {}
        return Contacts(
            phone=contacts.get("phone"),
            website=contacts.get("website"),
            email=contacts.get("email"),
        )

    @strawberry.field
    def images(self) -> list[str]:
        return list(self.document.get("images", []))

    @strawberry.field
    def tags(self) -> list[str]:
        return list(self.document.get("tags", []))

    @strawberry.field
    def rating(self) -> Rating:
        totals = self.document.get("rating") or {"sum": 0, "count": 0}
        count = int(totals.get("count", 0))
        average = round(totals.get("sum", 0) / count, 2) if count > 0 else None
        return Rating(average=average, count=count)

    @described("The newest visible reviews (at most 20; page with `reviews`).")
    async def reviews(self, info: Info, first: int = 3) -> list["Review"]:
        size = _capped(first)
        if size == 0:
            return []
        store = tourism(info)

        async def load(ids: Sequence[ObjectId]) -> list[list[ReviewDocument]]:
            return await reviews.load_latest_reviews(
                store=store, attraction_ids=ids, per_attraction=size
            )

        rows = await info.context.loader(f"tourism.latest_reviews.{size}", load).load(
            self.document["_id"]
        )
        return [Review.from_document(row, self.language) for row in rows]

    @described("Events here that have not ended (at most 20).")
    async def upcoming_events(self, info: Info, first: int = 3) -> list["Event"]:
        store = tourism(info)

        async def load(ids: Sequence[ObjectId]) -> list[list[EventDocument]]:
            return await events.load_upcoming_events(store=store, attraction_ids=ids)

        rows = await info.context.loader("tourism.upcoming_events", load).load(self.document["_id"])
        return [Event.from_document(row, self.language) for row in rows[: _capped(first)]]

    @described("Whether you saved it (false when signed out).")
    async def is_favorite(self, info: Info) -> bool:
        caller = visitor(info)

        async def load(ids: Sequence[ObjectId]) -> list[bool]:
            return await favorites.load_favorite_flags(caller=caller, attraction_ids=ids)

        flag: bool = await info.context.loader("tourism.favorite_flags", load).load(
            self.document["_id"]
        )
        return flag


@strawberry.type(name="AttractionReview", description="A visitor's rating and words.")
class Review(Node):
    id: strawberry.ID
    document: strawberry.Private[ReviewDocument]
    language: strawberry.Private[str]

    @classmethod
    def from_document(cls, document: ReviewDocument, language: str) -> "Review":
        return cls(id=strawberry.ID(str(document["_id"])), document=document, language=language)

    @strawberry.field
    def rating(self) -> int:
        return self.document["rating"]

    @strawberry.field
    def text(self) -> str:
        return self.document["text"]

    @strawberry.field
    def created_at(self) -> datetime:
        return self.document["createdAt"]

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.document["updatedAt"]

    @described("Hidden by a moderator: left out of lists and the average.")
    def hidden(self) -> bool:
        return self.document["hidden"]

    @described("Moderator's reason; only administrators see it.")
    def hidden_reason(self, info: Info) -> str | None:
        if not info.context.principal.is_admin:
            return None
        return self.document.get("hiddenReason")

    @described("Whether you wrote it (authors are not shown to others).")
    def mine(self, info: Info) -> bool:
        uid = info.context.principal.uid
        return uid is not None and uid == self.document["uid"]

    @strawberry.field
    async def attraction(self, info: Info) -> Attraction | None:
        document = await attraction_loader(info).load(self.document["attractionId"])
        return Attraction.from_document(document, self.language) if document else None


@strawberry.type(name="TourismRecurrence", description="How a yearly event comes back.")
class Recurrence:
    frequency: str
    calendar: Calendar
    next_dates: list[datetime]
    rule_text: strawberry.Private[dict[str, str]]
    language: strawberry.Private[str]

    @described("E.g. 'the 22nd day of the 8th lunar month'.")
    def rule(self, lang: Language | None = None) -> str | None:
        return pick(self.rule_text, lang.value if lang else self.language)


@strawberry.type(name="TourismEvent", description="A festival or event, with reminders on request.")
class Event(Node):
    id: strawberry.ID
    document: strawberry.Private[EventDocument]
    language: strawberry.Private[str]
    near: strawberry.Private[tuple[float, float] | None] = None

    @classmethod
    def from_document(
        cls, document: EventDocument, language: str, near: tuple[float, float] | None = None
    ) -> "Event":
        return cls(
            id=strawberry.ID(str(document["_id"])), document=document, language=language, near=near
        )

    @strawberry.field
    def slug(self) -> str:
        return self.document["slug"]

    @strawberry.field
    def name(self, lang: Language | None = None) -> str:
        return pick(self.document["name"], lang.value if lang else self.language) or ""

    @strawberry.field
    def description(self, lang: Language | None = None) -> str | None:
        return pick(self.document.get("description"), lang.value if lang else self.language)

    @described("Start (UTC; shown in Asia/Ho_Chi_Minh by clients).")
    def starts_at(self) -> datetime:
        return self.document["startsAt"]

    @strawberry.field
    def ends_at(self) -> datetime:
        return self.document["endsAt"]

    @strawberry.field
    def status(self) -> EventStatus:
        return EventStatus(self.document["status"])

    @described("Why the status changed, when the organiser said.")
    def status_note(self, lang: Language | None = None) -> str | None:
        return pick(self.document.get("statusNote"), lang.value if lang else self.language)

    @strawberry.field
    def recurrence(self) -> Recurrence | None:
        recurrence = self.document.get("recurrence")
        if not recurrence:
            return None
        return Recurrence(
            frequency=recurrence["frequency"],
            calendar=Calendar(recurrence["calendar"]),
            next_dates=list(recurrence.get("nextDates", [])),
            rule_text=recurrence.get("rule", {}),
            language=self.language,
        )

    @strawberry.field
    def venue(self, lang: Language | None = None) -> str | None:
        return pick(self.document.get("venue"), lang.value if lang else self.language)

    @strawberry.field
    def district(self) -> str | None:
        return self.document.get("district") or None

    @strawberry.field
    def location(self) -> Location:
        return Location.from_geojson(self.document["location"])

    @described("Distance from `near`, in km (null without `near`).")
    def distance_km(self) -> float | None:
        if self.near is None:
            return None
        lng, lat = self.document["location"]["coordinates"]
        return round(distance_km(self.near[0], self.near[1], lat, lng), 3)

    @described(SCORE_DESCRIPTION)
    def search_score(self) -> float | None:
        return score_of(self.document)

    @described(MARGIN_DESCRIPTION)
    def search_margin(self) -> float | None:
        return margin_of(self.document)

    @described("The attraction it takes place at (null for a free location).")
    async def place(self, info: Info) -> Attraction | None:
        attraction_id = self.document.get("attractionId")
        if attraction_id is None:
            return None
        document = await attraction_loader(info).load(attraction_id)
        return Attraction.from_document(document, self.language) if document else None

    @described("Whether you asked for reminders (false when signed out).")
    async def is_subscribed(self, info: Info) -> bool:
        caller = visitor(info)

        async def load(ids: Sequence[ObjectId]) -> list[bool]:
            return await subscriptions.load_subscribed_flags(caller=caller, event_ids=ids)

        flag: bool = await info.context.loader("tourism.subscribed_flags", load).load(
            self.document["_id"]
        )
        return flag
