"""Demo data: real attractions, festivals and itineraries of Thanh Hóa, plus a few reviews.

Idempotent: attractions, events and itineraries are upserted by slug; reviews by (attraction,
user), with the rating totals recomputed from the visible reviews afterwards. Every record goes
through the same validation as the admin mutations.
"""

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import strawberry
from bson import ObjectId

from domains.kernel.clock import utcnow
from domains.kernel.i18n import LocalizedTextInput
from domains.kernel.module import Progress
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from domains.tourism.events import with_place
from domains.tourism.inputs import (
    AttractionInput,
    ContactsInput,
    EventInput,
    ItineraryInput,
    ItineraryStopInput,
    LocationInput,
    OpeningHoursInput,
    RecurrenceInput,
    SpecialDayInput,
    TicketsInput,
)
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import (
    AttractionCategory,
    Calendar,
    EventStatus,
    ItineraryTheme,
    Weekday,
)

DATA = Path(__file__).resolve().parent / "data"
DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def load(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return rows


def text(value: dict[str, str]) -> LocalizedTextInput:
    return LocalizedTextInput(vi=value["vi"], en=value.get("en"))


def optional_text(value: dict[str, str] | None) -> LocalizedTextInput | None:
    return text(value) if value else None


def object_ref(attraction_ids: dict[str, ObjectId], slug: str) -> strawberry.ID:
    return strawberry.ID(str(attraction_ids[slug]))


def weekdays(spec: str) -> Iterator[int]:
    """'mon-sun', 'mon-fri', 'sat,sun' -> weekday numbers."""
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        start, end = DAYS[first], DAYS[last or first]
        yield from range(start, end + 1)


def attraction_input(row: dict[str, Any]) -> AttractionInput:
    hours = [
        OpeningHoursInput(weekday=Weekday(day), opens=block["opens"], closes=block["closes"])
        for block in row.get("hours", [])
        for day in weekdays(block["days"])
    ]
    special = [
        SpecialDayInput(
            date=day["date"],
            closed=day.get("closed", False),
            opens=day.get("opens"),
            closes=day.get("closes"),
            note=optional_text(day.get("note")),
        )
        for day in row.get("specialDays", [])
    ]
    tickets = row.get("tickets", {})
    return AttractionInput(
        slug=row["slug"],
        name=text(row["name"]),
        description=text(row["description"]),
        category=AttractionCategory(row["category"]),
        location=LocationInput(lat=row["lat"], lng=row["lng"]),
        address=row["address"],
        district=row["district"],
        opening_hours=hours,
        special_days=special,
        tickets=TicketsInput(
            free=tickets.get("free", False),
            adult_vnd=tickets.get("adultVnd"),
            child_vnd=tickets.get("childVnd"),
            note=optional_text(tickets.get("note")),
        ),
        accessibility=optional_text(row.get("accessibility")),
        contacts=ContactsInput(**row["contacts"]) if row.get("contacts") else None,
        images=row.get("images", []),
        tags=row.get("tags", []),
    )


def event_input(row: dict[str, Any], attraction_ids: dict[str, ObjectId]) -> EventInput:
    place = row.get("attraction")
    recurrence = row.get("recurrence")
    return EventInput(
        slug=row["slug"],
        name=text(row["name"]),
        description=text(row["description"]),
        starts_at=datetime.fromisoformat(row["startsAt"]),
        ends_at=datetime.fromisoformat(row["endsAt"]),
        status=EventStatus(row.get("status", "scheduled")),
        attraction_id=object_ref(attraction_ids, place) if place else None,
        location=LocationInput(lat=row["lat"], lng=row["lng"]) if "lat" in row else None,
        venue=optional_text(row.get("venue")),
        district=row.get("district"),
        recurrence=RecurrenceInput(
            calendar=Calendar(recurrence["calendar"]),
            rule=text(recurrence["rule"]),
            next_dates=[datetime.fromisoformat(d) for d in recurrence["nextDates"]],
        )
        if recurrence
        else None,
    )


def itinerary_input(row: dict[str, Any], attraction_ids: dict[str, ObjectId]) -> ItineraryInput:
    return ItineraryInput(
        slug=row["slug"],
        title=text(row["title"]),
        description=text(row["description"]),
        theme=ItineraryTheme(row["theme"]),
        stops=[
            ItineraryStopInput(
                attraction_id=object_ref(attraction_ids, stop["attraction"]),
                minutes=stop["minutes"],
                note=optional_text(stop.get("note")),
            )
            for stop in row["stops"]
        ],
    )


async def seed_demo(*, db: Database, progress: Progress) -> int:
    """Load the demo data; returns how many records were written."""
    store = TourismStore.of(Resources(db=db))
    rows = {
        name: load(f"{name}.json") for name in ("attractions", "events", "itineraries", "reviews")
    }
    total = sum(len(table) for table in rows.values())
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        progress(done, total)

    now = utcnow()
    ids = await _seed_attractions(store, rows["attractions"], now, step)
    for row in rows["events"]:
        fields = await with_place(store, event_input(row, ids).to_fields())
        await store.events.upsert_by_slug({**fields, "updatedAt": now}, now)
        step()
    for row in rows["itineraries"]:
        fields = itinerary_input(row, ids).to_fields()
        await store.itineraries.upsert_by_slug({**fields, "updatedAt": now}, now)
        step()
    await _seed_reviews(store, rows["reviews"], ids, now, step)
    return done


async def _seed_attractions(
    store: TourismStore, rows: list[dict[str, Any]], now: datetime, step: Callable[[], None]
) -> dict[str, ObjectId]:
    """Upsert the attractions; returns their ids by slug."""
    ids: dict[str, ObjectId] = {}
    for row in rows:
        fields = {**attraction_input(row).to_fields(), "updatedAt": now}
        ids[row["slug"]] = await store.attractions.upsert_by_slug(fields, now)
        step()
    return ids


async def _seed_reviews(
    store: TourismStore,
    rows: list[dict[str, Any]],
    ids: dict[str, ObjectId],
    now: datetime,
    step: Callable[[], None],
) -> None:
    """Upsert the demo reviews, then recount the totals of the attractions they touch."""
    touched: set[ObjectId] = set()
    for row in rows:
        attraction_id = ids[row["attraction"]]
        await store.reviews.upsert_demo(
            attraction_id, row["uid"], rating=row["rating"], text=row["text"], now=now
        )
        touched.add(attraction_id)
        step()
    # Totals from the visible reviews, so re-running the seed never double-counts.
    for attraction_id in touched:
        total, count = await store.reviews.visible_totals(attraction_id)
        await store.attractions.set_rating(attraction_id, total=total, count=count)
