"""The small base every repository builds on; repositories alone touch collections."""

from collections.abc import Sequence
from typing import Any, ClassVar

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


class Repository:
    """One collection, the indexes its queries need, and get-by-id."""

    collection_name: ClassVar[str]
    # Each index sits here next to the queries below that need it.
    indexes: ClassVar[Sequence[IndexModel]] = ()

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.collection: AsyncCollection[Document] = db[self.collection_name]

    @classmethod
    async def create_indexes(cls, db: AsyncDatabase[Document]) -> list[str]:
        """Create this repository's indexes; safe to run on every start."""
        if not cls.indexes:
            return []
        return await db[cls.collection_name].create_indexes(list(cls.indexes))

    async def get(self, document_id: Any) -> Document | None:
        return await self.collection.find_one({"_id": document_id})

    async def get_many(self, ids: Sequence[Any]) -> list[Document | None]:
        """Documents in the order of ``ids`` (None where missing): the shape DataLoaders need."""
        found = {doc["_id"]: doc async for doc in self.collection.find({"_id": {"$in": list(ids)}})}
        return [found.get(document_id) for document_id in ids]


def parse_object_id(value: str) -> ObjectId | None:
    """An ObjectId from a client string, or None when it is not one (callers answer 'not found')."""
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None
