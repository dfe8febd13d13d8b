"""Index creation runs at every start: it must be idempotent, 2dsphere included."""

from typing import Any

import pytest
from pymongo import GEOSPHERE, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.repository import Repository


class Places(Repository):
    collection_name = "repository_probe"
    indexes = (
        IndexModel([("location", GEOSPHERE)]),
        IndexModel([("district", 1), ("_id", 1)], name="district_page"),
    )


async def test_creating_indexes_twice_is_harmless(db: AsyncDatabase[dict[str, Any]]) -> None:
    assert await Places.create_indexes(db) == ["location_2dsphere", "district_page"]
    assert await Places.create_indexes(db) == ["location_2dsphere", "district_page"]
    names = {index["name"] async for index in await db["repository_probe"].list_indexes()}
    assert {"location_2dsphere", "district_page"} <= names


async def test_an_index_name_reused_for_other_keys_is_reported(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    class Renamed(Repository):
        collection_name = "repository_probe"
        indexes = (IndexModel([("name", 1)], name="district_page"),)

    await Places.create_indexes(db)
    with pytest.raises(RuntimeError, match="district_page exists with keys"):
        await Renamed.create_indexes(db)


class _NoDocumentAfterUpsert:
    """A collection whose upserts are applied but answered with no document, as SecantusDB
    answers an upsert that raced another one on the same new key."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    async def find_one_and_update(self, *args: Any, **kwargs: Any) -> None:
        await self._collection.find_one_and_update(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


class Windows(Repository):
    collection_name = "repository_windows"


async def test_an_upsert_answered_without_its_document_is_read_back(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    windows = Windows(db)
    windows.collection = _NoDocumentAfterUpsert(windows.collection)  # type: ignore[assignment]
    counts = [
        (await windows.upsert_returning({"_id": "chat|ip|1"}, {"$inc": {"count": 1}}))["count"]
        for _ in range(3)
    ]
    assert counts == [1, 2, 3]
    projected = await windows.upsert_returning(
        {"_id": "chat|ip|2"}, {"$setOnInsert": {"count": 0}}, projection={"_id": 1}
    )
    assert projected == {"_id": "chat|ip|2"}
