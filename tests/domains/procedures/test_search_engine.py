"""Procedure search served by the in-process index: ranking, bad input, freshness, readiness."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase
from starlette.applications import Starlette

from domains.kernel.auth import ANONYMOUS, Role
from domains.kernel.caller import Caller
from domains.kernel.resources import Resources
from domains.procedures import service
from domains.procedures.repository import ProcedureStore
from domains.procedures.search_index import PROCEDURE_SEARCH, READINESS_NAME, ProcedureSearch
from tests.conftest import GraphQLClient
from tests.domains.procedures.test_admin import CREATE, RETIRE, new_procedure
from tests.domains.procedures.test_search import SEARCH, codes, search

CIVIL_STATUS_CHANGE = "1.004859"
DRIVING_LICENCE = "3.000347"


async def test_rare_words_outweigh_common_ones(catalogue: int, gql: GraphQLClient) -> None:
    # "thay đổi", "cho" and "con" are everywhere; "họ tên" is what the user is after. The old
    # ranking counted shared terms and put "Đổi giấy phép lái xe" first. (The everyday names
    # are scored as a set of words: the land transfer's many English names, which lengthened
    # the field, no longer move it into the top three.)
    result = await search(gql, "thay đổi họ tên cho con", first=5)
    assert codes(result)[0] == CIVIL_STATUS_CHANGE, codes(result)
    assert DRIVING_LICENCE not in codes(result)[:3]
    unaccented = await search(gql, "thay doi ho ten cho con", first=5)
    assert codes(unaccented)[0] == CIVIL_STATUS_CHANGE


async def test_everyday_names_find_their_procedure(catalogue: int, gql: GraphQLClient) -> None:
    # How citizens call procedures (data/synonyms.json), typed with accents or without, and
    # the English of expats: none of these shares a rare word with the official name.
    everyday = {
        "báo tử": "1.000656",
        "mat can cuoc": "2.001194",
        "sửa giấy khai sinh": "1.004859",
        "renew my driving licence": "3.000347",
        "tach khau": "1.010038",
    }
    for text, code in everyday.items():
        assert codes(await search(gql, text, first=3))[0] == code, text


async def test_over_long_search_is_bad_user_input_naming_search(
    catalogue: int, gql: GraphQLClient
) -> None:
    body = await gql(SEARCH, {"search": "khai sinh " * 30})
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "search"
    assert "shorten" in error["message"] and "200" in error["message"]
    # Exactly at the limit is accepted.
    body = await gql(SEARCH, {"search": ("khai sinh " * 20)[:200]})
    assert "errors" not in body


@pytest.mark.parametrize(
    "text",
    [
        '"khai sinh"',
        "khai:sinh",
        "name:khai sinh",
        "khai* sinh",
        "(khai sinh",
        "-khai sinh",
        "khai sinh AND OR NOT",
        "khai~ sinh^3",
        "khai sinh [1 TO 2]",
        "khai \\ sinh /",
        "khai sinh {}",
    ],
)
async def test_query_syntax_characters_are_text(
    catalogue: int, gql: GraphQLClient, text: str
) -> None:
    result = await search(gql, text, first=3)
    assert codes(result)[0] == "1.001193", codes(result)


@pytest.mark.parametrize("text", ['"', ":", "*", "(", "-", "~", "!!!", "AND"])
async def test_punctuation_only_never_fails(catalogue: int, gql: GraphQLClient, text: str) -> None:
    body = await gql(SEARCH, {"search": text, "first": 3})
    assert "errors" not in body, body


async def test_the_service_exposes_score_and_margin(
    catalogue: int, db: AsyncDatabase[dict[str, Any]], resources: Resources
) -> None:
    page = await service.search_procedures(
        caller=Caller(ProcedureStore.of(resources), ANONYMOUS),
        index=resources.get(PROCEDURE_SEARCH),
        search="đăng ký khai sinh",
        first=5,
    )
    scores = [item["score"] for item in page.items]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert all(0.0 <= item["margin"] <= 1.0 for item in page.items)
    assert page.items[0]["_id"] == "1.001193"
    assert "searchTerms" not in page.items[0]


async def test_ranked_cursors_are_positions(catalogue: int, gql: GraphQLClient) -> None:
    first = await search(gql, "giay phep", first=2)
    second = await search(gql, "giay phep", first=2, after=first["pageInfo"]["endCursor"])
    both = await search(gql, "giay phep", first=4)
    assert codes(first) + codes(second) == codes(both)
    # A browsing cursor is not a search cursor (and the reverse).
    browse = await search(gql, None, first=2)
    body = await gql(SEARCH, {"search": "giay phep", "after": browse["pageInfo"]["endCursor"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql(SEARCH, {"search": None, "after": first["pageInfo"]["endCursor"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # Nor does a cursor of one search continue another.
    body = await gql(SEARCH, {"search": "khai sinh", "after": first["pageInfo"]["endCursor"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_retired_procedures_are_not_found(
    catalogue: int, gql: GraphQLClient, dev_token: Any
) -> None:
    admin = dev_token("admin-search", Role.ADMIN)
    before = await search(gql, "dang ky ket hon", first=5)
    assert codes(before)[0] == "1.000894"
    body = await gql(RETIRE, {"code": "1.000894"}, token=admin)
    assert body["data"]["retireProcedure"]["retired"] is True
    after = await search(gql, "dang ky ket hon", first=50)
    assert "1.000894" not in codes(after)
    assert after["totalCount"] == before["totalCount"] - 1
    listed = await gql(
        'query{ procedures(search: "dang ky ket hon", includeRetired: true, first: 3)'
        "{ edges { node { code } } } }",
        token=admin,
    )
    assert listed["data"]["procedures"]["edges"][0]["node"]["code"] == "1.000894"
    await gql(RETIRE, {"code": "1.000894", "retired": False}, token=admin)
    assert codes(await search(gql, "dang ky ket hon", first=1)) == ["1.000894"]


async def test_a_write_elsewhere_reaches_the_index_through_the_feed(
    catalogue: int, db: AsyncDatabase[dict[str, Any]], gql: GraphQLClient
) -> None:
    # Written straight to MongoDB (as another process or `xuthanh import-procedures` would):
    # the change feed brings it; a deleted procedure leaves the index.
    stored = await db["procedures"].find_one({"_id": "1.001193"})
    assert stored is not None
    copy = {**stored, "_id": "1.999777", "code": "1.999777"}
    copy["name"] = {"vi": "Cấp giấy chứng nhận nuôi tằm thử nghiệm", "en": "Silkworm trial"}
    await db["procedures"].insert_one(copy)
    await until(gql, "nuoi tam thu nghiem", lambda found: found[:1] == ["1.999777"])
    await db["procedures"].delete_one({"_id": "1.999777"})
    await until(gql, "nuoi tam thu nghiem", lambda found: "1.999777" not in found)


async def until(gql: GraphQLClient, text: str, condition: Callable[[list[str]], bool]) -> int:
    """Poll until the codes found for ``text`` meet ``condition``; the attempts it took."""
    found: list[str] = []
    for attempt in range(1, 201):  # 200 × 50 ms: fail after about 10 s
        found = codes(await search(gql, text, first=10))
        if condition(found):
            return attempt
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} still gives {found}")


async def test_readyz_waits_for_the_search_index(
    app: Starlette, http: httpx.AsyncClient, db: AsyncDatabase[dict[str, Any]], resources: Resources
) -> None:
    await resources.get(PROCEDURE_SEARCH).wait_built()
    assert (await http.get("/readyz")).status_code == 200
    # A second index whose build is held: /readyz says why it is not ready until it is built.
    hold = asyncio.Event()
    held = ProcedureSearch(db, readiness=resources.readiness, hold=hold)
    await held.start()
    try:
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "mongodb": "ok",
            READINESS_NAME: "building",
        }
        await asyncio.sleep(0.1)
        assert (await http.get("/readyz")).status_code == 503 and not held.built
        hold.set()
        await held.wait_built()
        assert held.built and len(held.index) == len(resources.get(PROCEDURE_SEARCH).index)
        response = await http.get("/readyz")
        assert response.status_code == 200 and response.json()["status"] == "ready"
    finally:
        await held.stop()


async def test_admin_write_is_searchable_at_once(gql: GraphQLClient, dev_token: Any) -> None:
    admin = dev_token("admin-now", Role.ADMIN)
    name = {"vi": "Cấp phép nuôi cá tầm thử nghiệm", "en": "Sturgeon trial licence"}
    body = await gql(CREATE, {"input": new_procedure("1.999321", name=name)}, token=admin)
    assert body["data"]["createProcedure"]["code"] == "1.999321"
    # No wait: the API applied the write to its own index before answering.
    assert codes(await search(gql, "nuoi ca tam", first=1)) == ["1.999321"]
