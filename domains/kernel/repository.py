"""The small base every repository builds on; repositories alone touch collections."""

from collections.abc import Sequence
from typing import Any, ClassVar

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure

from domains.kernel.types import Database, Session

Document = dict[str, Any]
# IndexOptionsConflict, IndexKeySpecsConflict: what a concurrent creation of the same index gives.
INDEX_CONFLICTS = (85, 86)


class Repository:
    """One collection, the indexes its queries need, and get-by-id."""

    collection_name: ClassVar[str]
    # Each index sits here next to the queries below that need it.
    indexes: ClassVar[Sequence[IndexModel]] = ()

    def __init__(self, db: Database) -> None:
        self.db = db
        self.collection: AsyncCollection[Document] = db[self.collection_name]

    @classmethod
    async def create_indexes(cls, db: Database) -> list[str]:
        """Create this repository's missing indexes; safe to run on every start.

        Indexes that already exist under the same name and keys are skipped rather than sent
        again: servers disagree on whether re-sending a 2dsphere spec is a no-op (SecantusDB
        answers IndexKeySpecsConflict because it stored the 2dsphere version). Replicas start
        together: when another process created one meanwhile, the list is read again.
        """
        if not cls.indexes:
            return []
        collection = db[cls.collection_name]
        for attempt in range(2):
            missing = await cls._missing_indexes(collection)
            if not missing:
                break
            try:
                await collection.create_indexes(missing)
                break
            except OperationFailure as error:
                if error.code not in INDEX_CONFLICTS or attempt:
                    raise
        return [model.document["name"] for model in cls.indexes]

    @classmethod
    async def _missing_indexes(cls, collection: AsyncCollection[Document]) -> list[IndexModel]:
        existing = {index["name"]: index async for index in await collection.list_indexes()}
        missing = []
        for model in cls.indexes:
            name = model.document["name"]
            found = existing.get(name)
            if found is None:
                missing.append(model)
            elif dict(found["key"]) != dict(model.document["key"]):
                raise RuntimeError(
                    f"Index {cls.collection_name}.{name} exists with keys {dict(found['key'])}, "
                    f"not {dict(model.document['key'])}: drop it (or rename the new one)."
                )
        return missing

    async def get(self, document_id: Any) -> Document | None:
        return await self.collection.find_one({"_id": document_id})

    async def get_many(self, ids: Sequence[Any]) -> list[Document | None]:
        """Documents in the order of ``ids`` (None where missing): the shape DataLoaders need."""
        found = {doc["_id"]: doc async for doc in self.collection.find({"_id": {"$in": list(ids)}})}
        return [found.get(document_id) for document_id in ids]

    async def upsert_returning(
        self,
        query: Document,
        update: Document,
        *,
        projection: Document | None = None,
        session: Session | None = None,
    ) -> Document:
        """``find_one_and_update`` with ``upsert`` that returns the document after the write.

        MongoDB always returns it. SecantusDB (tests, `make run`) answers an upsert that raced
        another one on the same new key with no document although the write is applied, so the
        document is then read back.
        """
        document = await self.collection.find_one_and_update(
            query,
            update,
            upsert=True,
            projection=projection,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if document is None:
            document = await self.collection.find_one(query, projection, session=session)
        if document is None:
            raise RuntimeError(f"{self.collection_name}: an upsert left no document to read back")
        return document

    async def put_generated(self, documents: Sequence[Document]) -> None:
        """Upsert generated documents by ``_id`` (the province-scale generators; re-runnable)."""
        if documents:
            await self.collection.bulk_write(
                [UpdateOne({"_id": d["_id"]}, {"$set": d}, upsert=True) for d in documents],
                ordered=False,
            )


def parse_object_id(value: str) -> ObjectId | None:
    """An ObjectId from a client string, or None when it is not one (callers answer 'not found')."""
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None
