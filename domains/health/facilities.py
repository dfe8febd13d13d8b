"""Facilities and the slots a citizen can book now (public reads)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from domains.health.models import Department, HospitalDocument, SlotDocument
from domains.health.placement import expire_waitlist_holds
from domains.health.repositories import HealthStore
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page
from domains.kernel.search import query_terms


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
    """Facilities, by name; filtered by distance, folded search terms, specialty and level."""
    ids = None
    if near is not None:
        near = near.validated()
        ids = await store.hospitals.ids_within(lat=near.lat, lng=near.lng, radius_km=near.radius_km)
    terms = query_terms(search) if search and search.strip() else None
    return await store.hospitals.page(
        ids=ids, search_terms=terms, specialty=specialty, level=level, first=first, after=after
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


async def available_slots(
    *,
    store: HealthStore,
    search: SlotSearch,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
) -> Page[SlotDocument]:
    """Only slots a citizen can book now: open, a place left, inside the booking window."""
    now = now or utcnow()
    if (search.department_id or search.doctor_id) and not search.hospital_id:
        raise InvalidInput(
            "`departmentId` and `doctorId` belong to one facility: pass `hospitalId` too.",
            field="hospitalId",
        )
    start_from, start_to = search.start_from, search.start_to
    if start_from and start_to and start_to <= start_from:
        raise InvalidInput("`to` must be after `from`.", field="to")
    # Holds whose time has passed go to the next person (or back to the pool) before listing.
    await expire_waitlist_holds(store=store, now=now)
    hospital_ids: list[str] | None = [search.hospital_id] if search.hospital_id else None
    if search.near is not None:
        near = search.near.validated()
        within = await store.hospitals.ids_within(
            lat=near.lat, lng=near.lng, radius_km=near.radius_km
        )
        hospital_ids = [h for h in within if hospital_ids is None or h in hospital_ids]
    return await store.slots.bookable_page(
        hospital_ids=hospital_ids,
        department_id=search.department_id,
        specialty=search.specialty,
        doctor_id=search.doctor_id,
        start_from=as_utc(start_from) if start_from else None,
        start_to=as_utc(start_to) if start_to else None,
        now=now,
        first=first,
        after=after,
    )
