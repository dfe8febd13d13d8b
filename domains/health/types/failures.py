"""Union members for the expected failures of health mutations. Each stands for the
``BookingRefused`` whose code (the ``Refusal`` value) it lists; a missing object is the kernel's
``NotFoundError`` (code NOT_FOUND) and bad input its ``ValidationFailed``."""

from typing import ClassVar

import strawberry

from domains.health.errors import Refusal
from domains.kernel.errors import UserError


def _codes(refusal: Refusal) -> frozenset[str]:
    return frozenset({refusal.value})


@strawberry.type(description="No place is left in this slot.")
class SlotFull(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.SLOT_FULL)


@strawberry.type(description="The slot cannot be booked (closed by the facility, or started).")
class SlotNotBookable(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.SLOT_NOT_BOOKABLE)


@strawberry.type(description="This patient already holds a place in this slot.")
class AlreadyBooked(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.ALREADY_BOOKED)


@strawberry.type(description="The patient has as many upcoming bookings as the facility allows.")
class BookingLimitReached(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.BOOKING_LIMIT_REACHED)


@strawberry.type(description="Outside the facility's booking window or after its cut-off.")
class OutsideBookingWindow(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.OUTSIDE_BOOKING_WINDOW)


@strawberry.type(description="The idempotency key was already used for a different request.")
class IdempotencyKeyReused(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.IDEMPOTENCY_KEY_REUSED)


@strawberry.type(description="The appointment's status does not allow this change.")
class AppointmentNotChangeable(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.WRONG_STATUS)


@strawberry.type(description="Too close to the appointment to cancel or move it online.")
class OutsideCancellationWindow(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.OUTSIDE_CANCELLATION_WINDOW)


@strawberry.type(description="A doctor would have two overlapping slots.")
class SlotOverlap(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.SLOT_OVERLAP)


@strawberry.type(description="The slot has a free place: book it with bookAppointment instead.")
class SlotHasPlaces(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.SLOT_HAS_PLACES)


@strawberry.type(description="The hold on the offered place has ended; it went to the next person.")
class HoldExpired(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.HOLD_EXPIRED)


@strawberry.type(description="No checked-in patient of this slot is waiting to be called.")
class QueueEmpty(UserError):
    codes: ClassVar[frozenset[str]] = _codes(Refusal.QUEUE_EMPTY)
