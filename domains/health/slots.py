"""Publishing slots from a schedule template, and closing them (facility staff)."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bson import ObjectId

from domains.health import notify
from domains.health.access import role_of
from domains.health.errors import BookingRefused, Refusal
from domains.health.facilities import department_of, hospital_or_invalid
from domains.health.models import HospitalDocument, SlotDocument, WaitlistEntryDocument
from domains.health.parts import resolve_parts
from domains.health.placement import cancel_booked
from domains.health.repositories import HealthStore
from domains.health.schedule import (
    at_local,
    booking_window,
    day_bounds,
    local_date,
    shown,
    shown_time,
)
from domains.kernel.auth import require_hospital_staff
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.types import Session
from domains.kernel.validation import required_text

MAX_SLOTS_PER_PUBLISH = 2000
MAX_PUBLISH_DAYS = 62
Window = tuple[datetime, datetime]


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

    def local(self) -> "SlotTemplate":
        """The template with its department and doctor as local keys (global ids decoded)."""
        parts = resolve_parts(self.hospital_id, self.department_id, self.doctor_id)
        return replace(self, department_id=parts.department_id or "", doctor_id=parts.doctor_id)


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    created: int
    existing: int
    first_start: datetime
    last_start: datetime


def _periods(template: SlotTemplate) -> list[tuple[int, int]]:
    """The template's daily periods as minutes after midnight, checked and in order."""
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
    return windows


def _template_starts(template: SlotTemplate) -> list[Window]:
    periods = _periods(template)
    slots: list[Window] = []
    length = timedelta(minutes=template.slot_minutes)
    day = template.from_date
    while day <= template.to_date:
        if day.isoweekday() in template.weekdays:
            for begin, finish in periods:
                for t in range(begin, finish - template.slot_minutes + 1, template.slot_minutes):
                    start_at = at_local(day, f"{t // 60:02d}:{t % 60:02d}")
                    slots.append((start_at, start_at + length))
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


def _future_windows(template: SlotTemplate, now: datetime) -> list[Window]:
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
    return windows


def _doctor_name(hospital: HospitalDocument, doctor_id: str) -> str:
    doctor = next((d for d in hospital["doctors"] if d["id"] == doctor_id), None)
    if doctor is None:
        raise InvalidInput(
            f"Facility {hospital['_id']} has no doctor {doctor_id!r}.", field="doctorId"
        )
    return doctor["name"]


@dataclass(frozen=True, slots=True)
class Overlap:
    """A window of the template that overlaps another open slot of the same doctor."""

    start: datetime
    end: datetime
    other: SlotDocument


async def _overlaps(
    store: HealthStore, hospital: HospitalDocument, template: SlotTemplate, windows: list[Window]
) -> list[Overlap]:
    """A doctor is never in two slots at once (the same slot published again is no clash)."""
    if not template.doctor_id:
        return []
    existing = await store.slots.for_doctor_between(
        hospital_id=hospital["_id"],
        doctor_id=template.doctor_id,
        start=windows[0][0],
        end=windows[-1][1],
    )
    found: list[Overlap] = []
    for start, end in windows:
        for other in existing:
            other_start, other_end = as_utc(other["start"]), as_utc(other["end"])
            same = other["departmentId"] == template.department_id and (
                (other_start, other_end) == (start, end)
            )
            if not same and other_start < end and other_end > start:
                found.append(Overlap(start, end, other))
    return found


async def _refuse_overlaps(
    store: HealthStore, hospital: HospitalDocument, template: SlotTemplate, windows: list[Window]
) -> None:
    overlaps = await _overlaps(store, hospital, template, windows)
    if overlaps:
        first = overlaps[0]
        other_start, other_end = as_utc(first.other["start"]), as_utc(first.other["end"])
        doctor_name = _doctor_name(hospital, template.doctor_id or "")
        raise BookingRefused(
            Refusal.SLOT_OVERLAP,
            f"{doctor_name} already has a slot {shown(other_start)}–"
            f"{shown_time(other_end)} in department {first.other['departmentId']!r}, "
            f"overlapping {shown(first.start)}. Nothing was published; change the template "
            "or cancel that slot first.",
        )


