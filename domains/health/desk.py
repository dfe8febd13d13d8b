"""At the facility (staff): checking a patient in by booking code, recording a no-show, and
recording that a patient was seen (``callNext`` is in ``queue.py``)."""

from datetime import datetime

from domains.health import notify
from domains.health.access import is_staff_for, require_some_hospital_staff, role_of
from domains.health.errors import BookingRefused, Refusal
from domains.health.models import AppointmentDocument, AppointmentStatus
from domains.health.placement import audit_entry
from domains.health.repositories import HealthStore
from domains.health.schedule import local_date, shown
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.types import Session
from domains.kernel.validation import object_id


async def _staff_transition(
    *,
    caller: Caller[HealthStore],
    appointment: AppointmentDocument | None,
    to_status: AppointmentStatus,
    action: str,
    now: datetime,
    from_status: AppointmentStatus = "booked",
) -> AppointmentDocument:
    actor = require_some_hospital_staff(caller.principal)
    # An appointment of another facility answers like a missing one.
    if appointment is None or not is_staff_for(caller.principal, appointment):
        raise BookingRefused(Refusal.NOT_FOUND, "No appointment of your facility matches.")
    if appointment["status"] != from_status:
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only a {from_status} appointment can be {action}; this one is "
            f"{appointment['status']}.",
        )
    role = role_of(caller.principal, appointment["hospitalId"])

    async def work(session: Session) -> AppointmentDocument:
        updated = await caller.store.appointments.transition(
            appointment["_id"],
            from_status=from_status,
            set_fields={"status": to_status, "changedAt": now},
            release=False,
            session=session,
        )
        if updated is None:
            raise BookingRefused(Refusal.WRONG_STATUS, "This appointment changed meanwhile.")
        entry = audit_entry(
            updated, actor=actor, role=role, action=action, from_status=from_status, at=now
        )
        await caller.store.audit.append(entry, session=session)
        await notify.cancel_reminders(db=caller.store.db, session=session, appointment=updated)
        return updated

    return await caller.store.transaction(work)


async def check_in(
    *, caller: Caller[HealthStore], booking_code: str, now: datetime | None = None
) -> AppointmentDocument:
    """Check a patient in at the kiosk or desk by booking code, on the appointment's day."""
    now = now or utcnow()
    require_some_hospital_staff(caller.principal)
    code = booking_code.strip().upper()
    appointment = await caller.store.appointments.by_code(code) if code else None
    if (
        appointment is not None
        and is_staff_for(caller.principal, appointment)
        and appointment["status"] == "booked"
        and local_date(appointment["start"]) != local_date(now)
    ):
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"This booking is for {local_date(appointment['start']):%d/%m/%Y}; check-in opens "
            "on that day.",
        )
    return await _staff_transition(
        caller=caller,
        appointment=appointment,
        to_status="checked-in",
        action="checked in",
        now=now,
    )


async def mark_no_show(
    *, caller: Caller[HealthStore], appointment_id: str, now: datetime | None = None
) -> AppointmentDocument:
    """Record that a booked patient did not come (after the slot has started)."""
    now = now or utcnow()
    require_some_hospital_staff(caller.principal)
    appointment = await caller.store.appointments.find(
        object_id(appointment_id, what="appointment")
    )
    if (
        appointment is not None
        and appointment["status"] == "booked"
        and as_utc(appointment["start"]) > now
        and is_staff_for(caller.principal, appointment)
    ):
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"The appointment starts at {shown(appointment['start'])}; mark a no-show after that.",
        )
    return await _staff_transition(
        caller=caller,
        appointment=appointment,
        to_status="noshow",
        action="marked no-show",
        now=now,
    )


async def complete_appointment(
    *, caller: Caller[HealthStore], appointment_id: str, now: datetime | None = None
) -> AppointmentDocument:
    """Record that a checked-in patient has been seen: the visit is fulfilled."""
    now = now or utcnow()
    require_some_hospital_staff(caller.principal)
    appointment = await caller.store.appointments.find(
        object_id(appointment_id, what="appointment")
    )
    return await _staff_transition(
        caller=caller,
        appointment=appointment,
        to_status="fulfilled",
        action="completed",
        now=now,
        from_status="checked-in",
    )
