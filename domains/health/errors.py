"""Why a booking change was refused. Messages never quote a reason for visit or a BHYT number."""

from enum import Enum

from domains.kernel.errors import DomainError


class Refusal(Enum):
    SLOT_FULL = "SLOT_FULL"
    SLOT_NOT_BOOKABLE = "SLOT_NOT_BOOKABLE"
    ALREADY_BOOKED = "ALREADY_BOOKED"
    BOOKING_LIMIT_REACHED = "BOOKING_LIMIT_REACHED"
    OUTSIDE_BOOKING_WINDOW = "OUTSIDE_BOOKING_WINDOW"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    NOT_FOUND = "NOT_FOUND"
    WRONG_STATUS = "WRONG_STATUS"
    OUTSIDE_CANCELLATION_WINDOW = "OUTSIDE_CANCELLATION_WINDOW"
    SLOT_OVERLAP = "SLOT_OVERLAP"
    SLOT_HAS_PLACES = "SLOT_HAS_PLACES"
    HOLD_EXPIRED = "HOLD_EXPIRED"
    QUEUE_EMPTY = "QUEUE_EMPTY"


class BookingRefused(DomainError):
    """An expected failure of a health mutation; its code is the refusal's value, which the
    union member standing for it lists in its ``codes``."""

    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message, code=refusal.value)
        self.refusal = refusal
