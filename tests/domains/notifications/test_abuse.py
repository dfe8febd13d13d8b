"""registerDevice is limited per user and per address, in MongoDB so that every replica counts
the same registrations; a user keeps their newest devices only."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from domains.kernel.rate_limit import Limit
from domains.kernel.types import Database
from domains.notifications import service
from tests.conftest import GraphQLClient

REGISTER = """
mutation($input: RegisterDeviceInput!) {
  registerDevice(input: $input) {
    __typename
    ... on Device { tokenSuffix }
    ... on RateLimitExceeded { code retryAfterSeconds }
  }
}"""


def device(n: int | str) -> dict[str, Any]:
    token = f"fcm-abuse-{n}-abcdefghijklmnopqrstuvwxyz0123456789"
    return {"input": {"token": token, "platform": "ANDROID", "locale": "VI", "appVersion": "1"}}


@pytest.fixture(scope="module")
async def other_replica(settings: Settings, app: Starlette) -> AsyncIterator[Starlette]:
    """A second API process on the same database (its own memory, locks and limits)."""
    replica = create_app(settings)
    async with replica.router.lifespan_context(replica):
        yield replica


def client(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_user_registering_too_often_is_refused_on_every_replica(
    gql: GraphQLClient, other_replica: Starlette, dev_token: Any, db: Database
) -> None:
    token = dev_token("script-user")
    limit = service.REGISTRATIONS_PER_USER.count
    async with client(other_replica, "10.0.0.9") as http:
        replica = GraphQLClient(http)
        for n in range(limit):
            ask = gql if n % 2 else replica
            body = await ask(REGISTER, device(f"u{n}"), token=token)
            assert body["data"]["registerDevice"]["__typename"] == "Device", body
        for ask in (gql, replica):
            refused = (await ask(REGISTER, device("u-more"), token=token))["data"]
            assert refused["registerDevice"]["code"] == "RATE_LIMITED"
            assert refused["registerDevice"]["retryAfterSeconds"] > 0
    # Someone else is not held back by it.
    body = await gql(REGISTER, device("other"), token=dev_token("someone-else"))
    assert body["data"]["registerDevice"]["__typename"] == "Device"
    # Of the registered devices the user keeps the newest ones.
    kept = await db["devices"].count_documents({"userId": "script-user"})
    assert kept == service.MAX_DEVICES_PER_USER


async def test_anonymous_registrations_are_limited_per_address(
    app: Starlette, other_replica: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = Limit("device registrations from this address", 3, timedelta(hours=1))
    monkeypatch.setattr(service, "REGISTRATIONS_PER_ADDRESS", small)
    async with client(app, "203.0.113.7") as one, client(other_replica, "203.0.113.7") as two:
        answers = []
        for n in range(4):
            body = await GraphQLClient(one if n % 2 else two)(REGISTER, device(f"a{n}"))
            answers.append(body["data"]["registerDevice"]["__typename"])
        assert answers == ["Device", "Device", "Device", "RateLimitExceeded"]
    async with client(app, "198.51.100.4") as elsewhere:
        body = await GraphQLClient(elsewhere)(REGISTER, device("b"))
        assert body["data"]["registerDevice"]["__typename"] == "Device"


async def test_with_app_check_on_only_the_genuine_app_registers(
    gql: GraphQLClient, resources: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domains.notifications.ports import APP_CHECK

    class Verifier:
        async def verify(self, token: str) -> bool:
            return token == "genuine-app-check-token"

    monkeypatch.setitem(resources.components, APP_CHECK.name, Verifier())
    without = await gql(REGISTER, device("check-1"))
    assert without["errors"][0]["extensions"]["code"] == "APP_CHECK_FAILED"
    forged = await gql(REGISTER, device("check-2"), headers={"X-Firebase-AppCheck": "forged"})
    assert forged["errors"][0]["extensions"]["code"] == "APP_CHECK_FAILED"
    genuine = await gql(
        REGISTER, device("check-3"), headers={"X-Firebase-AppCheck": "genuine-app-check-token"}
    )
    assert genuine["data"]["registerDevice"]["__typename"] == "Device"
