"""Booking rules: publishing slots, booking, cancelling, moving and checking in appointments.

The booking path: one transaction claims a place and the lowest free queue number with one
conditional update on the slot, writes the appointment, its audit entry and its notifications, and
records the idempotency key. Unique indexes back every invariant the transaction relies on.
"""

import asyncio
import contextlib
import hashlib
import itertools
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from domains.health import notify
from domains.health.errors import BookingRefused, Refusal
from domains.health.models import (
    AppointmentDocument,
    AuditEntry,
    BookingPolicy,
    Department,
    HospitalDocument,
    IdempotencyRecord,
    PatientProfileDocument,
    SlotDocument,
    WaitlistEntryDocument,
)
from domains.health.repository import (
    AppointmentRepository,
    AuditRepository,
    HospitalRepository,
    IdempotencyRepository,
    PatientProfileRepository,
    SlotRepository,
    WaitlistRepository,
)
from domains.kernel.auth import Principal, Role, require_hospital_staff, require_user
from domains.kernel.clock import PROVINCE_TZ, as_utc, utcnow
from domains.kernel.errors import Forbidden, InvalidInput
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page
from domains.kernel.search import query_terms

Database = AsyncDatabase[dict[str, Any]]
Result = TypeVar("Result")

IDEMPOTENCY_TTL = timedelta(hours=24)
PATIENT_HISTORY = timedelta(days=90)
CONSENT_PURPOSE = "health-appointment-booking"
# No 0/O, 1/I/L: a code read aloud or typed at a kiosk cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_SLOTS_PER_PUBLISH = 2000
MAX_PUBLISH_DAYS = 62
MAX_REASON = 500
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
# BHYT card numbers: 2 letters + 13 digits (cards before 2025), or the 10-digit social
# insurance number now printed on cards and in VNeID.
_BHYT = re.compile(r"^([A-Z]{2}\d{13}|\d{10})$")
ACTIVE_STATUSES = ("booked", "checked-in", "fulfilled", "noshow")


# --- time -------------------------------------------------------------------------------------


def local_date(moment: datetime) -> date:
    return as_utc(moment).astimezone(PROVINCE_TZ).date()


def at_local(day: date, hhmm: str) -> datetime:
    """UTC instant of a wall-clock time in the province on ``day``."""
    match = _HHMM.match(hhmm)
    if match is None:
        raise InvalidInput(f"Time {hhmm!r} is not HH:MM (24-hour, e.g. 07:30).", field="time")
    local = datetime.combine(day, time(int(match[1]), int(match[2])), tzinfo=PROVINCE_TZ)
    return local.astimezone(UTC)


def booking_window(start: datetime, policy: BookingPolicy) -> tuple[datetime, datetime]:
    """When a slot starting at ``start`` may be booked: from midnight ``daysAhead`` days before
    its date, until the daily cut-off on the day before (evaluated in the province's time)."""
    day = local_date(start)
    opens = at_local(day - timedelta(days=policy["daysAhead"]), "00:00")
    closes = at_local(day - timedelta(days=1), policy["cutoff"])
    return opens, closes


def _fmt(moment: datetime) -> str:
    return f"{as_utc(moment).astimezone(PROVINCE_TZ):%H:%M %d/%m/%Y}"


# --- helpers ----------------------------------------------------------------------------------


class _SlotQueue:
    """Bookings of one slot in this process wait their turn instead of racing.

    Correctness never depends on it: the transaction's conditional claim does. But transactions
    that touch one slot at once abort each other and the driver retries them with growing
    pauses; 200 patients racing for one slot then take minutes to be answered. Queued here, each
    transaction meets only the few running in other processes.
    """

    def __init__(self) -> None:
        self._locks: dict[ObjectId, asyncio.Lock] = {}
        self._users: dict[ObjectId, int] = {}

    @contextlib.asynccontextmanager
    async def turn(self, slot_id: ObjectId) -> AsyncIterator[None]:
        lock = self._locks.setdefault(slot_id, asyncio.Lock())
        self._users[slot_id] = self._users.get(slot_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[slot_id] -= 1
            if not self._users[slot_id]:
                del self._users[slot_id], self._locks[slot_id]


_slot_queue = _SlotQueue()


async def in_transaction(
    db: Database,
    work: Callable[[AsyncClientSession], Awaitable[Result]],
    *,
    slot_ids: Sequence[ObjectId] = (),
) -> Result:
    """Run ``work`` in one transaction, retried on write conflicts by the driver; with
    ``slot_ids``, after this process's earlier transactions on those slots."""
    async with contextlib.AsyncExitStack() as turns:
        for slot_id in sorted(set(slot_ids)):  # one order everywhere: no deadlock
            await turns.enter_async_context(_slot_queue.turn(slot_id))
        async with db.client.start_session() as session:
            return await session.with_transaction(work)


def _object_id(value: str, what: str) -> ObjectId:
    if not ObjectId.is_valid(value):
        raise BookingRefused(Refusal.NOT_FOUND, f"No {what} has the id {value!r}.")
    return ObjectId(value)


def _department(hospital: HospitalDocument, department_id: str) -> Department:
    for department in hospital["departments"]:
        if department["id"] == department_id:
            return department
    raise InvalidInput(
        f"Facility {hospital['_id']} has no department {department_id!r}; see "
        "`hospital(id).departments` for the ids.",
        field="departmentId",
    )


def _role_of(principal: Principal, hospital_id: str, owner: str | None = None) -> str:
    if owner is not None and principal.uid == owner:
        return "patient"
    if principal.is_hospital_staff_of(hospital_id):
        return "staff"
    return "admin" if principal.is_admin else "patient"


def _audit(
    appointment: AppointmentDocument,
    *,
    actor: str,
    role: str,
    action: str,
    from_status: str | None,
    at: datetime,
) -> AuditEntry:
    return AuditEntry(
        appointmentId=appointment["_id"],
        slotId=appointment["slotId"],
        hospitalId=appointment["hospitalId"],
        actor=actor,
        actorRole=role,  # type: ignore[typeddict-item]
        action=action,
        fromStatus=from_status,
        toStatus=appointment["status"],
        at=at,
    )


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def can_read_patient_details(principal: Principal, appointment: AppointmentDocument) -> bool:
    """Owner, or staff of the appointment's facility (admins are operators, not clinicians)."""
    return principal.uid == appointment["userId"] or principal.is_hospital_staff_of(
        appointment["hospitalId"]
    )


def slot_status(slot: SlotDocument) -> str:
    """FHIR status: the hospital's closure wins; otherwise busy when no place is left."""
    if slot["status"] == "busy-unavailable":
        return "busy-unavailable"
    return "busy" if slot["remaining"] <= 0 else "free"


# --- facilities and slots (public) ------------------------------------------------------------


async def list_hospitals(
    *,
    db: Database,
    near: NearInput | None,
    search: str | None,
    specialty: str | None,
    level: str | None,
    first: int | None,
    after: str | None,
) -> Page[HospitalDocument]:
    """Facilities, by name; filtered by distance, folded search terms, specialty and level."""
    repository = HospitalRepository(db)
    ids = None
    if near is not None:
        near = near.validated()
        ids = await repository.ids_within(lat=near.lat, lng=near.lng, radius_km=near.radius_km)
    terms = query_terms(search) if search and search.strip() else None
    return await repository.page(
        ids=ids, search_terms=terms, specialty=specialty, level=level, first=first, after=after
    )


async def get_hospital(*, db: Database, hospital_id: str) -> HospitalDocument | None:
    return await HospitalRepository(db).find(hospital_id)


async def available_slots(
    *,
    db: Database,
    hospital_id: str | None,
    department_id: str | None,
    specialty: str | None,
    doctor_id: str | None,
    start_from: datetime | None,
    start_to: datetime | None,
    near: NearInput | None,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
) -> Page[SlotDocument]:
    """Only slots a citizen can book now: open, a place left, inside the booking window."""
    now = now or utcnow()
    if (department_id or doctor_id) and not hospital_id:
        raise InvalidInput(
            "`departmentId` and `doctorId` belong to one facility: pass `hospitalId` too.",
            field="hospitalId",
        )
    if start_from and start_to and start_to <= start_from:
        raise InvalidInput("`to` must be after `from`.", field="to")
    # Holds whose time has passed go to the next person (or back to the pool) before listing.
    await expire_waitlist_holds(db, now)
    hospital_ids: list[str] | None = [hospital_id] if hospital_id else None
    if near is not None:
        near = near.validated()
        within = await HospitalRepository(db).ids_within(
            lat=near.lat, lng=near.lng, radius_km=near.radius_km
        )
        hospital_ids = [h for h in within if hospital_ids is None or h in hospital_ids]
    return await SlotRepository(db).bookable_page(
        hospital_ids=hospital_ids,
        department_id=department_id,
        specialty=specialty,
        doctor_id=doctor_id,
        start_from=as_utc(start_from) if start_from else None,
        start_to=as_utc(start_to) if start_to else None,
        now=now,
        first=first,
        after=after,
    )


# --- publishing and cancelling slots (staff) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotTemplate:
    hospital_id: str
    department_id: str
    doctor_id: str | None
    from_date: date
    to_date: date
    weekdays: Sequence[int]  # ISO: 1 = Monday .. 7 = Sunday
    periods: Sequence[tuple[str, str]]  # ("07:30", "11:30")
    slot_minutes: int
    capacity: int
    fee: int
    bhyt_covered: int


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    created: int
    existing: int
    first_start: datetime
    last_start: datetime


def _template_starts(template: SlotTemplate) -> list[tuple[datetime, datetime]]:
    windows: list[tuple[int, int]] = []
    for start, end in template.periods:
        s, e = at_local(date(2000, 1, 1), start), at_local(date(2000, 1, 1), end)
        if e <= s:
            raise InvalidInput(f"Period {start}–{end} ends before it starts.", field="periods")
        minutes = (int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:]))
        if minutes[1] - minutes[0] < template.slot_minutes:
            raise InvalidInput(
                f"Period {start}–{end} is shorter than one {template.slot_minutes}-minute slot.",
                field="periods",
            )
        windows.append(minutes)
    windows.sort()
    for (_, end_a), (start_b, _) in itertools.pairwise(windows):
        if start_b < end_a:
            raise InvalidInput("Two periods of the template overlap.", field="periods")
    slots: list[tuple[datetime, datetime]] = []
    day = template.from_date
    while day <= template.to_date:
        if day.isoweekday() in template.weekdays:
            for begin, finish in windows:
                t = begin
                while t + template.slot_minutes <= finish:
                    start_at = at_local(day, f"{t // 60:02d}:{t % 60:02d}")
                    slots.append((start_at, start_at + timedelta(minutes=template.slot_minutes)))
                    t += template.slot_minutes
        day += timedelta(days=1)
    return slots


