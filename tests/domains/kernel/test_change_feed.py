"""The change feed against the real (embedded) database: load, follow, resume, reload, stop."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.change_feed import ChangeEvent, ChangeFeed, ChangeOperation

# Only a failure guard: every wait below ends as soon as its condition holds.
TIMEOUT = 30.0
APP_NAME = "change-feed-test"


class Mirror:
    """A subscriber keeping a copy of the collection, as a search index does."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection
        self.documents: dict[Any, dict[str, Any]] = {}
        self.events: list[ChangeEvent] = []
        self.resets = 0
        self.during_load: Callable[[], Any] | None = None
        self._changed = asyncio.Condition()

    async def on_reset(self) -> None:
        self.documents = {row["_id"]: row async for row in self.collection.find()}
        if self.during_load is not None:
            await self.during_load()
        self.resets += 1
        await self._notify()

    async def on_change(self, event: ChangeEvent) -> None:
        self.events.append(event)
        if event.document is None:
            self.documents.pop(event.document_id, None)
        else:
            self.documents[event.document_id] = event.document
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), TIMEOUT)

    async def until_same_as_collection(self) -> None:
        async def current() -> dict[Any, dict[str, Any]]:
            return {row["_id"]: row async for row in self.collection.find()}

        expected = await current()
        await self.until(lambda: self.documents == expected)


@pytest.fixture(scope="module")
async def database(mongo_uri: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, appname=APP_NAME)
    name = f"t_change_feed_{uuid.uuid4().hex[:8]}"
    try:
        yield mongo[name]
    finally:
        await mongo.drop_database(name)
        await mongo.close()


@pytest.fixture
def collection(database: AsyncDatabase[dict[str, Any]]) -> AsyncCollection[dict[str, Any]]:
    return database[f"items_{uuid.uuid4().hex[:8]}"]


async def fail_feed_commands(
    admin: AsyncMongoClient[dict[str, Any]], commands: list[str], code: int, times: int
) -> None:
    await admin.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"times": times},
            "data": {"failCommands": commands, "errorCode": code, "appName": APP_NAME},
        }
    )


@pytest.fixture
async def feed_and_mirror(
    collection: AsyncCollection[dict[str, Any]],
) -> AsyncIterator[tuple[ChangeFeed, Mirror]]:
    await collection.insert_many([{"_id": n, "name": f"item {n}"} for n in range(3)])
    feed = ChangeFeed(collection, max_await_ms=100)
    mirror = Mirror(collection)
    feed.subscribe(mirror.on_change, mirror.on_reset)
    feed.start()
    await asyncio.wait_for(feed.wait_ready(), TIMEOUT)
    try:
        yield feed, mirror
    finally:
        await feed.stop()


async def test_initial_load_then_every_kind_of_change(
    feed_and_mirror: tuple[ChangeFeed, Mirror], collection: AsyncCollection[dict[str, Any]]
) -> None:
    feed, mirror = feed_and_mirror
    assert mirror.resets == 1
    assert set(mirror.documents) == {0, 1, 2}
    await collection.insert_one({"_id": 10, "name": "new"})
    await collection.update_one({"_id": 0}, {"$set": {"name": "renamed"}})
    await collection.replace_one({"_id": 1}, {"name": "replaced"})
    await collection.delete_one({"_id": 2})
    await mirror.until(lambda: len(mirror.events) == 4)
    assert [event.operation for event in mirror.events] == [
        ChangeOperation.INSERT,
        ChangeOperation.UPDATE,
        ChangeOperation.REPLACE,
        ChangeOperation.DELETE,
    ]
    assert mirror.events[1].document == {"_id": 0, "name": "renamed"}
    assert mirror.events[3].document is None
    assert mirror.documents == {
        0: {"_id": 0, "name": "renamed"},
        1: {"_id": 1, "name": "replaced"},
        10: {"_id": 10, "name": "new"},
    }
    assert feed.resume_token is not None


async def test_a_write_during_the_initial_load_is_not_missed(
    collection: AsyncCollection[dict[str, Any]],
) -> None:
    await collection.insert_one({"_id": "before"})
    feed = ChangeFeed(collection, max_await_ms=100)
    mirror = Mirror(collection)

    async def write_after_reading() -> None:
        mirror.during_load = None
        await collection.insert_one({"_id": "during"})

    mirror.during_load = write_after_reading
    feed.subscribe(mirror.on_change, mirror.on_reset)
    feed.start()
    try:
        await mirror.until(lambda: "during" in mirror.documents)
        assert set(mirror.documents) == {"before", "during"}
        assert mirror.resets == 1
    finally:
        await feed.stop()


