"""Events: browsing by date and place, and editing them (admins), which keeps the followers'
reminders in step with the event (``reminders``)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.types import Session
from domains.kernel.validation import object_id
from domains.tourism import content, reminders
from domains.tourism.errors import EventNotFound
from domains.tourism.inputs import EventInput
from domains.tourism.models import EventDocument
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import ON_SCHEDULE, EventStatus


def _check_window(start: datetime | None, end: datetime | None) -> None:
    for field, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"`{field}` needs a time zone, e.g. +07:00.", field=field)
    if start is not None and end is not None and end < start:
        raise InvalidInput("`to` must not be before `from`.", field="to")


async def list_events(
    *,
    store: TourismStore,
    start: datetime | None = None,
    end: datetime | None = None,
    near: NearInput | None = None,
    statuses: Sequence[EventStatus] = (),
    first: int | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[EventDocument]:
    """Events overlapping [start, end] (from now on when neither is given), in start order."""
    if start is None and end is None:
        start = now or utcnow()
    _check_window(start, end)
    return await store.events.page(
        starts_before=end,
        ends_after=start,
        statuses=[status.value for status in statuses],
        near=near.validated() if near else None,
        first=first,
        after=after,
    )


async def get_event(*, store: TourismStore, event_id: str) -> EventDocument | None:
    """One event, or None for an unknown id."""
    parsed = parse_object_id(event_id)
    return await store.events.get_by_id(parsed) if parsed is not None else None


async def load_upcoming_events(
    *, store: TourismStore, attraction_ids: Sequence[ObjectId], now: datetime | None = None
) -> list[list[EventDocument]]:
    """Events at each attraction that have not ended and are not called off (DataLoader)."""
    statuses = [s.value for s in (*ON_SCHEDULE, EventStatus.POSTPONED)]
    rows = await store.events.upcoming_for(attraction_ids, now=now or utcnow(), statuses=statuses)
    grouped: dict[ObjectId, list[EventDocument]] = {}
    for row in rows:
        if row["attractionId"] is not None:
            grouped.setdefault(row["attractionId"], []).append(row)
    return [grouped.get(attraction_id, []) for attraction_id in attraction_ids]


async def with_place(store: TourismStore, fields: dict[str, Any]) -> dict[str, Any]:
    """Fill location, venue and district from the attraction the event takes place at."""
    if fields["attractionId"] is None:
        return fields
    attraction = await store.attractions.get_by_id(fields["attractionId"])
    if attraction is None:
        raise InvalidInput("`attractionId` names no attraction.", field="attractionId")
    fields["location"] = fields["location"] or attraction["location"]
    fields["venue"] = fields["venue"] or attraction["name"]
    fields["district"] = fields["district"] or attraction["district"]
    return fields


async def create_event(
    *,
    caller: Caller[TourismStore],
    data: EventInput,
    now: datetime | None = None,
) -> EventDocument:
    """Add an event (administrators only) with its reminders, queued for whoever will follow."""
    require_admin(caller.principal)
    store = caller.store
    fields = await with_place(store, data.to_fields())
    now = now or utcnow()

    async def write(session: Session) -> EventDocument:
        event = await content.create(
            store.events, fields, extra={"scheduleVersion": 1}, now=now, session=session
        )
        await reminders.schedule_reminders(store.db, session, event, now)
        return event

    return await store.transaction(write)


async def update_event(
    *,
    caller: Caller[TourismStore],
    event_id: str,
    data: EventInput,
    now: datetime | None = None,
) -> EventDocument:
    """Replace an event's details (administrators only).

    Postponing or cancelling cancels the reminders and tells the followers; a new date (or a
    return to the schedule) queues the reminders again and tells them the new date. The event
    and its notifications commit together.
    """
    require_admin(caller.principal)
    store = caller.store
    parsed = object_id(event_id, what="event")
    fields = await with_place(store, data.to_fields())
    now = now or utcnow()

    async def write(session: Session) -> EventDocument:
        before = await store.events.get_by_id(parsed, session=session)
        if before is None:
            raise EventNotFound(event_id)
        changes = dict(fields)
        if reminders.PlanChange.of(before, fields).new_schedule:
            changes["scheduleVersion"] = before.get("scheduleVersion", 1) + 1
        after = await content.replace(store.events, parsed, changes, now=now, session=session)
        if after is None:  # read in this transaction: it cannot have gone
            raise EventNotFound(event_id)
        await reminders.follow_change(store.db, session, before, after, now)
        return after

    return await store.transaction(write, keys=[reminders.event_key(parsed)])
