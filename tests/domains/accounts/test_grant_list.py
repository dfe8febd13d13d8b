"""The grants in memory: the grants page gives the same pages as the database query, current after
a write in this process at once and after a write elsewhere once the change feed delivers it; and
sign-in takes a user's roles from it only while the feed is current, so a role revoked through
one replica stops working in another, at once when that one's feed is down."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from domains.accounts.grant_list import FRESH_FOR, GRANT_LIST, NOT_CURRENT, GrantList
from domains.accounts.repository import GrantRepository
from domains.kernel.auth import Role
from domains.kernel.live import ChangeFeeds, change_feeds
from domains.kernel.pagination import Page
from domains.kernel.resources import Resources
from tests.conftest import GraphQLClient

ROLES = (["hospital_staff"], ["school_staff"], ["admin"], ["hospital_staff", "admin"], [])


async def eventually(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def walk(read: Callable[[str | None], Awaitable[Page[Any]]]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    after = None
    while True:
        page = await read(after)
        rows += [
            (item["_id"], cursor) for item, cursor in zip(page.items, page.cursors, strict=True)
        ]
        if not page.has_next_page:
            return rows
        after = page.cursors[-1]


async def test_pages_from_memory_are_the_database_pages_and_follow_other_writers(
    db: Any,
) -> None:
    now = datetime.now(UTC)
    await db["grants"].insert_many(
        [
            {
                "_id": f"user-{i:03d}",
                "roles": ROLES[i % len(ROLES)],
                "hospitalIds": [],
                "schoolIds": [],
                "updatedAt": now,
                "updatedBy": "test",
            }
            for i in range(40)
        ]
    )
    feeds = ChangeFeeds(db)
    skew = [0.0]  # how far the list's clock is ahead of the feed's
    listed = GrantList(db, feeds, clock=lambda: time.monotonic() + skew[0])
    await listed.start()
    try:
        await eventually(lambda: listed.grant_if_current("user-000") is not NOT_CURRENT, "current")
        assert listed.built
        # The feed has not confirmed it is current for longer than FRESH_FOR: not trusted.
        skew[0] = FRESH_FOR + 1
        assert listed.grant_if_current("user-000") is NOT_CURRENT
        skew[0] = 0.0
        repository = GrantRepository(db)
        for role in (None, "admin", "school_staff"):

            async def from_memory(after: str | None, role: str | None = role) -> Page[Any]:
                return listed.page(role=role, first=7, after=after)

            async def from_database(after: str | None, role: str | None = role) -> Page[Any]:
                return await repository.page(role=role, first=7, after=after)

            assert await walk(from_memory) == await walk(from_database)
            first = listed.page(role=role, first=7, after=None)
            assert (
                await first.count_total()
                == await (await repository.page(role=role, first=7, after=None)).count_total()
            )

        # Another replica grants and revokes: this one follows through the change feed.
        await db["grants"].insert_one({**{"_id": "user-new", "roles": ["admin"]}, "updatedAt": now})
        await db["grants"].update_one({"_id": "user-000"}, {"$set": {"roles": ["admin"]}})
        await db["grants"].update_one({"_id": "user-003"}, {"$set": {"roles": []}})

        def admins() -> list[str]:
            return [g["_id"] for g in listed.page(role="admin", first=100, after=None).items]

        await eventually(
            lambda: (
                "user-new" in admins() and "user-000" in admins() and "user-003" not in admins()
            ),
            "the other replica's writes",
        )
    finally:
        await listed.stop()
        await feeds.stop()


async def test_the_list_stays_current_while_other_collections_are_written_without_pause(
    db: Any,
) -> None:
    # Bookings or a broadcast write other watched collections all the time; sign-in must keep
    # trusting the list (a shared stream busy with their events would never confirm grants).
    feeds = ChangeFeeds(db)
    slots: list[Any] = []

    async def follow(event: Any) -> None:
        slots.append(event)

    feeds.subscribe("busy_slots", follow)
    listed = GrantList(db, feeds)
    await listed.start()
    writing = True

    async def write_without_pause() -> None:
        count = 0
        while writing:
            await db["busy_slots"].insert_one({"n": count})
            count += 1

    writer = asyncio.create_task(write_without_pause())
    try:
        await eventually(lambda: len(slots) > 5, "the other collection's writes followed")
        started = time.monotonic()
        grants = feeds.feed("grants", own_stream=True)
        await eventually(
            lambda: (grants.heard_at or 0.0) > started and len(slots) > 20,
            "the grants feed confirmed current while the writes go on",
            seconds=60,
        )
        assert not writer.done()
        assert listed.grant_if_current("nobody") is None
    finally:
        writing = False
        await writer
        await listed.stop()
        await feeds.stop()


async def test_a_grant_made_here_is_listed_at_once(
    gql: GraphQLClient, dev_token: Any, resources: Resources
) -> None:
    listed = resources.get(GRANT_LIST)
    await eventually(lambda: listed.built, "the app's first read")
    admin = dev_token("admin-1", Role.ADMIN)
    granted = await gql(
        'mutation { grantRole(uid: "teacher-77", role: SCHOOL_STAFF, schoolId: "s-1") '
        "{ __typename } }",
        token=admin,
    )
    assert granted["data"]["grantRole"]["__typename"] == "Grant"
    body = await gql("{ grants(role: SCHOOL_STAFF) { nodes { uid } } }", token=admin)
    assert {"uid": "teacher-77"} in body["data"]["grants"]["nodes"]


ADMIN_ONLY = "{ grants(first: 1) { nodes { uid } } }"
GRANT = 'mutation { grantRole(uid: "deputy-1", role: ADMIN) { __typename } }'
REVOKE = 'mutation { revokeRole(uid: "deputy-1", role: ADMIN) { __typename } }'


@pytest.fixture(scope="module")
async def replica(settings: Settings) -> AsyncIterator[Starlette]:
    """A second app process on the same database (its own client, feeds and grants)."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def allowed(replica: Starlette, token: str) -> bool:
    """Whether the replica lets ``token``'s user read an admin-only list."""
    transport = httpx.ASGITransport(app=replica, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
        headers = {"Authorization": f"Bearer {token}"}
        response = await client.post("/graphql", json={"query": ADMIN_ONLY}, headers=headers)
    body = response.json()
    if "errors" in body:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        return False
    return True


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + 20
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_a_role_revoked_through_one_replica_stops_working_in_another(
    gql: GraphQLClient, dev_token: Any, replica: Starlette
) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    deputy = dev_token("deputy-1")  # no role in the token: only what is granted
    grants = replica.state.runtime.resources.get(GRANT_LIST)
    await eventually(lambda: grants.grant_if_current("deputy-1") is not NOT_CURRENT, "current")
    assert not await allowed(replica, deputy)

    assert (await gql(GRANT, token=admin))["data"]["grantRole"]["__typename"] == "Grant"
    await until(lambda: allowed(replica, deputy), "the grant in the replica")
    # Served from the replica's copy, kept by its change feed.
    granted = grants.grant_if_current("deputy-1")
    assert isinstance(granted, dict) and granted["roles"] == ["admin"]

    assert (await gql(REVOKE, token=admin))["data"]["revokeRole"]["__typename"] == "Grant"

    async def refused() -> bool:
        return not await allowed(replica, deputy)

    await until(refused, "the revocation in the replica")


async def test_with_its_feed_down_a_replica_reads_the_grant_at_once(
    gql: GraphQLClient, dev_token: Any, replica: Starlette, db: Any
) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    deputy = dev_token("deputy-1")
    resources = replica.state.runtime.resources
    grants = resources.get(GRANT_LIST)
    assert (await gql(GRANT, token=admin))["data"]["grantRole"]["__typename"] == "Grant"
    await until(lambda: allowed(replica, deputy), "the grant in the replica")

    await change_feeds(resources).feed("grants").stop()  # the replica hears no more changes
    assert grants.grant_if_current("deputy-1") is NOT_CURRENT
    await db["grants"].update_one({"_id": "deputy-1"}, {"$set": {"roles": []}})
    assert not await allowed(replica, deputy)  # read from MongoDB: no wait
