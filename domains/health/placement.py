"""Beneath booking and the waitlist: how a place in a slot becomes an appointment, exactly once
per idempotency key, and what happens when a place is freed.

A place freed while someone waits is not returned to the pool: it stays claimed (the slot's
`booked` and `remaining` do not change and its queue number stays out of `freeNumbers`) and is
held for the first waiting entry, which becomes `offered` until `holdExpiresAt`. Accepting turns
the held place into an appointment with that queue number; declining, leaving or expiry passes
it to the next entry or, when nobody waits, releases it. Every step is one transaction.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bson import ObjectId

from domains.health import notify
from domains.health.access import ActorRole
from domains.health.errors import BookingRefused, Refusal
from domains.health.models import (
    AppointmentDocument,
    AuditEntry,
    HospitalDocument,
    SlotDocument,
    WaitlistEntryDocument,
)
from domains.health.repositories import HealthStore
from domains.health.schedule import local_date, shown
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.crypto import FIELD_CIPHER
from domains.kernel.types import Session

# No 0/O, 1/I/L: a code read aloud or typed at a kiosk cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


# --- the refusals a claim can meet ------------------------------------------------------------


def explain_unbookable(slot: SlotDocument | None, now: datetime) -> BookingRefused:
    """The precise refusal for a slot the atomic claim did not match."""
    if slot is None:
        return BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    if slot["status"] != "free":
        return BookingRefused(
            Refusal.SLOT_NOT_BOOKABLE, "The facility has closed this slot; choose another time."
        )
    if as_utc(slot["start"]) <= now:
        return BookingRefused(Refusal.SLOT_NOT_BOOKABLE, "This slot has already started.")
    if now < as_utc(slot["bookableFrom"]):
        return BookingRefused(
            Refusal.OUTSIDE_BOOKING_WINDOW,
            f"Booking for this slot opens at {shown(slot['bookableFrom'])}.",
        )
    if now >= as_utc(slot["bookableUntil"]):
        return BookingRefused(
            Refusal.OUTSIDE_BOOKING_WINDOW,
            f"Booking for this slot closed at {shown(slot['bookableUntil'])} (the facility's "
            "cut-off for next-day bookings); choose a later date.",
        )
    return BookingRefused(
        Refusal.SLOT_FULL, "This slot is fully booked; choose another time or join the waitlist."
    )


def already_booked() -> BookingRefused:
    return BookingRefused(
        Refusal.ALREADY_BOOKED, "This patient already has a booking in this slot."
    )


# --- a place becomes an appointment -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """An appointment about to be made: a slot of a facility, a patient, and when."""

    slot: SlotDocument
    hospital: HospitalDocument
    profile_id: ObjectId
    uid: str
    now: datetime
    appointment_id: ObjectId = field(default_factory=ObjectId)
    reason: str | None = None

    def appointment(self, queue_number: int) -> AppointmentDocument:
        slot = self.slot
        appointment = AppointmentDocument(
            _id=self.appointment_id,
            slotId=slot["_id"],
            hospitalId=slot["hospitalId"],
            departmentId=slot["departmentId"],
            doctorId=slot["doctorId"],
            start=slot["start"],
            end=slot["end"],
            patientProfileId=self.profile_id,
            userId=self.uid,
            queueNumber=queue_number,
            bookingCode=new_booking_code(),
            status="booked",
            active=True,
            createdAt=self.now,
            changedAt=self.now,
        )
        if self.reason:
            appointment["reason"] = self.reason
        return appointment


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def check_patient(*, store: HealthStore, session: Session, placement: Placement) -> None:
    """Inside a booking transaction: one patient at a time, no second place in a slot, and the
    facility's limit of upcoming bookings."""
    profile_id, hospital = placement.profile_id, placement.hospital
    await store.profiles.touch(profile_id, session=session)
    if (
        await store.appointments.active_for(placement.slot["_id"], profile_id, session=session)
        is not None
    ):
        raise already_booked()
    limit = hospital["bookingPolicy"]["maxActiveBookings"]
    upcoming = await store.appointments.count_upcoming(
        profile_id, hospital["_id"], now=placement.now, session=session
    )
    if upcoming >= limit:
        raise BookingRefused(
            Refusal.BOOKING_LIMIT_REACHED,
            f"This patient already has {limit} upcoming bookings at this facility (its limit); "
            "cancel one to book another.",
        )


async def claim_place(
    *, store: HealthStore, session: Session, placement: Placement, held_number: int | None = None
) -> AppointmentDocument:
    """Inside a transaction: the patient checks, the place (the lowest free queue number, or
    ``held_number`` held for a waitlist entry), and the insert. The caller then writes its audit
    entry and notifications in the same transaction.

    The claim is the write every concurrent booking of the slot conflicts on. It comes before the
    audit and notifications so that a transaction that loses the race is retried after little
    work.
    """
    await check_patient(store=store, session=session, placement=placement)
    number = held_number
    if number is None:
        slot_id = placement.slot["_id"]
        number = await store.slots.claim(slot_id, now=placement.now, session=session)
        if number is None:
            raise explain_unbookable(await store.slots.find(slot_id, session), placement.now)
    appointment = placement.appointment(number)
    cipher = store.resources.find(FIELD_CIPHER)
    reason = appointment.get("reason")
    # A rescheduled booking carries its reason as stored (already encrypted).
    if cipher is not None and reason and not cipher.is_encrypted(reason):
        appointment["reason"] = cipher.encrypt(reason, field="reason")
    await store.appointments.insert(appointment, session=session)
    return appointment


