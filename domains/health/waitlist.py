"""The waitlist: wait for a full slot (or a department's day), accept or decline the place held
for you, leave; and the counts staff see. How a freed place reaches the first waiting entry
lives beneath, in ``placement``."""

from dataclasses import dataclass
from datetime import date, datetime

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from domains.health.access import owned_entry, owned_profile
from domains.health.errors import BookingRefused, Refusal
from domains.health.facilities import department_of, hospital_or_invalid
from domains.health.idempotency import (
    Attempt,
    book_once,
    check_idempotency_key,
    earlier_answer,
)
from domains.health.models import AppointmentDocument, SlotDocument, WaitlistEntryDocument
from domains.health.parts import resolve_parts
from domains.health.placement import (
    Placement,
    already_booked,
    claim_place,
    expire_waitlist_holds,
    explain_unbookable,
    pass_on_hold,
    record_booking,
)
from domains.health.repositories import HealthStore
from domains.health.schedule import day_bounds, local_date, shown
from domains.kernel.auth import require_account, require_hospital_staff, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.types import Session
from domains.kernel.validation import object_id

# Places one account may wait for at once: each open entry may hold a freed place for a while,
# so an account must not sit at the head of every queue (docs/security.md).
MAX_OPEN_ENTRIES = 5


def _hold_valid(entry: WaitlistEntryDocument, now: datetime) -> bool:
    return entry["status"] == "offered" and as_utc(entry["holdExpiresAt"]) > now


def waitlist_status(entry: WaitlistEntryDocument, now: datetime | None = None) -> str:
    """The status a reader sees: an offer whose hold has passed is expired, swept or not."""
    if entry["status"] == "offered" and not _hold_valid(entry, now or utcnow()):
        return "expired"
    return entry["status"]


# --- joining ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitFor:
    """What a new entry waits for: one slot, or any slot of a department on one day."""

    hospital_id: str
    department_id: str
    day: date
    key: str
    slot_id: ObjectId | None = None


def _has_places() -> BookingRefused:
    return BookingRefused(
        Refusal.SLOT_HAS_PLACES, "A place is free: book it with bookAppointment instead."
    )


def _either() -> InvalidInput:
    return InvalidInput(
        "Give either `slotId`, or `hospitalId`, `departmentId` and `date`.", field="slotId"
    )


async def _wait_for_slot(
    store: HealthStore, profile_id: ObjectId, slot_id: str, now: datetime
) -> WaitFor:
    slot_oid = object_id(slot_id, what="slot")
    await expire_waitlist_holds(store=store, now=now, slot_id=slot_oid)
    slot = await store.slots.find(slot_oid)
    if slot is None:
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    refusal = explain_unbookable(slot, now)
    if refusal.refusal is not Refusal.SLOT_FULL:
        raise refusal
    if slot["remaining"] > 0:
        raise _has_places()
    if await store.appointments.active_for(slot_oid, profile_id, session=None):
        raise already_booked()
    return WaitFor(
        hospital_id=slot["hospitalId"],
        department_id=slot["departmentId"],
        day=local_date(slot["start"]),
        key=f"{profile_id}|slot:{slot_oid}",
        slot_id=slot_oid,
    )


async def _wait_for_day(
    store: HealthStore,
    profile_id: ObjectId,
    hospital_id: str,
    department_id: str,
    day: date,
    now: datetime,
) -> WaitFor:
    hospital = await hospital_or_invalid(store=store, hospital_id=hospital_id)
    department_of(hospital, department_id)
    await expire_waitlist_holds(store=store, now=now)
    start_from, start_to = day_bounds(day)
    day_slots: list[SlotDocument] = await store.slots.matching(
        hospital_id=hospital_id,
        department_id=department_id,
        doctor_id=None,
        start_from=start_from,
        start_to=start_to,
    )
    full = [s for s in day_slots if explain_unbookable(s, now).refusal is Refusal.SLOT_FULL]
    if not full:
        raise BookingRefused(
            Refusal.SLOT_NOT_BOOKABLE,
            "This department has no slot on that day that can be booked online.",
        )
    if any(s["remaining"] > 0 for s in full):
        raise _has_places()
    key = f"{profile_id}|day:{hospital_id}:{department_id}:{day.isoformat()}"
    return WaitFor(hospital_id=hospital_id, department_id=department_id, day=day, key=key)


