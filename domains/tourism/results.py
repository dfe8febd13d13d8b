"""What the tourism mutations answer: their payloads, their expected failures (union members
implementing ``UserError``) and the result unions."""

from typing import Annotated, ClassVar, Self

import strawberry

from domains.kernel.errors import DomainError, NotFoundError, UserError, ValidationFailed
from domains.tourism.errors import AlreadyReviewed, EventNotOpen
from domains.tourism.itinerary_types import Itinerary
from domains.tourism.types import Attraction, Event, Review


@strawberry.type(description="Your reminders for an event.")
class EventSubscription:
    event: Event
    reminders_scheduled: int = strawberry.field(
        description="Reminders queued (0 when the event is postponed or starts too soon)."
    )


@strawberry.type(name="DeletedAttractionReview", description="The review is gone.")
class DeletedReview:
    id: strawberry.ID


@strawberry.type(description="You reviewed this attraction before: edit that review instead.")
class AlreadyReviewedError(UserError):
    review_id: strawberry.ID | None
    codes: ClassVar[frozenset[str]] = frozenset({AlreadyReviewed.code})

    @classmethod
    def from_error(cls, error: DomainError) -> Self:
        review_id = str(error.details.get("reviewId") or "")
        return cls(
            message=error.message,
            code=error.code,
            review_id=strawberry.ID(review_id) if review_id else None,
        )


@strawberry.type(description="The event is cancelled or over; no reminders can be set.")
class EventNotOpenError(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({EventNotOpen.code})


AttractionResult = Annotated[
    Attraction | ValidationFailed | NotFoundError, strawberry.union("AttractionResult")
]
ReviewResult = Annotated[
    Review | ValidationFailed | NotFoundError | AlreadyReviewedError,
    strawberry.union("AttractionReviewResult"),
]
DeleteReviewResult = Annotated[
    DeletedReview | NotFoundError, strawberry.union("DeleteAttractionReviewResult")
]
FavoriteResult = Annotated[Attraction | NotFoundError, strawberry.union("FavoriteResult")]
SubscribeResult = Annotated[
    EventSubscription | NotFoundError | EventNotOpenError,
    strawberry.union("SubscribeToEventResult"),
]
UnsubscribeResult = Annotated[Event | NotFoundError, strawberry.union("UnsubscribeResult")]
EventResult = Annotated[
    Event | ValidationFailed | NotFoundError, strawberry.union("TourismEventResult")
]
ItineraryResult = Annotated[
    Itinerary | ValidationFailed | NotFoundError, strawberry.union("ItineraryResult")
]
