"""The database stopped and started again (same data directory): every change feed resumes from
its resume token, without reloading, and misses or repeats no change."""

import asyncio
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from domains.kernel.change_feed import ChangeFeed
from tests.conftest import _load_mongo_server
from tests.domains.kernel.test_change_feed import TIMEOUT, Mirror


async def test_every_feed_resumes_from_its_token_after_a_database_restart(
    tmp_path: Path,
) -> None:
    server = _load_mongo_server()
    port = server.free_port()
    storage, log = str(tmp_path / "data"), tmp_path / "secantusdb.log"
    process = server.start(port=port, storage=storage, log_path=log)
    # Short server selection: while the database is away the feeds retry with their own pauses.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        server.uri_for(port), serverSelectionTimeoutMS=2000
    )
    names = ("appointments", "notifications")
    collections = [client["restart"][name] for name in names]
    feeds, mirrors = [], []
    try:
        for collection in collections:
            await collection.insert_one({"_id": "before", "n": 0})
            feed, mirror = ChangeFeed(collection, max_await_ms=100), Mirror(collection)
            feed.subscribe(mirror.on_change, mirror.on_reset)
            feed.start()
            await asyncio.wait_for(feed.wait_ready(), TIMEOUT)
            feeds.append(feed)
            mirrors.append(mirror)
        for collection in collections:
            await collection.insert_one({"_id": "followed", "n": 1})
        for mirror in mirrors:
            await mirror.until(lambda mirror=mirror: "followed" in mirror.documents)

        server.stop(process)  # SIGTERM: SecantusDB keeps what it acknowledged
        process = server.start(port=port, storage=storage, log_path=log)
        for collection in collections:
            await collection.insert_one({"_id": "after", "n": 2})
            await collection.update_one({"_id": "before"}, {"$set": {"n": 3}})
        for mirror in mirrors:
            await mirror.until_same_as_collection()
    finally:
        for feed in feeds:
            await feed.stop()
        await client.close()
        server.stop(process)
    for feed, mirror in zip(feeds, mirrors, strict=True):
        # Resumed (by the driver's change stream from its token, or by the feed reopening with
        # it), never reloaded.
        assert (feed.resets, mirror.resets) == (1, 1), feed.name
        # Each change once, in order: nothing from before the restart delivered again.
        assert [(e.operation.value, e.document_id) for e in mirror.events] == [
            ("insert", "followed"),
            ("insert", "after"),
            ("update", "before"),
        ], feed.name
