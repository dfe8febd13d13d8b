"""Who may see and do what in health: the rules every use case and the schema ask."""

from typing import Literal

from bson import ObjectId

from domains.health.errors import BookingRefused, Refusal
from domains.health.models import AppointmentDocument, WaitlistEntryDocument
from domains.health.repositories import HealthStore
from domains.kernel.auth import Principal, Role, require_user
from domains.kernel.caller import Caller
from domains.kernel.errors import Forbidden, InvalidInput
from domains.kernel.validation import object_id

ActorRole = Literal["patient", "staff", "admin", "system"]


def role_of(principal: Principal, hospital_id: str) -> ActorRole:
    """How an audit entry names someone acting on a facility's appointments."""
    if principal.is_hospital_staff_of(hospital_id):
        return "staff"
    return "admin" if principal.is_admin else "patient"


def may_read_patient(principal: Principal, *, user_id: str, hospital_id: str) -> bool:
    """The account that booked, or staff of the facility (admins are operators, not
    clinicians): who may see the patient, the reason for visit and the booking code."""
    return principal.uid == user_id or principal.is_hospital_staff_of(hospital_id)


def can_read_patient_details(principal: Principal, appointment: AppointmentDocument) -> bool:
    return may_read_patient(
        principal, user_id=appointment["userId"], hospital_id=appointment["hospitalId"]
    )


def is_staff_for(principal: Principal, appointment: AppointmentDocument) -> bool:
    """May work the desk for this appointment: its facility's staff, or an administrator."""
    return principal.is_admin or principal.is_hospital_staff_of(appointment["hospitalId"])


def require_some_hospital_staff(principal: Principal) -> str:
    uid = require_user(principal)
    if not (principal.is_admin or (Role.HOSPITAL_STAFF in principal.roles)):
        raise Forbidden("Only hospital staff can do this.")
    return uid


async def owned_appointment(
    *, caller: Caller[HealthStore], appointment_id: str
) -> AppointmentDocument:
    """The caller's appointment; another user's answers exactly like a missing one."""
    uid = require_user(caller.principal)
    appointment = await caller.store.appointments.find(
        object_id(appointment_id, what="appointment")
    )
    if appointment is None or appointment["userId"] != uid:
        raise BookingRefused(Refusal.NOT_FOUND, "You have no appointment with this id.")
    return appointment


async def owned_entry(*, caller: Caller[HealthStore], entry_id: str) -> WaitlistEntryDocument:
    """The caller's waitlist entry; another user's answers exactly like a missing one."""
    uid = require_user(caller.principal)
    entry = await caller.store.waitlist.find(object_id(entry_id, what="waitlist entry"))
    if entry is None or entry["userId"] != uid:
        raise BookingRefused(Refusal.NOT_FOUND, "You have no waitlist entry with this id.")
    return entry


async def owned_profile(*, store: HealthStore, uid: str, profile_id: ObjectId) -> None:
    """Bookings and waitlist entries are made only for the caller's own patient profiles."""
    profile = await store.profiles.owned(profile_id, uid)
    if profile is None:
        raise BookingRefused(
            Refusal.NOT_FOUND,
            "You have no patient profile with this id; create one with createPatientProfile.",
        )
    if "withdrawnAt" in profile["consent"]:
        raise InvalidInput(
            "Consent for this patient profile was withdrawn: it is used for nothing more. "
            "Create a new profile (giving consent again) to book.",
            field="patientProfileId",
        )
