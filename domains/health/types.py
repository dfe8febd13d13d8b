"""GraphQL types of the health domain. Sensitive fields are filled only after a check."""

from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from bson import ObjectId

from domains.health import service
from domains.health.errors import BookingRefused, Refusal
from domains.health.models import (
    AppointmentDocument,
    Department,
    Doctor,
    HospitalDocument,
    PatientProfileDocument,
    SlotDocument,
    WaitlistEntryDocument,
)
from domains.health.repository import HospitalRepository, PatientProfileRepository, SlotRepository
from domains.kernel.auth import Principal
from domains.kernel.context import Info
from domains.kernel.errors import NotFoundError, UserError
from domains.kernel.i18n import Language, pick


@strawberry.enum(description="Level of a health facility in Vietnam's system.")
class HospitalLevel(Enum):
    CENTRAL = "central"
    PROVINCIAL = "provincial"
    DISTRICT = "district"
    COMMUNE = "commune"
    PRIVATE = "private"


@strawberry.enum(description="FHIR Slot.status.")
class SlotStatus(Enum):
    FREE = "free"
    BUSY = "busy"
    BUSY_UNAVAILABLE = "busy-unavailable"


@strawberry.enum(description="FHIR Appointment.status (the values this API uses).")
class AppointmentStatus(Enum):
    BOOKED = "booked"
    CHECKED_IN = "checked-in"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    WAITLIST = "waitlist"


@strawberry.type
class GeoPoint:
    lat: float
    lng: float


@strawberry.type(description="A department (khoa) of a facility: where a slot's patients go.")
class HospitalDepartment:
    id: str
    specialty: str
    room: str
    names: strawberry.Private[dict[str, str]]

    @strawberry.field
    def name(self, info: Info, lang: Language | None = None) -> str:
        return pick(self.names, info.context.lang(lang)) or self.id

    @classmethod
    def from_document(cls, document: Department) -> "HospitalDepartment":
        return cls(
            id=document["id"],
            specialty=document["specialty"],
            room=document["room"],
            names=document["name"],
        )


@strawberry.type
class HospitalDoctor:
    id: str
    name: str
    title: str
    specialties: list[str]

    @classmethod
    def from_document(cls, document: Doctor) -> "HospitalDoctor":
        return cls(
            id=document["id"],
            name=document["name"],
            title=document["title"],
            specialties=list(document["specialties"]),
        )


@strawberry.type(description="When and how a facility takes bookings (province time).")
class BookingPolicyInfo:
    days_ahead: int
    cutoff: str = strawberry.field(
        description="Bookings for a date close at this time the day before."
    )
    cancel_before_hours: int
    max_active_bookings: int


@strawberry.type(description="A hospital, clinic or commune health station.")
class Hospital:
    id: str
    level: HospitalLevel
    address: str
    district: str
    phone: str | None
    location: GeoPoint
    departments: list[HospitalDepartment]
    doctors: list[HospitalDoctor]
    booking_policy: BookingPolicyInfo
    names: strawberry.Private[dict[str, str]]

    @strawberry.field
    def name(self, info: Info, lang: Language | None = None) -> str:
        return pick(self.names, info.context.lang(lang)) or self.id

    @classmethod
    def from_document(cls, document: HospitalDocument) -> "Hospital":
        lng, lat = document["location"]["coordinates"]
        policy = document["bookingPolicy"]
        return cls(
            id=document["_id"],
            level=HospitalLevel(document["level"]),
            address=document["address"],
            district=document["district"],
            phone=document["phone"],
            location=GeoPoint(lat=lat, lng=lng),
            departments=[HospitalDepartment.from_document(d) for d in document["departments"]],
            doctors=[HospitalDoctor.from_document(d) for d in document["doctors"]],
            booking_policy=BookingPolicyInfo(
                days_ahead=policy["daysAhead"],
                cutoff=policy["cutoff"],
                cancel_before_hours=policy["cancelBeforeHours"],
                max_active_bookings=policy["maxActiveBookings"],
            ),
            names=document["name"],
        )


