"""The process's change feeds as live updates use them: one feed per collection, watchers woken
by the key of a change only."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.change_feed import ChangeEvent
from domains.kernel.live import ChangeFeeds, Wakeup


def owner(event: ChangeEvent) -> Any:
    return event.document.get("owner") if event.document else None


@pytest.fixture(scope="module")
async def database(mongo_uri: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    name = f"t_live_{uuid.uuid4().hex[:8]}"
    try:
        yield mongo[name]
    finally:
        await mongo.drop_database(name)
        await mongo.close()


async def test_a_change_wakes_the_watchers_of_its_key_only(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    feeds = ChangeFeeds(database, max_await_ms=100)
    alice, bob, alice_again = Wakeup(), Wakeup(), Wakeup()
    try:
        async with (
            feeds.watching(alice, "items", owner, "alice"),
            feeds.watching(bob, "items", owner, "bob"),
            feeds.watching(alice_again, "items", owner, "alice"),
        ):
            assert len(feeds._feeds) == 1  # one feed for the collection, whoever watches it
            for wakeup in (alice, bob, alice_again):
                wakeup.clear()  # the feed's first load woke whoever watched already
            await database["items"].insert_one({"owner": "alice"})
            async with asyncio.timeout(30):
                await alice.wait()
                await alice_again.wait()
            # Both of alice's watchers were woken by the same delivery, bob's was not.
            assert not bob.is_set
            await database["items"].delete_many({})  # no document: everyone re-reads
            async with asyncio.timeout(30):
                await bob.wait()
    finally:
        await feeds.stop()