def _check_template(template: SlotTemplate, now: datetime) -> None:
    if template.to_date < template.from_date:
        raise InvalidInput("`toDate` is before `fromDate`.", field="toDate")
    if (template.to_date - template.from_date).days >= MAX_PUBLISH_DAYS:
        raise InvalidInput(f"Publish at most {MAX_PUBLISH_DAYS} days at a time.", field="toDate")
    if template.from_date < local_date(now):
        raise InvalidInput("`fromDate` is in the past.", field="fromDate")
    if not template.weekdays or any(not 1 <= d <= 7 for d in template.weekdays):
        raise InvalidInput("`weekdays` are 1 (Monday) to 7 (Sunday).", field="weekdays")
    if not template.periods:
        raise InvalidInput("Give at least one period, e.g. 07:30–11:30.", field="periods")
    if not 5 <= template.slot_minutes <= 480:
        raise InvalidInput("`slotMinutes` must be 5 to 480.", field="slotMinutes")
    if not 1 <= template.capacity <= 500:
        raise InvalidInput("`capacity` must be 1 to 500 patients.", field="capacity")
    if template.fee < 0 or not 0 <= template.bhyt_covered <= template.fee:
        raise InvalidInput(
            "`fee` must be 0 or more and `bhytCovered` between 0 and the fee.", field="bhytCovered"
        )


async def publish_slots(
    *,
    db: Database,
    principal: Principal,
    template: SlotTemplate,
    now: datetime | None = None,
) -> PublishOutcome:
    """Create the slots of a schedule template (staff); re-publishing creates no duplicates."""
    actor = require_hospital_staff(principal, template.hospital_id)
    now = now or utcnow()
    hospital = await HospitalRepository(db).find(template.hospital_id)
    if hospital is None:
        raise InvalidInput(f"No facility has the id {template.hospital_id!r}.", field="hospitalId")
    department = _department(hospital, template.department_id)
    doctor_name = None
    if template.doctor_id:
        doctor = next((d for d in hospital["doctors"] if d["id"] == template.doctor_id), None)
        if doctor is None:
            raise InvalidInput(
                f"Facility {hospital['_id']} has no doctor {template.doctor_id!r}.",
                field="doctorId",
            )
        doctor_name = doctor["name"]
    _check_template(template, now)
    windows = [w for w in _template_starts(template) if w[0] > now]
    if not windows:
        raise InvalidInput("The template gives no slot in the future.", field="fromDate")
    if len(windows) > MAX_SLOTS_PER_PUBLISH:
        raise InvalidInput(
            f"The template gives {len(windows)} slots; publish at most "
            f"{MAX_SLOTS_PER_PUBLISH} at a time.",
            field="toDate",
        )
    slots = SlotRepository(db)
    if template.doctor_id:
        existing = await slots.for_doctor_between(
            hospital_id=hospital["_id"],
            doctor_id=template.doctor_id,
            start=windows[0][0],
            end=windows[-1][1],
        )
        for start, end in windows:
            for other in existing:
                same = (
                    other["departmentId"] == template.department_id
                    and as_utc(other["start"]) == start
                    and as_utc(other["end"]) == end
                )
                if not same and as_utc(other["start"]) < end and as_utc(other["end"]) > start:
                    raise BookingRefused(
                        Refusal.SLOT_OVERLAP,
                        f"{doctor_name} already has a slot {_fmt(other['start'])}–"
                        f"{as_utc(other['end']).astimezone(PROVINCE_TZ):%H:%M} in department "
                        f"{other['departmentId']!r}, overlapping {_fmt(start)}. Nothing was "
                        "published; change the template or cancel that slot first.",
                    )
    policy = hospital["bookingPolicy"]
    documents: list[SlotDocument] = []
    for start, end in windows:
        opens, closes = booking_window(start, policy)
        documents.append(
            SlotDocument(
                _id=ObjectId(),
                hospitalId=hospital["_id"],
                departmentId=department["id"],
                specialty=department["specialty"],
                doctorId=template.doctor_id or "",
                start=start,
                end=end,
                capacity=template.capacity,
                booked=0,
                remaining=template.capacity,
                freeNumbers=list(range(1, template.capacity + 1)),
                status="free",
                fee=template.fee,
                bhytCovered=template.bhyt_covered,
                bookableFrom=opens,
                bookableUntil=closes,
                createdAt=now,
                createdBy=actor,
            )
        )
    created, existing_count = await slots.upsert_many(documents)
    return PublishOutcome(created, existing_count, windows[0][0], windows[-1][0])


