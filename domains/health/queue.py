"""The queue on the day: the desk calls the next checked-in patient of a slot (``callNext``), and
a patient sees the number being served, their own and an estimated wait (``queueStatus``).

Queue numbers are per slot (1..capacity, given at booking). The slot records the number called
last (``serving``); the called appointment records ``calledAt`` and stays checked-in until the
desk completes it (``desk.complete_appointment``) or marks it otherwise.
"""

from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from domains.health.access import (
    is_staff_for,
    may_read_patient,
    require_some_hospital_staff,
    role_of,
)
from domains.health.errors import BookingRefused, Refusal
from domains.health.models import AppointmentDocument, AppointmentStatus, SlotDocument
from domains.health.placement import audit_entry
from domains.health.repositories import HealthStore
from domains.kernel.auth import require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.types import Session
from domains.kernel.validation import object_id

# Statuses after which the patient's queue no longer changes (the subscription ends).
FINAL: frozenset[AppointmentStatus] = frozenset({"fulfilled", "cancelled", "noshow"})


@dataclass(frozen=True, slots=True)
class QueueView:
    """What the patient's phone shows on the day."""

    appointment_id: ObjectId
    slot_id: ObjectId
    status: AppointmentStatus
    queue_number: int | None
    serving: int | None
    called: bool
    ahead: int
    estimated_wait_minutes: int | None

    @property
    def final(self) -> bool:
        return self.status in FINAL


async def call_next(
    *, caller: Caller[HealthStore], slot_id: str, now: datetime | None = None
) -> AppointmentDocument:
    """Call the checked-in patient of a slot with the lowest number not yet called (its
    facility's staff); every patient of the slot sees the new number being served."""
    now = now or utcnow()
    actor = require_some_hospital_staff(caller.principal)
    slot = await caller.store.slots.find(object_id(slot_id, what="slot"))
    # A slot of another facility answers like a missing one.
    if slot is None or not (
        caller.principal.is_admin or caller.principal.is_hospital_staff_of(slot["hospitalId"])
    ):
        raise BookingRefused(Refusal.NOT_FOUND, "No slot of your facility matches.")
    role = role_of(caller.principal, slot["hospitalId"])

    async def work(session: Session) -> AppointmentDocument:
        waiting = await caller.store.appointments.next_waiting(slot["_id"], session=session)
        called = (
            await caller.store.appointments.mark_called(waiting["_id"], now=now, session=session)
            if waiting is not None
            else None
        )
        if called is None or "queueNumber" not in called:
            raise BookingRefused(
                Refusal.QUEUE_EMPTY, "No checked-in patient of this slot is waiting."
            )
        await caller.store.slots.set_serving(slot["_id"], called["queueNumber"], session=session)
        entry = audit_entry(
            called, actor=actor, role=role, action="called", from_status="checked-in", at=now
        )
        await caller.store.audit.append(entry, session=session)
        return called

    return await caller.store.transaction(work, keys=[slot["_id"]])


async def readable_appointment(
    *, caller: Caller[HealthStore], appointment_id: str
) -> AppointmentDocument:
    """The appointment if the caller booked it or works at its facility; else not found."""
    require_user(caller.principal)
    appointment = await caller.store.appointments.find(
        object_id(appointment_id, what="appointment")
    )
    if appointment is None or not (
        may_read_patient(
            caller.principal,
            user_id=appointment["userId"],
            hospital_id=appointment["hospitalId"],
        )
        or is_staff_for(caller.principal, appointment)
    ):
        raise BookingRefused(Refusal.NOT_FOUND, "You have no appointment with this id.")
    return appointment


def minutes_per_patient(slot: SlotDocument) -> int:
    """The slot's length shared by its places: the estimate of one patient's turn."""
    minutes = (as_utc(slot["end"]) - as_utc(slot["start"])).total_seconds() / 60
    return max(1, round(minutes / max(1, slot["capacity"])))


async def queue_view(*, store: HealthStore, appointment_id: ObjectId) -> QueueView | None:
    """The queue as it stands now for one appointment (None once it is gone)."""
    appointment = await store.appointments.find(appointment_id)
    if appointment is None:
        return None
    slot = await store.slots.find(appointment["slotId"])
    number = appointment.get("queueNumber")
    status = appointment["status"]
    called = "calledAt" in appointment
    waiting = status in ("booked", "checked-in") and not called
    ahead = (
        await store.appointments.waiting_before(appointment["slotId"], number)
        if waiting and number is not None
        else 0
    )
    return QueueView(
        appointment_id=appointment["_id"],
        slot_id=appointment["slotId"],
        status=status,
        queue_number=number,
        serving=slot.get("serving") if slot else None,
        called=called,
        ahead=ahead,
        estimated_wait_minutes=ahead * minutes_per_patient(slot) if waiting and slot else None,
    )
