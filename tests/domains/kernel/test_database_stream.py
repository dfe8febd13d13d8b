"""Feeds sharing one database-level change stream keep a feed's contract: load, follow, a late
joiner, resume, reload (all feeds, or a dropped collection's only), stop."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect

from domains.kernel.change_feed import ChangeFeed
from domains.kernel.database_stream import DatabaseStream
from tests.domains.kernel.test_change_feed import APP_NAME, TIMEOUT, Mirror, fail_feed_commands


async def polled_until(predicate: Callable[[], bool]) -> None:
    async def polled() -> None:
        while not predicate():  # noqa: ASYNC110 (set by the stream's own tasks)
            await asyncio.sleep(0.01)

    await asyncio.wait_for(polled(), TIMEOUT)


@pytest.fixture
async def database(mongo_uri: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, appname=APP_NAME)
    name = f"t_db_stream_{uuid.uuid4().hex[:8]}"
    try:
        yield mongo[name]
    finally:
        await mongo.drop_database(name)
        await mongo.close()


async def follow(stream: DatabaseStream, database: Any, name: str) -> tuple[ChangeFeed, Mirror]:
    feed, mirror = ChangeFeed(database[name], stream=stream), Mirror(database[name])
    feed.subscribe(mirror.on_change, mirror.on_reset)
    feed.start()
    await asyncio.wait_for(feed.wait_ready(), TIMEOUT)
    return feed, mirror


@pytest.fixture
async def two(
    database: AsyncDatabase[dict[str, Any]],
) -> AsyncIterator[tuple[DatabaseStream, list[ChangeFeed], list[Mirror]]]:
    for name in ("a", "b"):
        await database[name].insert_many([{"_id": n, "name": f"{name}{n}"} for n in range(2)])
    stream = DatabaseStream(database, max_await_ms=100)
    followed = [await follow(stream, database, name) for name in ("a", "b")]
    try:
        yield stream, [feed for feed, _ in followed], [mirror for _, mirror in followed]
    finally:
        await stream.stop()


async def test_each_feed_loads_then_gets_its_own_collections_changes_only(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    _, feeds, (a, b) = two
    assert (a.resets, b.resets) == (1, 1) and set(a.documents) == set(b.documents) == {0, 1}
    await database["unwatched"].insert_one({"_id": "elsewhere"})
    await database["a"].insert_one({"_id": "new"})
    await database["b"].update_one({"_id": 0}, {"$set": {"name": "changed"}})
    await database["a"].delete_one({"_id": 1})
    await a.until(lambda: set(a.documents) == {0, "new"})
    await b.until(lambda: b.documents[0]["name"] == "changed")
    assert [e.document_id for e in a.events] == ["new", 1]
    assert [e.document_id for e in b.events] == [0]
    assert feeds[0].resume_token == feeds[1].resume_token is not None
    # Heard once the stream next answers that there is nothing more, which may come after the
    # mirrors are current (a fresh-clone CI run asserted it at once and found None).
    await polled_until(lambda: all(feed.heard_at is not None for feed in feeds))


async def test_a_late_feed_on_a_new_collection_loads_without_reloading_the_others(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    stream, _, (a, _) = two
    await database["c"].insert_one({"_id": "before"})
    _, c = await follow(stream, database, "c")
    second_a, a2 = await follow(stream, database, "a")  # a collection already followed
    assert set(c.documents) == {"before"} and set(a2.documents) == {0, 1}
    await database["c"].insert_one({"_id": "after"})
    await database["a"].insert_one({"_id": "after"})
    await c.until(lambda: "after" in c.documents)
    await a.until(lambda: "after" in a.documents)
    await a2.until(lambda: "after" in a2.documents)
    assert (a.resets, c.resets, a2.resets) == (1, 1, 1)
    await second_a.stop()
    await database["a"].insert_one({"_id": "later"})
    await a.until(lambda: "later" in a.documents)
    assert "later" not in a2.documents


class OpenedOnCue(DatabaseStream):
    """Holds the stream's opening until the test says, so a feed can join meanwhile."""

    def __init__(self, database: Any) -> None:
        super().__init__(database, max_await_ms=100)
        self.opening, self.go_on = asyncio.Event(), asyncio.Event()

    async def _open(self, names: frozenset[str], token: Any) -> Any:
        self.opening.set()
        await self.go_on.wait()
        return await super()._open(names, token)


