from datetime import date, datetime
from typing import Annotated

import strawberry

from domains.health import service
from domains.health.errors import BookingRefused
from domains.health.types import (
    AlreadyBooked,
    Appointment,
    AppointmentNotChangeable,
    AppointmentStatus,
    BookAppointmentInput,
    BookingLimitReached,
    CancelSlotsPayload,
    HoldExpired,
    Hospital,
    HospitalLevel,
    IdempotencyKeyReused,
    JoinWaitlistInput,
    OutsideBookingWindow,
    OutsideCancellationWindow,
    PatientProfile,
    PatientProfileInput,
    PublishSlotsInput,
    PublishSlotsPayload,
    Slot,
    SlotFilterInput,
    SlotFull,
    SlotHasPlaces,
    SlotNotBookable,
    SlotOverlap,
    SlotWaitlist,
    WaitlistEntry,
    failure,
)
from domains.kernel.context import Info
from domains.kernel.errors import InvalidInput, NotFoundError, ValidationFailed, validation_failed
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Connection

BookAppointmentResult = Annotated[
    Appointment
    | SlotFull
    | SlotNotBookable
    | AlreadyBooked
    | BookingLimitReached
    | OutsideBookingWindow
    | IdempotencyKeyReused
    | NotFoundError
    | ValidationFailed,
    strawberry.union("BookAppointmentResult"),
]
CancelAppointmentResult = Annotated[
    Appointment
    | AppointmentNotChangeable
    | OutsideCancellationWindow
    | NotFoundError
    | ValidationFailed,
    strawberry.union("CancelAppointmentResult"),
]
RescheduleAppointmentResult = Annotated[
    Appointment
    | SlotFull
    | SlotNotBookable
    | AlreadyBooked
    | BookingLimitReached
    | OutsideBookingWindow
    | AppointmentNotChangeable
    | OutsideCancellationWindow
    | NotFoundError
    | ValidationFailed,
    strawberry.union("RescheduleAppointmentResult"),
]
StaffAppointmentResult = Annotated[
    Appointment | AppointmentNotChangeable | NotFoundError | ValidationFailed,
    strawberry.union("StaffAppointmentResult"),
]
PublishSlotsResult = Annotated[
    PublishSlotsPayload | SlotOverlap | ValidationFailed, strawberry.union("PublishSlotsResult")
]
CancelSlotsResult = Annotated[
    CancelSlotsPayload | ValidationFailed, strawberry.union("CancelSlotsResult")
]
CreatePatientProfileResult = Annotated[
    PatientProfile | ValidationFailed, strawberry.union("CreatePatientProfileResult")
]
JoinWaitlistResult = Annotated[
    WaitlistEntry
    | SlotHasPlaces
    | SlotNotBookable
    | AlreadyBooked
    | OutsideBookingWindow
    | NotFoundError
    | ValidationFailed,
    strawberry.union("JoinWaitlistResult"),
]
AcceptWaitlistOfferResult = Annotated[
    Appointment
    | HoldExpired
    | AppointmentNotChangeable
    | SlotNotBookable
    | AlreadyBooked
    | BookingLimitReached
    | IdempotencyKeyReused
    | NotFoundError
    | ValidationFailed,
    strawberry.union("AcceptWaitlistOfferResult"),
]
WaitlistEntryResult = Annotated[
    WaitlistEntry | AppointmentNotChangeable | NotFoundError,
    strawberry.union("WaitlistEntryResult"),
]


def _status(status: AppointmentStatus | None) -> str | None:
    return status.value if status else None


