"""Tourism's queries and mutations: thin resolvers that parse arguments, call the use case and
map its result (expected failures become union members through ``expected``)."""

from datetime import datetime
from typing import Annotated

import strawberry

from domains.kernel.context import Info
from domains.kernel.errors import NotFoundError, ValidationFailed, expected
from domains.kernel.geo import NearInput
from domains.kernel.i18n import Language
from domains.kernel.pagination import Connection, Page
from domains.tourism import (
    attractions,
    events,
    favorites,
    itineraries,
    reviews,
    subscriptions,
)
from domains.tourism.inputs import AttractionInput, EventInput, ItineraryInput
from domains.tourism.itinerary_types import Itinerary
from domains.tourism.models import EventDocument
from domains.tourism.results import (
    AlreadyReviewedError,
    AttractionResult,
    DeletedReview,
    DeleteReviewResult,
    EventNotOpenError,
    EventResult,
    EventSubscription,
    FavoriteResult,
    ItineraryResult,
    ReviewResult,
    SubscribeResult,
    UnsubscribeResult,
)
from domains.tourism.types import Attraction, Event, Review, attraction_loader, tourism, visitor
from domains.tourism.vocabulary import AttractionCategory, EventStatus, ItineraryTheme


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
        page = await attractions.list_attractions(
            store=tourism(info),
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
        document = await attractions.get_attraction(store=tourism(info), attraction_id=str(id))
        return Attraction.from_document(document, info.context.lang(lang)) if document else None

    @strawberry.field(
        description="Events overlapping [from, to] (upcoming when both are omitted), by start; "
        "best match first with `search` (Vietnamese or English, accents optional)."
    )
    async def events(
        self,
        info: Info,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        near: NearInput | None = None,
        status: list[EventStatus] | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[Event]:
        page = await events.list_events(
            store=tourism(info),
            start=from_,
            end=to,
            near=near,
            search=search,
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
        document = await events.get_event(store=tourism(info), event_id=str(id))
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
        page = await itineraries.list_itineraries(
            store=tourism(info), theme=theme, first=first, after=after
        )
        language = info.context.lang(lang)
        return Connection.from_page(page.map(lambda d: Itinerary.from_document(d, language)))

    @strawberry.field(description="One itinerary, or null.")
    async def itinerary(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> Itinerary | None:
        document = await itineraries.get_itinerary(store=tourism(info), itinerary_id=str(id))
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
        page = await reviews.list_reviews(
            caller=visitor(info),
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
        page = await favorites.list_favorites(caller=visitor(info), first=first, after=after)
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


def _subscription(event_and_count: tuple[EventDocument, int], language: str) -> EventSubscription:
    event, scheduled = event_and_count
    return EventSubscription(
        event=Event.from_document(event, language), reminders_scheduled=scheduled
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Review an attraction: 1–5 stars, once per attraction.")
    async def add_review(
        self, info: Info, attraction_id: strawberry.ID, rating: int, text: str | None = None
    ) -> ReviewResult:
        language = info.context.lang()
        return await expected(
            reviews.add_review(
                caller=visitor(info),
                attraction_id=str(attraction_id),
                rating=rating,
                text=text,
            ),
            lambda d: Review.from_document(d, language),
            ValidationFailed,
            NotFoundError,
            AlreadyReviewedError,
        )

    @strawberry.mutation(description="Edit your own review.")
    async def update_review(
        self, info: Info, id: strawberry.ID, rating: int, text: str | None = None
    ) -> ReviewResult:
        language = info.context.lang()
        return await expected(
            reviews.update_review(
                caller=visitor(info),
                review_id=str(id),
                rating=rating,
                text=text,
            ),
            lambda d: Review.from_document(d, language),
            ValidationFailed,
            NotFoundError,
            AlreadyReviewedError,
        )

    @strawberry.mutation(description="Delete your own review.")
    async def delete_review(self, info: Info, id: strawberry.ID) -> DeleteReviewResult:
        return await expected(
            reviews.delete_review(caller=visitor(info), review_id=str(id)),
            lambda d: DeletedReview(id=strawberry.ID(str(d["_id"]))),
            NotFoundError,
        )

    @strawberry.mutation(
        description="Hide a review (or show it again with `hidden: false`); administrators only."
    )
    async def hide_review(
        self, info: Info, id: strawberry.ID, hidden: bool = True, reason: str | None = None
    ) -> ReviewResult:
        language = info.context.lang()
        return await expected(
            reviews.hide_review(
                caller=visitor(info),
                review_id=str(id),
                hidden=hidden,
                reason=reason,
            ),
            lambda d: Review.from_document(d, language),
            ValidationFailed,
            NotFoundError,
        )

    @strawberry.mutation(description="Save an attraction to your favourites.")
    async def add_favorite(self, info: Info, attraction_id: strawberry.ID) -> FavoriteResult:
        language = info.context.lang()
        return await expected(
            favorites.add_favorite(
                caller=visitor(info),
                attraction_id=str(attraction_id),
            ),
            lambda d: Attraction.from_document(d, language),
            NotFoundError,
        )

    @strawberry.mutation(description="Remove an attraction from your favourites.")
    async def remove_favorite(self, info: Info, attraction_id: strawberry.ID) -> FavoriteResult:
        language = info.context.lang()
        return await expected(
            favorites.remove_favorite(
                caller=visitor(info),
                attraction_id=str(attraction_id),
            ),
            lambda d: Attraction.from_document(d, language),
            NotFoundError,
        )

    @strawberry.mutation(
        description="Get a reminder the day before and two hours before, and news if the event "
        "is postponed or cancelled."
    )
    async def subscribe_to_event(self, info: Info, event_id: strawberry.ID) -> SubscribeResult:
        language = info.context.lang()
        return await expected(
            subscriptions.subscribe_to_event(caller=visitor(info), event_id=str(event_id)),
            lambda result: _subscription(result, language),
            NotFoundError,
            EventNotOpenError,
        )

    @strawberry.mutation(description="Stop an event's reminders.")
    async def unsubscribe_from_event(
        self, info: Info, event_id: strawberry.ID
    ) -> UnsubscribeResult:
        language = info.context.lang()
        return await expected(
            subscriptions.unsubscribe_from_event(caller=visitor(info), event_id=str(event_id)),
            lambda d: Event.from_document(d, language),
            NotFoundError,
        )

    @strawberry.mutation(description="Add an attraction (administrators only).")
    async def create_attraction(self, info: Info, input: AttractionInput) -> AttractionResult:
        language = info.context.lang()
        return await expected(
            attractions.create_attraction(caller=visitor(info), data=input),
            lambda d: Attraction.from_document(d, language),
            ValidationFailed,
            NotFoundError,
        )

    @strawberry.mutation(description="Replace an attraction's details (administrators only).")
    async def update_attraction(
        self, info: Info, id: strawberry.ID, input: AttractionInput
    ) -> AttractionResult:
        language = info.context.lang()
        return await expected(
            attractions.update_attraction(
                caller=visitor(info),
                attraction_id=str(id),
                data=input,
            ),
            lambda d: Attraction.from_document(d, language),
            ValidationFailed,
            NotFoundError,
        )

    @strawberry.mutation(description="Add an event (administrators only).")
    async def create_event(self, info: Info, input: EventInput) -> EventResult:
        language = info.context.lang()
        return await expected(
            events.create_event(caller=visitor(info), data=input),
            lambda d: Event.from_document(d, language),
            ValidationFailed,
            NotFoundError,
        )

    @strawberry.mutation(
        description="Replace an event's details (administrators only). Postponing or cancelling "
        "tells subscribers and cancels their reminders; a new date re-schedules them."
    )
    async def update_event(self, info: Info, id: strawberry.ID, input: EventInput) -> EventResult:
        language = info.context.lang()
        return await expected(
            events.update_event(caller=visitor(info), event_id=str(id), data=input),
            lambda d: Event.from_document(d, language),
            ValidationFailed,
            NotFoundError,
        )

    @strawberry.mutation(description="Add an itinerary (administrators only).")
    async def create_itinerary(self, info: Info, input: ItineraryInput) -> ItineraryResult:
        language = info.context.lang()
        return await expected(
            itineraries.create_itinerary(caller=visitor(info), data=input),
            lambda d: Itinerary.from_document(d, language),
            ValidationFailed,
            NotFoundError,
        )

    @strawberry.mutation(description="Replace an itinerary (administrators only).")
    async def update_itinerary(
        self, info: Info, id: strawberry.ID, input: ItineraryInput
    ) -> ItineraryResult:
        language = info.context.lang()
        return await expected(
            itineraries.update_itinerary(
                caller=visitor(info),
                itinerary_id=str(id),
                data=input,
            ),
            lambda d: Itinerary.from_document(d, language),
            ValidationFailed,
            NotFoundError,
        )
