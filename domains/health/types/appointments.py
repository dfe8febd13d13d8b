"""GraphQL types of appointments and patient profiles. The patient of an appointment is read
only through the loader that applies who may see what (``profiles.profiles_for``)."""

from datetime import date, datetime
from enum import Enum

import strawberry
from bson import ObjectId

from domains.health.access import can_read_patient_details
from domains.health.models import AppointmentDocument, PatientProfileDocument
from domains.health.profiles import PatientOf
from domains.health.types.facilities import (
    Hospital,
    HospitalDepartment,
    HospitalDoctor,
    Slot,
    department_at,
    doctor_at,
    hospital_at,
)
from domains.health.types.loaders import load_patient, load_slot, note_staff_read
from domains.kernel.auth import Principal
from domains.kernel.context import Info
from domains.kernel.crypto import FIELD_CIPHER
from domains.kernel.node import Node


@strawberry.enum(description="FHIR Appointment.status (the values this API uses).")
class AppointmentStatus(Enum):
    BOOKED = "booked"
    CHECKED_IN = "checked-in"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    WAITLIST = "waitlist"


@strawberry.type(description="The consent a patient profile was created with.")
class Consent:
    purpose: str
    policy_version: str
    given_at: datetime
    withdrawn_at: datetime | None = strawberry.field(
        default=None, description="Set once withdrawn: the profile is used for nothing more."
    )
    history: list["ConsentChange"] = strawberry.field(
        default_factory=list, description="Every time consent was given or withdrawn."
    )


@strawberry.type(description="Consent given or withdrawn, as recorded.")
class ConsentChange:
    action: str = strawberry.field(description="`given` or `withdrawn`.")
    policy_version: str
    at: datetime


def reveal(info: Info, stored: str | None, *, field: str) -> str | None:
    """A field encrypted at rest, decrypted for a reader already allowed to see it."""
    if stored is None:
        return None
    cipher = info.context.resources.find(FIELD_CIPHER)
    return cipher.decrypt(stored, field=field) if cipher else stored


@strawberry.type(
    description="A person bookings are made for. Full details only for the account that owns it; "
    "staff of a facility the person booked at see name, date of birth and phone."
)
class PatientProfile(Node):
    id: strawberry.ID
    full_name: str
    date_of_birth: date
    phone: str
    has_bhyt: bool
    consent: Consent | None = strawberry.field(description="Only shown to the owning account.")
    stored_bhyt: strawberry.Private[str | None]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Health-insurance number: only ever shown to the owning account."
    )
    def bhyt_number(self, info: Info) -> str | None:
        return reveal(info, self.stored_bhyt, field="bhytNumber")

    @classmethod
    def from_document(cls, document: PatientProfileDocument, *, owner: bool) -> "PatientProfile":
        consent = document["consent"]
        return cls(
            id=strawberry.ID(str(document["_id"])),
            full_name=document["fullName"],
            date_of_birth=date.fromisoformat(document["dateOfBirth"]),
            phone=document["phone"],
            has_bhyt=bool(document.get("bhytNumber")),
            stored_bhyt=document.get("bhytNumber") if owner else None,
            consent=Consent(
                purpose=consent["purpose"],
                policy_version=consent["policyVersion"],
                given_at=consent["givenAt"],
                withdrawn_at=consent.get("withdrawnAt"),
                history=[
                    ConsentChange(
                        action=event["action"],
                        policy_version=event["policyVersion"],
                        at=event["at"],
                    )
                    for event in document.get("consentHistory", [])
                ],
            )
            if owner
            else None,
        )


@strawberry.type(description="One patient's place in a slot.")
class Appointment(Node):
    id: strawberry.ID
    status: AppointmentStatus
    queue_number: int | None = strawberry.field(description="Số thứ tự, 1..capacity of the slot.")
    start: datetime
    end: datetime
    hospital_id: str
    department_id: str
    doctor_id: str | None
    created_at: datetime
    changed_at: datetime
    booking_code: str | None = strawberry.field(
        description="Short code for QR check-in; shown to the patient and the facility's staff."
    )
    cancel_reason: str | None = strawberry.field(
        description="Why it was cancelled: patient's account and this facility's staff only."
    )
    rescheduled_to_id: strawberry.ID | None
    slot_id: strawberry.Private[ObjectId]
    patient_of: strawberry.Private[PatientOf]
    stored_reason: strawberry.Private[str | None]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Reason for visit: shown to the patient's account and to staff of this "
        "facility only."
    )
    async def reason(self, info: Info) -> str | None:
        if self.stored_reason is not None and info.context.principal.uid != self.patient_of.user_id:
            await note_staff_read(info, self.patient_of)
        return reveal(info, self.stored_reason, field="reason")

    @strawberry.field
    async def hospital(self, info: Info) -> Hospital:
        return await hospital_at(info, self.hospital_id)

    @strawberry.field
    async def department(self, info: Info) -> HospitalDepartment:
        return await department_at(info, self.hospital_id, self.department_id)

    @strawberry.field
    async def doctor(self, info: Info) -> HospitalDoctor | None:
        return await doctor_at(info, self.hospital_id, self.doctor_id or "")

    @strawberry.field
    async def slot(self, info: Info) -> Slot:
        document = await load_slot(info, self.slot_id)
        assert document is not None  # noqa: S101 - slots are never deleted
        return Slot.from_document(document)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The patient: the owning account and this facility's staff only (null else)."
    )
    async def patient(self, info: Info) -> PatientProfile | None:
        view = await load_patient(info, self.patient_of)
        if view is None:
            return None
        return PatientProfile.from_document(view.document, owner=view.owner)

    @classmethod
    def from_document(cls, document: AppointmentDocument, principal: Principal) -> "Appointment":
        """The view ``principal`` may have: details only for the owner and the facility's staff."""
        details = can_read_patient_details(principal, document)
        moved = document.get("rescheduledTo")
        return cls(
            id=strawberry.ID(str(document["_id"])),
            status=AppointmentStatus(document["status"]),
            queue_number=document.get("queueNumber"),
            start=document["start"],
            end=document["end"],
            hospital_id=document["hospitalId"],
            department_id=document["departmentId"],
            doctor_id=document["doctorId"] or None,
            created_at=document["createdAt"],
            changed_at=document["changedAt"],
            booking_code=document["bookingCode"] if details else None,
            stored_reason=document.get("reason") if details else None,
            cancel_reason=document.get("cancelReason") if details else None,
            rescheduled_to_id=strawberry.ID(str(moved)) if moved else None,
            slot_id=document["slotId"],
            patient_of=PatientOf.of(document),
        )
