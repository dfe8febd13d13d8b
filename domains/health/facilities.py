"""Facilities and the slots a citizen can book now (public reads)."""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bson import ObjectId

from domains.health.calendar import SLOT_CALENDAR, Entry
from domains.health.catalogue import HOSPITAL_INDEX
from domains.health.finding import find_hospitals
from domains.health.models import Department, HospitalDocument, SlotDocument
from domains.health.parts import resolve_parts
from domains.health.placement import expire_waitlist_holds
from domains.health.repositories import HealthStore
from domains.health.windows import Read, Span, after_values, windowed_page
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page, encode_cursor, page_size
from domains.kernel.resources import Key


def slot_status(slot: SlotDocument) -> str:
    """FHIR status: the hospital's closure wins; otherwise busy when no place is left."""
    if slot["status"] == "busy-unavailable":
        return "busy-unavailable"
    return "busy" if slot["remaining"] <= 0 else "free"


def department_of(hospital: HospitalDocument, department_id: str) -> Department:
    for department in hospital["departments"]:
        if department["id"] == department_id:
            return department
    raise InvalidInput(
        f"Facility {hospital['_id']} has no department {department_id!r}; see "
        "`hospital(id).departments` for the ids.",
        field="departmentId",
    )


async def hospital_or_invalid(*, store: HealthStore, hospital_id: str) -> HospitalDocument:
    """The facility a staff form or a waitlist request names (an input error when missing)."""
    hospital = await store.hospitals.find(hospital_id)
    if hospital is None:
        raise InvalidInput(f"No facility has the id {hospital_id!r}.", field="hospitalId")
    return hospital


async def list_hospitals(
    *,
    store: HealthStore,
    near: NearInput | None,
    search: str | None,
    specialty: str | None,
    level: str | None,
    first: int | None,
    after: str | None,
) -> Page[HospitalDocument]:
    """Facilities by words (best match first) and/or near a place (nearest first), else by
    name; filtered by specialty and level (``finding.py``)."""
    return await find_hospitals(
        store=store,
        near=near,
        search=search,
        specialty=specialty,
        level=level,
        first=first,
        after=after,
    )


async def get_hospital(*, store: HealthStore, hospital_id: str) -> HospitalDocument | None:
    return await store.hospitals.find(hospital_id)


async def hospitals_by_id(
    *, store: HealthStore, hospital_ids: Sequence[str]
) -> list[HospitalDocument | None]:
    """Facilities in the order asked (a DataLoader's shape)."""
    return await store.hospitals.find_many(hospital_ids)


async def slots_by_id(
    *, store: HealthStore, slot_ids: Sequence[ObjectId]
) -> list[SlotDocument | None]:
    """Slots in the order asked (a DataLoader's shape)."""
    return await store.slots.find_many(slot_ids)


@dataclass(frozen=True, slots=True)
class SlotSearch:
    hospital_id: str | None = None
    department_id: str | None = None
    specialty: str | None = None
    doctor_id: str | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None
    near: NearInput | None = None


# A facility's slots are read twelve hours at a time at first (a big hospital has about 80 a
# day); a specialty's too (about 400 a day across the province).
FACILITY_WINDOW = timedelta(hours=12)
# Up to this many facilities named by the search are read from MongoDB one by one, in windows;
# "near" facilities (however few) and the whole province, through the in-memory calendar.
FEW_FACILITIES = 8
FIRST_ID = ObjectId("0" * 24)
# Beyond this far ahead, the slots left are read at once (bookable that early is rare).
WIDENING_AHEAD = timedelta(days=62)


# ``availableSlots`` expires the province's passed holds (a read of the waitlist) at most once
# per this much of ``now`` in a process: a place a hold gave back shows up within it, and a
# listing costs one MongoDB read less (the claim path still expires its slot's holds first).
SWEEP_EVERY = timedelta(seconds=1)


