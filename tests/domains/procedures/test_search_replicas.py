"""Two API instances on one database: a write through one is soon found by the other's search."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from domains.kernel.auth import Role
from tests.conftest import GraphQLClient
from tests.domains.procedures.test_admin import CREATE, RETIRE, UPDATE, new_procedure
from tests.domains.procedures.test_search import codes, search

ATTEMPTS = 200  # × 50 ms: a replica that has not caught up after about 10 s fails the test


@pytest.fixture(scope="module")
async def replica(app: Starlette, settings: Settings) -> AsyncIterator[GraphQLClient]:
    """A second app instance (its own client, index and change feed) on the same database."""
    other = create_app(settings)
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other, client=("127.0.0.1", 50001))
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
            for _ in range(ATTEMPTS):
                if (await client.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.05)
            yield GraphQLClient(client)


async def until(replica: GraphQLClient, text: str, expected: list[str]) -> float:
    """Seconds until ``replica``'s top hits for ``text`` are ``expected``; fails after ~10 s."""
    started = time.monotonic()
    found: list[str] = []
    for _ in range(ATTEMPTS):
        found = codes(await search(replica, text, first=len(expected) or 1))
        if found == expected:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"the replica still finds {found} for {text!r}, not {expected}")


async def test_writes_through_one_instance_reach_the_other(
    gql: GraphQLClient, replica: GraphQLClient, dev_token: Any
) -> None:
    admin = dev_token("admin-replica", Role.ADMIN)
    name = {"vi": "Cấp phép nuôi chim công thử nghiệm", "en": "Peacock trial licence"}
    created = await gql(CREATE, {"input": new_procedure("1.999501", name=name)}, token=admin)
    assert created["data"]["createProcedure"]["code"] == "1.999501"
    # At once in the writing instance, soon in the other.
    assert codes(await search(gql, "nuoi chim cong", first=1)) == ["1.999501"]
    assert await until(replica, "nuoi chim cong", ["1.999501"]) < 10

    renamed = {"name": {"vi": "Cấp phép nuôi đà điểu thử nghiệm"}}
    body = await gql(UPDATE, {"code": "1.999501", "patch": renamed}, token=admin)
    assert body["data"]["updateProcedure"]["code"] == "1.999501"
    await until(replica, "nuoi da dieu", ["1.999501"])
    await until(replica, "chim cong", [])  # the old name's own words are gone

    body = await gql(RETIRE, {"code": "1.999501"}, token=admin)
    assert body["data"]["retireProcedure"]["retired"] is True
    await until(replica, "nuoi da dieu", [])