async def _load_hospital(info: Info, hospital_id: str) -> HospitalDocument | None:
    db = info.context.db

    async def load(ids: Sequence[str]) -> list[HospitalDocument | None]:
        return cast(list[HospitalDocument | None], await HospitalRepository(db).get_many(ids))

    return await info.context.loader("health.hospital", load).load(hospital_id)


async def _hospital(info: Info, hospital_id: str) -> Hospital:
    document = await _load_hospital(info, hospital_id)
    assert document is not None  # noqa: S101 - slots and appointments keep their facility
    return Hospital.from_document(document)


async def _department(info: Info, hospital_id: str, department_id: str) -> HospitalDepartment:
    document = await _load_hospital(info, hospital_id)
    for department in document["departments"] if document else []:
        if department["id"] == department_id:
            return HospitalDepartment.from_document(department)
    return HospitalDepartment(id=department_id, specialty="", room="", names={})


async def _doctor(info: Info, hospital_id: str, doctor_id: str) -> HospitalDoctor | None:
    if not doctor_id:
        return None
    document = await _load_hospital(info, hospital_id)
    for doctor in document["doctors"] if document else []:
        if doctor["id"] == doctor_id:
            return HospitalDoctor.from_document(doctor)
    return None


@strawberry.type(description="A time window of a department in which patients can book places.")
class Slot:
    id: strawberry.ID
    hospital_id: str
    department_id: str
    doctor_id: str | None
    specialty: str
    start: datetime
    end: datetime
    capacity: int
    booked: int
    remaining: int
    status: SlotStatus
    fee: int = strawberry.field(description="Fee in VND.")
    bhyt_covered: int = strawberry.field(
        description="Estimated share covered by health insurance (BHYT), in VND."
    )
    bookable_until: datetime

    @strawberry.field(description="What the patient pays if BHYT covers its estimate (VND).")  # type: ignore[untyped-decorator]
    def patient_pays(self) -> int:
        return self.fee - self.bhyt_covered

    @strawberry.field
    async def hospital(self, info: Info) -> Hospital:
        return await _hospital(info, self.hospital_id)

    @strawberry.field
    async def department(self, info: Info) -> HospitalDepartment:
        return await _department(info, self.hospital_id, self.department_id)

    @strawberry.field
    async def doctor(self, info: Info) -> HospitalDoctor | None:
        return await _doctor(info, self.hospital_id, self.doctor_id or "")

    @classmethod
    def from_document(cls, document: SlotDocument) -> "Slot":
        return cls(
            id=strawberry.ID(str(document["_id"])),
            hospital_id=document["hospitalId"],
            department_id=document["departmentId"],
            doctor_id=document["doctorId"] or None,
            specialty=document["specialty"],
            start=document["start"],
            end=document["end"],
            capacity=document["capacity"],
            booked=document["booked"],
            remaining=document["remaining"],
            status=SlotStatus(service.slot_status(document)),
            fee=document["fee"],
            bhyt_covered=document["bhytCovered"],
            bookable_until=document["bookableUntil"],
        )


@strawberry.type(description="The consent a patient profile was created with.")
class Consent:
    purpose: str
    policy_version: str
    given_at: datetime


@strawberry.type(
    description="A person bookings are made for. Full details only for the account that owns it; "
    "staff of a facility the person booked at see name, date of birth and phone."
)
class PatientProfile:
    id: strawberry.ID
    full_name: str
    date_of_birth: date
    phone: str
    has_bhyt: bool
    bhyt_number: str | None = strawberry.field(
        description="Health-insurance number: only ever shown to the owning account."
    )
    consent: Consent | None = strawberry.field(description="Only shown to the owning account.")

    @classmethod
    def from_document(cls, document: PatientProfileDocument, *, owner: bool) -> "PatientProfile":
        consent = document["consent"]
        return cls(
            id=strawberry.ID(str(document["_id"])),
            full_name=document["fullName"],
            date_of_birth=date.fromisoformat(document["dateOfBirth"]),
            phone=document["phone"],
            has_bhyt=bool(document.get("bhytNumber")),
            bhyt_number=document.get("bhytNumber") if owner else None,
            consent=Consent(
                purpose=consent["purpose"],
                policy_version=consent["policyVersion"],
                given_at=consent["givenAt"],
            )
            if owner
            else None,
        )