@dataclass(frozen=True, slots=True)
class CancelSlotsOutcome:
    slots: int
    appointments: int


async def cancel_slots(
    *,
    db: Database,
    principal: Principal,
    hospital_id: str,
    department_id: str | None,
    doctor_id: str | None,
    from_date: date,
    to_date: date,
    reason: str,
    now: datetime | None = None,
) -> CancelSlotsOutcome:
    """Close matching slots (staff); every booked patient is cancelled with the reason and told."""
    actor = require_hospital_staff(principal, hospital_id)
    now = now or utcnow()
    reason = reason.strip()
    if not 3 <= len(reason) <= 300:
        raise InvalidInput("Give a reason of 3 to 300 characters.", field="reason")
    if to_date < from_date or (to_date - from_date).days >= MAX_PUBLISH_DAYS:
        raise InvalidInput(
            f"`to` must be on or after `from`, at most {MAX_PUBLISH_DAYS} days later.", field="to"
        )
    slots = SlotRepository(db)
    # Closed slots are included: running the same cancellation again finishes one interrupted
    # part-way (their booked appointments are cancelled then).
    matching = await slots.matching(
        hospital_id=hospital_id,
        department_id=department_id,
        doctor_id=doctor_id,
        start_from=max(at_local(from_date, "00:00"), now),
        start_to=at_local(to_date + timedelta(days=1), "00:00"),
    )
    appointments = AppointmentRepository(db)
    closed = cancelled = 0
    role = _role_of(principal, hospital_id)
    for slot in matching:
        # Closed first: from here on no booking can claim a place in it.
        if await slots.mark_unavailable(slot["_id"], reason=reason, session=None):
            closed += 1
        for appointment in await appointments.booked_in_slot(slot["_id"]):
            done = await _cancel(
                db=db,
                appointment=appointment,
                reason=reason,
                actor=actor,
                role=role,
                by_facility=True,
                now=now,
            )
            cancelled += 1 if done is not None else 0
        await _cancel_waitlist_of_slot(db=db, slot=slot, now=now)
    return CancelSlotsOutcome(closed, cancelled)


# --- patient profiles -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProfileFields:
    full_name: str
    date_of_birth: date
    phone: str
    bhyt_number: str | None
    consent_policy_version: str
    consent_given: bool


async def create_patient_profile(
    *, db: Database, principal: Principal, fields: ProfileFields, now: datetime | None = None
) -> PatientProfileDocument:
    """A person the caller books for (themself or a family member), with their consent."""
    uid = require_user(principal)
    now = now or utcnow()
    name = " ".join(fields.full_name.split())
    if not 2 <= len(name) <= 100:
        raise InvalidInput("`fullName` must be 2 to 100 characters.", field="fullName")
    if not date(1900, 1, 1) <= fields.date_of_birth <= local_date(now):
        raise InvalidInput("`dateOfBirth` must be a past date after 1900.", field="dateOfBirth")
    phone = re.sub(r"[\s.-]", "", fields.phone)
    if not _PHONE.match(phone):
        raise InvalidInput(
            "`phone` must be a Vietnamese number such as 0912345678 or +84912345678.",
            field="phone",
        )
    if not fields.consent_given:
        raise InvalidInput(
            "Booking needs consent to process this health data for appointments: set "
            "`consent.given` to true after showing the policy.",
            field="consent",
        )
    version = fields.consent_policy_version.strip()
    if not 1 <= len(version) <= 32:
        raise InvalidInput("`consent.policyVersion` must be 1 to 32 characters.", field="consent")
    if len(await PatientProfileRepository(db).for_owner(uid)) >= 20:
        raise InvalidInput("An account can hold at most 20 patient profiles.", field="fullName")
    document = PatientProfileDocument(
        _id=ObjectId(),
        ownerId=uid,
        fullName=name,
        dateOfBirth=fields.date_of_birth.isoformat(),
        phone=phone,
        consent={"purpose": CONSENT_PURPOSE, "policyVersion": version, "givenAt": now},
        createdAt=now,
        bookingVersion=0,
    )
    if fields.bhyt_number:
        bhyt = fields.bhyt_number.replace(" ", "").upper()
        if not _BHYT.match(bhyt):
            # The message describes the format and never echoes the number.
            raise InvalidInput(
                "`bhytNumber` must be 2 letters and 13 digits, or the 10-digit social "
                "insurance number.",
                field="bhytNumber",
            )
        document["bhytNumber"] = bhyt
    await PatientProfileRepository(db).insert(document)
    return document


async def my_patient_profiles(
    *, db: Database, principal: Principal
) -> list[PatientProfileDocument]:
    return await PatientProfileRepository(db).for_owner(require_user(principal))


async def profiles_for(
    *, db: Database, principal: Principal, appointments: Sequence[AppointmentDocument]
) -> list[PatientProfileDocument | None]:
    """Patient profiles of appointments, only where the caller may see them (DataLoader shape)."""
    visible = [
        a["patientProfileId"] if can_read_patient_details(principal, a) else None
        for a in appointments
    ]
    wanted = [v for v in visible if v is not None]
    found = await PatientProfileRepository(db).get_many(wanted) if wanted else []
    by_id = {doc["_id"]: doc for doc in found if doc is not None}
    return [by_id.get(v) if v is not None else None for v in visible]  # type: ignore[misc]


# --- booking ----------------------------------------------------------------------------------


def _fingerprint(slot_id: ObjectId, profile_id: ObjectId, reason: str | None) -> str:
    raw = f"{slot_id}|{profile_id}|{reason or ''}".encode()
    return hashlib.sha256(raw).hexdigest()


