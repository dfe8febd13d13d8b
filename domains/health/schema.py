"""The health domain's queries and mutations: thin, each parses its arguments, calls one use
case with the request's ``HealthStore`` and maps the result (expected failures to union
members through ``expected``)."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

import strawberry

from domains.health import (
    booking,
    consent,
    desk,
    facilities,
    profiles,
    queue,
    slots,
    waitlist,
)
from domains.health.errors import BookingRefused
from domains.health.models import AppointmentDocument
from domains.health.repositories import HealthStore
from domains.health.schema_audit import AuditQuery
from domains.health.schema_staff import StaffMutation, StaffQuery
from domains.health.types.appointments import Appointment, AppointmentStatus, PatientProfile
from domains.health.types.facilities import (
    CancelSlotsPayload,
    Hospital,
    HospitalLevel,
    PublishSlotsPayload,
    Slot,
)
from domains.health.types.failures import (
    AlreadyBooked,
    AppointmentNotChangeable,
    BookingLimitReached,
    HoldExpired,
    IdempotencyKeyReused,
    OutsideBookingWindow,
    OutsideCancellationWindow,
    QueueEmpty,
    SlotFull,
    SlotHasPlaces,
    SlotNotBookable,
    SlotOverlap,
)
from domains.health.types.inputs import (
    BookAppointmentInput,
    JoinWaitlistInput,
    PatientProfileInput,
    PublishSlotsInput,
    SlotFilterInput,
)
from domains.health.types.results import (
    AcceptWaitlistOfferResult,
    BookAppointmentResult,
    CallNextResult,
    CancelAppointmentResult,
    CancelSlotsResult,
    CreatePatientProfileResult,
    JoinWaitlistResult,
    PublishSlotsResult,
    RescheduleAppointmentResult,
    StaffAppointmentResult,
    WaitlistEntryResult,
    WithdrawConsentResult,
)
from domains.health.types.waitlist import SlotWaitlist, WaitlistEntry
from domains.kernel.caller import Caller
from domains.kernel.context import Info
from domains.kernel.errors import NotFound, NotFoundError, ValidationFailed, expected
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Connection
from domains.kernel.rate_limit import RateLimitExceeded


def _status(status: AppointmentStatus | None) -> str | None:
    return status.value if status else None


def _store(info: Info) -> HealthStore:
    return info.context.scoped(HealthStore.of)


def _caller(info: Info) -> Caller[HealthStore]:
    """The request's health store with the principal making the request."""
    return info.context.caller(HealthStore.of)


def _appointment(info: Info) -> Callable[[AppointmentDocument], Appointment]:
    """An appointment as the caller may see it."""
    principal = info.context.principal
    return lambda document: Appointment.from_document(document, principal)