def slot_document(
    hospital: HospitalDocument, template: SlotTemplate, window: Window, actor: str, now: datetime
) -> SlotDocument:
    department = department_of(hospital, template.department_id)
    start, end = window
    opens, closes = booking_window(start, hospital["bookingPolicy"])
    return SlotDocument(
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


async def _planned(
    store: HealthStore, template: SlotTemplate, now: datetime
) -> tuple[HospitalDocument, list[Window]]:
    """The facility and the future windows of a checked template."""
    hospital = await hospital_or_invalid(store=store, hospital_id=template.hospital_id)
    department_of(hospital, template.department_id)
    if template.doctor_id:
        _doctor_name(hospital, template.doctor_id)
    return hospital, _future_windows(template, now)


@dataclass(frozen=True, slots=True)
class PublishPreview:
    windows: list[Window]
    published: set[datetime]  # starts of windows already published by the same template
    overlaps: list[Overlap]


async def preview_publish(
    *,
    caller: Caller[HealthStore],
    template: SlotTemplate,
    now: datetime | None = None,
) -> PublishPreview:
    """What publishSlots would create from a template and what it would clash with (staff);
    writes nothing."""
    require_hospital_staff(caller.principal, template.hospital_id)
    template = template.local()
    now = now or utcnow()
    hospital, windows = await _planned(caller.store, template, now)
    published = await caller.store.slots.published_starts(
        hospital_id=template.hospital_id,
        department_id=template.department_id,
        doctor_id=template.doctor_id or "",
        first=windows[0][0],
        last=windows[-1][0],
    )
    overlaps = await _overlaps(caller.store, hospital, template, windows)
    return PublishPreview(windows, published, overlaps)


async def publish_slots(
    *,
    caller: Caller[HealthStore],
    template: SlotTemplate,
    now: datetime | None = None,
) -> PublishOutcome:
    """Create the slots of a schedule template (staff); re-publishing creates no duplicates."""
    actor = require_hospital_staff(caller.principal, template.hospital_id)
    template = template.local()
    now = now or utcnow()
    hospital, windows = await _planned(caller.store, template, now)
    await _refuse_overlaps(caller.store, hospital, template, windows)
    documents = [slot_document(hospital, template, window, actor, now) for window in windows]
    created, existing = await caller.store.slots.upsert_many(documents)
    return PublishOutcome(created, existing, windows[0][0], windows[-1][0])


@dataclass(frozen=True, slots=True)
class SlotFilter:
    hospital_id: str
    department_id: str | None
    doctor_id: str | None
    from_date: date
    to_date: date
    slot_ids: Sequence[str] = ()  # only these slots (of the facility, within the dates)

    def local(self) -> "SlotFilter":
        """The filter with its department and doctor as local keys (global ids decoded)."""
        parts = resolve_parts(self.hospital_id, self.department_id, self.doctor_id)
        return replace(self, department_id=parts.department_id, doctor_id=parts.doctor_id)


def _slot_range(which: SlotFilter) -> tuple[datetime, datetime]:
    days = (which.to_date - which.from_date).days
    if days < 0 or days >= MAX_PUBLISH_DAYS:
        raise InvalidInput(
            f"`to` must be on or after `from`, at most {MAX_PUBLISH_DAYS} days later.", field="to"
        )
    return day_bounds(which.from_date, which.to_date)


def _object_ids(ids: Sequence[str]) -> list[ObjectId] | None:
    """The valid ids among ``ids`` (a malformed one matches nothing); None when none given."""
    return [ObjectId(i) for i in ids if ObjectId.is_valid(i)] if ids else None


async def facility_slots(*, caller: Caller[HealthStore], which: SlotFilter) -> list[SlotDocument]:
    """A facility's slots in every status over a range of days, earliest first (its staff)."""
    require_hospital_staff(caller.principal, which.hospital_id)
    which = which.local()
    start_from, start_to = _slot_range(which)
    found = await caller.store.slots.matching(
        hospital_id=which.hospital_id,
        department_id=which.department_id,
        doctor_id=which.doctor_id,
        start_from=start_from,
        start_to=start_to,
        ids=_object_ids(which.slot_ids),
    )
    return sorted(found, key=lambda s: (as_utc(s["start"]), s["departmentId"], s["doctorId"]))


@dataclass(frozen=True, slots=True)
class CancelSlotsOutcome:
    slots: int
    appointments: int


async def cancel_slots(
    *,
    caller: Caller[HealthStore],
    which: SlotFilter,
    reason: str,
    now: datetime | None = None,
) -> CancelSlotsOutcome:
    """Close matching slots (staff); every booked patient is cancelled with the reason and told."""
    actor = require_hospital_staff(caller.principal, which.hospital_id)
    which = which.local()
    now = now or utcnow()
    reason = required_text(reason, field="reason", limit=300, minimum=3)
    start_from, start_to = _slot_range(which)
    # Closed slots are included: running the same cancellation again finishes one interrupted
    # part-way (their booked appointments are cancelled then).
    matching = await caller.store.slots.matching(
        hospital_id=which.hospital_id,
        department_id=which.department_id,
        doctor_id=which.doctor_id,
        start_from=max(start_from, now),
        start_to=start_to,
        ids=_object_ids(which.slot_ids),
    )
    closed = cancelled = 0
    role = role_of(caller.principal, which.hospital_id)
    for slot in matching:
        # Closed first: from here on no booking can claim a place in it.
        if await caller.store.slots.mark_unavailable(slot["_id"], reason=reason, session=None):
            closed += 1
        for appointment in await caller.store.appointments.booked_in_slot(slot["_id"]):
            done = await cancel_booked(
                store=caller.store,
                appointment=appointment,
                reason=reason,
                actor=actor,
                role=role,
                by_facility=True,
                now=now,
            )
            cancelled += 1 if done is not None else 0
        await _close_waitlist_of_slot(store=caller.store, slot=slot, now=now)
    return CancelSlotsOutcome(closed, cancelled)


async def _close_waitlist_of_slot(*, store: HealthStore, slot: SlotDocument, now: datetime) -> int:
    """Close the open entries bound to a closed slot and tell their patients."""
    told = 0
    for entry in await store.waitlist.open_in_slot(slot["_id"]):

        async def work(session: Session, entry: WaitlistEntryDocument = entry) -> bool:
            closed = await store.waitlist.close(
                entry["_id"],
                from_status=entry["status"],
                to_status="cancelled",
                now=now,
                session=session,
            )
            if closed is None:
                return False
            if entry["status"] == "offered":
                await store.slots.release(slot["_id"], entry["heldNumber"], session=session)
            await notify.waitlist_cancelled(
                db=store.db, session=session, entry=closed, start=slot["start"]
            )
            return True

        told += 1 if await store.transaction(work) else 0
    return told