async def test_a_lost_stream_resumes_from_its_token_without_reloading(
    feed_and_mirror: tuple[ChangeFeed, Mirror],
    collection: AsyncCollection[dict[str, Any]],
    admin: AsyncMongoClient[dict[str, Any]],
) -> None:
    feed, mirror = feed_and_mirror
    # Enough failures that the driver's own single retry gives up and the feed must resume.
    await fail_feed_commands(admin, ["getMore", "aggregate"], code=6, times=3)
    await collection.insert_one({"_id": "while-failing"})
    await mirror.until(lambda: "while-failing" in mirror.documents)
    await collection.insert_one({"_id": "after"})
    await mirror.until(lambda: "after" in mirror.documents)
    await mirror.until_same_as_collection()
    assert mirror.resets == 1
    assert feed.resumes >= 1
    delivered = [event.document_id for event in mirror.events]
    assert delivered.count("while-failing") == 1


async def test_a_stream_that_cannot_resume_reloads_the_subscribers(
    feed_and_mirror: tuple[ChangeFeed, Mirror],
    collection: AsyncCollection[dict[str, Any]],
    admin: AsyncMongoClient[dict[str, Any]],
) -> None:
    feed, mirror = feed_and_mirror
    # 286: ChangeStreamHistoryLost, the token points before the oldest retained change.
    await fail_feed_commands(admin, ["getMore"], code=286, times=1)
    await collection.insert_one({"_id": "lost"})
    await mirror.until(lambda: mirror.resets == 2)
    await collection.update_one({"_id": 0}, {"$set": {"name": "after reload"}})
    await mirror.until(lambda: mirror.documents.get(0, {}).get("name") == "after reload")
    await mirror.until_same_as_collection()
    assert feed.resets == 2


async def test_a_dropped_collection_reloads_the_subscribers(
    feed_and_mirror: tuple[ChangeFeed, Mirror], collection: AsyncCollection[dict[str, Any]]
) -> None:
    _, mirror = feed_and_mirror
    await collection.drop()
    await mirror.until(lambda: mirror.resets == 2)
    assert mirror.documents == {}
    await collection.insert_one({"_id": "reborn"})
    await mirror.until(lambda: "reborn" in mirror.documents)


async def test_a_stored_token_resumes_and_an_invalid_one_reloads(
    collection: AsyncCollection[dict[str, Any]],
) -> None:
    stream = await collection.watch()
    token = stream.resume_token
    await stream.close()
    assert token is not None
    await collection.insert_one({"_id": "missed while down"})

    resumed = ChangeFeed(collection, resume_token=token, max_await_ms=100)
    mirror = Mirror(collection)
    resumed.subscribe(mirror.on_change, mirror.on_reset)
    resumed.start()
    try:
        await mirror.until(lambda: "missed while down" in mirror.documents)
        assert mirror.resets == 0
    finally:
        await resumed.stop()

    invalid = ChangeFeed(collection, resume_token={"_data": "00"}, max_await_ms=100)
    reloaded = Mirror(collection)
    invalid.subscribe(reloaded.on_change, reloaded.on_reset)
    invalid.start()
    try:
        await asyncio.wait_for(invalid.wait_ready(), TIMEOUT)
        assert reloaded.resets == 1
        assert "missed while down" in reloaded.documents
    finally:
        await invalid.stop()


async def test_a_failing_subscriber_is_reloaded_and_others_are_unaffected(
    feed_and_mirror: tuple[ChangeFeed, Mirror], collection: AsyncCollection[dict[str, Any]]
) -> None:
    feed, mirror = feed_and_mirror
    broken = Mirror(collection)

    async def fail_once(event: ChangeEvent) -> None:
        feed.unsubscribe(subscription)
        feed.subscribe(broken.on_change, broken.on_reset)
        raise RuntimeError("bug in a subscriber")

    subscription = feed.subscribe(fail_once, broken.on_reset)
    await collection.insert_one({"_id": "x"})
    await broken.until(lambda: broken.resets == 1)
    assert "x" in broken.documents
    await mirror.until(lambda: "x" in mirror.documents)
    await collection.insert_one({"_id": "y"})
    await broken.until(lambda: "y" in broken.documents)


async def test_stop_ends_the_feed_cleanly(collection: AsyncCollection[dict[str, Any]]) -> None:
    feed = ChangeFeed(collection, max_await_ms=100)
    task = feed.start()
    await asyncio.wait_for(feed.wait_ready(), TIMEOUT)
    await feed.stop()
    assert task.done()
    assert task.cancelled()
    await feed.stop()
