from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pymongo import IndexModel, ReturnDocument, UpdateOne

from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.store import Store
from domains.kernel.types import Document
from domains.procedures.models import ProcedureDocument

# Term arrays the former MongoDB ranking stored (documents written before the search engine may
# still hold them): never sent back to the API process.
SEARCH_ONLY = {"searchTerms": 0, "searchPrimary": 0}


@dataclass(frozen=True, slots=True)
class ProcedureFilter:
    """Typed filters of the catalogue; built by the service, never from client dictionaries."""

    field_key: str | None = None
    agency_key: str | None = None
    level: str | None = None
    online_level: str | None = None
    include_retired: bool = False

    def query(self) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if not self.include_retired:
            query["retired"] = False
        if self.field_key is not None:
            query["fieldKey"] = self.field_key
        if self.agency_key is not None:
            query["agencyKey"] = self.agency_key
        if self.level is not None:
            query["level"] = self.level
        if self.online_level is not None:
            query["onlineLevel"] = self.online_level
        return query

    def admits(self, document: ProcedureDocument) -> bool:
        return all(document.get(key) == value for key, value in self.query().items())


@dataclass(frozen=True, slots=True)
class FieldCount:
    key: str
    name: dict[str, str]
    count: int


class ProcedureRepository(Repository):
    collection_name = "procedures"
    indexes = (
        # browse(): the catalogue in alphabetical order, alone or within one field (filter chips).
        IndexModel([("sortName", 1), ("_id", 1)], name="sort_name"),
        IndexModel([("fieldKey", 1), ("sortName", 1), ("_id", 1)], name="field_sort_name"),
        # Code look-up uses the _id index: the code is the _id.
    )

    async def get_by_code(self, code: str) -> ProcedureDocument | None:
        return cast(ProcedureDocument | None, await self.collection.find_one({"_id": code}))

    async def get_many_by_code(self, codes: Sequence[str]) -> list[ProcedureDocument | None]:
        return cast(list[ProcedureDocument | None], await self.get_many(codes))

    async def browse(
        self, *, where: ProcedureFilter, first: int | None, after: str | None
    ) -> Page[ProcedureDocument]:
        page = await find_page(
            self.collection,
            query=where.query(),
            sort=[("sortName", 1)],
            first=first,
            after=after,
            projection=SEARCH_ONLY,
        )
        return cast(Page[ProcedureDocument], page)

    async def field_counts(self, *, level: str | None) -> list[FieldCount]:
        """Each field (lĩnh vực) of the live catalogue with its number of procedures."""
        match: dict[str, Any] = {"retired": False}
        if level is not None:
            match["level"] = level
        pipeline: list[dict[str, Any]] = [
            {"$match": match},
            {"$group": {"_id": "$fieldKey", "name": {"$first": "$field"}, "count": {"$sum": 1}}},
            {"$sort": {"count": -1, "_id": 1}},
        ]
        cursor = await self.collection.aggregate(pipeline)
        return [
            FieldCount(key=row["_id"], name=row["name"] or {}, count=row["count"])
            async for row in cursor
        ]

    async def insert(self, document: Document) -> bool:
        """Insert a new procedure; False when the code is taken (nothing written)."""
        result = await self.collection.update_one(
            {"_id": document["_id"]}, {"$setOnInsert": document}, upsert=True
        )
        return result.upserted_id is not None

    async def replace_catalogue_fields(
        self, code: str, fields: dict[str, Any]
    ) -> ProcedureDocument | None:
        """Overwrite the catalogue fields of an existing procedure (one atomic document update)."""
        document = await self.collection.find_one_and_update(
            {"_id": code},
            {"$set": fields},
            projection=SEARCH_ONLY,
            return_document=ReturnDocument.AFTER,
        )
        return cast(ProcedureDocument | None, document)

    async def set_retired(
        self, code: str, *, retired: bool, at: datetime, by: str
    ) -> ProcedureDocument | None:
        document = await self.collection.find_one_and_update(
            {"_id": code},
            {
                "$set": {
                    "retired": retired,
                    "retiredAt": at if retired else None,
                    "modifiedAt": at,
                    "modifiedBy": by,
                }
            },
            projection=SEARCH_ONLY,
            return_document=ReturnDocument.AFTER,
        )
        return cast(ProcedureDocument | None, document)

    async def upsert_many(self, documents: Sequence[dict[str, Any]]) -> tuple[int, int]:
        """Write each document whole, by code; a retired procedure stays retired. (new, updated)"""
        if not documents:
            return 0, 0
        operations = [
            UpdateOne(
                {"_id": document["_id"]},
                {
                    "$set": {k: v for k, v in document.items() if k != "_id"},
                    "$setOnInsert": {"retired": False, "retiredAt": None},
                },
                upsert=True,
            )
            for document in documents
        ]
        result = await self.collection.bulk_write(operations, ordered=False)
        return result.upserted_count, result.matched_count


@dataclass(frozen=True, slots=True)
class ProcedureStore(Store):
    """The catalogue's repository over the request's resources."""

    procedures: ProcedureRepository
