"""One database-level change stream serving every ``ChangeFeed`` of a process.

A collection-level stream per feed costs a getMore per feed whenever the database moves: SecantusDB
answers every waiting awaitData getMore as soon as any collection is written, so each write woke
all the process's streams (eight in the API) for nothing. Here one stream follows the database,
with a ``$match`` in the server's pipeline on the watched collections' names (MongoDB sends a
database-level stream every collection's writes otherwise), and each event goes to the feeds of its
collection.

Same contract as a feed's own stream (domains/kernel/change_feed.py), per feed:
- start-up: the stream is opened, then the feed's subscribers load, then the events are followed
  from the stream's position taken before that load. A feed joining a running stream on a
  collection it already follows loads at once; on a new collection the stream is reopened (from
  its token, with the new name in its ``$match``) and the feed loads after that;
- a lost stream (connection, primary stepping down, a subscriber's database error) reopens from
  the last token after a pause that grows while the database stays unreachable, and nothing is
  reloaded; a token that cannot be used reloads every feed;
- a dropped or renamed collection reloads its own feeds (a database-level stream carries on after
  them); a dropped database reloads them all.
A feed loading or delivering holds the others' events back (they are delivered in order once it
is done); the loads at start-up run together.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.errors import PyMongoError

from domains.kernel.change_feed import (
    DATA_OPERATIONS,
    Backoff,
    ChangeFeed,
    ResumeToken,
    event_of,
    needs_reload,
    stop_if_cancelled,
)
from domains.kernel.types import Database

logger = logging.getLogger(__name__)

# Events after which the database-level stream ends: every feed reloads on a new one.
_DATABASE_GONE = frozenset({"dropDatabase", "invalidate"})
# Events after which one collection's feeds reload.
_COLLECTION_GONE = frozenset({"drop", "rename"})


class DatabaseStream:
    """Feeds join with ``ChangeFeed(..., stream=this).start()`` and leave with its ``stop()``."""

    def __init__(
        self, db: Database, *, max_await_ms: int = 1000, backoff: Backoff | None = None
    ) -> None:
        self.db = db
        self._max_await_ms = max_await_ms
        self._backoff = backoff or Backoff()
        self._feeds: list[ChangeFeed] = []
        self._loading: set[ChangeFeed] = set()  # joined (or to reload), not loaded yet
        self._names: frozenset[str] = frozenset()  # the open stream's collections
        self._token: ResumeToken | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def resume_token(self) -> ResumeToken | None:
        """After the last event delivered to every feed's subscribers."""
        return self._token

    def join(self, feed: ChangeFeed) -> "asyncio.Task[None]":
        """Serve ``feed`` (it loads first) and make sure the stream runs."""
        if feed not in self._feeds:
            self._feeds.append(feed)
            self._loading.add(feed)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name=f"change stream {self.db.name}")
        return self._task

    async def leave(self, feed: ChangeFeed) -> None:
        """Stop serving ``feed``; the stream ends with its last feed."""
        with contextlib.suppress(ValueError):
            self._feeds.remove(feed)
        self._loading.discard(feed)
        feed.heard(None)
        if not self._feeds:
            await self.stop()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None or task is asyncio.current_task():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def run(self) -> None:
        """Follow the database until cancelled."""
        attempt, lost = 0, False
        while True:
            delay = self._backoff.delay(attempt)
            if delay:
                await asyncio.sleep(delay)
            attempt += 1
            names = frozenset(feed.collection.name for feed in self._feeds)
            try:
                stream = await self._open(names, self._token)
            except PyMongoError as error:
                stop_if_cancelled()
                lost = True
                if self._token is not None and needs_reload(error):
                    logger.warning("%s: cannot resume (%s); reloading", self.db.name, error)
                    self._token, attempt = None, 0
                else:
                    logger.warning("%s: cannot open the change stream: %s", self.db.name, error)
                continue
            self._names = names
            async with stream:
                try:
                    if self._token is None:
                        # The position before the loads: nothing written during them is missed.
                        self._token = stream.resume_token
                        self._loading.update(self._feeds)
                    elif lost:
                        for feed in self._feeds:
                            if feed.ready and feed not in self._loading:
                                feed.count_resume()
                    lost = False
                    await self._load()
                    attempt = 0
                    if await self._follow(stream):
                        self._token = None
                except PyMongoError as error:
                    lost = True
                    for feed in self._feeds:
                        feed.heard(None)
                    stop_if_cancelled()
                    if needs_reload(error):
                        self._token = None
                    logger.warning(
                        "%s: change stream lost (%s); %s",
                        self.db.name,
                        error,
                        "reloading" if self._token is None else "resuming",
                    )

    async def _open(
        self, names: frozenset[str], token: ResumeToken | None
    ) -> AsyncChangeStream[dict[str, Any]]:
        watched = sorted(names)
        pipeline = [
            {
                "$match": {
                    "$or": [
                        {"ns.coll": {"$in": watched}},
                        {"to.coll": {"$in": watched}},  # renamed onto a watched collection
                        {"operationType": {"$in": sorted(_DATABASE_GONE)}},
                    ]
                }
            }
        ]
        return await self.db.watch(
            pipeline,
            full_document="updateLookup",
            resume_after=token,
            max_await_time_ms=self._max_await_ms,
        )

    async def _load(self) -> None:
        """The joined feeds the open stream follows load, together (a feed that joined while it
        was being opened, on a new collection, waits for the next); a database error leaves the
        failed ones to load on the next stream."""
        loading = [
            feed
            for feed in self._feeds
            if feed in self._loading and feed.collection.name in self._names
        ]
        results = await asyncio.gather(*(feed.reload() for feed in loading), return_exceptions=True)
        failure: BaseException | None = None
        for feed, result in zip(loading, results, strict=True):
            if isinstance(result, BaseException):
                failure = failure or result
            else:
                self._loading.discard(feed)
        if failure is not None:
            raise failure

    async def _follow(self, stream: AsyncChangeStream[dict[str, Any]]) -> bool:
        """Deliver events until a feed joins on a new collection (returns False: reopen) or the
        database is gone (returns True: reload everything)."""
        while True:
            if self._loading:
                if not {feed.collection.name for feed in self._loading} <= self._names:
                    return False
                await self._load()
            asked = time.monotonic()
            change = await stream.try_next()
            if change is None:
                for feed in self._feeds:
                    if feed not in self._loading:
                        feed.heard(asked)
            elif change["operationType"] in _DATABASE_GONE:
                logger.info("%s: %s; reloading", self.db.name, change["operationType"])
                for feed in self._feeds:
                    feed.heard(None)
                return True
            else:
                await self._dispatch(change)
            # Also moves on while idle (post-batch token), so a resume never starts far back.
            if stream.resume_token is not None:
                self._token = stream.resume_token

    async def _dispatch(self, change: Mapping[str, Any]) -> None:
        kind = change["operationType"]
        names = {change.get("ns", {}).get("coll"), change.get("to", {}).get("coll")}
        feeds = [
            feed
            for feed in self._feeds
            if feed.collection.name in names and feed not in self._loading
        ]
        if kind in _COLLECTION_GONE:
            logger.info("%s.%s: %s; reloading", self.db.name, change["ns"].get("coll"), kind)
            for feed in feeds:
                feed.heard(None)
                await feed.reload()
        elif kind in DATA_OPERATIONS:
            event = event_of(change)
            for feed in feeds:
                await feed.deliver(event)
