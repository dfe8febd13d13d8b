"""``tourism_attractions``: lists by distance, relevance or name, and the rating totals."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, cast

from bson import ObjectId
from pymongo import ASCENDING, GEOSPHERE, IndexModel

from domains.kernel.geo import NearInput
from domains.kernel.pagination import (
    Page,
    decode_cursor,
    encode_cursor,
    find_page,
    keyset_filter,
    page_size,
    value_at,
)
from domains.kernel.search import match_filter, score_expression
from domains.kernel.types import Collection, Document, Session
from domains.tourism.hours import open_now_filter
from domains.tourism.models import AttractionDocument
from domains.tourism.repositories.slugged import SluggedRepository

DISTANCE_FIELD = "distanceMeters"
SCORE_FIELD = "searchScore"


async def aggregate_page(
    collection: Collection,
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


class AttractionRepository(SluggedRepository[AttractionDocument]):
    collection_name = "tourism_attractions"
    noun = "attraction"
    kept_on_upsert: ClassVar[Mapping[str, Any]] = {"rating": {"sum": 0, "count": 0}}
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
