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

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.clock import utcnow
from domains.kernel.i18n import LocalizedTextInput
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
from domains.tourism.repository import (
    AttractionRepository,
    EventRepository,
    ItineraryRepository,
    ReviewRepository,
)
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


def text(value: dict[str, str] | None) -> LocalizedTextInput | None:
    return LocalizedTextInput(vi=value["vi"], en=value.get("en")) if value else None


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
            note=text(day.get("note")),
        )
        for day in row.get("specialDays", [])
    ]
    tickets = row.get("tickets", {})
    return AttractionInput(
        slug=row["slug"],
        name=text(row["name"]),  # type: ignore[arg-type]
        description=text(row["description"]),  # type: ignore[arg-type]
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
            note=text(tickets.get("note")),
        ),
        accessibility=text(row.get("accessibility")),
        contacts=ContactsInput(**row["contacts"]) if row.get("contacts") else None,
        images=row.get("images", []),
        tags=row.get("tags", []),
    )


def event_input(row: dict[str, Any], attraction_ids: dict[str, ObjectId]) -> EventInput:
    place = row.get("attraction")
    recurrence = row.get("recurrence")
    return EventInput(
        slug=row["slug"],
        name=text(row["name"]),  # type: ignore[arg-type]
        description=text(row["description"]),  # type: ignore[arg-type]
        starts_at=datetime.fromisoformat(row["startsAt"]),
        ends_at=datetime.fromisoformat(row["endsAt"]),
        status=EventStatus(row.get("status", "scheduled")),
        attraction_id=str(attraction_ids[place]) if place else None,  # type: ignore[arg-type]
        location=LocationInput(lat=row["lat"], lng=row["lng"]) if "lat" in row else None,
        venue=text(row.get("venue")),
        district=row.get("district"),
        recurrence=RecurrenceInput(
            calendar=Calendar(recurrence["calendar"]),
            rule=text(recurrence["rule"]),  # type: ignore[arg-type]
            next_dates=[datetime.fromisoformat(d) for d in recurrence["nextDates"]],
        )
        if recurrence
        else None,
    )


def itinerary_input(row: dict[str, Any], attraction_ids: dict[str, ObjectId]) -> ItineraryInput:
    return ItineraryInput(
        slug=row["slug"],
        title=text(row["title"]),  # type: ignore[arg-type]
        description=text(row["description"]),  # type: ignore[arg-type]
        theme=ItineraryTheme(row["theme"]),
        stops=[
            ItineraryStopInput(
                attraction_id=str(attraction_ids[stop["attraction"]]),  # type: ignore[arg-type]
                minutes=stop["minutes"],
                note=text(stop.get("note")),
            )
            for stop in row["stops"]
        ],
    )


async def seed_demo(
    *, db: AsyncDatabase[dict[str, Any]], progress: Callable[[int, int], None]
) -> int:
    """Load the demo data; returns how many records were written."""
    attractions_data = load("attractions.json")
    events_data = load("events.json")
    itineraries_data = load("itineraries.json")
    reviews_data = load("reviews.json")
    total = len(attractions_data) + len(events_data) + len(itineraries_data) + len(reviews_data)
    done = 0
    now = utcnow()
    attractions = AttractionRepository(db)
    ids: dict[str, ObjectId] = {}
    for row in attractions_data:
        fields = {**attraction_input(row).to_fields(), "updatedAt": now}
        ids[row["slug"]] = await attractions.upsert_by_slug(fields, now)
        done += 1
        progress(done, total)
    events = EventRepository(db)
    for row in events_data:
        fields = event_input(row, ids).to_fields()
        if fields["attractionId"] is not None:
            place = await attractions.get(fields["attractionId"])
            assert place is not None  # noqa: S101 - ids were just upserted
            fields["location"] = fields["location"] or place["location"]
            fields["venue"] = fields["venue"] or place["name"]
            fields["district"] = fields["district"] or place["district"]
        await events.upsert_by_slug({**fields, "updatedAt": now}, now)
        done += 1
        progress(done, total)
    itineraries = ItineraryRepository(db)
    for row in itineraries_data:
        fields = itinerary_input(row, ids).to_fields()
        await itineraries.upsert_by_slug({**fields, "updatedAt": now}, now)
        done += 1
        progress(done, total)
    reviews = ReviewRepository(db)
    touched: set[ObjectId] = set()
    for row in reviews_data:
        attraction_id = ids[row["attraction"]]
        await reviews.collection.update_one(
            {"attractionId": attraction_id, "uid": row["uid"]},
            {
                "$set": {"rating": row["rating"], "text": row["text"], "updatedAt": now},
                "$setOnInsert": {"hidden": False, "createdAt": now},
            },
            upsert=True,
        )
        touched.add(attraction_id)
        done += 1
        progress(done, total)
    # Totals from the visible reviews, so re-running the seed never double-counts.
    for attraction_id in touched:
        rows = await reviews.collection.find(
            {"attractionId": attraction_id, "hidden": False}, {"rating": 1}
        ).to_list()
        await attractions.collection.update_one(
            {"_id": attraction_id},
            {"$set": {"rating": {"sum": sum(r["rating"] for r in rows), "count": len(rows)}}},
        )
    return done
