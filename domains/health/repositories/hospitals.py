"""The facilities: the name-ordered listing, lookups and demo upserts.

Searching by words and "near me" are served by the read side (``domains/health/catalogue.py``).
"""

from collections.abc import Sequence
from typing import Any, cast

from pymongo import ASCENDING, IndexModel

from domains.health.models import HospitalDocument
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository


class HospitalRepository(Repository):
    collection_name = "health_hospitals"
    indexes = (
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
        specialty: str | None,
        level: str | None,
        first: int | None,
        after: str | None,
    ) -> Page[HospitalDocument]:
        query: dict[str, Any] = {}
        if specialty is not None:
            query["specialties"] = specialty
        if level is not None:
            query["level"] = level
        page = await find_page(
            self.collection, query=query, sort=[("sortName", 1)], first=first, after=after
        )
        return cast(Page[HospitalDocument], page)

    async def find(self, hospital_id: str) -> HospitalDocument | None:
        return cast(HospitalDocument | None, await self.get(hospital_id))

    async def find_many(self, ids: Sequence[str]) -> list[HospitalDocument | None]:
        """In the order of ``ids``, None where missing (for DataLoaders)."""
        return cast(list[HospitalDocument | None], await self.get_many(ids))

    async def upsert(self, document: HospitalDocument) -> None:
        await self.collection.replace_one({"_id": document["_id"]}, dict(document), upsert=True)
