"""The health DataLoaders, one per request each, built on the service layer: the one way the
GraphQL types read facilities, slots and patients."""

from collections.abc import Sequence

from bson import ObjectId

from domains.health import facilities, profiles
from domains.health.models import HospitalDocument, SlotDocument
from domains.health.profiles import PatientOf, VisibleProfile
from domains.health.repositories import HealthStore
from domains.kernel.context import Info


async def load_hospital(info: Info, hospital_id: str) -> HospitalDocument | None:
    store = info.context.scoped(HealthStore.of)

    async def load(ids: Sequence[str]) -> list[HospitalDocument | None]:
        return await facilities.hospitals_by_id(store=store, hospital_ids=ids)

    return await info.context.loader("health.hospital", load).load(hospital_id)


async def load_slot(info: Info, slot_id: ObjectId) -> SlotDocument | None:
    store = info.context.scoped(HealthStore.of)

    async def load(ids: Sequence[ObjectId]) -> list[SlotDocument | None]:
        return await facilities.slots_by_id(store=store, slot_ids=ids)

    return await info.context.loader("health.slot", load).load(slot_id)


async def load_patient(info: Info, appointment: PatientOf) -> VisibleProfile | None:
    """The appointment's patient as the caller may see it (None where they may not)."""
    caller = info.context.caller(HealthStore.of)

    async def load(keys: Sequence[PatientOf]) -> list[VisibleProfile | None]:
        return await profiles.profiles_for(caller=caller, appointments=keys)

    return await info.context.loader("health.patient", load).load(appointment)


async def note_staff_read(info: Info, patient: PatientOf) -> None:
    """A staff member read this appointment's reason for visit: recorded with the request's
    other reads in one write (``staffReads``)."""
    caller = info.context.caller(HealthStore.of)

    async def record(keys: Sequence[PatientOf]) -> list[None]:
        reads = {key.patient_profile_id: key.hospital_id for key in keys}
        await profiles.audit_staff_reads(caller, reads)
        return [None] * len(keys)

    await info.context.loader("health.staff-read", record).load(patient)
