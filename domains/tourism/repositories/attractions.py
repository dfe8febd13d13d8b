"""``tourism_attractions``: the list in name order, look-ups and the rating totals."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, cast

from bson import ObjectId
from pymongo import ASCENDING, IndexModel

from domains.kernel.pagination import Page, find_page
from domains.kernel.types import Document, Session
from domains.tourism.hours import open_now_filter
from domains.tourism.models import AttractionDocument
from domains.tourism.repositories.slugged import SluggedRepository


@dataclass(frozen=True, slots=True)
class AttractionFilter:
    """What a client may filter attractions by (all typed, all optional)."""

    category: str | None = None
    district_key: str | None = None
    open_at: datetime | None = None

    def query(self) -> Document:
        clauses: list[Document] = []
        if self.category:
            clauses.append({"category": self.category})
        if self.district_key:
            clauses.append({"districtKey": self.district_key})
        if self.open_at is not None:
            clauses.append(open_now_filter(self.open_at))
        if not clauses:
            return {}
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class AttractionRepository(SluggedRepository[AttractionDocument]):
    collection_name = "tourism_attractions"
    noun = "attraction"
    kept_on_upsert: ClassVar[Mapping[str, Any]] = {"rating": {"sum": 0, "count": 0}}
    indexes = (
        # Seeding and admin edits upsert by the natural key.
        IndexModel([("slug", ASCENDING)], unique=True),
        # attractions() without near/search, in name order, optionally by category or district.
        # (near and search are served by the in-process read side: catalogues.py.)
        IndexModel([("nameKey", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("category", ASCENDING), ("nameKey", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("districtKey", ASCENDING), ("nameKey", ASCENDING), ("_id", ASCENDING)]),
    )

    async def page(
        self, *, where: AttractionFilter, first: int | None, after: str | None
    ) -> Page[AttractionDocument]:
        """In name order (near and search are the read side's: ``tourism.listing``)."""
        page = await find_page(
            self.collection, query=where.query(), sort=[("nameKey", 1)], first=first, after=after
        )
        return cast(Page[AttractionDocument], page)

    async def get_by_slug(self, slug: str) -> AttractionDocument | None:
        return cast(AttractionDocument | None, await self.collection.find_one({"slug": slug}))

    async def exists(self, attraction_id: ObjectId, *, session: Session | None = None) -> bool:
        found = await self.collection.count_documents({"_id": attraction_id}, session=session)
        return found > 0

    async def existing_ids(self, ids: Sequence[ObjectId]) -> set[ObjectId]:
        found = self.collection.find({"_id": {"$in": list(ids)}}, {"_id": 1})
        return {row["_id"] async for row in found}

    async def change_rating(
        self, attraction_id: ObjectId, *, by_sum: int, by_count: int, session: Session | None
    ) -> None:
        """Move the running totals; ``$inc`` is atomic, so concurrent reviews never lose one."""
        if by_sum == 0 and by_count == 0:
            return
        await self.collection.update_one(
            {"_id": attraction_id},
            {"$inc": {"rating.sum": by_sum, "rating.count": by_count}},
            session=session,
        )

    async def set_rating(self, attraction_id: ObjectId, *, total: int, count: int) -> None:
        """Replace the totals (the seed, after recounting the visible reviews)."""
        await self.collection.update_one(
            {"_id": attraction_id}, {"$set": {"rating": {"sum": total, "count": count}}}
        )
