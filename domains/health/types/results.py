"""The result unions of health mutations: the value, or one of the expected failures."""

from typing import Annotated

import strawberry

from domains.health.types.appointments import Appointment, PatientProfile
from domains.health.types.facilities import (
    CancelSlotsPayload,
    PublishSlotsPayload,
    PublishSlotsPreview,
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
from domains.health.types.waitlist import WaitlistEntry
from domains.kernel.errors import NotFoundError, ValidationFailed
from domains.kernel.rate_limit import RateLimitExceeded

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
CallNextResult = Annotated[
    Appointment | QueueEmpty | NotFoundError | ValidationFailed,
    strawberry.union("CallNextResult"),
]
PublishSlotsResult = Annotated[
    PublishSlotsPayload | SlotOverlap | ValidationFailed, strawberry.union("PublishSlotsResult")
]
CancelSlotsResult = Annotated[
    CancelSlotsPayload | ValidationFailed, strawberry.union("CancelSlotsResult")
]
CreatePatientProfileResult = Annotated[
    PatientProfile | ValidationFailed | RateLimitExceeded,
    strawberry.union("CreatePatientProfileResult"),
]
WithdrawConsentResult = Annotated[
    PatientProfile | NotFoundError | ValidationFailed, strawberry.union("WithdrawConsentResult")
]
JoinWaitlistResult = Annotated[
    WaitlistEntry
    | BookingLimitReached
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
PublishSlotsPreviewResult = Annotated[
    PublishSlotsPreview | ValidationFailed, strawberry.union("PublishSlotsPreviewResult")
]