class HoldSweeps:
    """When this process last expired every passed hold before a listing."""

    def __init__(self) -> None:
        self.last: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Whether a listing at ``now`` sweeps (a ``now`` before the last sweep does too)."""
        last = self.last
        if last is not None and last <= now < last + SWEEP_EVERY:
            return False
        self.last = now
        return True


HOLD_SWEEPS: Key[HoldSweeps] = Key("health.hold_sweeps")


async def _sweep_holds(store: HealthStore, now: datetime) -> None:
    """Holds whose time has passed go to the next person (or back to the pool) before listing."""
    sweeps = store.resources.find(HOLD_SWEEPS)
    if sweeps is None or sweeps.due(now):
        await expire_waitlist_holds(store=store, now=now)


def _listed(
    search: SlotSearch, hospitals: frozenset[str] | None, now: datetime
) -> Callable[[SlotDocument], bool]:
    """The whole rule of ``availableSlots`` for one slot read in a window."""

    def keep(slot: SlotDocument) -> bool:
        return (
            slot["status"] == "free"
            and slot["remaining"] > 0
            and as_utc(slot["bookableFrom"]) <= now < as_utc(slot["bookableUntil"])
            and (hospitals is None or slot["hospitalId"] in hospitals)
            and (search.department_id is None or slot["departmentId"] == search.department_id)
            and (search.specialty is None or slot["specialty"] == search.specialty)
            and (search.doctor_id is None or slot["doctorId"] == search.doctor_id)
        )

    return keep


def _reader(store: HealthStore, hospitals: Sequence[str] | None, specialty: str | None) -> Read:
    """One window's read: one facility's slots, or one specialty's."""

    async def read(low: datetime, high: datetime | None) -> list[SlotDocument]:
        if hospitals is not None:
            found = await asyncio.gather(
                *(store.slots.starting_between(low, high, hospital_id=h) for h in hospitals)
            )
            return [slot for slots in found for slot in slots]
        return await store.slots.starting_between(low, high, specialty=specialty)

    return read


def _entry_listed(search: SlotSearch, now: datetime) -> Callable[[Entry], bool]:
    """The rule of ``availableSlots`` on what the calendar keeps of a slot."""

    def keep(entry: Entry) -> bool:
        return (
            entry.bookable(now)
            and (search.department_id is None or entry.department_id == search.department_id)
            and (search.specialty is None or entry.specialty == search.specialty)
            and (search.doctor_id is None or entry.doctor_id == search.doctor_id)
        )

    return keep


async def _calendar_page(
    store: HealthStore,
    hospitals: Sequence[str] | None,
    search: SlotSearch,
    span: Span,
    now: datetime,
    page: tuple[int | None, str | None],
) -> tuple[list[SlotDocument], bool]:
    """The page's slots from the in-memory calendar (``calendar.py``), each checked again on
    what MongoDB holds; and whether more follow."""
    first, after = page
    calendar = store.resources.get(SLOT_CALENDAR)
    await calendar.wait_built()
    wanted = page_size(first) + 1
    position = (as_utc(span.start), FIRST_ID)
    last = after_values(after, ("start",))
    if last is not None:
        position = max(position, (last[0], last[1]))
    keep_entry, keep = _entry_listed(search, now), _listed(search, None, now)
    rows: list[SlotDocument] = []
    while len(rows) < wanted:
        taken: list[ObjectId] = []
        exhausted = True
        # Taken without an await in between: the calendar changes only between awaits.
        for seen, entry in calendar.earliest(hospitals, position):
            if span.end is not None and entry.start >= span.end:
                break
            position = seen
            if keep_entry(entry):
                taken.append(seen[1])
                if len(taken) == wanted - len(rows):
                    exhausted = False
                    break
        found = await store.slots.find_many(taken) if taken else []
        rows += [slot for slot in found if slot is not None and keep(slot)]
        if exhausted:
            break
    return rows[: wanted - 1], len(rows) >= wanted


def _sized(
    store: HealthStore,
    hospitals: Sequence[str],
    search: SlotSearch,
    span: Span,
    now: datetime,
    page: tuple[int | None, str | None],
) -> Span:
    """``span`` with its first window sized by the calendar to end just after the page's last
    slot and the one more that tells a next page exists: one MongoDB read a page, where fixed
    12-hour windows took two to five (a facility has 3 to 35 slots a day). The rows still come
    from MongoDB's read; a calendar behind it only sizes the window wrong, and the next windows
    are read as before."""
    calendar = store.resources.find(SLOT_CALENDAR)
    if calendar is None or not calendar.built:
        return span
    first, after = page
    position = (as_utc(span.start), FIRST_ID)
    last = after_values(after, ("start",))
    if last is not None:
        position = max(position, (last[0], last[1]))
    wanted, keep = page_size(first) + 1, _entry_listed(search, now)
    for (start, _), entry in calendar.earliest(hospitals, position):
        if span.end is not None and start >= span.end:
            break
        if keep(entry):
            wanted -= 1
            if wanted == 0:
                return replace(span, window=start - position[0] + timedelta(seconds=1))
    # Fewer than a page ahead: the rest of the span (up to where the reads widen) at once.
    until = span.end or span.read_rest_after
    if until is None or until <= position[0]:
        return span
    return replace(span, window=until - position[0])