@strawberry.type(description="One patient's place in a slot.")
class Appointment:
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
    reason: str | None = strawberry.field(
        description="Reason for visit: shown to the patient's account and to staff of this "
        "facility only."
    )
    cancel_reason: str | None = strawberry.field(
        description="Why it was cancelled: patient's account and this facility's staff only."
    )
    rescheduled_to_id: strawberry.ID | None
    slot_id: strawberry.Private[ObjectId]
    profile_id: strawberry.Private[ObjectId | None]
    is_owner: strawberry.Private[bool]

    @strawberry.field
    async def hospital(self, info: Info) -> Hospital:
        return await _hospital(info, self.hospital_id)

    @strawberry.field
    async def department(self, info: Info) -> HospitalDepartment:
        return await _department(info, self.hospital_id, self.department_id)

    @strawberry.field
    async def doctor(self, info: Info) -> HospitalDoctor | None:
        return await _doctor(info, self.hospital_id, self.doctor_id or "")

    @strawberry.field
    async def slot(self, info: Info) -> Slot:
        db = info.context.db

        async def load(ids: Sequence[ObjectId]) -> list[SlotDocument | None]:
            return cast(list[SlotDocument | None], await SlotRepository(db).get_many(ids))

        document = await info.context.loader("health.slot", load).load(self.slot_id)
        assert document is not None  # noqa: S101 - slots are never deleted
        return Slot.from_document(document)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The patient: the owning account and this facility's staff only (null else)."
    )
    async def patient(self, info: Info) -> PatientProfile | None:
        if self.profile_id is None:
            return None
        db = info.context.db

        async def load(ids: Sequence[ObjectId]) -> list[PatientProfileDocument | None]:
            found = await PatientProfileRepository(db).get_many(ids)
            return cast(list[PatientProfileDocument | None], found)

        document = await info.context.loader("health.profile", load).load(self.profile_id)
        if document is None:
            return None
        return PatientProfile.from_document(document, owner=self.is_owner)

    @classmethod
    def from_document(cls, document: AppointmentDocument, principal: Principal) -> "Appointment":
        """The view ``principal`` may have: details only for the owner and the facility's staff."""
        owner = principal.uid == document["userId"]
        details = service.can_read_patient_details(principal, document)
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
            reason=document.get("reason") if details else None,
            cancel_reason=document.get("cancelReason") if details else None,
            rescheduled_to_id=strawberry.ID(str(moved)) if moved else None,
            slot_id=document["slotId"],
            profile_id=document["patientProfileId"] if details else None,
            is_owner=owner,
        )