def _explain_unbookable(slot: SlotDocument | None, now: datetime) -> BookingRefused:
    """The precise refusal for a slot the atomic claim did not match."""
    if slot is None:
        return BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    if slot["status"] != "free":
        return BookingRefused(
            Refusal.SLOT_NOT_BOOKABLE,
            "The facility has closed this slot; choose another time.",
        )
    if as_utc(slot["start"]) <= now:
        return BookingRefused(Refusal.SLOT_NOT_BOOKABLE, "This slot has already started.")
    if now < as_utc(slot["bookableFrom"]):
        return BookingRefused(
            Refusal.OUTSIDE_BOOKING_WINDOW,
            f"Booking for this slot opens at {_fmt(slot['bookableFrom'])}.",
        )
    if now >= as_utc(slot["bookableUntil"]):
        return BookingRefused(
            Refusal.OUTSIDE_BOOKING_WINDOW,
            f"Booking for this slot closed at {_fmt(slot['bookableUntil'])} (the facility's "
            "cut-off for next-day bookings); choose a later date.",
        )
    return BookingRefused(
        Refusal.SLOT_FULL, "This slot is fully booked; choose another time or join the waitlist."
    )


def _check_idempotency_key(idempotency_key: str) -> None:
    if not _KEY.match(idempotency_key):
        raise InvalidInput(
            "`idempotencyKey` must be 8 to 128 letters, digits or -_.: (a UUID is ideal).",
            field="idempotencyKey",
        )


async def _book_once(
    db: Database,
    work: Callable[[AsyncClientSession], Awaitable[AppointmentDocument]],
    *,
    slot_id: ObjectId,
    uid: str,
    idempotency_key: str,
    fingerprint: str,
    now: datetime,
) -> AppointmentDocument:
    """Run a booking transaction; a concurrent twin with the same key gets the winner's answer."""
    try:
        return await in_transaction(db, work, slot_ids=[slot_id])
    except DuplicateKeyError as error:
        index = str((error.details or {}).get("keyPattern", "")) + str(error)
        if "user_key" in index or "'key'" in index:
            record = await IdempotencyRepository(db).find_live(uid, idempotency_key, now=now)
            if record is not None:
                return await _replay(db, record, fingerprint)
        if "one_active_per_patient_and_slot" in index or "patientProfileId" in index:
            raise BookingRefused(
                Refusal.ALREADY_BOOKED, "This patient already has a booking in this slot."
            ) from None
        raise


async def _replay(db: Database, record: IdempotencyRecord, fingerprint: str) -> AppointmentDocument:
    if record["fingerprint"] != fingerprint or "appointmentId" not in record:
        raise BookingRefused(
            Refusal.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different booking in the last 24 hours; "
            "use a new key for a new booking.",
        )
    appointment = await AppointmentRepository(db).find(record["appointmentId"])
    if appointment is None:  # pragma: no cover - appointments are never deleted
        raise BookingRefused(Refusal.NOT_FOUND, "The earlier booking no longer exists.")
    return appointment


def _new_appointment(
    *,
    appointment_id: ObjectId,
    slot: SlotDocument,
    profile_id: ObjectId,
    uid: str,
    reason: str | None,
    now: datetime,
) -> AppointmentDocument:
    """The appointment to insert; its queue number comes from the claim."""
    appointment = AppointmentDocument(
        _id=appointment_id,
        slotId=slot["_id"],
        hospitalId=slot["hospitalId"],
        departmentId=slot["departmentId"],
        doctorId=slot["doctorId"],
        start=slot["start"],
        end=slot["end"],
        patientProfileId=profile_id,
        userId=uid,
        bookingCode=new_booking_code(),
        status="booked",
        active=True,
        createdAt=now,
        changedAt=now,
    )
    if reason:
        appointment["reason"] = reason
    return appointment


async def _check_patient(
    *,
    db: Database,
    session: AsyncClientSession,
    slot_id: ObjectId,
    profile_id: ObjectId,
    hospital: HospitalDocument,
    now: datetime,
) -> None:
    """Inside a booking transaction: one patient at a time, no second place in a slot, and the
    facility's limit of upcoming bookings."""
    appointments = AppointmentRepository(db)
    await PatientProfileRepository(db).touch(profile_id, session=session)
    if await appointments.active_for(slot_id, profile_id, session=session) is not None:
        raise BookingRefused(
            Refusal.ALREADY_BOOKED, "This patient already has a booking in this slot."
        )
    limit = hospital["bookingPolicy"]["maxActiveBookings"]
    if (
        await appointments.count_upcoming(profile_id, hospital["_id"], now=now, session=session)
        >= limit
    ):
        raise BookingRefused(
            Refusal.BOOKING_LIMIT_REACHED,
            f"This patient already has {limit} upcoming bookings at this facility (its limit); "
            "cancel one to book another.",
        )


async def _claim_and_write(
    *,
    db: Database,
    session: AsyncClientSession,
    slot: SlotDocument,
    profile_id: ObjectId,
    uid: str,
    reason: str | None,
    hospital: HospitalDocument,
    now: datetime,
    appointment_id: ObjectId,
    side_effects: Callable[[AppointmentDocument], Awaitable[None]],
) -> AppointmentDocument:
    """Inside a transaction: checks, the claim, the insert, then the side effects (audit,
    notifications) that need the queue number.

    The claim is the write every concurrent booking of the slot conflicts on. It comes before the
    side effects so that a transaction that loses the race is retried after little work.
    """
    appointments = AppointmentRepository(db)
    await _check_patient(
        db=db,
        session=session,
        slot_id=slot["_id"],
        profile_id=profile_id,
        hospital=hospital,
        now=now,
    )
    slots = SlotRepository(db)
    queue_number = await slots.claim(slot["_id"], now=now, session=session)
    if queue_number is None:
        raise _explain_unbookable(await slots.find(slot["_id"], session), now)
    appointment = _new_appointment(
        appointment_id=appointment_id,
        slot=slot,
        profile_id=profile_id,
        uid=uid,
        reason=reason,
        now=now,
    )
    appointment["queueNumber"] = queue_number
    await appointments.insert(appointment, session=session)
    await side_effects(appointment)
    return appointment


