"""A code typed in search (served from the fields kept beside the index) answers like the
look-up ``procedure(code:)`` and like the database read it replaced, filters and all."""

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.procedures.search_index import PROCEDURE_SEARCH
from tests.conftest import GraphQLClient

FIELDS = "code retired translations { name { vi } result { vi } }"
BY_SEARCH = (
    "query($q: String, $field: String, $level: AdministrativeLevel, $all: Boolean! = false)"
    "{ procedures(search: $q, field: $field, level: $level, includeRetired: $all)"
    f"{{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}"
)
BY_CODE = f"query($code: String!){{ procedure(code: $code){{ {FIELDS} }} }}"


async def _by_search(gql: GraphQLClient, code: str, token: str | None = None, **v: Any) -> Any:
    body = await gql(BY_SEARCH, {"q": code, **v}, token=token)
    assert "errors" not in body, body
    return body["data"]["procedures"]


async def test_code_search_renders_what_the_look_up_renders(
    gql: GraphQLClient, catalogue: int, dev_token: Any
) -> None:
    admin = str(dev_token("admin-review", Role.ADMIN))
    looked_up = await gql(BY_CODE, {"code": "1.001193"}, token=admin)
    searched = await _by_search(gql, "1.001193", token=admin)
    assert looked_up["data"]["procedure"]["translations"]["result"] is not None
    assert searched["edges"] == [{"node": looked_up["data"]["procedure"]}]


async def test_editors_notes_are_not_served(gql: GraphQLClient, catalogue: int) -> None:
    """docs/procedures.md: ``notes`` is stored (1.001193 has some), never served."""
    asked = await gql('query{ procedure(code: "1.001193"){ translations { notes { vi } } } }')
    assert asked["data"] is None and "notes" in asked["errors"][0]["message"], asked


async def test_code_search_filters_like_the_database_read(
    gql: GraphQLClient, catalogue: int
) -> None:
    found = await _by_search(gql, "1.001193")
    assert found["totalCount"] == 1
    assert (await _by_search(gql, "1.001193", field="Hộ tịch"))["totalCount"] == 1
    assert (await _by_search(gql, "1.001193", field="Đất đai"))["totalCount"] == 0
    assert (await _by_search(gql, "1.001193", level="PROVINCE"))["totalCount"] == 0


async def test_a_procedure_another_process_wrote_is_found_by_its_code(
    gql: GraphQLClient,
    catalogue: int,
    db: AsyncDatabase[dict[str, Any]],
    resources: Resources,
) -> None:
    """Another process (``xuthanh import``, another replica) wrote 1.999777 and this replica's
    change feed has not applied it yet (the index's write lock holds the feed back): the look-up
    finds it, and so does code search, from MongoDB."""
    stored = await db["procedures"].find_one({"_id": "1.001193"})
    assert stored is not None
    index = resources.get(PROCEDURE_SEARCH)
    async with index._lock:
        await db["procedures"].insert_one({**stored, "_id": "1.999777", "code": "1.999777"})
        try:
            looked_up = await gql(BY_CODE, {"code": "1.999777"})
            assert looked_up["data"]["procedure"]["code"] == "1.999777"
            assert (await _by_search(gql, "1.999777"))["totalCount"] == 1
        finally:
            await db["procedures"].delete_one({"_id": "1.999777"})


@pytest.mark.parametrize("include_retired", [False, True])
async def test_retired_by_code(
    gql: GraphQLClient,
    catalogue: int,
    dev_token: Any,
    db: AsyncDatabase[dict[str, Any]],
    resources: Resources,
    include_retired: bool,
) -> None:
    admin = str(dev_token("admin-review", Role.ADMIN))
    await db["procedures"].update_one({"_id": "1.000894"}, {"$set": {"retired": True}})
    await resources.get(PROCEDURE_SEARCH).refresh()
    try:
        anonymous = await _by_search(gql, "1.000894")
        assert anonymous["totalCount"] == 0
        as_admin = await _by_search(gql, "1.000894", token=admin, all=include_retired)
        assert as_admin["totalCount"] == (1 if include_retired else 0)
    finally:
        await db["procedures"].update_one({"_id": "1.000894"}, {"$set": {"retired": False}})
        await resources.get(PROCEDURE_SEARCH).refresh()
