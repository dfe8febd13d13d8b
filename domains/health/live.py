"""The health subscriptions' sources: each checks who may follow what first, then sends the
state now and again after every change that touches it (``domains/kernel/live.py``: the
process's change feeds, so a write through any replica reaches the subscribers of all)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bson import ObjectId

from domains.health.calendar import Entry
from domains.health.queue import QueueView, queue_view, readable_appointment
from domains.health.repositories import AppointmentRepository, HealthStore, SlotRepository
from domains.health.schedule import at_local
from domains.kernel.caller import Caller
from domains.kernel.change_feed import ChangeEvent
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.live import ChangeFeeds, Wakeup
from domains.kernel.validation import required_text

APPOINTMENTS = AppointmentRepository.collection_name
SLOTS = SlotRepository.collection_name


async def queue_updates(
    *, caller: Caller[HealthStore], feeds: ChangeFeeds, appointment_id: str
) -> AsyncIterator[QueueView]:
    """The patient's queue (the owner or the facility's staff) until the visit ends."""
    appointment = await readable_appointment(caller=caller, appointment_id=appointment_id)
    own_id, slot_id = appointment["_id"], appointment["slotId"]

    def same_slot(event: ChangeEvent) -> bool:
        # Another patient of the slot checked in, cancelled or was called: "ahead" changes.
        document = event.document
        return event.document_id == own_id or (
            document is not None and document.get("slotId") == slot_id
        )

    wakeup = Wakeup()
    async with (
        feeds.watching(wakeup, APPOINTMENTS, same_slot),
        feeds.watching(wakeup, SLOTS, lambda event: event.document_id == slot_id),
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
    *, store: HealthStore, hospital_id: str, department_id: str, day: date
) -> tuple[Places, ...]:
    now = utcnow()
    start, end = at_local(day, "00:00"), at_local(day + timedelta(days=1), "00:00")
    slots = await store.slots.of_department_between(hospital_id, department_id, start, end)
    return tuple(
        Places(
            slot_id=slot["_id"],
            start=slot["start"],
            end=slot["end"],
            remaining=slot["remaining"],
            bookable=Entry.of(dict(slot)).bookable(now),
        )
        for slot in slots
    )


async def availability_updates(
    *, store: HealthStore, feeds: ChangeFeeds, hospital_id: str, department_id: str, day: date
) -> AsyncIterator[tuple[Places, ...]]:
    """A department's places on one day (public, like ``availableSlots``)."""
    hospital_id = required_text(hospital_id, field="hospitalId", limit=100)
    department_id = required_text(department_id, field="departmentId", limit=100)
    start, end = at_local(day, "00:00"), at_local(day + timedelta(days=1), "00:00")

    def same_day(event: ChangeEvent) -> bool:
        slot = event.document
        if slot is None:
            return True  # deleted: it may have been one of ours
        return (
            slot.get("hospitalId") == hospital_id
            and slot.get("departmentId") == department_id
            and isinstance(slot.get("start"), datetime)
            and start <= as_utc(slot["start"]) < end
        )

    wakeup = Wakeup()
    async with feeds.watching(wakeup, SLOTS, same_day):
        last: tuple[Places, ...] | None = None
        while True:
            places = await slot_places(
                store=store, hospital_id=hospital_id, department_id=department_id, day=day
            )
            if places != last:
                yield places
                last = places
            await wakeup.wait()
