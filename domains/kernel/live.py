"""Live updates (GraphQL subscriptions) from the change feeds: one feed per collection per process.

A subscription never reads events itself. It attaches a ``Wakeup`` to the process's feed of each
collection it depends on, under a key (the user, the slot); a change with that key (or a reload
of the feed after a lost stream) sets the wakeup, and the subscription then reads the
current state from MongoDB and sends it. Changes that arrive while it reads coalesce into one
more read, so a slow client never queues stale states. Since every replica follows the same
collections, a write through any replica wakes the subscribers on all of them.

The read side that keeps a collection in memory (the slot calendar) subscribes to the same feed
(``ChangeFeeds.subscribe``), so a collection is watched once per process whatever follows it. The
feeds share one database-level change stream (``ChangeFeeds.stream``, also joined by the search
catalogues' feeds): one getMore per write for the whole process, not one per watched collection.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from datetime import datetime

from domains.kernel.change_feed import ChangeEvent, ChangeFeed, OnChange, OnReset, Subscription
from domains.kernel.clock import Clock
from domains.kernel.database_stream import DatabaseStream
from domains.kernel.resources import Key, Resources
from domains.kernel.types import Database

logger = logging.getLogger(__name__)

# What a change is about (a user, a slot): watchers of that key are woken. None: the change
# cannot tell (a deletion without the document), and every watcher of the collection is woken.
KeyOf = Callable[[ChangeEvent], Hashable | None]


class Wakeup:
    """Set by feed callbacks; ``wait()`` returns once it was set since the last wait."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def clear(self) -> None:
        self._event.clear()

    async def wait(self) -> None:
        await self._event.wait()
        self._event.clear()


async def woken_or_at(wakeup: Wakeup, clock: Clock, moment: datetime | None) -> None:
    """Return once ``wakeup`` is set or ``clock`` reaches ``moment`` (None: no moment), for a
    state that also changes by time alone (a booking window opening or closing)."""
    if moment is None:
        await wakeup.wait()
        return
    waits = [asyncio.ensure_future(wakeup.wait()), asyncio.ensure_future(clock.sleep_until(moment))]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


class _Watchers:
    """The wakeups of one collection's watchers, by the key ``key_of`` gives a change: a change
    costs one lookup, whatever the number of subscriptions open."""

    def __init__(self, key_of: KeyOf) -> None:
        self.key_of = key_of
        self.by_key: dict[Hashable, set[Wakeup]] = {}

    async def on_change(self, event: ChangeEvent) -> None:
        key = self.key_of(event)
        if key is None:
            await self.on_reset()
            return
        for wakeup in self.by_key.get(key, ()):
            wakeup.set()

    async def on_reset(self) -> None:
        for wakeups in self.by_key.values():
            for wakeup in wakeups:
                wakeup.set()

    def add(self, key: Hashable, wakeup: Wakeup) -> None:
        self.by_key.setdefault(key, set()).add(wakeup)

    def remove(self, key: Hashable, wakeup: Wakeup) -> None:
        wakeups = self.by_key.get(key)
        if wakeups is not None:
            wakeups.discard(wakeup)
            if not wakeups:
                del self.by_key[key]


class ChangeFeeds:
    """The process's change feeds, by collection name; made once (``change_feeds(resources)``)."""

    def __init__(self, db: Database, *, max_await_ms: int = 500) -> None:
        self.db = db
        self._max_await_ms = max_await_ms
        self.stream = DatabaseStream(db, max_await_ms=max_await_ms)
        self._feeds: dict[str, ChangeFeed] = {}
        self._own_streams: set[str] = set()
        self._watchers: dict[tuple[str, KeyOf], _Watchers] = {}

    def feed(self, collection_name: str, *, own_stream: bool = False) -> ChangeFeed:
        """The collection's feed (created on first use, started by ``subscribe``).

        ``own_stream``: for a feed whose readers rely on ``heard_at`` (how recently it was
        confirmed current). The shared stream answers "nothing more" only while no watched
        collection is written, so under steady writes elsewhere it is seldom heard; a stream of
        its own on a quiet collection is heard every ``max_await_ms``. It applies when the feed
        is made: the first caller that may make it must ask."""
        feed = self._feeds.get(collection_name)
        if feed is None:
            feed = ChangeFeed(
                self.db[collection_name],
                max_await_ms=self._max_await_ms,
                stream=None if own_stream else self.stream,
            )
            self._feeds[collection_name] = feed
            if own_stream:
                self._own_streams.add(collection_name)
        elif own_stream and collection_name not in self._own_streams:
            raise ValueError(f"{collection_name}: its feed was made on the shared stream")
        return feed

    def subscribe(
        self,
        collection_name: str,
        on_change: OnChange,
        on_reset: OnReset | None = None,
        *,
        own_stream: bool = False,
    ) -> Subscription:
        """Attach to the collection's feed and make sure it runs. A first subscriber attached
        before the feed's task gets to run takes part in its initial load."""
        feed = self.feed(collection_name, own_stream=own_stream)
        subscription = feed.subscribe(on_change, on_reset)
        feed.start()
        return subscription

    @asynccontextmanager
    async def watching(
        self, wakeup: Wakeup, collection_name: str, key_of: KeyOf, key: Hashable
    ) -> AsyncIterator[None]:
        """While inside: a change of the collection whose ``key_of`` is ``key`` (or None) sets
        ``wakeup``, and so does a reload of the feed. ``key_of`` should be a module-level function:
        watchers sharing it share one subscription to the feed.

        Entered once the feed follows the collection, so a state read inside misses nothing.
        """
        watchers = self._watchers.get((collection_name, key_of))
        if watchers is None:
            watchers = _Watchers(key_of)
            self._watchers[(collection_name, key_of)] = watchers
            self.subscribe(collection_name, watchers.on_change, watchers.on_reset)
        watchers.add(key, wakeup)
        try:
            await self.feed(collection_name).wait_ready()
            yield
        finally:
            watchers.remove(key, wakeup)

    async def stop(self) -> None:
        feeds, self._feeds = list(self._feeds.values()), {}
        self._own_streams = set()
        self._watchers = {}
        for feed in feeds:
            await feed.stop()
        await self.stream.stop()


CHANGE_FEEDS: Key[ChangeFeeds] = Key("kernel.change_feeds")


def change_feeds(resources: Resources) -> ChangeFeeds:
    """The process's feeds: made on first use and stopped when the process ends."""
    feeds = resources.find(CHANGE_FEEDS)
    if feeds is None:
        feeds = ChangeFeeds(resources.db)
        resources.provide(CHANGE_FEEDS, feeds)
        resources.on_close(feeds.stop)
    return feeds
