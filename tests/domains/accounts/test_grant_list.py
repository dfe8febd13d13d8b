"""The grants page served from memory: the same pages as the database query, current after a
write in this process at once and after a write elsewhere once the change feed delivers it."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from domains.accounts.grant_list import GRANT_LIST, GrantList
from domains.accounts.repository import GrantRepository
from domains.kernel.auth import Role
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
    listed = GrantList(db)
    await listed.start()
    try:
        await eventually(lambda: listed.built, "the first read")
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
