"""One database-level change stream serving every ``ChangeFeed`` of a process.

A collection-level stream per feed costs a getMore per feed whenever the database moves: SecantusDB
answers every waiting awaitData getMore as soon as any collection is written, so each write woke
all the process's streams (eight in the API) for nothing. Here one stream follows the database,
with a ``$match`` in the server's pipeline on the watched collections' names (MongoDB sends a
database-level stream every collection's writes otherwise), and each event goes to the feeds of its
collection.

The stream only reads: each feed has a queue and a task of its own that applies what was read
for it (loads, events), in order. A slow subscriber or a feed reloading holds back its own feed
and no other; the events read for it meanwhile wait in its queue and are applied after. A feed
more than ``max_queued`` events behind drops them and reloads instead (memory stays bounded).

Same contract as a feed's own stream (domains/kernel/change_feed.py), per feed:
- start-up: the stream is opened, then the feed's subscribers load, then the events are followed
  from the stream's position taken before that load. A feed joining a running stream on a
  collection it already follows loads at once; on a new collection the stream is reopened (from
  its token, with the new name in its ``$match``) and the feed loads after that;
- a lost stream (connection, primary stepping down) reopens from the last token read after a
  pause that grows while the database stays unreachable; what was read stays queued and nothing
  is reloaded. A subscriber's database error retries that event (or load) on its feed alone;
- a token that cannot be used reloads every feed;
- a dropped or renamed collection reloads its own feeds (a database-level stream carries on after
  them); a dropped database reloads them all, once where its collections' drops come in the
  same answer as the ``dropDatabase`` event (SecantusDB writes them together): a drop reloads
  only once the stream has read past it without a ``dropDatabase``. On MongoDB each drop is its
  own oplog entry, and an empty answer between them may reload a feed once more (harmless).
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.errors import PyMongoError

from domains.kernel.change_feed import (
    DATA_OPERATIONS,
    Backoff,
    ChangeEvent,
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


class _Reload:
    """A queued load of the feed (a new object each time: the queue tells them apart)."""


@dataclass(frozen=True, slots=True)
class _Heard:
    """The stream answered at ``at`` that there was nothing more: true of the feed once the
    items queued before this one are applied."""

    at: float


_Item = ChangeEvent | _Reload | _Heard


class _FeedQueue:
    """What the stream read for one feed, applied in order by the feed's own task."""

    def __init__(self, feed: ChangeFeed, *, backoff: Backoff, max_queued: int) -> None:
        self.feed = feed
        self._backoff = backoff
        self._max_queued = max_queued
        self._items: deque[_Item] = deque()
        self._applying: _Item | None = None
        self._more = asyncio.Event()
        self.task = asyncio.create_task(self._run(), name=f"change feed {feed.name}")

    def event(self, event: ChangeEvent) -> None:
        if len(self._items) >= self._max_queued:
            logger.warning("%s: %d events behind; reloading", self.feed.name, len(self._items))
            self.reload()  # after this event: the load covers it
            return
        self._append(event)

    def reload(self) -> None:
        """Load again once what is being applied is done. The load reads the collection as it is
        by then, so the events queued before it are dropped, and so is a load not begun yet."""
        self.feed.heard(None)
        first = self._items[0] if self._items else None
        self._items.clear()
        self._append(
            first if isinstance(first, _Reload) and first is not self._applying else _Reload()
        )

    def heard(self, at: float) -> None:
        if not self._items and self._applying is None:
            self.feed.heard(at)
        elif self._items and isinstance(self._items[-1], _Heard):
            self._items[-1] = _Heard(at)
        else:
            self._append(_Heard(at))

    def lost(self) -> None:
        """The stream is not followed now: the feed is not current, whatever is applied."""
        kept = [item for item in self._items if not isinstance(item, _Heard)]
        self._items.clear()
        self._items.extend(kept)
        self.feed.heard(None)

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    def _append(self, item: _Item) -> None:
        self._items.append(item)
        self._more.set()

    async def _run(self) -> None:
        attempt = 0
        while True:
            if not self._items:
                self._more.clear()
                await self._more.wait()
                continue
            item = self._applying = self._items[0]
            try:
                await self._apply(item)
            except PyMongoError as error:
                stop_if_cancelled()
                attempt += 1
                logger.warning("%s: %s; trying again", self.feed.name, error)
                await asyncio.sleep(self._backoff.delay(attempt))
                continue  # the same item, unless a reload replaced it meanwhile
            except Exception:
                logger.exception("%s: could not apply a change", self.feed.name)
            finally:
                self._applying = None
            attempt = 0
            if self._items and self._items[0] is item:
                self._items.popleft()

    async def _apply(self, item: _Item) -> None:
        if isinstance(item, _Reload):
            self.feed.heard(None)
            await self.feed.reload()
        elif isinstance(item, _Heard):
            self.feed.heard(item.at)
        else:
            await self.feed.deliver(item)


