"""Replicas start together on a fresh database: index creation that loses the race to another
process carries on (the replica test found a worker exiting on IndexKeySpecsConflict)."""

from typing import Any

from pymongo import GEOSPHERE, IndexModel

from domains.kernel.repository import Repository


class Places(Repository):
    collection_name = "race_places"
    indexes = (
        IndexModel([("area", GEOSPHERE)], name="area_2dsphere"),
        IndexModel([("code", 1)], name="code_1"),
    )


async def test_an_index_created_meanwhile_by_another_process_is_no_error(db: Any) -> None:
    await Places.create_indexes(db)  # the other process, first
    stale = [True]
    real = Places._missing_indexes.__func__  # type: ignore[attr-defined]

    async def listed_before_the_other_process(cls: Any, collection: Any) -> list[IndexModel]:
        if stale.pop() if stale else False:
            return list(cls.indexes)  # what this process saw before the other created them
        result: list[IndexModel] = await real(cls, collection)
        return result

    Places._missing_indexes = classmethod(listed_before_the_other_process)  # type: ignore[method-assign,assignment]
    try:
        assert await Places.create_indexes(db) == ["area_2dsphere", "code_1"]
    finally:
        del Places._missing_indexes
    names = {index["name"] async for index in await db["race_places"].list_indexes()}
    assert names == {"_id_", "area_2dsphere", "code_1"}
