"""``tourism_itineraries``: suggested routes, by theme."""

from typing import cast

from pymongo import ASCENDING, IndexModel

from domains.kernel.pagination import Page, find_page
from domains.kernel.types import Document
from domains.tourism.models import ItineraryDocument
from domains.tourism.repositories.slugged import SluggedRepository


class ItineraryRepository(SluggedRepository[ItineraryDocument]):
    collection_name = "tourism_itineraries"
    noun = "itinerary"
    indexes = (
        IndexModel([("slug", ASCENDING)], unique=True),
        # itineraries(theme:) in slug order.
        IndexModel([("theme", ASCENDING), ("slug", ASCENDING), ("_id", ASCENDING)]),
    )

    async def page(
        self, *, theme: str | None, first: int | None, after: str | None
    ) -> Page[ItineraryDocument]:
        query: Document = {"theme": theme} if theme else {}
        page = await find_page(
            self.collection, query=query, sort=[("slug", 1)], first=first, after=after
        )
        return cast(Page[ItineraryDocument], page)