class DatabaseStream:
    """Feeds join with ``ChangeFeed(..., stream=this).start()`` and leave with its ``stop()``."""

    def __init__(
        self,
        db: Database,
        *,
        max_await_ms: int = 1000,
        backoff: Backoff | None = None,
        max_queued: int = 10_000,
    ) -> None:
        self.db = db
        self._max_await_ms = max_await_ms
        self._backoff = backoff or Backoff()
        self._max_queued = max_queued
        self._queues: dict[ChangeFeed, _FeedQueue] = {}
        self._joining: set[ChangeFeed] = set()  # on a collection the open stream does not follow
        self._dropped: set[ChangeFeed] = set()  # their collection went; reload unless the db did
        self._names: frozenset[str] = frozenset()  # the open stream's collections
        self._token: ResumeToken | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def resume_token(self) -> ResumeToken | None:
        """After the last event read (delivered, or queued for its feed)."""
        return self._token

    def join(self, feed: ChangeFeed) -> "asyncio.Task[None]":
        """Serve ``feed`` (it loads first) and make sure the stream runs."""
        if feed not in self._queues:
            queue = self._queues[feed] = self._queue(feed)
            if feed.collection.name in self._names:
                queue.reload()
            else:
                self._joining.add(feed)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name=f"change stream {self.db.name}")
        return self._task

    async def leave(self, feed: ChangeFeed) -> None:
        """Stop serving ``feed``; the stream ends with its last feed. What its task applies is
        cancelled (a load half-way included): its subscribers are no longer served."""
        queue = self._queues.pop(feed, None)
        self._joining.discard(feed)
        self._dropped.discard(feed)
        if queue is not None:
            await queue.stop()
        feed.heard(None)
        if not self._queues:
            await self.stop()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # The feeds are no longer served (a feed's ``start()`` joins again, and loads).
        queues = list(self._queues.values())
        self._queues, self._token = {}, None
        self._joining.clear()
        self._dropped.clear()
        for queue in queues:
            await queue.stop()
            queue.feed.heard(None)

    def _queue(self, feed: ChangeFeed) -> _FeedQueue:
        return _FeedQueue(feed, backoff=self._backoff, max_queued=self._max_queued)

    async def run(self) -> None:
        """Follow the database until cancelled."""
        attempt, lost = 0, False
        while True:
            delay = self._backoff.delay(attempt)
            if delay:
                await asyncio.sleep(delay)
            attempt += 1
            names = frozenset(feed.collection.name for feed in self._queues)
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
            try:
                async with stream:
                    if self._token is None:
                        # The position before the loads: nothing written during them is missed.
                        # A feed that joined while the stream was opened, on a collection this
                        # stream does not follow, stays joining: the stream reopens for it.
                        self._token = stream.resume_token
                        self._dropped.clear()
                        for feed, queue in self._queues.items():
                            if feed.collection.name in names:
                                self._joining.discard(feed)
                                queue.reload()
                    elif lost:
                        for feed in self._queues:
                            if feed.ready and feed not in self._joining:
                                feed.count_resume()
                        self._reload_dropped()
                    lost = False
                    attempt = 0
                    if await self._follow(stream):
                        self._token = None
            except PyMongoError as error:
                lost = True
                for queue in self._queues.values():
                    queue.lost()
                stop_if_cancelled()
                if needs_reload(error):
                    self._token = None
                logger.warning(
                    "%s: change stream lost (%s); %s",
                    self.db.name,
                    error,
                    "reloading" if self._token is None else "resuming",
                )
            finally:
                self._names = frozenset()

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

    async def _follow(self, stream: AsyncChangeStream[dict[str, Any]]) -> bool:
        """Read events until a feed joins on a new collection (returns False: reopen) or the
        database is gone (returns True: reload everything)."""
        while True:
            if self._joining:
                if not {feed.collection.name for feed in self._joining} <= self._names:
                    return False
                for feed in self._joining:
                    self._queues[feed].reload()
                self._joining.clear()
            asked = time.monotonic()
            change = await stream.try_next()
            if change is None:
                self._reload_dropped()
                for feed, queue in self._queues.items():
                    if feed not in self._joining:
                        queue.heard(asked)
            elif change["operationType"] in _DATABASE_GONE:
                logger.info("%s: %s; reloading", self.db.name, change["operationType"])
                self._dropped.clear()
                for queue in self._queues.values():
                    queue.lost()
                return True
            else:
                self._dispatch(change)
            # Also moves on while idle (post-batch token), so a resume never starts far back.
            if stream.resume_token is not None:
                self._token = stream.resume_token

    def _dispatch(self, change: Mapping[str, Any]) -> None:
        kind = change["operationType"]
        names = {change.get("ns", {}).get("coll"), change.get("to", {}).get("coll")}
        feeds = [
            feed
            for feed in self._queues
            if feed.collection.name in names and feed not in self._joining
        ]
        if kind in _COLLECTION_GONE:
            # Reloaded once the stream reads past it: a dropped database sends each collection's
            # drop before its own event, after which every feed reloads anyway.
            logger.info("%s.%s: %s; reloading", self.db.name, change["ns"].get("coll"), kind)
            for feed in feeds:
                feed.heard(None)
            self._dropped.update(feeds)
        elif kind in DATA_OPERATIONS:
            self._reload_dropped()
            event = event_of(change)
            for feed in feeds:
                self._queues[feed].event(event)

    def _reload_dropped(self) -> None:
        for feed in self._dropped:
            self._queues[feed].reload()
        self._dropped.clear()
