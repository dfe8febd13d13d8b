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