async def _near_facilities(store: HealthStore, near: NearInput) -> list[str]:
    """The facilities within the radius, from the read side's points (no database scan)."""
    near = near.validated()
    index = store.resources.get(HOSPITAL_INDEX)
    found = await index.near(near.lat, near.lng, near.radius_km, limit=max(1, len(index)))
    return [record_id for record_id, _ in found]


def _local_parts(search: SlotSearch) -> SlotSearch:
    """The search with its department and doctor as local keys (a global id gives the
    facility too)."""
    parts = resolve_parts(search.hospital_id, search.department_id, search.doctor_id)
    return replace(
        search,
        hospital_id=parts.hospital_id,
        department_id=parts.department_id,
        doctor_id=parts.doctor_id,
    )


def _checked(search: SlotSearch) -> tuple[datetime | None, datetime | None]:
    """The search's ``from`` and ``to`` (UTC), once its arguments agree."""
    if (search.department_id or search.doctor_id) and not search.hospital_id:
        raise InvalidInput(
            "`departmentId` and `doctorId` belong to one facility: pass `hospitalId` too.",
            field="hospitalId",
        )
    start_from = as_utc(search.start_from) if search.start_from else None
    start_to = as_utc(search.start_to) if search.start_to else None
    if start_from and start_to and start_to <= start_from:
        raise InvalidInput("`to` must be after `from`.", field="to")
    return start_from, start_to


async def available_slots(
    *,
    store: HealthStore,
    search: SlotSearch,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
) -> Page[SlotDocument]:
    """Only slots a citizen can book now: open, a place left, inside the booking window;
    earliest first. One facility (or a specialty) is read from MongoDB a window of start times
    at a time (``windows.py``); those near a place, or the whole province, through the
    in-memory calendar (``calendar.py``): one read of the page's slots by id, where windows
    took one read per facility and window (5.9 reads a page at 10 km)."""
    now = now or utcnow()
    search = _local_parts(search)
    start_from, start_to = _checked(search)
    await _sweep_holds(store, now)
    hospitals: list[str] | None = [search.hospital_id] if search.hospital_id else None
    if search.near is not None:
        within = await _near_facilities(store, search.near)
        hospitals = [h for h in within if hospitals is None or h in hospitals]

    async def count_total() -> int:
        return await store.slots.count_bookable(
            hospital_ids=hospitals,
            department_id=search.department_id,
            specialty=search.specialty,
            doctor_id=search.doctor_id,
            start_from=start_from,
            start_to=start_to,
            now=now,
        )

    # A bookable slot starts after now: its booking closes before it starts.
    span = Span(
        start=max(start_from or now, now),
        end=start_to,
        window=FACILITY_WINDOW,
        read_rest_after=now + WIDENING_AHEAD,
    )
    if hospitals == []:
        span = Span(start=now, end=now, window=FACILITY_WINDOW)  # nothing near: an empty page
    few = search.near is None and hospitals is not None and len(hospitals) <= FEW_FACILITIES
    if few and hospitals:
        span = _sized(store, hospitals, search, span, now, (first, after))
    if few or (hospitals is None and search.specialty is not None):
        return await windowed_page(
            _reader(store, hospitals, search.specialty),
            span=span,
            keep=_listed(search, None, now),
            fields=("start",),
            first=first,
            after=after,
            count_total=count_total,
        )
    rows, more = await _calendar_page(store, hospitals, search, span, now, (first, after))
    cursors = [encode_cursor([as_utc(row["start"]), row["_id"]]) for row in rows]
    return Page(rows, cursors, more, count_total)