async def test_a_feed_joining_while_the_stream_opens_gets_its_changes(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    # An API process starts its feeds together: the later ones join while the stream is opened
    # for the first. Their collection is not in that stream's $match: they must not be taken for
    # followed (the tourism search never heard another process's writes: CI, session 8).
    stream = OpenedOnCue(database)
    first, first_mirror = ChangeFeed(database["a"], stream=stream), Mirror(database["a"])
    first.subscribe(first_mirror.on_change, first_mirror.on_reset)
    first.start()
    await asyncio.wait_for(stream.opening.wait(), TIMEOUT)
    late, late_mirror = ChangeFeed(database["b"], stream=stream), Mirror(database["b"])
    late.subscribe(late_mirror.on_change, late_mirror.on_reset)
    late.start()
    stream.go_on.set()
    try:
        await asyncio.wait_for(first.wait_ready(), TIMEOUT)
        await asyncio.wait_for(late.wait_ready(), TIMEOUT)
        await database["b"].insert_one({"_id": "later"})
        await database["a"].insert_one({"_id": "later"})
        await late_mirror.until(lambda: "later" in late_mirror.documents)
        await first_mirror.until(lambda: "later" in first_mirror.documents)
    finally:
        await stream.stop()


async def test_a_write_during_the_load_is_not_missed(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    stream = DatabaseStream(database, max_await_ms=100)
    feed, mirror = ChangeFeed(database["d"], stream=stream), Mirror(database["d"])

    async def write_after_reading() -> None:
        mirror.during_load = None
        await database["d"].insert_one({"_id": "during"})

    mirror.during_load = write_after_reading
    feed.subscribe(mirror.on_change, mirror.on_reset)
    feed.start()
    try:
        await mirror.until(lambda: "during" in mirror.documents)
        assert mirror.resets == 1
    finally:
        await feed.stop()
    assert stream._task is None  # the last feed leaving ended the stream


async def test_a_lost_stream_resumes_every_feed_without_reloading(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
    admin: AsyncMongoClient[dict[str, Any]],
) -> None:
    _, feeds, (a, b) = two
    await fail_feed_commands(admin, ["getMore", "aggregate"], code=6, times=3)
    await database["a"].insert_one({"_id": "while-failing"})
    await database["b"].insert_one({"_id": "while-failing"})
    for mirror in (a, b):
        await mirror.until(lambda mirror=mirror: "while-failing" in mirror.documents)
        await mirror.until_same_as_collection()
        assert mirror.resets == 1
        assert [e.document_id for e in mirror.events].count("while-failing") == 1
    # Resumed by the driver's change stream itself or by the stream reopening: never reloaded.
    assert all(feed.resets == 1 for feed in feeds)


async def test_a_token_that_cannot_be_used_reloads_every_feed(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
    admin: AsyncMongoClient[dict[str, Any]],
) -> None:
    _, _, (a, b) = two
    await fail_feed_commands(admin, ["getMore"], code=286, times=1)
    await database["a"].insert_one({"_id": "lost"})
    await a.until(lambda: a.resets == 2)
    await b.until(lambda: b.resets == 2)
    await database["b"].insert_one({"_id": "after reload"})
    await b.until(lambda: "after reload" in b.documents)
    await a.until_same_as_collection()


async def test_a_dropped_collection_reloads_its_own_feeds_only(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    _, _, (a, b) = two
    await database["a"].drop()
    await a.until(lambda: a.resets == 2)
    assert a.documents == {}
    await database["a"].insert_one({"_id": "reborn"})
    await database["b"].insert_one({"_id": "still followed"})
    await a.until(lambda: "reborn" in a.documents)
    await b.until(lambda: "still followed" in b.documents)
    assert b.resets == 1


class Gate:
    """Holds a subscriber inside its callback until opened; says when it is held."""

    def __init__(self) -> None:
        self.held = asyncio.Event()
        self.opened = asyncio.Event()

    async def hold(self) -> None:
        self.held.set()
        await self.opened.wait()


async def test_a_slow_subscriber_holds_back_its_own_feed_only(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    _, (feed_a, _), (a, b) = two
    gate = Gate()

    async def slow(event: Any) -> None:
        await gate.hold()

    feed_a.subscribe(slow)
    await database["a"].insert_one({"_id": "first"})
    await asyncio.wait_for(gate.held.wait(), TIMEOUT)
    await database["a"].insert_one({"_id": "second"})
    await database["b"].insert_one({"_id": "meanwhile"})
    await b.until(lambda: "meanwhile" in b.documents)  # while a's subscriber is still held
    assert not gate.opened.is_set() and "second" not in a.documents
    gate.opened.set()
    await a.until(lambda: "second" in a.documents)
    assert [e.document_id for e in a.events] == ["first", "second"]
    assert (a.resets, b.resets) == (1, 1)


async def test_a_feed_reloading_holds_back_no_other_and_misses_nothing_of_its_own(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    _, _, (a, b) = two
    gate = Gate()
    a.during_load = gate.hold
    await database["a"].drop()
    await asyncio.wait_for(gate.held.wait(), TIMEOUT)
    await database["a"].insert_one({"_id": "during the reload"})
    await database["b"].insert_one({"_id": "meanwhile"})
    await b.until(lambda: "meanwhile" in b.documents)  # while a's reload is still held
    assert a.resets == 1
    a.during_load = None
    gate.opened.set()
    await a.until(lambda: a.resets == 2 and "during the reload" in a.documents)
    await a.until_same_as_collection()
    assert b.resets == 1


async def test_a_dropped_database_reloads_each_feed_once(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    _, _, (a, b) = two
    await database.client.drop_database(database.name)
    await database["a"].insert_one({"_id": "after"})
    await database["b"].insert_one({"_id": "after"})
    await a.until(lambda: "after" in a.documents)
    await b.until(lambda: "after" in b.documents)
    # A later write is delivered after any reload still owed: none may follow.
    await database["a"].insert_one({"_id": "later"})
    await database["b"].insert_one({"_id": "later"})
    await a.until(lambda: "later" in a.documents)
    await b.until(lambda: "later" in b.documents)
    assert (a.resets, b.resets) == (2, 2)


async def test_a_subscribers_database_error_retries_that_event_on_its_own_feed(
    two: tuple[DatabaseStream, list[ChangeFeed], list[Mirror]],
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    _, (feed_a, _), (a, b) = two
    failures = [AutoReconnect("the subscriber's database went away")]

    async def failing_once(event: Any) -> None:
        if failures:
            raise failures.pop()

    feed_a.subscribe(failing_once)
    await database["a"].insert_one({"_id": "retried"})
    await database["b"].insert_one({"_id": "meanwhile"})
    await b.until(lambda: "meanwhile" in b.documents)
    await a.until(lambda: len(a.events) == 2)
    assert not failures and a.resets == b.resets == 1
    # The first subscriber saw it again with the retry: applied as an idempotent upsert.
    assert [e.document_id for e in a.events] == ["retried", "retried"]


async def test_a_feed_too_far_behind_reloads_instead_of_queueing_more(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    stream = DatabaseStream(database, max_await_ms=100, max_queued=2)
    feed, mirror = await follow(stream, database, "e")
    gate = Gate()

    async def slow(event: Any) -> None:
        await gate.hold()

    feed.subscribe(slow)
    try:
        await database["e"].insert_one({"_id": "held"})
        await asyncio.wait_for(gate.held.wait(), TIMEOUT)
        await database["e"].insert_many([{"_id": n} for n in range(4)])
        queued = stream._queues[feed]._items
        # Four events behind a limit of two: a single load is owed instead.
        await polled_until(
            lambda: (
                [type(item).__name__ for item in queued if type(item).__name__ != "_Heard"]
                == ["_Reload"]
            )
        )
        gate.opened.set()
        await mirror.until(lambda: mirror.resets == 2)
        await mirror.until_same_as_collection()
        assert [e.document_id for e in mirror.events] == ["held"]
    finally:
        gate.opened.set()
        await stream.stop()