async def join_waitlist(
    *,
    caller: Caller[HealthStore],
    patient_profile_id: str,
    slot_id: str | None,
    hospital_id: str | None,
    department_id: str | None,
    day: date | None,
    now: datetime | None = None,
) -> WaitlistEntryDocument:
    """Wait for a place in a full slot, or in any slot of a department on one day; joining
    again returns the same entry. An account waits for at most ``MAX_OPEN_ENTRIES`` places."""
    uid = require_account(caller.principal)
    now = now or utcnow()
    profile_oid = object_id(patient_profile_id, what="patient profile")
    await owned_profile(store=caller.store, uid=uid, profile_id=profile_oid)
    parts = resolve_parts(hospital_id, department_id)
    hospital_id, department_id = parts.hospital_id, parts.department_id
    if slot_id is not None:
        if hospital_id or department_id or day:
            raise _either()
        wanted = await _wait_for_slot(caller.store, profile_oid, slot_id, now)
    elif hospital_id and department_id and day:
        wanted = await _wait_for_day(
            caller.store, profile_oid, hospital_id, department_id, day, now
        )
    else:
        raise _either()
    return await _open_entry(caller.store, uid, profile_oid, wanted, now)


async def _open_entry(
    store: HealthStore, uid: str, profile_id: ObjectId, wanted: WaitFor, now: datetime
) -> WaitlistEntryDocument:
    """The patient's open entry for ``wanted``: the one there is, or a new one."""
    existing = await store.waitlist.open_by_key(wanted.key)
    if existing is not None:
        return existing
    if await store.waitlist.count_open_for_user(uid) >= MAX_OPEN_ENTRIES:
        raise BookingRefused(
            Refusal.BOOKING_LIMIT_REACHED,
            f"You already wait for {MAX_OPEN_ENTRIES} places; leave one to wait for another.",
        )
    entry = WaitlistEntryDocument(
        _id=ObjectId(),
        userId=uid,
        patientProfileId=profile_id,
        hospitalId=wanted.hospital_id,
        departmentId=wanted.department_id,
        day=wanted.day.isoformat(),
        scope="slot" if wanted.slot_id is not None else "day",
        waitKey=wanted.key,
        status="waiting",
        open=True,
        createdAt=now,
        changedAt=now,
    )
    if wanted.slot_id is not None:
        entry["slotId"] = wanted.slot_id
    try:
        await store.waitlist.insert(entry)
    except DuplicateKeyError:
        # A concurrent join of the same patient won: answer with its entry.
        existing = await store.waitlist.open_by_key(wanted.key)
        if existing is None:  # pragma: no cover - closed between the two statements
            raise
        return existing
    return entry


# --- an offered place -------------------------------------------------------------------------


async def _check_offer(store: HealthStore, entry: WaitlistEntryDocument, now: datetime) -> None:
    if entry["status"] == "offered" and not _hold_valid(entry, now):
        await expire_waitlist_holds(store=store, now=now, slot_id=entry["slotId"])
        raise BookingRefused(
            Refusal.HOLD_EXPIRED,
            f"The place was held until {shown(entry['holdExpiresAt'])}; it has gone to the next "
            "person. Join the waitlist again or choose another time.",
        )
    if entry["status"] != "offered":
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only an offered place can be accepted; this entry is {entry['status']}.",
        )


async def _take_hold(
    store: HealthStore, session: Session, entry: WaitlistEntryDocument, attempt: Attempt
) -> None:
    """Inside the booking transaction: the entry is booked only while its hold lasts and its
    slot is not cancelled (a concurrent cancellation conflicts with this write instead of
    missing it). A slot closed after the offer keeps it: closing keeps what was promised."""
    closed = await store.waitlist.close(
        entry["_id"],
        from_status="offered",
        to_status="booked",
        now=attempt.now,
        session=session,
        extra={"appointmentId": attempt.appointment_id},
        hold_valid_at=attempt.now,
    )
    if closed is None:
        raise BookingRefused(
            Refusal.HOLD_EXPIRED, "The hold on this place has ended; it was passed on."
        )
    if not await store.slots.touch_open(entry["slotId"], session=session):
        raise BookingRefused(
            Refusal.SLOT_NOT_BOOKABLE,
            "The facility has cancelled this slot; choose another time.",
        )