def audit_entry(
    appointment: AppointmentDocument,
    *,
    actor: str,
    role: ActorRole,
    action: str,
    from_status: str | None,
    at: datetime,
) -> AuditEntry:
    return AuditEntry(
        appointmentId=appointment["_id"],
        slotId=appointment["slotId"],
        hospitalId=appointment["hospitalId"],
        actor=actor,
        actorRole=role,
        action=action,
        fromStatus=from_status,
        toStatus=appointment["status"],
        at=at,
    )


async def record_booking(
    *,
    store: HealthStore,
    session: Session,
    appointment: AppointmentDocument,
    placement: Placement,
    action: str,
    moved: bool = False,
) -> None:
    """In the booking's transaction: the patient's audit entry, the confirmation and reminders."""
    entry = audit_entry(
        appointment,
        actor=appointment["userId"],
        role="patient",
        action=action,
        from_status=None,
        at=placement.now,
    )
    await store.audit.append(entry, session=session)
    await notify.booked(
        db=store.db,
        session=session,
        appointment=appointment,
        hospital=placement.hospital,
        now=placement.now,
        moved=moved,
    )


# --- a place is freed -------------------------------------------------------------------------


async def free_place(
    *,
    store: HealthStore,
    session: Session,
    slot_id: ObjectId,
    number: int,
    now: datetime,
) -> WaitlistEntryDocument | None:
    """Inside the caller's transaction: hold the freed place ``number`` of a slot for the first
    waiting entry and tell them, or give it back to the pool when nobody can take it."""
    slot = await store.slots.find(slot_id, session)
    if (
        slot is not None
        and slot["status"] == "free"
        and as_utc(slot["bookableFrom"]) <= now < as_utc(slot["bookableUntil"])
    ):
        entry = await _offer_to_next(
            store=store, session=session, slot=slot, number=number, now=now
        )
        if entry is not None:
            return entry
    await store.slots.release(slot_id, number, session=session)
    return None


async def _offer_to_next(
    *, store: HealthStore, session: Session, slot: SlotDocument, number: int, now: datetime
) -> WaitlistEntryDocument | None:
    hospital = await store.hospitals.find(slot["hospitalId"])
    minutes = hospital["bookingPolicy"].get("holdMinutes", 15) if hospital else 15
    # A hold never reaches past the booking cut-off: it could not be accepted then.
    until = min(now + timedelta(minutes=minutes), as_utc(slot["bookableUntil"]))
    day = local_date(slot["start"]).isoformat()
    for candidate in await store.waitlist.waiting_for(slot, day=day, session=session):
        profile_id = candidate["patientProfileId"]
        if await store.appointments.active_for(slot["_id"], profile_id, session=session):
            continue  # waiting for the department's day but already in this slot
        entry = await store.waitlist.offer(
            candidate["_id"],
            slot_id=slot["_id"],
            number=number,
            until=until,
            now=now,
            session=session,
        )
        if entry is not None:
            await notify.waitlist_offered(
                db=store.db, session=session, entry=entry, start=slot["start"], until=until
            )
            return entry
    return None


async def pass_on_hold(
    *, store: HealthStore, session: Session, entry: WaitlistEntryDocument, now: datetime
) -> WaitlistEntryDocument | None:
    """Inside the caller's transaction: the place held for ``entry`` (now closed) is freed."""
    return await free_place(
        store=store, session=session, slot_id=entry["slotId"], number=entry["heldNumber"], now=now
    )


async def expire_waitlist_holds(
    *, store: HealthStore, now: datetime | None = None, slot_id: ObjectId | None = None
) -> int:
    """Expire the holds whose time has passed (of one slot, or all): each goes to the next
    waiting entry or back to the pool, one transaction per entry. Idempotent; returns how many
    this call expired. Called lazily before reads and claims, and safe to call from a sweeper."""
    now = now or utcnow()
    expired = 0
    for entry in await store.waitlist.expired_holds(now=now, slot_id=slot_id):

        async def work(session: Session, entry: WaitlistEntryDocument = entry) -> bool:
            closed = await store.waitlist.close(
                entry["_id"],
                from_status="offered",
                to_status="expired",
                now=now,
                session=session,
                hold_expired_at=now,
            )
            if closed is None:
                return False  # accepted, declined or expired by someone else meanwhile
            await pass_on_hold(store=store, session=session, entry=entry, now=now)
            return True

        expired += 1 if await store.transaction(work) else 0
    return expired


async def cancel_booked(
    *,
    store: HealthStore,
    appointment: AppointmentDocument,
    reason: str | None,
    actor: str,
    role: ActorRole,
    by_facility: bool,
    now: datetime,
) -> AppointmentDocument | None:
    """Cancel a booked appointment and free its place, in one transaction; None if it was no
    longer booked."""

    async def work(session: Session) -> AppointmentDocument | None:
        fields: dict[str, object] = {"status": "cancelled", "changedAt": now}
        if reason:
            fields["cancelReason"] = reason
        updated = await store.appointments.transition(
            appointment["_id"],
            from_status="booked",
            set_fields=fields,
            release=True,
            session=session,
        )
        if updated is None:
            return None
        await free_place(
            store=store,
            session=session,
            slot_id=updated["slotId"],
            number=updated["queueNumber"],
            now=now,
        )
        entry = audit_entry(
            updated, actor=actor, role=role, action="cancel", from_status="booked", at=now
        )
        await store.audit.append(entry, session=session)
        await notify.cancelled(
            db=store.db, session=session, appointment=updated, by_facility=by_facility
        )
        return updated

    return await store.transaction(work, keys=[appointment["slotId"]])