async def book_appointment(
    *,
    db: Database,
    principal: Principal,
    slot_id: str,
    patient_profile_id: str,
    reason: str | None,
    idempotency_key: str,
    now: datetime | None = None,
) -> AppointmentDocument:
    """Book a place in a slot for one of the caller's patient profiles, exactly once per key."""
    uid = require_user(principal)
    now = now or utcnow()
    _check_idempotency_key(idempotency_key)
    reason = " ".join(reason.split()) if reason else None
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput(f"`reason` must be at most {MAX_REASON} characters.", field="reason")
    slot_oid = _object_id(slot_id, "slot")
    profile_oid = _object_id(patient_profile_id, "patient profile")
    fingerprint = _fingerprint(slot_oid, profile_oid, reason)
    keys = IdempotencyRepository(db)
    record = await keys.find_live(uid, idempotency_key, now=now)
    if record is not None:
        return await _replay(db, record, fingerprint)
    if await PatientProfileRepository(db).owned(profile_oid, uid) is None:
        raise BookingRefused(
            Refusal.NOT_FOUND,
            "You have no patient profile with this id; create one with createPatientProfile.",
        )
    slot = await SlotRepository(db).find(slot_oid)
    hospital = await HospitalRepository(db).find(slot["hospitalId"]) if slot else None
    if slot is None or hospital is None:
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    if slot["remaining"] <= 0 and await expire_waitlist_holds(db, now, slot_id=slot_oid):
        slot = await SlotRepository(db).find(slot_oid) or slot
    if slot["remaining"] <= 0 or slot["status"] != "free":
        # Only a shortcut: a slot seen full needs no transaction. The claim below decides.
        raise _explain_unbookable(slot, now)

    appointment_id = ObjectId()

    async def side_effects(session: AsyncClientSession, appointment: AppointmentDocument) -> None:
        await AuditRepository(db).append(
            _audit(appointment, actor=uid, role="patient", action="book", from_status=None, at=now),
            session=session,
        )
        await notify.booked(
            db=db, session=session, appointment=appointment, hospital=hospital, now=now
        )

    async def work(session: AsyncClientSession) -> AppointmentDocument:
        # The key goes in first: concurrent retries of one request collide here and wait; the
        # losers then replay the winner's answer (see below).
        await keys.claim(
            IdempotencyRecord(
                userId=uid,
                key=idempotency_key,
                fingerprint=fingerprint,
                appointmentId=appointment_id,
                createdAt=now,
                expiresAt=now + IDEMPOTENCY_TTL,
            ),
            now=now,
            session=session,
        )
        return await _claim_and_write(
            db=db,
            session=session,
            slot=slot,
            profile_id=profile_oid,
            uid=uid,
            reason=reason,
            hospital=hospital,
            now=now,
            appointment_id=appointment_id,
            side_effects=lambda appointment: side_effects(session, appointment),
        )

    return await _book_once(
        db,
        work,
        slot_id=slot_oid,
        uid=uid,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        now=now,
    )


# --- cancelling and moving --------------------------------------------------------------------


async def _owned_appointment(
    db: Database, principal: Principal, appointment_id: str
) -> AppointmentDocument:
    uid = require_user(principal)
    appointment = await AppointmentRepository(db).find(_object_id(appointment_id, "appointment"))
    # Another user's appointment answers exactly like a missing one.
    if appointment is None or appointment["userId"] != uid:
        raise BookingRefused(Refusal.NOT_FOUND, "You have no appointment with this id.")
    return appointment


async def _check_cancellable(db: Database, appointment: AppointmentDocument, now: datetime) -> None:
    if appointment["status"] != "booked":
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only a booked appointment can be changed; this one is {appointment['status']}.",
        )
    hospital = await HospitalRepository(db).find(appointment["hospitalId"])
    hours = hospital["bookingPolicy"]["cancelBeforeHours"] if hospital else 0
    deadline = as_utc(appointment["start"]) - timedelta(hours=hours)
    if now >= deadline:
        raise BookingRefused(
            Refusal.OUTSIDE_CANCELLATION_WINDOW,
            f"Changes close {hours} hours before the appointment (at {_fmt(deadline)}); "
            "call the facility instead.",
        )


async def _cancel(
    *,
    db: Database,
    appointment: AppointmentDocument,
    reason: str | None,
    actor: str,
    role: str,
    by_facility: bool,
    now: datetime,
) -> AppointmentDocument | None:
    """Cancel a booked appointment and free its place, in one transaction."""

    async def work(session: AsyncClientSession) -> AppointmentDocument | None:
        fields: dict[str, Any] = {"status": "cancelled", "changedAt": now}
        if reason:
            fields["cancelReason"] = reason
        updated = await AppointmentRepository(db).transition(
            appointment["_id"],
            from_status="booked",
            set_fields=fields,
            release=True,
            session=session,
        )
        if updated is None:
            return None
        await free_place(
            db=db,
            session=session,
            slot_id=updated["slotId"],
            number=updated["queueNumber"],
            now=now,
        )
        await AuditRepository(db).append(
            _audit(updated, actor=actor, role=role, action="cancel", from_status="booked", at=now),
            session=session,
        )
        await notify.cancelled(db=db, session=session, appointment=updated, by_facility=by_facility)
        return updated

    return await in_transaction(db, work, slot_ids=[appointment["slotId"]])


async def cancel_appointment(
    *,
    db: Database,
    principal: Principal,
    appointment_id: str,
    reason: str | None,
    now: datetime | None = None,
) -> AppointmentDocument:
    """The patient cancels their booking within the facility's cancellation window."""
    now = now or utcnow()
    appointment = await _owned_appointment(db, principal, appointment_id)
    reason = " ".join(reason.split()) if reason else None
    if reason and len(reason) > 300:
        raise InvalidInput("`reason` must be at most 300 characters.", field="reason")
    await _check_cancellable(db, appointment, now)
    updated = await _cancel(
        db=db,
        appointment=appointment,
        reason=reason,
        actor=appointment["userId"],
        role="patient",
        by_facility=False,
        now=now,
    )
    if updated is None:
        raise BookingRefused(Refusal.WRONG_STATUS, "This appointment changed meanwhile; reload it.")
    return updated


async def reschedule_appointment(
    *,
    db: Database,
    principal: Principal,
    appointment_id: str,
    new_slot_id: str,
    now: datetime | None = None,
) -> AppointmentDocument:
    """Move a booking to another slot of the same facility in one transaction: the patient
    never ends with no booking or two."""
    now = now or utcnow()
    old = await _owned_appointment(db, principal, appointment_id)
    await _check_cancellable(db, old, now)
    new_oid = _object_id(new_slot_id, "slot")
    if new_oid == old["slotId"]:
        raise BookingRefused(Refusal.ALREADY_BOOKED, "The booking is already in this slot.")
    target = await SlotRepository(db).find(new_oid)
    if target is None:
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    if target["hospitalId"] != old["hospitalId"]:
        raise BookingRefused(
            Refusal.SLOT_NOT_BOOKABLE,
            "A booking moves within its facility; to go elsewhere, book there and cancel this.",
        )
    hospital = await HospitalRepository(db).find(old["hospitalId"])
    assert hospital is not None  # noqa: S101 - facilities are never deleted

    async def work(session: AsyncClientSession) -> AppointmentDocument:
        appointments = AppointmentRepository(db)
        moved = await appointments.transition(
            old["_id"],
            from_status="booked",
            set_fields={"status": "cancelled", "changedAt": now},
            release=True,
            session=session,
        )
        if moved is None:
            raise BookingRefused(
                Refusal.WRONG_STATUS, "This appointment changed meanwhile; reload it."
            )

        # The old booking no longer counts towards the limit inside this transaction.
        async def side_effects(new: AppointmentDocument) -> None:
            audit = AuditRepository(db)
            await audit.append(
                _audit(
                    moved,
                    actor=old["userId"],
                    role="patient",
                    action="reschedule-from",
                    from_status="booked",
                    at=now,
                ),
                session=session,
            )
            await audit.append(
                _audit(
                    new,
                    actor=old["userId"],
                    role="patient",
                    action="reschedule-to",
                    from_status=None,
                    at=now,
                ),
                session=session,
            )
            await notify.cancel_reminders(db=db, session=session, appointment=moved)
            await notify.booked(
                db=db,
                session=session,
                appointment=new,
                hospital=hospital,
                now=now,
                moved=True,
            )

        new = await _claim_and_write(
            db=db,
            session=session,
            slot=target,
            profile_id=old["patientProfileId"],
            uid=old["userId"],
            reason=old.get("reason"),
            hospital=hospital,
            now=now,
            appointment_id=ObjectId(),
            side_effects=side_effects,
        )
        await appointments.collection.update_one(
            {"_id": old["_id"]}, {"$set": {"rescheduledTo": new["_id"]}}, session=session
        )
        await free_place(
            db=db, session=session, slot_id=old["slotId"], number=old["queueNumber"], now=now
        )
        return new

    return await in_transaction(db, work, slot_ids=[new_oid, old["slotId"]])