@strawberry.type
class Query:
    @strawberry.field(
        description="Health facilities by name; filter by distance, text, specialty and level."
    )
    async def hospitals(
        self,
        info: Info,
        near: NearInput | None = None,
        search: str | None = None,
        specialty: str | None = None,
        level: HospitalLevel | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Hospital]:
        page = await service.list_hospitals(
            db=info.context.db,
            near=near,
            search=search,
            specialty=specialty,
            level=level.value if level else None,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(Hospital.from_document))

    @strawberry.field(description="One health facility, or null.")
    async def hospital(self, info: Info, id: str) -> Hospital | None:
        document = await service.get_hospital(db=info.context.db, hospital_id=id)
        return Hospital.from_document(document) if document else None

    @strawberry.field(
        description="Slots a citizen can book now (open, a place left, within the "
        "facility's booking window and before its cut-off), earliest first."
    )
    async def available_slots(
        self,
        info: Info,
        hospital_id: str | None = None,
        department_id: str | None = None,
        specialty: str | None = None,
        doctor_id: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        near: NearInput | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Slot]:
        page = await service.available_slots(
            db=info.context.db,
            hospital_id=hospital_id,
            department_id=department_id,
            specialty=specialty,
            doctor_id=doctor_id,
            start_from=from_,
            start_to=to,
            near=near,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(Slot.from_document))

    @strawberry.field(description="Your patient profiles (yourself and family members).")
    async def my_patient_profiles(self, info: Info) -> list[PatientProfile]:
        documents = await service.my_patient_profiles(
            db=info.context.db, principal=info.context.principal
        )
        return [PatientProfile.from_document(d, owner=True) for d in documents]

    @strawberry.field(description="Your appointments, newest first.")
    async def my_appointments(
        self,
        info: Info,
        status: AppointmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Appointment]:
        principal = info.context.principal
        page = await service.my_appointments(
            db=info.context.db,
            principal=principal,
            status=_status(status),
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(lambda d: Appointment.from_document(d, principal)))

    @strawberry.field(
        description="A facility's appointments on one day in queue order (its staff)."
    )
    async def hospital_appointments(
        self,
        info: Info,
        hospital_id: str,
        date: date,
        department_id: str | None = None,
        status: AppointmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Appointment]:
        principal = info.context.principal
        page = await service.hospital_appointments(
            db=info.context.db,
            principal=principal,
            hospital_id=hospital_id,
            day=date,
            department_id=department_id,
            status=_status(status),
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(lambda d: Appointment.from_document(d, principal)))

    @strawberry.field(description="Your waitlist entries, newest first.")
    async def my_waitlist(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WaitlistEntry]:
        page = await service.my_waitlist(
            db=info.context.db, principal=info.context.principal, first=first, after=after
        )
        return Connection.from_page(page.map(WaitlistEntry.from_document))

    @strawberry.field(
        description="How many wait for a slot and how many of its places are held "
        "(the facility's staff; counts only, never who)."
    )
    async def slot_waitlist(self, info: Info, slot_id: strawberry.ID) -> SlotWaitlist | None:
        try:
            counts = await service.slot_waitlist(
                db=info.context.db, principal=info.context.principal, slot_id=str(slot_id)
            )
        except BookingRefused:
            return None
        return SlotWaitlist(
            slot_id=strawberry.ID(str(counts.slot_id)),
            waiting=counts.waiting,
            offered=counts.offered,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a person to book for, with their consent.")
    async def create_patient_profile(
        self, info: Info, input: PatientProfileInput
    ) -> CreatePatientProfileResult:
        try:
            document = await service.create_patient_profile(
                db=info.context.db, principal=info.context.principal, fields=input.to_fields()
            )
        except InvalidInput as error:
            return validation_failed(error)
        return PatientProfile.from_document(document, owner=True)

    @strawberry.mutation(
        description="Book a place in a slot. Retry with the same "
        "`idempotencyKey`: you get the same appointment, never a second one."
    )
    async def book_appointment(
        self, info: Info, input: BookAppointmentInput
    ) -> BookAppointmentResult:
        principal = info.context.principal
        try:
            document = await service.book_appointment(
                db=info.context.db,
                principal=principal,
                slot_id=str(input.slot_id),
                patient_profile_id=str(input.patient_profile_id),
                reason=input.reason,
                idempotency_key=input.idempotency_key,
            )
        except InvalidInput as error:
            return validation_failed(error)
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return Appointment.from_document(document, principal)

    @strawberry.mutation(description="Cancel your booking (within the facility's window).")
    async def cancel_appointment(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> CancelAppointmentResult:
        principal = info.context.principal
        try:
            document = await service.cancel_appointment(
                db=info.context.db, principal=principal, appointment_id=str(id), reason=reason
            )
        except InvalidInput as error:
            return validation_failed(error)
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return Appointment.from_document(document, principal)

    @strawberry.mutation(
        description="Move your booking to another slot of the same facility, "
        "atomically: you never end with no booking or two."
    )
    async def reschedule_appointment(
        self, info: Info, id: strawberry.ID, new_slot_id: strawberry.ID
    ) -> RescheduleAppointmentResult:
        principal = info.context.principal
        try:
            document = await service.reschedule_appointment(
                db=info.context.db,
                principal=principal,
                appointment_id=str(id),
                new_slot_id=str(new_slot_id),
            )
        except InvalidInput as error:
            return validation_failed(error)
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return Appointment.from_document(document, principal)

    @strawberry.mutation(
        description="Publish slots from a schedule template (facility staff). "
        "Publishing the same template again creates no duplicates."
    )
    async def publish_slots(self, info: Info, input: PublishSlotsInput) -> PublishSlotsResult:
        try:
            outcome = await service.publish_slots(
                db=info.context.db, principal=info.context.principal, template=input.to_template()
            )
        except InvalidInput as error:
            return validation_failed(error)
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return PublishSlotsPayload(
            created=outcome.created,
            existing=outcome.existing,
            first_start=outcome.first_start,
            last_start=outcome.last_start,
        )

    @strawberry.mutation(
        description="Close slots (a doctor away, a holiday): their booked "
        "patients are cancelled with the reason and notified (facility staff)."
    )
    async def cancel_slots(
        self, info: Info, filter: SlotFilterInput, reason: str
    ) -> CancelSlotsResult:
        try:
            outcome = await service.cancel_slots(
                db=info.context.db,
                principal=info.context.principal,
                hospital_id=filter.hospital_id,
                department_id=filter.department_id,
                doctor_id=filter.doctor_id,
                from_date=filter.from_date,
                to_date=filter.to_date,
                reason=reason,
            )
        except InvalidInput as error:
            return validation_failed(error)
        return CancelSlotsPayload(
            slots_cancelled=outcome.slots, appointments_cancelled=outcome.appointments
        )

    @strawberry.mutation(description="Check a patient in by booking code (facility staff).")
    async def check_in(self, info: Info, booking_code: str) -> StaffAppointmentResult:
        principal = info.context.principal
        try:
            document = await service.check_in(
                db=info.context.db, principal=principal, booking_code=booking_code
            )
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return Appointment.from_document(document, principal)

    @strawberry.mutation(description="Record that a booked patient did not come (facility staff).")
    async def mark_no_show(
        self, info: Info, appointment_id: strawberry.ID
    ) -> StaffAppointmentResult:
        principal = info.context.principal
        try:
            document = await service.mark_no_show(
                db=info.context.db, principal=principal, appointment_id=str(appointment_id)
            )
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return Appointment.from_document(document, principal)

    @strawberry.mutation(
        description="Wait for a place in a full slot, or in any slot of a department on one "
        "day. Joining again returns the same entry. A slot with a free place answers "
        "SlotHasPlaces: book it instead."
    )
    async def join_waitlist(self, info: Info, input: JoinWaitlistInput) -> JoinWaitlistResult:
        try:
            document = await service.join_waitlist(
                db=info.context.db,
                principal=info.context.principal,
                patient_profile_id=str(input.patient_profile_id),
                slot_id=str(input.slot_id) if input.slot_id is not None else None,
                hospital_id=input.hospital_id,
                department_id=input.department_id,
                day=input.day,
            )
        except InvalidInput as error:
            return validation_failed(error)
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return WaitlistEntry.from_document(document)

    @strawberry.mutation(
        description="Book the place held for your waitlist entry (before `holdExpiresAt`). "
        "Retry with the same `idempotencyKey`: you get the same appointment."
    )
    async def accept_waitlist_offer(
        self, info: Info, entry_id: strawberry.ID, idempotency_key: str
    ) -> AcceptWaitlistOfferResult:
        principal = info.context.principal
        try:
            document = await service.accept_waitlist_offer(
                db=info.context.db,
                principal=principal,
                entry_id=str(entry_id),
                idempotency_key=idempotency_key,
            )
        except InvalidInput as error:
            return validation_failed(error)
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return Appointment.from_document(document, principal)

    @strawberry.mutation(
        description="Decline the place held for you: it is offered to the next person."
    )
    async def decline_waitlist_offer(
        self, info: Info, entry_id: strawberry.ID
    ) -> WaitlistEntryResult:
        try:
            document = await service.decline_waitlist_offer(
                db=info.context.db, principal=info.context.principal, entry_id=str(entry_id)
            )
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return WaitlistEntry.from_document(document)

    @strawberry.mutation(description="Stop waiting; a place held for you is passed on.")
    async def leave_waitlist(self, info: Info, entry_id: strawberry.ID) -> WaitlistEntryResult:
        try:
            document = await service.leave_waitlist(
                db=info.context.db, principal=info.context.principal, entry_id=str(entry_id)
            )
        except BookingRefused as error:
            return failure(error)  # type: ignore[no-any-return]
        return WaitlistEntry.from_document(document)