async def accept_waitlist_offer(
    *,
    caller: Caller[HealthStore],
    entry_id: str,
    idempotency_key: str,
    now: datetime | None = None,
) -> AppointmentDocument:
    """Book the place held for the caller's entry, within the hold, exactly once per key."""
    uid = require_user(caller.principal)
    now = now or utcnow()
    check_idempotency_key(idempotency_key)
    entry = await owned_entry(caller=caller, entry_id=entry_id)
    wanted = entry.get("slotId", entry["_id"])
    parts = (wanted, entry["patientProfileId"], f"waitlist:{entry['_id']}")
    attempt = Attempt.of(uid=uid, key=idempotency_key, parts=parts, now=now)
    earlier = await earlier_answer(store=caller.store, attempt=attempt)
    if earlier is not None:
        return earlier
    await _check_offer(caller.store, entry, now)
    slot = await caller.store.slots.find(entry["slotId"])
    hospital = await caller.store.hospitals.find(entry["hospitalId"])
    if slot is None or hospital is None:  # pragma: no cover - never deleted
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    placement = Placement(
        slot=slot,
        hospital=hospital,
        profile_id=entry["patientProfileId"],
        uid=uid,
        now=now,
        appointment_id=attempt.appointment_id,
    )

    async def work(session: Session) -> AppointmentDocument:
        await _take_hold(caller.store, session, entry, attempt)
        # The place was held for this entry: its number comes from the hold, not the pool.
        appointment = await claim_place(
            store=caller.store,
            session=session,
            placement=placement,
            held_number=entry["heldNumber"],
        )
        await record_booking(
            store=caller.store,
            session=session,
            appointment=appointment,
            placement=placement,
            action="book-from-waitlist",
        )
        return appointment

    return await book_once(store=caller.store, attempt=attempt, slot_id=slot["_id"], work=work)


async def _give_up(
    *, store: HealthStore, entry: WaitlistEntryDocument, to_status: str, now: datetime
) -> WaitlistEntryDocument:
    """Close an open entry; a held place goes to the next person or back to the pool."""

    async def work(session: Session) -> WaitlistEntryDocument:
        closed = await store.waitlist.close(
            entry["_id"], from_status=entry["status"], to_status=to_status, now=now, session=session
        )
        if closed is None:
            raise BookingRefused(Refusal.WRONG_STATUS, "This entry changed meanwhile; reload it.")
        if entry["status"] == "offered":
            await pass_on_hold(store=store, session=session, entry=entry, now=now)
        return closed

    return await store.transaction(work)


async def decline_waitlist_offer(
    *, caller: Caller[HealthStore], entry_id: str, now: datetime | None = None
) -> WaitlistEntryDocument:
    """Decline the place held for the caller: it is offered to the next person."""
    now = now or utcnow()
    entry = await owned_entry(caller=caller, entry_id=entry_id)
    if entry["status"] != "offered":
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only an offered place can be declined; this entry is {waitlist_status(entry, now)}.",
        )
    return await _give_up(store=caller.store, entry=entry, to_status="declined", now=now)


async def leave_waitlist(
    *, caller: Caller[HealthStore], entry_id: str, now: datetime | None = None
) -> WaitlistEntryDocument:
    """Stop waiting (a place held for the caller is passed on)."""
    now = now or utcnow()
    entry = await owned_entry(caller=caller, entry_id=entry_id)
    if entry["status"] not in ("waiting", "offered"):
        raise BookingRefused(
            Refusal.WRONG_STATUS, f"This entry is {entry['status']}; there is nothing to leave."
        )
    return await _give_up(store=caller.store, entry=entry, to_status="left", now=now)


# --- lists and counts -------------------------------------------------------------------------


async def my_waitlist(
    *, caller: Caller[HealthStore], first: int | None, after: str | None
) -> Page[WaitlistEntryDocument]:
    """The caller's waitlist entries, newest first."""
    uid = require_user(caller.principal)
    return await caller.store.waitlist.page_for_user(user_id=uid, first=first, after=after)


@dataclass(frozen=True, slots=True)
class WaitlistCount:
    slot_id: ObjectId
    waiting: int
    offered: int


async def slot_waitlist(
    *, caller: Caller[HealthStore], slot_id: str, now: datetime | None = None
) -> WaitlistCount:
    """How many wait for a slot and how many places of it are held (staff; counts only)."""
    require_user(caller.principal)
    slot = await caller.store.slots.find(object_id(slot_id, what="slot"))
    if slot is None:
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    require_hospital_staff(caller.principal, slot["hospitalId"])
    await expire_waitlist_holds(store=caller.store, now=now, slot_id=slot["_id"])
    waiting, offered = await caller.store.waitlist.counts_for(
        slot, day=local_date(slot["start"]).isoformat()
    )
    return WaitlistCount(slot["_id"], waiting, offered)