# --- lists ------------------------------------------------------------------------------------


async def my_appointments(
    *,
    db: Database,
    principal: Principal,
    status: str | None,
    first: int | None,
    after: str | None,
) -> Page[AppointmentDocument]:
    """The caller's appointments (for all their patient profiles), newest first."""
    uid = require_user(principal)
    return await AppointmentRepository(db).page_for_user(
        user_id=uid, status=status, first=first, after=after
    )


async def hospital_appointments(
    *,
    db: Database,
    principal: Principal,
    hospital_id: str,
    day: date,
    department_id: str | None,
    status: str | None,
    first: int | None,
    after: str | None,
) -> Page[AppointmentDocument]:
    """A facility's appointments on one day, in queue order (staff of that facility)."""
    require_hospital_staff(principal, hospital_id)
    return await AppointmentRepository(db).page_for_hospital(
        hospital_id=hospital_id,
        start_from=at_local(day, "00:00"),
        start_to=at_local(day + timedelta(days=1), "00:00"),
        department_id=department_id,
        status=status,
        first=first,
        after=after,
    )


# --- at the facility (staff) ------------------------------------------------------------------


def _staff_of(principal: Principal, appointment: AppointmentDocument) -> bool:
    return principal.is_admin or principal.is_hospital_staff_of(appointment["hospitalId"])


def _require_some_hospital_staff(principal: Principal) -> str:
    uid = require_user(principal)
    if not (principal.is_admin or (Role.HOSPITAL_STAFF in principal.roles)):
        raise Forbidden("Only hospital staff can do this.")
    return uid


async def _staff_transition(
    *,
    db: Database,
    principal: Principal,
    appointment: AppointmentDocument | None,
    to_status: str,
    action: str,
    now: datetime,
) -> AppointmentDocument:
    actor = _require_some_hospital_staff(principal)
    # An appointment of another facility answers like a missing one.
    if appointment is None or not _staff_of(principal, appointment):
        raise BookingRefused(Refusal.NOT_FOUND, "No appointment of your facility matches.")
    if appointment["status"] != "booked":
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only a booked appointment can be {action}; this one is {appointment['status']}.",
        )
    role = _role_of(principal, appointment["hospitalId"])

    async def work(session: AsyncClientSession) -> AppointmentDocument:
        updated = await AppointmentRepository(db).transition(
            appointment["_id"],
            from_status="booked",
            set_fields={"status": to_status, "changedAt": now},
            release=False,
            session=session,
        )
        if updated is None:
            raise BookingRefused(Refusal.WRONG_STATUS, "This appointment changed meanwhile.")
        await AuditRepository(db).append(
            _audit(updated, actor=actor, role=role, action=action, from_status="booked", at=now),
            session=session,
        )
        await notify.cancel_reminders(db=db, session=session, appointment=updated)
        return updated

    return await in_transaction(db, work)


async def check_in(
    *, db: Database, principal: Principal, booking_code: str, now: datetime | None = None
) -> AppointmentDocument:
    """Check a patient in at the kiosk or desk by booking code, on the appointment's day."""
    now = now or utcnow()
    _require_some_hospital_staff(principal)
    code = booking_code.strip().upper()
    appointment = await AppointmentRepository(db).by_code(code) if code else None
    if (
        appointment is not None
        and _staff_of(principal, appointment)
        and appointment["status"] == "booked"
        and local_date(appointment["start"]) != local_date(now)
    ):
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"This booking is for {local_date(appointment['start']):%d/%m/%Y}; check-in opens "
            "on that day.",
        )
    return await _staff_transition(
        db=db,
        principal=principal,
        appointment=appointment,
        to_status="checked-in",
        action="checked in",
        now=now,
    )


async def mark_no_show(
    *, db: Database, principal: Principal, appointment_id: str, now: datetime | None = None
) -> AppointmentDocument:
    """Record that a booked patient did not come (after the slot has started)."""
    now = now or utcnow()
    _require_some_hospital_staff(principal)
    appointment = await AppointmentRepository(db).find(_object_id(appointment_id, "appointment"))
    if (
        appointment is not None
        and appointment["status"] == "booked"
        and as_utc(appointment["start"]) > now
        and _staff_of(principal, appointment)
    ):
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"The appointment starts at {_fmt(appointment['start'])}; mark a no-show after that.",
        )
    return await _staff_transition(
        db=db,
        principal=principal,
        appointment=appointment,
        to_status="noshow",
        action="marked no-show",
        now=now,
    )


# --- for other domains ------------------------------------------------------------------------


async def patients_of_hospital(
    *, db: Database, hospital_id: str, user_ids: Sequence[str], now: datetime | None = None
) -> set[str]:
    """The subset of ``user_ids`` with an appointment at the facility (upcoming, or in the last
    90 days): whom its staff may send pushes to."""
    if not user_ids:
        return set()
    since = (now or utcnow()) - PATIENT_HISTORY
    return await AppointmentRepository(db).users_seen_at(
        hospital_id=hospital_id, user_ids=list(dict.fromkeys(user_ids)), since=since
    )


# --- waitlist ---------------------------------------------------------------------------------
#
# A place freed while someone waits is not returned to the pool: it stays claimed (the slot's
# `booked` and `remaining` do not change and its queue number stays out of `freeNumbers`) and is
# held for the first waiting entry, which becomes `offered` until `holdExpiresAt`. Accepting turns
# the held place into an appointment with that queue number; declining, leaving or expiry passes
# it to the next entry or, when nobody waits, releases it. Every step is one transaction.


def _hold_valid(entry: WaitlistEntryDocument, now: datetime) -> bool:
    return entry["status"] == "offered" and as_utc(entry["holdExpiresAt"]) > now


def waitlist_status(entry: WaitlistEntryDocument, now: datetime | None = None) -> str:
    """The status a reader sees: an offer whose hold has passed is expired, swept or not."""
    if entry["status"] == "offered" and not _hold_valid(entry, now or utcnow()):
        return "expired"
    return entry["status"]


