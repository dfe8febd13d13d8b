"""Events: browsing by date and place, and editing them (admins), which keeps the followers'
reminders in step with the event (``reminders``)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId

from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.geo import NearInput, distance_km
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.types import Session
from domains.kernel.validation import object_id
from domains.tourism import catalogues, content, reminders
from domains.tourism.catalogues import EVENT_INDEX
from domains.tourism.errors import EventNotFound
from domains.tourism.inputs import EventInput
from domains.tourism.listing import (
    Keep,
    near_ids,
    ordered_page,
    query_key,
    ranked_page,
    search_text,
)
from domains.tourism.models import EventDocument
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import ON_SCHEDULE, EventStatus


def _check_window(start: datetime | None, end: datetime | None) -> None:
    for field, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"`{field}` needs a time zone, e.g. +07:00.", field=field)
    if start is not None and end is not None and end < start:
        raise InvalidInput("`to` must not be before `from`.", field="to")


def _within(start: datetime | None, end: datetime | None) -> Keep:
    """The window (and nothing else) as a test of an event's rendered fields."""

    def keep(fields: Mapping[str, Any]) -> bool:
        return (start is None or fields["endsAt"] >= start) and (
            end is None or fields["startsAt"] <= end
        )

    return keep


def _nearby(keep: Keep, near: NearInput) -> Keep:
    """``keep``, and within ``near``'s radius."""

    def nearby(fields: Mapping[str, Any]) -> bool:
        lng, lat = fields["location"]["coordinates"]
        return distance_km(near.lat, near.lng, lat, lng) <= near.radius_km and keep(fields)

    return nearby


async def list_events(
    *,
    store: TourismStore,
    start: datetime | None = None,
    end: datetime | None = None,
    near: NearInput | None = None,
    search: str | None = None,
    statuses: Sequence[EventStatus] = (),
    first: int | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[EventDocument]:
    """Events overlapping [start, end] (from now on when neither is given): best match first
    with ``search``, else in start order (``near`` keeps those within its radius)."""
    if start is None and end is None:
        start = now or utcnow()
    _check_window(start, end)
    text = search_text(search)
    wanted = [status.value for status in statuses]
    near = near.validated() if near else None
    if near is None and text is None:
        return await store.events.page(
            starts_before=end, ends_after=start, statuses=wanted, first=first, after=after
        )
    index = store.resources.get(EVENT_INDEX)
    keep = _within(start, end)
    if wanted:
        inner = keep

        def keep(fields: Mapping[str, Any]) -> bool:
            return fields.get("status") in wanted and inner(fields)

    centre = None if near is None else (near.lat, near.lng, near.radius_km)
    key = query_key("events", text, centre, start, end, wanted)
    if text is None and near is not None:
        nearby = [record_id for record_id, _ in await near_ids(index, near)]
        page = ordered_page(
            index, nearby, keep=keep, order=["startsAt"], key=key, first=first, after=after
        )
    else:
        page = await ranked_page(
            index,
            text or "",
            filters={"status": wanted} if wanted else {},
            keep=keep if near is None else _nearby(keep, near),
            key=key,
            first=first,
            after=after,
        )
    return cast(Page[EventDocument], page)


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

    event = await store.transaction(write)
    await catalogues.written(store.resources, EVENT_INDEX, [event])
    return event


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

    event = await store.transaction(write, keys=[reminders.event_key(parsed)])
    await catalogues.written(store.resources, EVENT_INDEX, [event])
    return event
