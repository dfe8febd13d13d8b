"""Booking, cancelling and moving appointments (patients), and the lists of appointments.

The booking path: one transaction claims a place and the lowest free queue number with one
conditional update on the slot, writes the appointment, its audit entry and its notifications, and
records the idempotency key. Unique indexes back every invariant the transaction relies on.
"""

from datetime import date, datetime, timedelta

from bson import ObjectId

from domains.health import notify
from domains.health.access import owned_appointment, owned_profile
from domains.health.errors import BookingRefused, Refusal
from domains.health.idempotency import Attempt, book_once, check_idempotency_key, earlier_answer
from domains.health.models import AppointmentDocument, HospitalDocument, SlotDocument
from domains.health.parts import resolve_parts
from domains.health.placement import (
    Placement,
    audit_entry,
    cancel_booked,
    claim_place,
    expire_waitlist_holds,
    explain_unbookable,
    free_place,
    record_booking,
)
from domains.health.repositories import HealthStore
from domains.health.schedule import day_bounds, shown
from domains.health.windows import Span, windowed_page
from domains.kernel.auth import require_account, require_hospital_staff, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.pagination import Page
from domains.kernel.types import Session
from domains.kernel.validation import clean_text, object_id

MAX_REASON = 500
# hospitalAppointments reads a busy day two hours at a time at first.
DAY_WINDOW = timedelta(hours=2)
MAX_CANCEL_REASON = 300


def _reason(value: str | None, limit: int) -> str | None:
    """Free text from the patient, on one line."""
    return clean_text(" ".join((value or "").split()), field="reason", limit=limit)


async def _bookable_slot(
    store: HealthStore, slot_id: ObjectId, now: datetime
) -> tuple[SlotDocument, HospitalDocument]:
    slot = await store.slots.find(slot_id)
    hospital = await store.hospitals.find(slot["hospitalId"]) if slot else None
    if slot is None or hospital is None:
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    if slot["remaining"] <= 0 and await expire_waitlist_holds(
        store=store, now=now, slot_id=slot_id
    ):
        slot = await store.slots.find(slot_id) or slot
    if slot["remaining"] <= 0 or slot["status"] != "free":
        # Only a shortcut: a slot seen full needs no transaction. The claim decides.
        raise explain_unbookable(slot, now)
    return slot, hospital


async def book_appointment(
    *,
    caller: Caller[HealthStore],
    slot_id: str,
    patient_profile_id: str,
    reason: str | None,
    idempotency_key: str,
    now: datetime | None = None,
) -> AppointmentDocument:
    """Book a place in a slot for one of the caller's patient profiles, exactly once per key."""
    uid = require_account(caller.principal)
    now = now or utcnow()
    check_idempotency_key(idempotency_key)
    reason = _reason(reason, MAX_REASON)
    slot_oid = object_id(slot_id, what="slot")
    profile_oid = object_id(patient_profile_id, what="patient profile")
    attempt = Attempt.of(
        uid=uid, key=idempotency_key, parts=(slot_oid, profile_oid, reason), now=now
    )
    earlier = await earlier_answer(store=caller.store, attempt=attempt)
    if earlier is not None:
        return earlier
    await owned_profile(store=caller.store, uid=uid, profile_id=profile_oid)
    slot, hospital = await _bookable_slot(caller.store, slot_oid, now)
    placement = Placement(
        slot=slot,
        hospital=hospital,
        profile_id=profile_oid,
        uid=uid,
        now=now,
        appointment_id=attempt.appointment_id,
        reason=reason,
    )

    async def work(session: Session) -> AppointmentDocument:
        appointment = await claim_place(store=caller.store, session=session, placement=placement)
        await record_booking(
            store=caller.store,
            session=session,
            appointment=appointment,
            placement=placement,
            action="book",
        )
        return appointment

    return await book_once(store=caller.store, attempt=attempt, slot_id=slot_oid, work=work)


async def _check_changeable(
    store: HealthStore, appointment: AppointmentDocument, now: datetime
) -> None:
    if appointment["status"] != "booked":
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only a booked appointment can be changed; this one is {appointment['status']}.",
        )
    hospital = await store.hospitals.find(appointment["hospitalId"])
    hours = hospital["bookingPolicy"]["cancelBeforeHours"] if hospital else 0
    deadline = as_utc(appointment["start"]) - timedelta(hours=hours)
    if now >= deadline:
        raise BookingRefused(
            Refusal.OUTSIDE_CANCELLATION_WINDOW,
            f"Changes close {hours} hours before the appointment (at {shown(deadline)}); "
            "call the facility instead.",
        )


def _changed_meanwhile() -> BookingRefused:
    return BookingRefused(Refusal.WRONG_STATUS, "This appointment changed meanwhile; reload it.")


