"""The health subscriptions' sources: each checks who may follow what first, then sends the
state now and again after every change that touches it (``domains/kernel/live.py``: the
process's change feeds, so a write through any replica reaches the subscribers of all)."""

from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bson import ObjectId

from domains.health.calendar import Entry
from domains.health.parts import resolve_parts
from domains.health.queue import QueueView, queue_view, readable_appointment
from domains.health.repositories import AppointmentRepository, HealthStore, SlotRepository
from domains.health.schedule import at_local, local_date
from domains.kernel.caller import Caller
from domains.kernel.change_feed import ChangeEvent
from domains.kernel.clock import Clock, as_utc
from domains.kernel.live import ChangeFeeds, Wakeup, woken_or_at
from domains.kernel.validation import required_text

APPOINTMENTS = AppointmentRepository.collection_name
SLOTS = SlotRepository.collection_name


def document_id(event: ChangeEvent) -> Hashable | None:
    key: Hashable | None = event.document_id
    return key


def slot_of_appointment(event: ChangeEvent) -> Hashable | None:
    """The slot of a changed appointment (None when it is gone)."""
    return event.document.get("slotId") if event.document else None


def department_day(event: ChangeEvent) -> Hashable | None:
    """(facility, department, province day) of a changed slot (None when it is gone)."""
    slot = event.document
    if slot is None or not isinstance(slot.get("start"), datetime):
        return None
    return (slot.get("hospitalId"), slot.get("departmentId"), local_date(as_utc(slot["start"])))


async def queue_updates(
    *, caller: Caller[HealthStore], feeds: ChangeFeeds, appointment_id: str
) -> AsyncIterator[QueueView]:
    """The patient's queue (the owner or the facility's staff) until the visit ends."""
    appointment = await readable_appointment(caller=caller, appointment_id=appointment_id)
    own_id, slot_id = appointment["_id"], appointment["slotId"]
    wakeup = Wakeup()
    # Any patient of the slot checking in, cancelling or being called changes "ahead"; the
    # slot's document holds the number being served.
    async with (
        feeds.watching(wakeup, APPOINTMENTS, slot_of_appointment, slot_id),
        feeds.watching(wakeup, SLOTS, document_id, slot_id),
    ):
        last: QueueView | None = None
        while True:
            view = await queue_view(store=caller.store, appointment_id=own_id)
            if view is None:
                return
            if view != last:
                yield view
                last = view
            if view.final:
                return
            await wakeup.wait()


@dataclass(frozen=True, slots=True)
class Places:
    slot_id: ObjectId
    start: datetime
    end: datetime
    remaining: int
    bookable: bool


async def slot_places(
    *, store: HealthStore, hospital_id: str, department_id: str, day: date, now: datetime
) -> tuple[tuple[Places, ...], datetime | None]:
    """The day's places at ``now``, and the next moment a slot's booking window opens or
    closes (its places change by time alone then), if any."""
    start, end = at_local(day, "00:00"), at_local(day + timedelta(days=1), "00:00")
    slots = await store.slots.of_department_between(hospital_id, department_id, start, end)
    entries = [(slot, Entry.of(dict(slot))) for slot in slots]
    places = tuple(
        Places(
            slot_id=slot["_id"],
            start=slot["start"],
            end=slot["end"],
            remaining=slot["remaining"],
            bookable=entry.bookable(now),
        )
        for slot, entry in entries
    )
    turns = [
        moment
        for _, entry in entries
        for moment in (entry.bookable_from, entry.bookable_until)
        if moment > now
    ]
    return places, min(turns, default=None)


async def availability_updates(
    *,
    store: HealthStore,
    feeds: ChangeFeeds,
    clock: Clock,
    hospital_id: str,
    department_id: str,
    day: date,
) -> AsyncIterator[tuple[Places, ...]]:
    """A department's places on one day (public, like ``availableSlots``): again after every
    change of its slots and when a booking window opens or closes."""
    hospital_id = required_text(hospital_id, field="hospitalId", limit=100)
    department_id = required_text(department_id, field="departmentId", limit=400)
    department_id = resolve_parts(hospital_id, department_id).department_id or ""
    wakeup = Wakeup()
    async with feeds.watching(wakeup, SLOTS, department_day, (hospital_id, department_id, day)):
        last: tuple[Places, ...] | None = None
        while True:
            places, turn = await slot_places(
                store=store,
                hospital_id=hospital_id,
                department_id=department_id,
                day=day,
                now=clock.now(),
            )
            if places != last:
                yield places
                last = places
            await woken_or_at(wakeup, clock, turn)