async def free_place(
    *,
    db: Database,
    session: AsyncClientSession,
    slot_id: ObjectId,
    number: int,
    now: datetime,
    hospital: HospitalDocument | None = None,
) -> WaitlistEntryDocument | None:
    """Inside the caller's transaction: hold the freed place ``number`` of a slot for the first
    waiting entry and tell them, or give it back to the pool when nobody can take it."""
    slots = SlotRepository(db)
    slot = await slots.find(slot_id, session)
    if (
        slot is not None
        and slot["status"] == "free"
        and as_utc(slot["bookableFrom"]) <= now < as_utc(slot["bookableUntil"])
    ):
        hospital = hospital or await HospitalRepository(db).find(slot["hospitalId"])
        minutes = hospital["bookingPolicy"].get("holdMinutes", 15) if hospital else 15
        # A hold never reaches past the booking cut-off: it could not be accepted then.
        until = min(now + timedelta(minutes=minutes), as_utc(slot["bookableUntil"]))
        appointments = AppointmentRepository(db)
        waiting = WaitlistRepository(db)
        day = local_date(slot["start"]).isoformat()
        for candidate in await waiting.waiting_for(slot, day=day, session=session):
            profile_id = candidate["patientProfileId"]
            if await appointments.active_for(slot_id, profile_id, session=session) is not None:
                continue  # waiting for the department's day but already in this slot
            entry = await waiting.offer(
                candidate["_id"],
                slot_id=slot_id,
                number=number,
                until=until,
                now=now,
                session=session,
            )
            if entry is not None:
                await notify.waitlist_offered(
                    db=db, session=session, entry=entry, start=slot["start"], until=until
                )
                return entry
    await slots.release(slot_id, number, session=session)
    return None


async def expire_waitlist_holds(
    db: Database, now: datetime | None = None, *, slot_id: ObjectId | None = None
) -> int:
    """Expire the holds whose time has passed (of one slot, or all): each goes to the next
    waiting entry or back to the pool, one transaction per entry. Idempotent; returns how many
    this call expired. Called lazily before reads and claims, and safe to call from a sweeper."""
    now = now or utcnow()
    waiting = WaitlistRepository(db)
    expired = 0
    for entry in await waiting.expired_holds(now=now, slot_id=slot_id):

        async def work(session: AsyncClientSession, entry: WaitlistEntryDocument = entry) -> bool:
            closed = await waiting.close(
                entry["_id"],
                from_status="offered",
                to_status="expired",
                now=now,
                session=session,
                hold_expired_at=now,
            )
            if closed is None:
                return False  # accepted, declined or expired by someone else meanwhile
            await free_place(
                db=db, session=session, slot_id=entry["slotId"], number=entry["heldNumber"], now=now
            )
            return True

        expired += 1 if await in_transaction(db, work) else 0
    return expired


async def _owned_entry(db: Database, principal: Principal, entry_id: str) -> WaitlistEntryDocument:
    uid = require_user(principal)
    entry = await WaitlistRepository(db).find(_object_id(entry_id, "waitlist entry"))
    # Another user's entry answers exactly like a missing one.
    if entry is None or entry["userId"] != uid:
        raise BookingRefused(Refusal.NOT_FOUND, "You have no waitlist entry with this id.")
    return entry


async def join_waitlist(
    *,
    db: Database,
    principal: Principal,
    patient_profile_id: str,
    slot_id: str | None,
    hospital_id: str | None,
    department_id: str | None,
    day: date | None,
    now: datetime | None = None,
) -> WaitlistEntryDocument:
    """Wait for a place in a full slot, or in any slot of a department on one day; joining
    again returns the same entry."""
    uid = require_user(principal)
    now = now or utcnow()
    profile_oid = _object_id(patient_profile_id, "patient profile")
    if await PatientProfileRepository(db).owned(profile_oid, uid) is None:
        raise BookingRefused(
            Refusal.NOT_FOUND,
            "You have no patient profile with this id; create one with createPatientProfile.",
        )
    slots = SlotRepository(db)
    has_places = BookingRefused(
        Refusal.SLOT_HAS_PLACES, "A place is free: book it with bookAppointment instead."
    )
    entry_slot: ObjectId | None = None
    if slot_id is not None:
        if hospital_id or department_id or day:
            raise InvalidInput(
                "Give either `slotId`, or `hospitalId`, `departmentId` and `date`.", field="slotId"
            )
        slot_oid = _object_id(slot_id, "slot")
        await expire_waitlist_holds(db, now, slot_id=slot_oid)
        slot = await slots.find(slot_oid)
        if slot is None:
            raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
        refusal = _explain_unbookable(slot, now)
        if refusal.refusal is not Refusal.SLOT_FULL:
            raise refusal
        if slot["remaining"] > 0:
            raise has_places
        if await AppointmentRepository(db).active_for(slot_oid, profile_oid, session=None):
            raise BookingRefused(
                Refusal.ALREADY_BOOKED, "This patient already has a booking in this slot."
            )
        entry_slot = slot_oid
        hospital_id, department_id = slot["hospitalId"], slot["departmentId"]
        wanted = local_date(slot["start"])
        key = f"{profile_oid}|slot:{slot_oid}"
    else:
        if not (hospital_id and department_id and day):
            raise InvalidInput(
                "Give either `slotId`, or `hospitalId`, `departmentId` and `date`.", field="slotId"
            )
        hospital = await HospitalRepository(db).find(hospital_id)
        if hospital is None:
            raise InvalidInput(f"No facility has the id {hospital_id!r}.", field="hospitalId")
        _department(hospital, department_id)
        await expire_waitlist_holds(db, now)
        day_slots = await slots.matching(
            hospital_id=hospital_id,
            department_id=department_id,
            doctor_id=None,
            start_from=at_local(day, "00:00"),
            start_to=at_local(day + timedelta(days=1), "00:00"),
        )
        reasons = [_explain_unbookable(s, now).refusal for s in day_slots]
        if Refusal.SLOT_FULL not in reasons:
            raise BookingRefused(
                Refusal.SLOT_NOT_BOOKABLE,
                "This department has no slot on that day that can be booked online.",
            )
        if any(
            s["remaining"] > 0
            for s, r in zip(day_slots, reasons, strict=True)
            if r is Refusal.SLOT_FULL
        ):
            raise has_places
        wanted = day
        key = f"{profile_oid}|day:{hospital_id}:{department_id}:{day.isoformat()}"
    waiting = WaitlistRepository(db)
    existing = await waiting.open_by_key(key)
    if existing is not None:
        return existing
    entry = WaitlistEntryDocument(
        _id=ObjectId(),
        userId=uid,
        patientProfileId=profile_oid,
        hospitalId=hospital_id,
        departmentId=department_id,
        day=wanted.isoformat(),
        scope="slot" if entry_slot is not None else "day",
        waitKey=key,
        status="waiting",
        open=True,
        createdAt=now,
        changedAt=now,
    )
    if entry_slot is not None:
        entry["slotId"] = entry_slot
    try:
        await waiting.insert(entry)
    except DuplicateKeyError:
        # A concurrent join of the same patient won: answer with its entry.
        existing = await waiting.open_by_key(key)
        if existing is None:  # pragma: no cover - closed between the two statements
            raise
        return existing
    return entry


