"""The base of the collections keyed by a slug (attractions, events, itineraries): typed reads,
inserts, field updates and the seed's upsert by slug, written once."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar, cast

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne

from domains.kernel.repository import Repository
from domains.kernel.types import Document, Session

Stored = TypeVar("Stored")


class SluggedRepository(Repository, Generic[Stored]):
    """A collection with a unique ``slug`` index; ``Stored`` is its document type."""

    # What one document is called in messages ("attraction", "event", "itinerary").
    noun: ClassVar[str]
    # Fields an upsert by slug sets only when it inserts (the seed keeps ratings and versions).
    kept_on_upsert: ClassVar[Mapping[str, Any]] = {}

    async def get_by_id(
        self, document_id: ObjectId, *, session: Session | None = None
    ) -> Stored | None:
        return cast(
            Stored | None, await self.collection.find_one({"_id": document_id}, session=session)
        )

    async def load_many(self, ids: list[ObjectId]) -> list[Stored | None]:
        """Documents in the order of ``ids`` (DataLoader batch)."""
        return cast(list[Stored | None], await self.get_many(ids))

    async def insert(self, document: Document, *, session: Session | None = None) -> Stored:
        """Store a new document (a taken slug raises DuplicateKeyError)."""
        await self.collection.insert_one(document, session=session)
        return cast(Stored, document)

    async def update_fields(
        self, document_id: ObjectId, fields: Mapping[str, Any], *, session: Session | None = None
    ) -> Stored | None:
        """Set ``fields``; the document after the write, or None when there is none."""
        document = await self.collection.find_one_and_update(
            {"_id": document_id},
            {"$set": dict(fields)},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        return cast(Stored | None, document)

    async def upsert_by_slug(self, fields: Mapping[str, Any], created_at: datetime) -> ObjectId:
        """Seed helper: content replaced, what ``kept_on_upsert`` names and creation time kept."""
        document = await self.upsert_returning(
            {"slug": fields["slug"]},
            {
                "$set": dict(fields),
                "$setOnInsert": {**self.kept_on_upsert, "createdAt": created_at},
            },
            projection={"_id": 1},
        )
        return cast(ObjectId, document["_id"])

    async def upsert_many_by_slug(
        self, rows: Sequence[Mapping[str, Any]], created_at: datetime
    ) -> dict[str, ObjectId]:
        """``upsert_by_slug`` for many (one bulk write); returns the ids by slug."""
        if not rows:
            return {}
        await self.collection.bulk_write(
            [
                UpdateOne(
                    {"slug": fields["slug"]},
                    {
                        "$set": dict(fields),
                        "$setOnInsert": {**self.kept_on_upsert, "createdAt": created_at},
                    },
                    upsert=True,
                )
                for fields in rows
            ],
            ordered=False,
        )
        slugs = [fields["slug"] for fields in rows]
        found = self.collection.find({"slug": {"$in": slugs}}, {"slug": 1})
        return {row["slug"]: row["_id"] async for row in found}