@strawberry.type
class Query(StaffQuery, AuditQuery):
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
        page = await facilities.list_hospitals(
            store=_store(info),
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
        document = await facilities.get_hospital(store=_store(info), hospital_id=id)
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
        search = facilities.SlotSearch(
            hospital_id=hospital_id,
            department_id=department_id,
            specialty=specialty,
            doctor_id=doctor_id,
            start_from=from_,
            start_to=to,
            near=near,
        )
        page = await facilities.available_slots(
            store=_store(info), search=search, first=first, after=after
        )
        return Connection.from_page(page.map(Slot.from_document))

    @strawberry.field(description="Your patient profiles (yourself and family members).")
    async def my_patient_profiles(self, info: Info) -> list[PatientProfile]:
        documents = await profiles.my_patient_profiles(caller=_caller(info))
        return [PatientProfile.from_document(d, owner=True) for d in documents]

    @strawberry.field(description="Your appointments, newest first.")
    async def my_appointments(
        self,
        info: Info,
        status: AppointmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Appointment]:
        page = await booking.my_appointments(
            caller=_caller(info),
            status=_status(status),
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(_appointment(info)))

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
        page = await booking.hospital_appointments(
            caller=_caller(info),
            hospital_id=hospital_id,
            day=date,
            department_id=department_id,
            status=_status(status),
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(_appointment(info)))

    @strawberry.field(description="Your waitlist entries, newest first.")
    async def my_waitlist(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WaitlistEntry]:
        page = await waitlist.my_waitlist(caller=_caller(info), first=first, after=after)
        return Connection.from_page(page.map(WaitlistEntry.from_document))

    @strawberry.field(
        description="How many wait for a slot and how many of its places are held "
        "(the facility's staff; counts only, never who)."
    )
    async def slot_waitlist(self, info: Info, slot_id: strawberry.ID) -> SlotWaitlist | None:
        try:
            counts = await waitlist.slot_waitlist(caller=_caller(info), slot_id=str(slot_id))
        except (BookingRefused, NotFound):
            return None
        return SlotWaitlist(
            slot_id=strawberry.ID(str(counts.slot_id)),
            waiting=counts.waiting,
            offered=counts.offered,
        )


@strawberry.type
class Mutation(StaffMutation):
    @strawberry.mutation(description="Add a person to book for, with their consent.")
    async def create_patient_profile(
        self, info: Info, input: PatientProfileInput
    ) -> CreatePatientProfileResult:
        return await expected(
            profiles.create_patient_profile(caller=_caller(info), fields=input.to_fields()),
            lambda document: PatientProfile.from_document(document, owner=True),
            ValidationFailed,
            RateLimitExceeded,
        )

    @strawberry.mutation(
        description="Withdraw the consent given for a patient profile: it is used for nothing "
        "more (its waitlist entries are left, its upcoming bookings cancelled); the consent "
        "history is kept. Make a new profile to book again."
    )
    async def withdraw_patient_consent(
        self, info: Info, profile_id: strawberry.ID
    ) -> WithdrawConsentResult:
        return await expected(
            consent.withdraw_patient_consent(caller=_caller(info), profile_id=str(profile_id)),
            lambda document: PatientProfile.from_document(document, owner=True),
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Book a place in a slot. Retry with the same "
        "`idempotencyKey`: you get the same appointment, never a second one."
    )
    async def book_appointment(
        self, info: Info, input: BookAppointmentInput
    ) -> BookAppointmentResult:
        return await expected(
            booking.book_appointment(
                caller=_caller(info),
                slot_id=str(input.slot_id),
                patient_profile_id=str(input.patient_profile_id),
                reason=input.reason,
                idempotency_key=input.idempotency_key,
            ),
            _appointment(info),
            SlotFull,
            SlotNotBookable,
            AlreadyBooked,
            BookingLimitReached,
            OutsideBookingWindow,
            IdempotencyKeyReused,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(description="Cancel your booking (within the facility's window).")
    async def cancel_appointment(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> CancelAppointmentResult:
        return await expected(
            booking.cancel_appointment(
                caller=_caller(info),
                appointment_id=str(id),
                reason=reason,
            ),
            _appointment(info),
            AppointmentNotChangeable,
            OutsideCancellationWindow,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Move your booking to another slot of the same facility, "
        "atomically: you never end with no booking or two."
    )
    async def reschedule_appointment(
        self, info: Info, id: strawberry.ID, new_slot_id: strawberry.ID
    ) -> RescheduleAppointmentResult:
        return await expected(
            booking.reschedule_appointment(
                caller=_caller(info),
                appointment_id=str(id),
                new_slot_id=str(new_slot_id),
            ),
            _appointment(info),
            SlotFull,
            SlotNotBookable,
            AlreadyBooked,
            BookingLimitReached,
            OutsideBookingWindow,
            AppointmentNotChangeable,
            OutsideCancellationWindow,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Publish slots from a schedule template (facility staff). "
        "Publishing the same template again creates no duplicates."
    )
    async def publish_slots(self, info: Info, input: PublishSlotsInput) -> PublishSlotsResult:
        return await expected(
            slots.publish_slots(caller=_caller(info), template=input.to_template()),
            lambda outcome: PublishSlotsPayload(
                created=outcome.created,
                existing=outcome.existing,
                first_start=outcome.first_start,
                last_start=outcome.last_start,
            ),
            SlotOverlap,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Close slots (a doctor away, a holiday): their booked "
        "patients are cancelled with the reason and notified (facility staff)."
    )
    async def cancel_slots(
        self, info: Info, filter: SlotFilterInput, reason: str
    ) -> CancelSlotsResult:
        return await expected(
            slots.cancel_slots(
                caller=_caller(info),
                which=filter.to_filter(),
                reason=reason,
            ),
            lambda outcome: CancelSlotsPayload(
                slots_cancelled=outcome.slots, appointments_cancelled=outcome.appointments
            ),
            ValidationFailed,
        )

    @strawberry.mutation(description="Check a patient in by booking code (facility staff).")
    async def check_in(self, info: Info, booking_code: str) -> StaffAppointmentResult:
        return await expected(
            desk.check_in(caller=_caller(info), booking_code=booking_code),
            _appointment(info),
            AppointmentNotChangeable,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(description="Record that a booked patient did not come (facility staff).")
    async def mark_no_show(
        self, info: Info, appointment_id: strawberry.ID
    ) -> StaffAppointmentResult:
        return await expected(
            desk.mark_no_show(
                caller=_caller(info),
                appointment_id=str(appointment_id),
            ),
            _appointment(info),
            AppointmentNotChangeable,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Call the next checked-in patient of a slot, lowest number first (facility "
        "staff): the slot's patients see the number in queueStatus."
    )
    async def call_next(self, info: Info, slot_id: strawberry.ID) -> CallNextResult:
        return await expected(
            queue.call_next(caller=_caller(info), slot_id=str(slot_id)),
            _appointment(info),
            QueueEmpty,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(description="Record that a checked-in patient was seen (facility staff).")
    async def complete_appointment(
        self, info: Info, appointment_id: strawberry.ID
    ) -> StaffAppointmentResult:
        return await expected(
            desk.complete_appointment(caller=_caller(info), appointment_id=str(appointment_id)),
            _appointment(info),
            AppointmentNotChangeable,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Wait for a place in a full slot, or in any slot of a department on one "
        "day. Joining again returns the same entry. A slot with a free place answers "
        "SlotHasPlaces: book it instead."
    )
    async def join_waitlist(self, info: Info, input: JoinWaitlistInput) -> JoinWaitlistResult:
        return await expected(
            waitlist.join_waitlist(
                caller=_caller(info),
                patient_profile_id=str(input.patient_profile_id),
                slot_id=str(input.slot_id) if input.slot_id is not None else None,
                hospital_id=input.hospital_id,
                department_id=input.department_id,
                day=input.day,
            ),
            WaitlistEntry.from_document,
            BookingLimitReached,
            SlotHasPlaces,
            SlotNotBookable,
            AlreadyBooked,
            OutsideBookingWindow,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Book the place held for your waitlist entry (before `holdExpiresAt`). "
        "Retry with the same `idempotencyKey`: you get the same appointment."
    )
    async def accept_waitlist_offer(
        self, info: Info, entry_id: strawberry.ID, idempotency_key: str
    ) -> AcceptWaitlistOfferResult:
        return await expected(
            waitlist.accept_waitlist_offer(
                caller=_caller(info),
                entry_id=str(entry_id),
                idempotency_key=idempotency_key,
            ),
            _appointment(info),
            HoldExpired,
            AppointmentNotChangeable,
            SlotNotBookable,
            AlreadyBooked,
            BookingLimitReached,
            IdempotencyKeyReused,
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Decline the place held for you: it is offered to the next person."
    )
    async def decline_waitlist_offer(
        self, info: Info, entry_id: strawberry.ID
    ) -> WaitlistEntryResult:
        return await expected(
            waitlist.decline_waitlist_offer(caller=_caller(info), entry_id=str(entry_id)),
            WaitlistEntry.from_document,
            AppointmentNotChangeable,
            NotFoundError,
        )

    @strawberry.mutation(description="Stop waiting; a place held for you is passed on.")
    async def leave_waitlist(self, info: Info, entry_id: strawberry.ID) -> WaitlistEntryResult:
        return await expected(
            waitlist.leave_waitlist(caller=_caller(info), entry_id=str(entry_id)),
            WaitlistEntry.from_document,
            AppointmentNotChangeable,
            NotFoundError,
        )
