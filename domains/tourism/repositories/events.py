"""``tourism_events``, and the subscriptions collection the old reminder design kept."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, cast

from bson import ObjectId
from pymongo import ASCENDING, IndexModel

from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.types import Document
from domains.tourism.models import EventDocument, EventSubscriptionDocument
from domains.tourism.repositories.slugged import SluggedRepository


class EventRepository(SluggedRepository[EventDocument]):
    collection_name = "tourism_events"
    noun = "event"
    kept_on_upsert: ClassVar[Mapping[str, Any]] = {"scheduleVersion": 1}
    indexes = (
        IndexModel([("slug", ASCENDING)], unique=True),
        # events(from, to, status) in start order.
        IndexModel([("startsAt", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("startsAt", ASCENDING), ("_id", ASCENDING)]),
        # upcoming events of each attraction (DataLoader batch).
        IndexModel([("attractionId", ASCENDING), ("startsAt", ASCENDING)]),
    )

    async def page(
        self,
        *,
        starts_before: datetime | None,
        ends_after: datetime | None,
        statuses: Sequence[str],
        first: int | None,
        after: str | None,
    ) -> Page[EventDocument]:
        """Events overlapping the window, in start order (near and search: ``tourism.listing``)."""
        query: Document = {}
        if ends_after is not None:
            query["endsAt"] = {"$gte": ends_after}
        if starts_before is not None:
            query["startsAt"] = {"$lte": starts_before}
        if statuses:
            query["status"] = {"$in": list(statuses)}
        page = await find_page(
            self.collection, query=query, sort=[("startsAt", 1)], first=first, after=after
        )
        return cast(Page[EventDocument], page)

    async def upcoming_for(
        self, attraction_ids: Sequence[ObjectId], *, now: datetime, statuses: Sequence[str]
    ) -> list[EventDocument]:
        cursor = self.collection.find(
            {
                "attractionId": {"$in": list(attraction_ids)},
                "endsAt": {"$gte": now},
                "status": {"$in": list(statuses)},
            },
            sort=[("startsAt", 1), ("_id", 1)],
        )
        return cast(list[EventDocument], await cursor.to_list())


class LegacyEventSubscriptionRepository(Repository):
    """``tourism_event_subscriptions``, written before reminders went through topics: read only
    by the start-up migration, which moves each document to a topic subscription and deletes
    it. Not in ``REPOSITORIES``: no query needs its indexes any more."""

    collection_name = "tourism_event_subscriptions"

    async def oldest(self, limit: int) -> list[EventSubscriptionDocument]:
        cursor = self.collection.find({}, sort=[("_id", ASCENDING)], limit=limit)
        return cast(list[EventSubscriptionDocument], await cursor.to_list())

    async def delete(self, ids: Sequence[ObjectId]) -> int:
        result = await self.collection.delete_many({"_id": {"$in": list(ids)}})
        return int(result.deleted_count)
