"""``node(id:)`` for health's objects: facilities, their departments and doctors, and slots
(public, as the ``hospital`` query shows them), appointments (the patient
who booked, the facility's staff, administrators without patient details), waitlist entries and
patient profiles (their owner). Anyone else gets null, exactly as for an unknown id."""

from domains.health import facilities
from domains.health.access import is_staff_for
from domains.health.parts import DEPARTMENT, DOCTOR, part_of
from domains.health.repositories import HealthStore
from domains.health.types.appointments import Appointment, PatientProfile
from domains.health.types.facilities import Hospital, HospitalDepartment, HospitalDoctor, Slot
from domains.health.types.waitlist import WaitlistEntry
from domains.kernel.context import Info
from domains.kernel.node import Node, object_id_of


async def _facility_node(store: HealthStore, node_id: str) -> Node | None:
    """A facility by its id, or one of its departments or doctors by their global id."""
    if (part := part_of(node_id, DEPARTMENT)) is not None:
        hospital = await facilities.get_hospital(store=store, hospital_id=part[0])
        departments = hospital["departments"] if hospital is not None else []
        department = next((d for d in departments if d["id"] == part[1]), None)
        return HospitalDepartment.from_document(department, part[0]) if department else None
    if (part := part_of(node_id, DOCTOR)) is not None:
        hospital = await facilities.get_hospital(store=store, hospital_id=part[0])
        doctors = hospital["doctors"] if hospital is not None else []
        doctor = next((d for d in doctors if d["id"] == part[1]), None)
        return HospitalDoctor.from_document(doctor, part[0]) if doctor else None
    hospital = await facilities.get_hospital(store=store, hospital_id=node_id)
    return Hospital.from_document(hospital) if hospital is not None else None


async def find_node(info: Info, node_id: str) -> Node | None:
    """The health object with this id, as the caller may see it."""
    store = info.context.scoped(HealthStore.of)
    if (oid := object_id_of(node_id)) is None:
        return await _facility_node(store, node_id)
    principal = info.context.principal
    if (slot := await store.slots.find(oid)) is not None:
        return Slot.from_document(slot)
    if (appointment := await store.appointments.find(oid)) is not None:
        if appointment["userId"] == principal.uid or is_staff_for(principal, appointment):
            return Appointment.from_document(appointment, principal)
        return None
    if (entry := await store.waitlist.find(oid)) is not None:
        return WaitlistEntry.from_document(entry) if entry["userId"] == principal.uid else None
    (profile,) = await store.profiles.find_many([oid])
    if profile is not None and principal.uid is not None and profile["ownerId"] == principal.uid:
        return PatientProfile.from_document(profile, owner=True)
    return None
