"""``tourism_reviews``: one review per user per attraction."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.types import Document, Session
from domains.tourism.models import ReviewDocument


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
        # of_user: a user's reviews (export and erasure of their data).
        IndexModel([("uid", ASCENDING)], name="uid"),
    )

    async def of_user(self, uid: str) -> list[ReviewDocument]:
        return cast(list[ReviewDocument], await self.collection.find({"uid": uid}).to_list())

    async def insert(self, document: Document, *, session: Session | None) -> ReviewDocument:
        await self.collection.insert_one(document, session=session)
        return cast(ReviewDocument, document)

    async def find_own(
        self, attraction_id: ObjectId, uid: str, *, session: Session | None = None
    ) -> ReviewDocument | None:
        document = await self.collection.find_one(
            {"attractionId": attraction_id, "uid": uid}, session=session
        )
        return cast(ReviewDocument | None, document)

    async def get_in(
        self, review_id: ObjectId, *, session: Session | None
    ) -> ReviewDocument | None:
        document = await self.collection.find_one({"_id": review_id}, session=session)
        return cast(ReviewDocument | None, document)

    async def set_fields(
        self, review_id: ObjectId, fields: Mapping[str, Any], *, session: Session | None
    ) -> ReviewDocument:
        document = await self.collection.find_one_and_update(
            {"_id": review_id},
            {"$set": dict(fields)},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        return cast(ReviewDocument, document)

    async def delete(self, review_id: ObjectId, *, session: Session | None) -> None:
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

    async def upsert_demo(
        self, attraction_id: ObjectId, uid: str, *, rating: int, text: str, now: datetime
    ) -> None:
        """Seed helper: a demo user's review, replaced on every run, its moderation kept."""
        await self.collection.update_one(
            {"attractionId": attraction_id, "uid": uid},
            {
                "$set": {"rating": rating, "text": text, "updatedAt": now},
                "$setOnInsert": {"hidden": False, "createdAt": now},
            },
            upsert=True,
        )

    async def visible_totals(self, attraction_id: ObjectId) -> tuple[int, int]:
        """(sum of ratings, count) of an attraction's visible reviews."""
        rows = await self.collection.find(
            {"attractionId": attraction_id, "hidden": False}, {"rating": 1}
        ).to_list()
        return sum(row["rating"] for row in rows), len(rows)
