"""Tourism's own errors (expected failures become union members in the schema)."""

from domains.kernel.errors import DomainError, NotFound


class AttractionNotFound(NotFound):
    def __init__(self, attraction_id: str) -> None:
        super().__init__(f"No attraction has the id {attraction_id[:40]!r}.", field="attractionId")


class EventNotFound(NotFound):
    def __init__(self, event_id: str) -> None:
        super().__init__(f"No event has the id {event_id[:40]!r}.", field="eventId")


class ReviewNotFound(NotFound):
    def __init__(self, review_id: str) -> None:
        super().__init__(f"No review has the id {review_id[:40]!r}.", field="id")


class ItineraryNotFound(NotFound):
    def __init__(self, itinerary_id: str) -> None:
        super().__init__(f"No itinerary has the id {itinerary_id[:40]!r}.", field="id")


class AlreadyReviewed(DomainError):
    """One review per user per attraction: the client should offer to edit the existing one."""

    code = "ALREADY_REVIEWED"

    def __init__(self, review_id: str) -> None:
        super().__init__(
            "You have already reviewed this attraction; edit that review with `updateReview`.",
            reviewId=review_id,
        )


class EventNotOpen(DomainError):
    """Reminders make no sense for an event that was cancelled or is over."""

    code = "EVENT_NOT_OPEN"

    def __init__(self, status: str) -> None:
        super().__init__(f"This event is {status}; reminders can only be set for upcoming events.")
