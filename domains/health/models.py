from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from bson import ObjectId

HospitalLevel = Literal["central", "provincial", "district", "commune", "private"]
# FHIR Slot.status; "busy" (full) is derived from `remaining`, never stored, so it cannot drift.
StoredSlotStatus = Literal["free", "busy-unavailable"]
# FHIR Appointment.status values this domain uses.
AppointmentStatus = Literal["booked", "checked-in", "fulfilled", "cancelled", "noshow", "waitlist"]


class Department(TypedDict):
    id: str
    specialty: str
    name: dict[str, str]
    room: str


class Doctor(TypedDict):
    id: str
    name: str
    title: str
    specialties: list[str]


class BookingPolicy(TypedDict):
    daysAhead: int  # how many days ahead a slot may be booked
    cutoff: str  # "HH:MM" on the day before: bookings for a date close then
    cancelBeforeHours: int  # a booking may be cancelled until this long before its start
    maxActiveBookings: int  # upcoming bookings per patient at this facility
    holdMinutes: int  # how long a waitlist offer is held


class HospitalDocument(TypedDict):
    """``health_hospitals``: one health facility; ``_id`` is a stable slug."""

    _id: str
    name: dict[str, str]
    level: HospitalLevel
    address: str
    district: str
    location: dict[str, Any]
    phone: str | None  # switchboard; None where no verified number is known
    departments: list[Department]
    doctors: list[Doctor]
    bookingPolicy: BookingPolicy
    specialties: list[str]
    sortName: str
    searchPrimary: list[str]
    searchTerms: list[str]


class SlotDocument(TypedDict):
    """``health_slots``: a time window of one department (optionally one doctor)."""

    _id: ObjectId
    hospitalId: str
    departmentId: str
    specialty: str
    doctorId: str  # "" when the slot is for the department as a whole
    start: datetime
    end: datetime
    capacity: int
    booked: int
    remaining: int
    # Queue numbers not taken, ascending: a booking pops the lowest in the same atomic update
    # that claims capacity, so numbers are 1..capacity, unique, without gaps on first assignment.
    freeNumbers: list[int]
    status: StoredSlotStatus
    fee: int  # VND
    bhytCovered: int  # VND the health insurance is estimated to cover
    # The booking window, computed from the facility's policy when the slot is published.
    bookableFrom: datetime
    bookableUntil: datetime
    cancelReason: NotRequired[str]
    # closeSlot: set while staff keep the slot closed to new bookings (status busy-unavailable,
    # no cancelReason; its bookings stand); reopenSlot removes both.
    closedAt: NotRequired[datetime]
    closedBy: NotRequired[str]
    createdAt: datetime
    createdBy: str
    # The queue number the desk called last (``callNext``); absent before the first call.
    serving: NotRequired[int]


class ConsentRecord(TypedDict):
    purpose: str
    policyVersion: str
    givenAt: datetime
    # Set when the owner withdrew it: the profile is processed no further (no booking, no
    # waiting); what a facility must keep stays (docs/security.md).
    withdrawnAt: NotRequired[datetime]


class ConsentEvent(TypedDict):
    """One entry of a profile's consent history (kept, never rewritten)."""

    action: Literal["given", "withdrawn"]
    purpose: str
    policyVersion: str
    at: datetime


class PatientProfileDocument(TypedDict):
    """``health_patient_profiles``: a person a user books for (themself or family)."""

    _id: ObjectId
    ownerId: str
    fullName: str
    dateOfBirth: str  # ISO date
    phone: str
    bhytNumber: NotRequired[str]
    consent: ConsentRecord
    consentHistory: NotRequired[list[ConsentEvent]]
    createdAt: datetime
    # Bumped inside every booking transaction of this profile: two bookings of one patient then
    # conflict and run one after the other, so the active-bookings limit cannot be overrun.
    bookingVersion: int


class AppointmentDocument(TypedDict):
    """``health_appointments``: one patient's place in one slot."""

    _id: ObjectId
    slotId: ObjectId
    hospitalId: str
    departmentId: str
    doctorId: str
    start: datetime
    end: datetime
    patientProfileId: ObjectId
    userId: str
    queueNumber: NotRequired[int]
    bookingCode: str
    status: AppointmentStatus
    # Present (true) while the appointment holds its place; the unique partial indexes on
    # (slotId, patientProfileId) and (slotId, queueNumber) cover only these.
    # When the desk called the patient in (``callNext``): they are being served.
    calledAt: NotRequired[datetime]
    active: NotRequired[bool]
    reason: NotRequired[str]
    cancelReason: NotRequired[str]
    rescheduledTo: NotRequired[ObjectId]
    createdAt: datetime
    changedAt: datetime


class AuditEntry(TypedDict):
    """``health_audit``: append-only; who changed which appointment how. Never free text."""

    _id: NotRequired[ObjectId]
    appointmentId: ObjectId
    slotId: ObjectId
    hospitalId: str
    actor: str
    actorRole: Literal["patient", "staff", "admin", "system"]
    action: str
    fromStatus: str | None
    toStatus: str
    at: datetime


class IdempotencyRecord(TypedDict):
    """``health_idempotency``: the answer to a booking request, replayed for its retries."""

    _id: NotRequired[ObjectId]
    userId: str
    key: str
    fingerprint: str
    appointmentId: NotRequired[ObjectId]
    createdAt: datetime
    expiresAt: datetime


WaitlistStatus = Literal["waiting", "offered", "booked", "declined", "expired", "left", "cancelled"]


class WaitlistEntryDocument(TypedDict):
    """``health_waitlist``: one patient waiting for a place in a slot, or in any slot of a
    department on one day; first come, first offered."""

    _id: ObjectId
    userId: str
    patientProfileId: ObjectId
    hospitalId: str
    departmentId: str
    day: str  # ISO date (province time) of the slot(s) waited for
    scope: Literal["slot", "day"]
    slotId: NotRequired[ObjectId]  # the slot waited for (scope "slot"), or the one offered
    # "<profile>|slot:<slotId>" or "<profile>|day:<hospital>:<department>:<day>": unique among
    # open entries, so joining twice returns the same entry.
    waitKey: str
    status: WaitlistStatus
    # Present (true) while waiting or offered; the unique partial index covers only these.
    open: NotRequired[bool]
    # While offered: the place held (its queue number stays out of the slot's pool) and until when.
    heldNumber: NotRequired[int]
    holdExpiresAt: NotRequired[datetime]
    offeredAt: NotRequired[datetime]
    appointmentId: NotRequired[ObjectId]
    createdAt: datetime
    changedAt: datetime


class StaffReadDocument(TypedDict):
    """``health_staff_reads``: a staff member read a patient's personal fields on a day."""

    _id: str  # "<reader uid>|<patient profile id>|<ISO day>"
    reader: str
    patientProfileId: ObjectId
    hospitalId: str
    day: str
    firstAt: datetime
