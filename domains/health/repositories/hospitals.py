"""The facilities: listing, geographic search and demo upserts."""

from collections.abc import Sequence
from typing import Any, cast

from pymongo import ASCENDING, IndexModel

from domains.health.models import HospitalDocument
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.search import match_filter


class HospitalRepository(Repository):
    collection_name = "health_hospitals"
    indexes = (
        # hospitals(near: ...)
        IndexModel([("location", "2dsphere")], name="location_2dsphere"),
        # hospitals(search: ...): multikey match on folded terms
        IndexModel([("searchTerms", ASCENDING)], name="searchTerms"),
        # hospitals(specialty: ...), sorted by name
        IndexModel([("specialties", ASCENDING), ("sortName", ASCENDING)], name="specialty_name"),
        # hospitals(level: ...), sorted by name
        IndexModel([("level", ASCENDING), ("sortName", ASCENDING)], name="level_name"),
        # hospitals() unfiltered, sorted by name
        IndexModel([("sortName", ASCENDING)], name="sortName"),
    )

    async def page(
        self,
        *,
        ids: Sequence[str] | None,
        search_terms: Sequence[str] | None,
        specialty: str | None,
        level: str | None,
        first: int | None,
        after: str | None,
    ) -> Page[HospitalDocument]:
        query: dict[str, Any] = {}
        if ids is not None:
            query["_id"] = {"$in": list(ids)}
        if search_terms:
            query.update(match_filter(search_terms))
        if specialty is not None:
            query["specialties"] = specialty
        if level is not None:
            query["level"] = level
        page = await find_page(
            self.collection, query=query, sort=[("sortName", 1)], first=first, after=after
        )
        return cast(Page[HospitalDocument], page)

    async def ids_within(self, *, lat: float, lng: float, radius_km: float) -> list[str]:
        """Facilities within the radius (uses the 2dsphere index)."""
        radians = radius_km / 6371.0088
        query = {"location": {"$geoWithin": {"$centerSphere": [[lng, lat], radians]}}}
        return [doc["_id"] async for doc in self.collection.find(query, {"_id": 1})]

    async def find(self, hospital_id: str) -> HospitalDocument | None:
        return cast(HospitalDocument | None, await self.get(hospital_id))

    async def find_many(self, ids: Sequence[str]) -> list[HospitalDocument | None]:
        """In the order of ``ids``, None where missing (for DataLoaders)."""
        return cast(list[HospitalDocument | None], await self.get_many(ids))

    async def upsert(self, document: HospitalDocument) -> None:
        await self.collection.replace_one({"_id": document["_id"]}, dict(document), upsert=True)