async def cancel_appointment(
    *,
    caller: Caller[HealthStore],
    appointment_id: str,
    reason: str | None,
    now: datetime | None = None,
) -> AppointmentDocument:
    """The patient cancels their booking within the facility's cancellation window."""
    now = now or utcnow()
    appointment = await owned_appointment(caller=caller, appointment_id=appointment_id)
    reason = _reason(reason, MAX_CANCEL_REASON)
    await _check_changeable(caller.store, appointment, now)
    updated = await cancel_booked(
        store=caller.store,
        appointment=appointment,
        reason=reason,
        actor=appointment["userId"],
        role="patient",
        by_facility=False,
        now=now,
    )
    if updated is None:
        raise _changed_meanwhile()
    return updated


async def _move_target(
    store: HealthStore, old: AppointmentDocument, new_slot_id: str
) -> tuple[SlotDocument, HospitalDocument]:
    """The slot a booking moves to: another one of the same facility."""
    new_oid = object_id(new_slot_id, what="slot")
    if new_oid == old["slotId"]:
        raise BookingRefused(Refusal.ALREADY_BOOKED, "The booking is already in this slot.")
    target = await store.slots.find(new_oid)
    if target is None:
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    if target["hospitalId"] != old["hospitalId"]:
        raise BookingRefused(
            Refusal.SLOT_NOT_BOOKABLE,
            "A booking moves within its facility; to go elsewhere, book there and cancel this.",
        )
    hospital = await store.hospitals.find(old["hospitalId"])
    assert hospital is not None  # noqa: S101 - facilities are never deleted
    return target, hospital


async def reschedule_appointment(
    *,
    caller: Caller[HealthStore],
    appointment_id: str,
    new_slot_id: str,
    now: datetime | None = None,
) -> AppointmentDocument:
    """Move a booking to another slot of the same facility in one transaction: the patient
    never ends with no booking or two."""
    now = now or utcnow()
    store = caller.store
    old = await owned_appointment(caller=caller, appointment_id=appointment_id)
    await _check_changeable(store, old, now)
    target, hospital = await _move_target(store, old, new_slot_id)
    placement = Placement(
        slot=target,
        hospital=hospital,
        profile_id=old["patientProfileId"],
        uid=old["userId"],
        now=now,
        reason=old.get("reason"),
    )

    async def work(session: Session) -> AppointmentDocument:
        moved = await store.appointments.transition(
            old["_id"],
            from_status="booked",
            set_fields={"status": "cancelled", "changedAt": now},
            release=True,
            session=session,
        )
        if moved is None:
            raise _changed_meanwhile()
        # The old booking no longer counts towards the limit inside this transaction.
        new = await claim_place(store=store, session=session, placement=placement)
        left = audit_entry(
            moved,
            actor=old["userId"],
            role="patient",
            action="reschedule-from",
            from_status="booked",
            at=now,
        )
        await store.audit.append(left, session=session)
        await notify.cancel_reminders(db=store.db, session=session, appointment=moved)
        await record_booking(
            store=store,
            session=session,
            appointment=new,
            placement=placement,
            action="reschedule-to",
            moved=True,
        )
        await store.appointments.mark_rescheduled(old["_id"], to=new["_id"], session=session)
        await free_place(
            store=store, session=session, slot_id=old["slotId"], number=old["queueNumber"], now=now
        )
        return new

    return await store.transaction(work, keys=[target["_id"], old["slotId"]])


async def my_appointments(
    *,
    caller: Caller[HealthStore],
    status: str | None,
    first: int | None,
    after: str | None,
) -> Page[AppointmentDocument]:
    """The caller's appointments (for all their patient profiles), newest first."""
    uid = require_user(caller.principal)
    return await caller.store.appointments.page_for_user(
        user_id=uid, status=status, first=first, after=after
    )


async def hospital_appointments(
    *,
    caller: Caller[HealthStore],
    hospital_id: str,
    day: date,
    department_id: str | None,
    status: str | None,
    first: int | None,
    after: str | None,
) -> Page[AppointmentDocument]:
    """A facility's appointments on one day, in queue order (staff of that facility), read a
    window of start times at a time (``windows.py``)."""
    require_hospital_staff(caller.principal, hospital_id)
    department_id = resolve_parts(hospital_id, department_id).department_id
    start_from, start_to = day_bounds(day)
    appointments = caller.store.appointments

    async def read(low: datetime, high: datetime | None) -> list[AppointmentDocument]:
        return await appointments.of_hospital_between(hospital_id, low, high)

    def keep(appointment: AppointmentDocument) -> bool:
        return (department_id is None or appointment["departmentId"] == department_id) and (
            status is None or appointment["status"] == status
        )

    async def count_total() -> int:
        return await appointments.count_for_hospital(
            hospital_id=hospital_id,
            start_from=start_from,
            start_to=start_to,
            department_id=department_id,
            status=status,
        )

    return await windowed_page(
        read,
        span=Span(start=start_from, end=start_to, window=DAY_WINDOW),
        keep=keep,
        fields=("start", "queueNumber"),
        first=first,
        after=after,
        count_total=count_total,
    )
