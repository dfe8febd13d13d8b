"""``tourism_favorites``: the attractions each user saved."""

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.tourism.models import FavoriteDocument


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

    async def of_user(self, uid: str) -> list[FavoriteDocument]:
        return cast(list[FavoriteDocument], await self.collection.find({"uid": uid}).to_list())

    async def delete_for_user(self, uid: str) -> int:
        return int((await self.collection.delete_many({"uid": uid})).deleted_count)

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
