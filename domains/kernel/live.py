"""Live updates (GraphQL subscriptions) from the change feeds: one feed per collection per process.

A subscription never reads events itself. It attaches a ``Wakeup`` to the process's feed of each
collection it depends on, with a predicate on the changed document; a matching change (or a
reload of the feed after a lost stream) sets the wakeup, and the subscription then reads the
current state from MongoDB and sends it. Changes that arrive while it reads coalesce into one
more read, so a slow client never queues stale states. Since every replica follows the same
collections, a write through any replica wakes the subscribers on all of them.

The read side that keeps a collection in memory (the slot calendar) subscribes to the same feed
(``ChangeFeeds.subscribe``), so a collection is watched once per process whatever follows it.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from domains.kernel.change_feed import ChangeEvent, ChangeFeed, OnChange, OnReset, Subscription
from domains.kernel.resources import Key, Resources
from domains.kernel.types import Database

logger = logging.getLogger(__name__)

Match = Callable[[ChangeEvent], bool]


class Wakeup:
    """Set by feed callbacks; ``wait()`` returns once it was set since the last wait."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()
        self._event.clear()


class ChangeFeeds:
    """The process's change feeds, by collection name; made once (``change_feeds(resources)``)."""

    def __init__(self, db: Database, *, max_await_ms: int = 500) -> None:
        self.db = db
        self._max_await_ms = max_await_ms
        self._feeds: dict[str, ChangeFeed] = {}

    def feed(self, collection_name: str) -> ChangeFeed:
        """The collection's feed (created on first use, started by ``subscribe``)."""
        feed = self._feeds.get(collection_name)
        if feed is None:
            feed = ChangeFeed(self.db[collection_name], max_await_ms=self._max_await_ms)
            self._feeds[collection_name] = feed
        return feed

    def subscribe(
        self, collection_name: str, on_change: OnChange, on_reset: OnReset | None = None
    ) -> Subscription:
        """Attach to the collection's feed and make sure it runs. A first subscriber attached
        before the feed's task gets to run takes part in its initial load."""
        feed = self.feed(collection_name)
        subscription = feed.subscribe(on_change, on_reset)
        feed.start()
        return subscription

    @asynccontextmanager
    async def watching(
        self, wakeup: Wakeup, collection_name: str, match: Match
    ) -> AsyncIterator[None]:
        """While inside: a change of the collection that ``match``es sets ``wakeup``.

        Entered once the feed follows the collection, so a state read inside misses nothing.
        """

        async def on_change(event: ChangeEvent) -> None:
            if match(event):
                wakeup.set()

        async def on_reset() -> None:
            wakeup.set()

        subscription = self.subscribe(collection_name, on_change, on_reset)
        try:
            await self.feed(collection_name).wait_ready()
            yield
        finally:
            subscription.cancel()

    async def stop(self) -> None:
        feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            await feed.stop()


CHANGE_FEEDS: Key[ChangeFeeds] = Key("kernel.change_feeds")


def change_feeds(resources: Resources) -> ChangeFeeds:
    """The process's feeds: made on first use and stopped when the process ends."""
    feeds = resources.find(CHANGE_FEEDS)
    if feeds is None:
        feeds = ChangeFeeds(resources.db)
        resources.provide(CHANGE_FEEDS, feeds)
        resources.on_close(feeds.stop)
    return feeds
