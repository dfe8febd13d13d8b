"""Every query of the tourism collections; filters are built here from typed arguments only."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from domains.kernel.geo import EARTH_RADIUS_KM, NearInput
from domains.kernel.pagination import (
    Page,
    decode_cursor,
    encode_cursor,
    find_page,
    keyset_filter,
    page_size,
    value_at,
)
from domains.kernel.repository import Repository
from domains.kernel.search import match_filter, score_expression
from domains.tourism.hours import open_now_filter
from domains.tourism.models import (
    AttractionDocument,
    EventDocument,
    FavoriteDocument,
    ItineraryDocument,
    ReviewDocument,
)

Document = dict[str, Any]
Session = AsyncClientSession | None
DISTANCE_FIELD = "distanceMeters"
SCORE_FIELD = "searchScore"


async def aggregate_page(
    collection: AsyncCollection[Document],
    *,
    head: Callable[[list[Any] | None], list[Document]],
    sort: Sequence[tuple[str, int]],
    first: int | None,
    after: str | None,
) -> Page[Document]:
    """Like ``find_page`` for a pipeline whose sort keys are computed (distance, search score).

    ``head`` builds the pipeline's first stages; it receives the cursor's values (or None) so a
    ``$geoNear`` can start at the cursor's distance instead of the centre.
    """
    size = page_size(first)
    order = [*sort, ("_id", sort[-1][1] if sort else 1)]
    values = decode_cursor(after, length=len(order)) if after is not None else None
    pipeline = head(values)
    if values is not None:
        pipeline.append({"$match": keyset_filter(order, values)})
    pipeline += [{"$sort": dict(order)}, {"$limit": size + 1}]
    rows = await (await collection.aggregate(pipeline)).to_list(length=size + 1)
    has_next = len(rows) > size
    rows = rows[:size]

    async def count_total() -> int:
        counted = await (await collection.aggregate([*head(None), {"$count": "n"}])).to_list(1)
        return int(counted[0]["n"]) if counted else 0

    cursors = [encode_cursor([value_at(row, key) for key, _ in order]) for row in rows]
    return Page(rows, cursors, has_next, count_total)


def _upserted_id(document: Document | None) -> ObjectId:
    if document is None:  # an upsert returning the document after the write always has one
        raise RuntimeError("upsert returned no document")
    return cast(ObjectId, document["_id"])


@dataclass(frozen=True, slots=True)
class AttractionFilter:
    """What a client may filter attractions by (all typed, all optional)."""

    category: str | None = None
    district_key: str | None = None
    search_terms: Sequence[str] = ()
    open_at: datetime | None = None

    def query(self) -> Document:
        clauses: list[Document] = []
        if self.category:
            clauses.append({"category": self.category})
        if self.district_key:
            clauses.append({"districtKey": self.district_key})
        if self.search_terms:
            clauses.append(match_filter(self.search_terms))
        if self.open_at is not None:
            clauses.append(open_now_filter(self.open_at))
        if not clauses:
            return {}
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class AttractionRepository(Repository):
    collection_name = "tourism_attractions"
    indexes = (
        # Seeding and admin edits upsert by the natural key.
        IndexModel([("slug", ASCENDING)], unique=True),
        # attractions(near:) — $geoNear needs exactly one 2dsphere index.
        IndexModel([("location", GEOSPHERE)]),
        # attractions(search:) — the multikey index serves the term match.
        IndexModel([("searchTerms", ASCENDING)]),
        # attractions() without near/search, in name order, optionally by category or district.
        IndexModel([("nameKey", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("category", ASCENDING), ("nameKey", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("districtKey", ASCENDING), ("nameKey", ASCENDING), ("_id", ASCENDING)]),
    )

    async def page(
        self,
        *,
        where: AttractionFilter,
        near: NearInput | None,
        first: int | None,
        after: str | None,
    ) -> Page[AttractionDocument]:
        """Nearest first with ``near``; best match first with a search; else by name."""
        query = where.query()
        if near is not None:

            def geo_head(values: list[Any] | None) -> list[Document]:
                # Start at the cursor's ring: rows nearer than it were on earlier pages.
                return [
                    near.geo_near_stage(
                        query=query,
                        distance_field=DISTANCE_FIELD,
                        min_distance_m=float(values[0]) if values is not None else None,
                    )
                ]

            page = await aggregate_page(
                self.collection,
                head=geo_head,
                sort=[(DISTANCE_FIELD, 1)],
                first=first,
                after=after,
            )
        elif where.search_terms:
            score = score_expression(where.search_terms)

            def search_head(values: list[Any] | None) -> list[Document]:
                return [{"$match": query}, {"$addFields": {SCORE_FIELD: score}}]

            page = await aggregate_page(
                self.collection,
                head=search_head,
                sort=[(SCORE_FIELD, -1), ("nameKey", 1)],
                first=first,
                after=after,
            )
        else:
            page = await find_page(
                self.collection, query=query, sort=[("nameKey", 1)], first=first, after=after
            )
        return cast(Page[AttractionDocument], page)

    async def get_by_slug(self, slug: str) -> AttractionDocument | None:
        return cast(AttractionDocument | None, await self.collection.find_one({"slug": slug}))

    async def existing_ids(self, ids: Sequence[ObjectId]) -> set[ObjectId]:
        found = self.collection.find({"_id": {"$in": list(ids)}}, {"_id": 1})
        return {row["_id"] async for row in found}

    async def insert(self, document: Document) -> None:
        await self.collection.insert_one(document)

    async def update_fields(
        self, attraction_id: ObjectId, fields: Mapping[str, Any]
    ) -> AttractionDocument | None:
        document = await self.collection.find_one_and_update(
            {"_id": attraction_id}, {"$set": dict(fields)}, return_document=ReturnDocument.AFTER
        )
        return cast(AttractionDocument | None, document)

    async def upsert_by_slug(self, fields: Mapping[str, Any], created_at: datetime) -> ObjectId:
        """Seed helper: content replaced, ratings and creation time kept."""
        document = await self.collection.find_one_and_update(
            {"slug": fields["slug"]},
            {
                "$set": dict(fields),
                "$setOnInsert": {"rating": {"sum": 0, "count": 0}, "createdAt": created_at},
            },
            upsert=True,
            projection={"_id": 1},
            return_document=ReturnDocument.AFTER,
        )
        return _upserted_id(document)

    async def change_rating(
        self, attraction_id: ObjectId, *, by_sum: int, by_count: int, session: Session
    ) -> None:
        """Move the running totals; ``$inc`` is atomic, so concurrent reviews never lose one."""
        if by_sum == 0 and by_count == 0:
            return
        await self.collection.update_one(
            {"_id": attraction_id},
            {"$inc": {"rating.sum": by_sum, "rating.count": by_count}},
            session=session,
        )


class ReviewRepository(Repository):
    collection_name = "tourism_reviews"
    indexes = (
        # One review per user per attraction; addReview relies on it under concurrency.
        IndexModel([("attractionId", ASCENDING), ("uid", ASCENDING)], unique=True),
        # reviews(attractionId) and the latest reviews on each attraction, newest first.
        IndexModel(
            [
                ("attractionId", ASCENDING),
                ("hidden", ASCENDING),
                ("createdAt", DESCENDING),
                ("_id", DESCENDING),
            ]
        ),
    )

    async def insert(self, document: Document, *, session: Session) -> None:
        await self.collection.insert_one(document, session=session)

    async def find_own(
        self, attraction_id: ObjectId, uid: str, *, session: Session = None
    ) -> ReviewDocument | None:
        document = await self.collection.find_one(
            {"attractionId": attraction_id, "uid": uid}, session=session
        )
        return cast(ReviewDocument | None, document)

    async def get_in(self, review_id: ObjectId, *, session: Session) -> ReviewDocument | None:
        document = await self.collection.find_one({"_id": review_id}, session=session)
        return cast(ReviewDocument | None, document)

    async def set_fields(
        self, review_id: ObjectId, fields: Mapping[str, Any], *, session: Session
    ) -> ReviewDocument:
        document = await self.collection.find_one_and_update(
            {"_id": review_id},
            {"$set": dict(fields)},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        return cast(ReviewDocument, document)

    async def delete(self, review_id: ObjectId, *, session: Session) -> None:
        await self.collection.delete_one({"_id": review_id}, session=session)

    async def page(
        self,
        *,
        attraction_id: ObjectId,
        include_hidden: bool,
        first: int | None,
        after: str | None,
    ) -> Page[ReviewDocument]:
        query: Document = {"attractionId": attraction_id}
        if not include_hidden:
            query["hidden"] = False
        page = await find_page(
            self.collection, query=query, sort=[("createdAt", -1)], first=first, after=after
        )
        return cast(Page[ReviewDocument], page)

    async def latest_for(
        self, attraction_ids: Sequence[ObjectId], per_attraction: int
    ) -> dict[ObjectId, list[ReviewDocument]]:
        """The newest visible reviews of each attraction, in one command for the whole batch."""
        pipeline: list[Document] = [
            {"$match": {"attractionId": {"$in": list(attraction_ids)}, "hidden": False}},
            {"$sort": {"attractionId": 1, "createdAt": -1, "_id": -1}},
            {"$group": {"_id": "$attractionId", "reviews": {"$push": "$$ROOT"}}},
            {"$project": {"reviews": {"$slice": ["$reviews", per_attraction]}}},
        ]
        rows = await (await self.collection.aggregate(pipeline)).to_list()
        return {row["_id"]: row["reviews"] for row in rows}


class EventRepository(Repository):
    collection_name = "tourism_events"
    indexes = (
        IndexModel([("slug", ASCENDING)], unique=True),
        # events(from, to, status) in start order.
        IndexModel([("startsAt", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("startsAt", ASCENDING), ("_id", ASCENDING)]),
        # events(near:) — $geoWithin a circle.
        IndexModel([("location", GEOSPHERE)]),
        # upcoming events of each attraction (DataLoader batch).
        IndexModel([("attractionId", ASCENDING), ("startsAt", ASCENDING)]),
    )

    async def page(
        self,
        *,
        starts_before: datetime | None,
        ends_after: datetime | None,
        statuses: Sequence[str],
        near: NearInput | None,
        first: int | None,
        after: str | None,
    ) -> Page[EventDocument]:
        """Events overlapping the window, in start order."""
        query: Document = {}
        if ends_after is not None:
            query["endsAt"] = {"$gte": ends_after}
        if starts_before is not None:
            query["startsAt"] = {"$lte": starts_before}
        if statuses:
            query["status"] = {"$in": list(statuses)}
        if near is not None:
            query["location"] = {
                "$geoWithin": {
                    "$centerSphere": [[near.lng, near.lat], near.radius_km / EARTH_RADIUS_KM]
                }
            }
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

    async def get_in(self, event_id: ObjectId, *, session: Session) -> EventDocument | None:
        return cast(
            EventDocument | None, await self.collection.find_one({"_id": event_id}, session=session)
        )

    async def insert(self, document: Document) -> None:
        await self.collection.insert_one(document)

    async def set_fields(
        self, event_id: ObjectId, fields: Mapping[str, Any], *, session: Session
    ) -> EventDocument:
        document = await self.collection.find_one_and_update(
            {"_id": event_id},
            {"$set": dict(fields)},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        return cast(EventDocument, document)

    async def upsert_by_slug(self, fields: Mapping[str, Any], created_at: datetime) -> ObjectId:
        document = await self.collection.find_one_and_update(
            {"slug": fields["slug"]},
            {"$set": dict(fields), "$setOnInsert": {"createdAt": created_at, "scheduleVersion": 1}},
            upsert=True,
            projection={"_id": 1},
            return_document=ReturnDocument.AFTER,
        )
        return _upserted_id(document)


class EventSubscriptionRepository(Repository):
    collection_name = "tourism_event_subscriptions"
    indexes = (
        # One subscription per user per event; subscribers of an event are read by eventId.
        IndexModel([("eventId", ASCENDING), ("uid", ASCENDING)], unique=True),
        # isSubscribed for a user across a page of events.
        IndexModel([("uid", ASCENDING), ("eventId", ASCENDING)]),
    )

    async def add(self, document: Document, *, session: Session) -> bool:
        """True when the subscription is new (a repeat subscribe changes nothing)."""
        result = await self.collection.update_one(
            {"eventId": document["eventId"], "uid": document["uid"]},
            {"$setOnInsert": document},
            upsert=True,
            session=session,
        )
        return result.upserted_id is not None

    async def remove(self, event_id: ObjectId, uid: str, *, session: Session) -> bool:
        result = await self.collection.delete_one(
            {"eventId": event_id, "uid": uid}, session=session
        )
        return result.deleted_count > 0

    async def subscribers(self, event_id: ObjectId, *, session: Session) -> list[str]:
        cursor = self.collection.find({"eventId": event_id}, {"uid": 1}, session=session)
        return [row["uid"] async for row in cursor]

    async def subscribed_event_ids(self, uid: str, event_ids: Sequence[ObjectId]) -> set[ObjectId]:
        cursor = self.collection.find(
            {"uid": uid, "eventId": {"$in": list(event_ids)}}, {"eventId": 1}
        )
        return {row["eventId"] async for row in cursor}


class ItineraryRepository(Repository):
    collection_name = "tourism_itineraries"
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

    async def insert(self, document: Document) -> None:
        await self.collection.insert_one(document)

    async def update_fields(
        self, itinerary_id: ObjectId, fields: Mapping[str, Any]
    ) -> ItineraryDocument | None:
        document = await self.collection.find_one_and_update(
            {"_id": itinerary_id}, {"$set": dict(fields)}, return_document=ReturnDocument.AFTER
        )
        return cast(ItineraryDocument | None, document)

    async def upsert_by_slug(self, fields: Mapping[str, Any], created_at: datetime) -> ObjectId:
        document = await self.collection.find_one_and_update(
            {"slug": fields["slug"]},
            {"$set": dict(fields), "$setOnInsert": {"createdAt": created_at}},
            upsert=True,
            projection={"_id": 1},
            return_document=ReturnDocument.AFTER,
        )
        return _upserted_id(document)


class FavoriteRepository(Repository):
    collection_name = "tourism_favorites"
    indexes = (
        # One favourite per user per attraction; isFavorite looks up (uid, attractionId).
        IndexModel([("uid", ASCENDING), ("attractionId", ASCENDING)], unique=True),
        # myFavorites, newest first.
        IndexModel([("uid", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)]),
    )

    async def add(self, uid: str, attraction_id: ObjectId, at: datetime) -> None:
        await self.collection.update_one(
            {"uid": uid, "attractionId": attraction_id},
            {"$setOnInsert": {"uid": uid, "attractionId": attraction_id, "createdAt": at}},
            upsert=True,
        )

    async def remove(self, uid: str, attraction_id: ObjectId) -> bool:
        result = await self.collection.delete_one({"uid": uid, "attractionId": attraction_id})
        return result.deleted_count > 0

    async def page(
        self, *, uid: str, first: int | None, after: str | None
    ) -> Page[FavoriteDocument]:
        page = await find_page(
            self.collection, query={"uid": uid}, sort=[("createdAt", -1)], first=first, after=after
        )
        return cast(Page[FavoriteDocument], page)

    async def favorite_ids(self, uid: str, attraction_ids: Sequence[ObjectId]) -> set[ObjectId]:
        cursor = self.collection.find(
            {"uid": uid, "attractionId": {"$in": list(attraction_ids)}}, {"attractionId": 1}
        )
        return {row["attractionId"] async for row in cursor}


REPOSITORIES = (
    AttractionRepository,
    ReviewRepository,
    EventRepository,
    EventSubscriptionRepository,
    ItineraryRepository,
    FavoriteRepository,
)