@strawberry.enum(description="Where a waitlist entry stands.")
class WaitlistStatus(Enum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    DECLINED = "declined"
    EXPIRED = "expired"
    LEFT = "left"
    CANCELLED = "cancelled"


@strawberry.type(
    description="Your place in the queue for a full slot, or for any slot of a department on "
    "one day. When a place frees up it is held for you (status OFFERED) until `holdExpiresAt`: "
    "accept it with acceptWaitlistOffer or it goes to the next person."
)
class WaitlistEntry:
    id: strawberry.ID
    status: WaitlistStatus
    hospital_id: str
    department_id: str
    date: date
    slot_id: strawberry.ID | None = strawberry.field(
        description="The slot waited for, or the one whose place is offered."
    )
    patient_profile_id: strawberry.ID
    hold_expires_at: datetime | None = strawberry.field(
        description="While OFFERED: accept before this time."
    )
    appointment_id: strawberry.ID | None = strawberry.field(
        description="The appointment made by accepting the offer."
    )
    created_at: datetime
    changed_at: datetime

    @strawberry.field
    async def hospital(self, info: Info) -> Hospital:
        return await _hospital(info, self.hospital_id)

    @strawberry.field
    async def department(self, info: Info) -> HospitalDepartment:
        return await _department(info, self.hospital_id, self.department_id)

    @classmethod
    def from_document(cls, document: WaitlistEntryDocument) -> "WaitlistEntry":
        """Only ever built for the entry's owner. An offer whose hold passed reads as EXPIRED."""
        status = WaitlistStatus(service.waitlist_status(document))
        slot = document.get("slotId")
        appointment = document.get("appointmentId")
        return cls(
            id=strawberry.ID(str(document["_id"])),
            status=status,
            hospital_id=document["hospitalId"],
            department_id=document["departmentId"],
            date=date.fromisoformat(document["day"]),
            slot_id=strawberry.ID(str(slot)) if slot else None,
            patient_profile_id=strawberry.ID(str(document["patientProfileId"])),
            hold_expires_at=document.get("holdExpiresAt")
            if status is WaitlistStatus.OFFERED
            else None,
            appointment_id=strawberry.ID(str(appointment)) if appointment else None,
            created_at=document["createdAt"],
            changed_at=document["changedAt"],
        )


@strawberry.type(description="How many wait for a slot (counts only; for the facility's staff).")
class SlotWaitlist:
    slot_id: strawberry.ID
    waiting: int = strawberry.field(
        description="Entries waiting for this slot or for its department's day."
    )
    offered: int = strawberry.field(description="Places of this slot held for a waiting patient.")


@strawberry.input(
    description="What to wait for: a full slot (`slotId`), or any slot of a department on one "
    "day (`hospitalId`, `departmentId`, `date`)."
)
class JoinWaitlistInput:
    patient_profile_id: strawberry.ID
    slot_id: strawberry.ID | None = None
    hospital_id: str | None = None
    department_id: str | None = None
    day: date | None = strawberry.field(name="date", default=None)


# --- expected failures ------------------------------------------------------------------------


@strawberry.type(description="No place is left in this slot.")
class SlotFull(UserError):
    pass


@strawberry.type(description="The slot cannot be booked (closed by the facility, or started).")
class SlotNotBookable(UserError):
    pass


@strawberry.type(description="This patient already holds a place in this slot.")
class AlreadyBooked(UserError):
    pass


@strawberry.type(description="The patient has as many upcoming bookings as the facility allows.")
class BookingLimitReached(UserError):
    pass


@strawberry.type(description="Outside the facility's booking window or after its cut-off.")
class OutsideBookingWindow(UserError):
    pass


@strawberry.type(description="The idempotency key was already used for a different request.")
class IdempotencyKeyReused(UserError):
    pass


@strawberry.type(description="The appointment's status does not allow this change.")
class AppointmentNotChangeable(UserError):
    pass


@strawberry.type(description="Too close to the appointment to cancel or move it online.")
class OutsideCancellationWindow(UserError):
    pass


@strawberry.type(description="A doctor would have two overlapping slots.")
class SlotOverlap(UserError):
    pass


@strawberry.type(description="The slot has a free place: book it with bookAppointment instead.")
class SlotHasPlaces(UserError):
    pass


@strawberry.type(description="The hold on the offered place has ended; it went to the next person.")
class HoldExpired(UserError):
    pass


FAILURES: dict[Refusal, type[Any]] = {
    Refusal.SLOT_HAS_PLACES: SlotHasPlaces,
    Refusal.HOLD_EXPIRED: HoldExpired,
    Refusal.SLOT_FULL: SlotFull,
    Refusal.SLOT_NOT_BOOKABLE: SlotNotBookable,
    Refusal.ALREADY_BOOKED: AlreadyBooked,
    Refusal.BOOKING_LIMIT_REACHED: BookingLimitReached,
    Refusal.OUTSIDE_BOOKING_WINDOW: OutsideBookingWindow,
    Refusal.IDEMPOTENCY_KEY_REUSED: IdempotencyKeyReused,
    Refusal.NOT_FOUND: NotFoundError,
    Refusal.WRONG_STATUS: AppointmentNotChangeable,
    Refusal.OUTSIDE_CANCELLATION_WINDOW: OutsideCancellationWindow,
    Refusal.SLOT_OVERLAP: SlotOverlap,
}


def failure(error: BookingRefused) -> Any:
    """The union member for a refusal."""
    return FAILURES[error.refusal](message=error.message, code=error.refusal.value)


@strawberry.type(description="What publishSlots did.")
class PublishSlotsPayload:
    created: int = strawberry.field(description="New slots.")
    existing: int = strawberry.field(description="Slots already published by the same template.")
    first_start: datetime
    last_start: datetime


@strawberry.type(description="What cancelSlots did.")
class CancelSlotsPayload:
    slots_cancelled: int
    appointments_cancelled: int


# --- inputs -----------------------------------------------------------------------------------


@strawberry.input(description="A daily period such as 07:30–11:30 (province time, 24-hour).")
class PeriodInput:
    start: str
    end: str


@strawberry.input(
    description="A schedule template: e.g. Mon–Fri 07:30–11:30 and 13:30–16:30, 30-minute slots, "
    "6 patients each. For one single slot give one day and one period of one slot's length."
)
class PublishSlotsInput:
    hospital_id: str
    department_id: str
    doctor_id: str | None = None
    from_date: date
    to_date: date
    weekdays: list[int] = strawberry.field(
        default_factory=lambda: [1, 2, 3, 4, 5], description="1 = Monday .. 7 = Sunday."
    )
    periods: list[PeriodInput]
    slot_minutes: int
    capacity: int
    fee: int = 0
    bhyt_covered: int = 0

    def to_template(self) -> service.SlotTemplate:
        return service.SlotTemplate(
            hospital_id=self.hospital_id,
            department_id=self.department_id,
            doctor_id=self.doctor_id or None,
            from_date=self.from_date,
            to_date=self.to_date,
            weekdays=list(self.weekdays),
            periods=[(p.start.strip(), p.end.strip()) for p in self.periods],
            slot_minutes=self.slot_minutes,
            capacity=self.capacity,
            fee=self.fee,
            bhyt_covered=self.bhyt_covered,
        )


@strawberry.input(
    description="Which slots to cancel: a facility, optionally one department or "
    "doctor, over a range of dates (inclusive)."
)
class SlotFilterInput:
    hospital_id: str
    department_id: str | None = None
    doctor_id: str | None = None
    from_date: date
    to_date: date


@strawberry.input
class ConsentInput:
    policy_version: str
    given: bool


@strawberry.input(description="A person to book for; kept minimal.")
class PatientProfileInput:
    full_name: str
    date_of_birth: date
    phone: str
    bhyt_number: str | None = None
    consent: ConsentInput

    def to_fields(self) -> service.ProfileFields:
        return service.ProfileFields(
            full_name=self.full_name,
            date_of_birth=self.date_of_birth,
            phone=self.phone,
            bhyt_number=self.bhyt_number,
            consent_policy_version=self.consent.policy_version,
            consent_given=self.consent.given,
        )


@strawberry.input
class BookAppointmentInput:
    slot_id: strawberry.ID
    patient_profile_id: strawberry.ID
    reason: str | None = None
    idempotency_key: str = strawberry.field(
        description="A fresh value (e.g. a UUID) per booking the user means to make; reuse it "
        "for retries of that booking. Kept 24 hours."
    )