async def accept_waitlist_offer(
    *,
    db: Database,
    principal: Principal,
    entry_id: str,
    idempotency_key: str,
    now: datetime | None = None,
) -> AppointmentDocument:
    """Book the place held for the caller's entry, within the hold, exactly once per key."""
    uid = require_user(principal)
    now = now or utcnow()
    _check_idempotency_key(idempotency_key)
    entry = await _owned_entry(db, principal, entry_id)
    fingerprint = _fingerprint(
        entry.get("slotId", entry["_id"]), entry["patientProfileId"], f"waitlist:{entry['_id']}"
    )
    keys = IdempotencyRepository(db)
    record = await keys.find_live(uid, idempotency_key, now=now)
    if record is not None:
        return await _replay(db, record, fingerprint)
    if entry["status"] == "offered" and not _hold_valid(entry, now):
        await expire_waitlist_holds(db, now, slot_id=entry["slotId"])
        raise BookingRefused(
            Refusal.HOLD_EXPIRED,
            f"The place was held until {_fmt(entry['holdExpiresAt'])}; it has gone to the next "
            "person. Join the waitlist again or choose another time.",
        )
    if entry["status"] != "offered":
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only an offered place can be accepted; this entry is {entry['status']}.",
        )
    slot = await SlotRepository(db).find(entry["slotId"])
    hospital = await HospitalRepository(db).find(entry["hospitalId"])
    if slot is None or hospital is None:  # pragma: no cover - never deleted
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    appointment_id = ObjectId()

    async def work(session: AsyncClientSession) -> AppointmentDocument:
        await keys.claim(
            IdempotencyRecord(
                userId=uid,
                key=idempotency_key,
                fingerprint=fingerprint,
                appointmentId=appointment_id,
                createdAt=now,
                expiresAt=now + IDEMPOTENCY_TTL,
            ),
            now=now,
            session=session,
        )
        closed = await WaitlistRepository(db).close(
            entry["_id"],
            from_status="offered",
            to_status="booked",
            now=now,
            session=session,
            extra={"appointmentId": appointment_id},
            hold_valid_at=now,
        )
        if closed is None:
            raise BookingRefused(
                Refusal.HOLD_EXPIRED, "The hold on this place has ended; it was passed on."
            )
        if not await SlotRepository(db).touch_open(slot["_id"], session=session):
            raise BookingRefused(
                Refusal.SLOT_NOT_BOOKABLE, "The facility has closed this slot; choose another time."
            )
        await _check_patient(
            db=db,
            session=session,
            slot_id=slot["_id"],
            profile_id=entry["patientProfileId"],
            hospital=hospital,
            now=now,
        )
        appointment = _new_appointment(
            appointment_id=appointment_id,
            slot=slot,
            profile_id=entry["patientProfileId"],
            uid=uid,
            reason=None,
            now=now,
        )
        # The place was held for this entry: its number comes from the hold, not the pool.
        appointment["queueNumber"] = entry["heldNumber"]
        await AppointmentRepository(db).insert(appointment, session=session)
        await AuditRepository(db).append(
            _audit(
                appointment,
                actor=uid,
                role="patient",
                action="book-from-waitlist",
                from_status=None,
                at=now,
            ),
            session=session,
        )
        await notify.booked(
            db=db, session=session, appointment=appointment, hospital=hospital, now=now
        )
        return appointment

    return await _book_once(
        db,
        work,
        slot_id=slot["_id"],
        uid=uid,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        now=now,
    )


async def _give_up(
    *, db: Database, entry: WaitlistEntryDocument, to_status: str, now: datetime
) -> WaitlistEntryDocument:
    """Close an open entry; a held place goes to the next person or back to the pool."""
    waiting = WaitlistRepository(db)

    async def work(session: AsyncClientSession) -> WaitlistEntryDocument:
        closed = await waiting.close(
            entry["_id"], from_status=entry["status"], to_status=to_status, now=now, session=session
        )
        if closed is None:
            raise BookingRefused(Refusal.WRONG_STATUS, "This entry changed meanwhile; reload it.")
        if entry["status"] == "offered":
            await free_place(
                db=db, session=session, slot_id=entry["slotId"], number=entry["heldNumber"], now=now
            )
        return closed

    return await in_transaction(db, work)


async def decline_waitlist_offer(
    *, db: Database, principal: Principal, entry_id: str, now: datetime | None = None
) -> WaitlistEntryDocument:
    """Decline the place held for the caller: it is offered to the next person."""
    now = now or utcnow()
    entry = await _owned_entry(db, principal, entry_id)
    if entry["status"] != "offered":
        raise BookingRefused(
            Refusal.WRONG_STATUS,
            f"Only an offered place can be declined; this entry is {waitlist_status(entry, now)}.",
        )
    return await _give_up(db=db, entry=entry, to_status="declined", now=now)


async def leave_waitlist(
    *, db: Database, principal: Principal, entry_id: str, now: datetime | None = None
) -> WaitlistEntryDocument:
    """Stop waiting (a place held for the caller is passed on)."""
    now = now or utcnow()
    entry = await _owned_entry(db, principal, entry_id)
    if entry["status"] not in ("waiting", "offered"):
        raise BookingRefused(
            Refusal.WRONG_STATUS, f"This entry is {entry['status']}; there is nothing to leave."
        )
    return await _give_up(db=db, entry=entry, to_status="left", now=now)


async def my_waitlist(
    *, db: Database, principal: Principal, first: int | None, after: str | None
) -> Page[WaitlistEntryDocument]:
    """The caller's waitlist entries, newest first."""
    uid = require_user(principal)
    return await WaitlistRepository(db).page_for_user(user_id=uid, first=first, after=after)


@dataclass(frozen=True, slots=True)
class WaitlistCount:
    slot_id: ObjectId
    waiting: int
    offered: int


async def slot_waitlist(
    *, db: Database, principal: Principal, slot_id: str, now: datetime | None = None
) -> WaitlistCount:
    """How many wait for a slot and how many places of it are held (staff; counts only)."""
    require_user(principal)
    slot = await SlotRepository(db).find(_object_id(slot_id, "slot"))
    if slot is None:
        raise BookingRefused(Refusal.NOT_FOUND, "This slot does not exist.")
    require_hospital_staff(principal, slot["hospitalId"])
    await expire_waitlist_holds(db, now, slot_id=slot["_id"])
    waiting, offered = await WaitlistRepository(db).counts_for(
        slot, day=local_date(slot["start"]).isoformat()
    )
    return WaitlistCount(slot["_id"], waiting, offered)


async def _cancel_waitlist_of_slot(*, db: Database, slot: SlotDocument, now: datetime) -> int:
    """cancelSlots: close the open entries bound to a closed slot and tell their patients."""
    waiting = WaitlistRepository(db)
    told = 0
    for entry in await waiting.open_in_slot(slot["_id"]):

        async def work(session: AsyncClientSession, entry: WaitlistEntryDocument = entry) -> bool:
            closed = await waiting.close(
                entry["_id"],
                from_status=entry["status"],
                to_status="cancelled",
                now=now,
                session=session,
            )
            if closed is None:
                return False
            if entry["status"] == "offered":
                await SlotRepository(db).release(slot["_id"], entry["heldNumber"], session=session)
            await notify.waitlist_cancelled(
                db=db, session=session, entry=closed, start=slot["start"]
            )
            return True

        told += 1 if await in_transaction(db, work) else 0
    return told
