from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import strawberry

from domains.kernel.context import Info
from domains.kernel.errors import (
    InvalidInput,
    NotFound,
    NotFoundError,
    ValidationFailed,
    validation_failed,
)
from domains.kernel.geo import NearInput
from domains.kernel.i18n import Language
from domains.kernel.pagination import Connection, Page
from domains.tourism import service
from domains.tourism.errors import AlreadyReviewed, EventNotOpen
from domains.tourism.inputs import AttractionInput, EventInput, ItineraryInput
from domains.tourism.types import (
    AlreadyReviewedError,
    Attraction,
    DeletedReview,
    Event,
    EventNotOpenError,
    EventSubscription,
    Itinerary,
    Review,
    attraction_loader,
)
from domains.tourism.vocabulary import AttractionCategory, EventStatus, ItineraryTheme

T = TypeVar("T")

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


def _not_found(error: NotFound) -> NotFoundError:
    return NotFoundError(message=error.message, code=error.code)


async def _expected(call: Awaitable[T], convert: Callable[[T], object]) -> object:
    """Run a service call; expected failures become their union members."""
    try:
        result = await call
    except InvalidInput as error:
        return validation_failed(error)
    except NotFound as error:
        return _not_found(error)
    except AlreadyReviewed as error:
        return AlreadyReviewedError(
            message=error.message,
            code=error.code,
            review_id=strawberry.ID(str(error.details.get("reviewId"))) or None,
        )
    except EventNotOpen as error:
        return EventNotOpenError(message=error.message, code=error.code)
    return convert(result)


@strawberry.type
class Query:
    @strawberry.field(
        description="Attractions: nearest first with `near`, best match first with `search`, "
        "else by name. `lang` sets the language of every text below."
    )
    async def attractions(
        self,
        info: Info,
        near: NearInput | None = None,
        search: str | None = None,
        category: AttractionCategory | None = None,
        district: str | None = None,
        open_now: bool = False,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[Attraction]:
        page = await service.list_attractions(
            db=info.context.db,
            near=near,
            search=search,
            category=category,
            district=district,
            open_now=open_now,
            first=first,
            after=after,
        )
        language = info.context.lang(lang)
        return Connection.from_page(page.map(lambda d: Attraction.from_document(d, language)))

    @strawberry.field(description="One attraction, or null.")
    async def attraction(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> Attraction | None:
        document = await service.get_attraction(db=info.context.db, attraction_id=str(id))
        return Attraction.from_document(document, info.context.lang(lang)) if document else None

    @strawberry.field(
        description="Events overlapping [from, to] (upcoming when both are omitted), by start."
    )
    async def events(
        self,
        info: Info,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        near: NearInput | None = None,
        status: list[EventStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[Event]:
        page = await service.list_events(
            db=info.context.db,
            start=from_,
            end=to,
            near=near,
            statuses=status or (),
            first=first,
            after=after,
        )
        language = info.context.lang(lang)
        centre = (near.lat, near.lng) if near else None
        return Connection.from_page(page.map(lambda d: Event.from_document(d, language, centre)))

    @strawberry.field(description="One event, or null.")
    async def event(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> Event | None:
        document = await service.get_event(db=info.context.db, event_id=str(id))
        return Event.from_document(document, info.context.lang(lang)) if document else None

    @strawberry.field(description="Suggested itineraries, optionally of one theme.")
    async def itineraries(
        self,
        info: Info,
        theme: ItineraryTheme | None = None,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[Itinerary]:
        page = await service.list_itineraries(
            db=info.context.db, theme=theme, first=first, after=after
        )
        language = info.context.lang(lang)
        return Connection.from_page(page.map(lambda d: Itinerary.from_document(d, language)))

    @strawberry.field(description="One itinerary, or null.")
    async def itinerary(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> Itinerary | None:
        document = await service.get_itinerary(db=info.context.db, itinerary_id=str(id))
        return Itinerary.from_document(document, info.context.lang(lang)) if document else None

    @strawberry.field(
        description="Reviews of an attraction, newest first (`includeHidden`: admins only)."
    )
    async def reviews(
        self,
        info: Info,
        attraction_id: strawberry.ID,
        include_hidden: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Review]:
        page = await service.list_reviews(
            db=info.context.db,
            principal=info.context.principal,
            attraction_id=str(attraction_id),
            include_hidden=include_hidden,
            first=first,
            after=after,
        )
        language = info.context.lang()
        return Connection.from_page(page.map(lambda d: Review.from_document(d, language)))

    @strawberry.field(description="Attractions you saved, most recent first (signed in).")
    async def my_favorites(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[Attraction]:
        page = await service.list_favorites(
            db=info.context.db, principal=info.context.principal, first=first, after=after
        )
        ids = [favorite["attractionId"] for favorite in page.items]
        documents = await attraction_loader(info).load_many(ids)
        language = info.context.lang(lang)
        # A favourite whose attraction was removed is left out of the page.
        nodes = [
            Attraction.from_document(document, language)
            for document in documents
            if document is not None
        ]
        kept = [c for c, d in zip(page.cursors, documents, strict=True) if d is not None]
        return Connection.from_page(Page(nodes, kept, page.has_next_page, page.count_total))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Review an attraction: 1–5 stars, once per attraction.")
    async def add_review(
        self, info: Info, attraction_id: strawberry.ID, rating: int, text: str | None = None
    ) -> ReviewResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.add_review(
                db=info.context.db,
                principal=info.context.principal,
                attraction_id=str(attraction_id),
                rating=rating,
                text=text,
            ),
            lambda d: Review.from_document(d, language),
        )

    @strawberry.mutation(description="Edit your own review.")
    async def update_review(
        self, info: Info, id: strawberry.ID, rating: int, text: str | None = None
    ) -> ReviewResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.update_review(
                db=info.context.db,
                principal=info.context.principal,
                review_id=str(id),
                rating=rating,
                text=text,
            ),
            lambda d: Review.from_document(d, language),
        )

    @strawberry.mutation(description="Delete your own review.")
    async def delete_review(self, info: Info, id: strawberry.ID) -> DeleteReviewResult:
        return await _expected(  # type: ignore[return-value]
            service.delete_review(
                db=info.context.db, principal=info.context.principal, review_id=str(id)
            ),
            lambda d: DeletedReview(id=strawberry.ID(str(d["_id"]))),
        )

    @strawberry.mutation(
        description="Hide a review (or show it again with `hidden: false`); administrators only."
    )
    async def hide_review(
        self, info: Info, id: strawberry.ID, hidden: bool = True, reason: str | None = None
    ) -> ReviewResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.hide_review(
                db=info.context.db,
                principal=info.context.principal,
                review_id=str(id),
                hidden=hidden,
                reason=reason,
            ),
            lambda d: Review.from_document(d, language),
        )

    @strawberry.mutation(description="Save an attraction to your favourites.")
    async def add_favorite(self, info: Info, attraction_id: strawberry.ID) -> FavoriteResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.add_favorite(
                db=info.context.db,
                principal=info.context.principal,
                attraction_id=str(attraction_id),
            ),
            lambda d: Attraction.from_document(d, language),
        )

    @strawberry.mutation(description="Remove an attraction from your favourites.")
    async def remove_favorite(self, info: Info, attraction_id: strawberry.ID) -> FavoriteResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.remove_favorite(
                db=info.context.db,
                principal=info.context.principal,
                attraction_id=str(attraction_id),
            ),
            lambda d: Attraction.from_document(d, language),
        )

    @strawberry.mutation(
        description="Get a reminder the day before and two hours before, and news if the event "
        "is postponed or cancelled."
    )
    async def subscribe_to_event(self, info: Info, event_id: strawberry.ID) -> SubscribeResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.subscribe_to_event(
                db=info.context.db, principal=info.context.principal, event_id=str(event_id)
            ),
            lambda result: EventSubscription(
                event=Event.from_document(result[0], language), reminders_scheduled=result[1]
            ),
        )

    @strawberry.mutation(description="Stop an event's reminders.")
    async def unsubscribe_from_event(
        self, info: Info, event_id: strawberry.ID
    ) -> UnsubscribeResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.unsubscribe_from_event(
                db=info.context.db, principal=info.context.principal, event_id=str(event_id)
            ),
            lambda d: Event.from_document(d, language),
        )

    @strawberry.mutation(description="Add an attraction (administrators only).")
    async def create_attraction(self, info: Info, input: AttractionInput) -> AttractionResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.create_attraction(
                db=info.context.db, principal=info.context.principal, data=input
            ),
            lambda d: Attraction.from_document(d, language),
        )

    @strawberry.mutation(description="Replace an attraction's details (administrators only).")
    async def update_attraction(
        self, info: Info, id: strawberry.ID, input: AttractionInput
    ) -> AttractionResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.update_attraction(
                db=info.context.db,
                principal=info.context.principal,
                attraction_id=str(id),
                data=input,
            ),
            lambda d: Attraction.from_document(d, language),
        )

    @strawberry.mutation(description="Add an event (administrators only).")
    async def create_event(self, info: Info, input: EventInput) -> EventResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.create_event(db=info.context.db, principal=info.context.principal, data=input),
            lambda d: Event.from_document(d, language),
        )

    @strawberry.mutation(
        description="Replace an event's details (administrators only). Postponing or cancelling "
        "tells subscribers and cancels their reminders; a new date re-schedules them."
    )
    async def update_event(self, info: Info, id: strawberry.ID, input: EventInput) -> EventResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.update_event(
                db=info.context.db, principal=info.context.principal, event_id=str(id), data=input
            ),
            lambda d: Event.from_document(d, language),
        )

    @strawberry.mutation(description="Add an itinerary (administrators only).")
    async def create_itinerary(self, info: Info, input: ItineraryInput) -> ItineraryResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.create_itinerary(
                db=info.context.db, principal=info.context.principal, data=input
            ),
            lambda d: Itinerary.from_document(d, language),
        )

    @strawberry.mutation(description="Replace an itinerary (administrators only).")
    async def update_itinerary(
        self, info: Info, id: strawberry.ID, input: ItineraryInput
    ) -> ItineraryResult:
        language = info.context.lang()
        return await _expected(  # type: ignore[return-value]
            service.update_itinerary(
                db=info.context.db,
                principal=info.context.principal,
                itinerary_id=str(id),
                data=input,
            ),
            lambda d: Itinerary.from_document(d, language),
        )
