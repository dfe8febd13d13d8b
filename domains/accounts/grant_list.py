"""Every grant in memory, kept current by the change feed: the grants page and sign-in read it.

The grants page: SecantusDB answers ``grants(first: 20)`` by reading, filtering and sorting every
grant (its ``_id`` index is never walked in order, a ``$ne`` filter uses no index, and an index
walk never stops early), so each page of 1,000 grants cost the whole collection. Uids have no
distribution a time window or bucket could follow, and the list is small (staff and
administrators, a few thousand at most), so each process keeps it: read once at start-up,
followed with the process's change feed of ``grants`` (``domains.kernel.live.ChangeFeeds``) and
updated at once by the writes made here. Until the first read is done a page is read from
MongoDB as before.

Sign-in (``grant_if_current``): the roles of every signed-in request come from here instead of
a read of MongoDB, but only while the feed is known to be current: its stream answered "nothing
more" less than ``FRESH_FOR`` seconds ago, so every change made before that answer has been
applied. Otherwise (feed not started, loading, lost, stopped or stuck) sign-in reads the grant
from MongoDB. A revoked role therefore stops working in every process within ``FRESH_FOR``
seconds plus the time a request takes (about a second when the feed is healthy), and in the
process that revoked it at once. docs/auth.md states the decision.
"""

import bisect
import time
from collections.abc import Callable
from typing import Final, cast

from domains.accounts.models import GrantDocument
from domains.accounts.repository import GrantRepository
from domains.kernel.change_feed import ChangeEvent, Subscription
from domains.kernel.live import ChangeFeeds, change_feeds
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size
from domains.kernel.resources import Key, Resources
from domains.kernel.types import Database

# How long after the feed last confirmed it was up to date sign-in still trusts this copy. The
# feed asks every ``ChangeFeeds`` max_await_ms (0.5 s), so a healthy feed stays well inside it.
# It follows ``grants`` on a stream of its own: the process's shared stream answers "nothing more"
# only while no watched collection is written, so under bookings or a broadcast it would seldom
# confirm, and every sign-in would read MongoDB.
FRESH_FOR: Final = 5.0


class NotCurrent:
    """``grant_if_current``'s answer when the copy cannot be trusted: read MongoDB instead."""


NOT_CURRENT: Final = NotCurrent()


class GrantList:
    def __init__(
        self,
        db: Database,
        feeds: ChangeFeeds,
        *,
        clock: Callable[[], float] = time.monotonic,
        fresh_for: float = FRESH_FOR,
    ) -> None:
        self._collection = db[GrantRepository.collection_name]
        self._feeds = feeds
        self._clock = clock
        self._fresh_for = fresh_for
        self._grants: dict[str, GrantDocument] = {}
        self._uids: list[str] = []  # sorted: the uids holding at least one role
        self._subscription: Subscription | None = None
        self.built = False

    async def start(self) -> None:
        """Attach to the feed; its first load (in the background) fills the copy. Attached
        after that load (another subscriber started the feed first), it is never built and
        every reader falls back to MongoDB."""
        self._subscription = self._feeds.subscribe(
            GrantRepository.collection_name, self._on_change, self._reload, own_stream=True
        )

    async def stop(self) -> None:
        self.built = False
        if self._subscription is not None:
            self._subscription.cancel()

    def grant_if_current(self, uid: str) -> GrantDocument | NotCurrent | None:
        """``uid``'s grant (None: citizen only) while the change feed keeps this copy current,
        else ``NOT_CURRENT``."""
        heard = self._feeds.feed(GrantRepository.collection_name, own_stream=True).heard_at
        if not self.built or heard is None or self._clock() - heard > self._fresh_for:
            return NOT_CURRENT
        return self._grants.get(uid)

    def put(self, uid: str, grant: GrantDocument | None) -> None:
        """Take ``uid``'s grant as it is now (None: deleted)."""
        listed = uid in self._grants
        if grant is not None and grant.get("roles"):
            self._grants[uid] = grant
            if not listed:
                bisect.insort(self._uids, uid)
        elif listed:
            del self._grants[uid]
            del self._uids[bisect.bisect_left(self._uids, uid)]

    def page(
        self, *, role: str | None, first: int | None, after: str | None
    ) -> Page[GrantDocument]:
        """Holders of ``role`` (any role when None) in uid order; cursors as ``find_page``'s."""
        size = page_size(first)
        start = 0
        if after is not None:
            (last,) = decode_cursor(after, length=1)
            start = bisect.bisect_right(self._uids, str(last))
        holds: Callable[[GrantDocument], bool] = (
            (lambda grant: True) if role is None else (lambda grant: role in grant["roles"])
        )
        rows: list[GrantDocument] = []
        for uid in self._uids[start:]:
            grant = self._grants[uid]
            if holds(grant):
                rows.append(grant)
                if len(rows) > size:
                    break

        async def count_total() -> int:
            return sum(1 for grant in self._grants.values() if holds(grant))

        items = rows[:size]
        return Page(
            items, [encode_cursor([grant["_id"]]) for grant in items], len(rows) > size, count_total
        )

    async def _reload(self) -> None:
        grants = cast(list[GrantDocument], await self._collection.find({}).to_list())
        self._grants = {grant["_id"]: grant for grant in grants if grant.get("roles")}
        self._uids = sorted(self._grants)
        self.built = True

    async def _on_change(self, event: ChangeEvent) -> None:
        self.put(str(event.document_id), cast(GrantDocument | None, event.document))


GRANT_LIST: Key[GrantList] = Key("accounts.grant_list")


def wire(resources: Resources) -> None:
    if resources.find(GRANT_LIST) is None:
        resources.provide(GRANT_LIST, GrantList(resources.db, change_feeds(resources)))


async def start(resources: Resources) -> None:
    """Start following the grants; the first read happens in the background."""
    grants = resources.get(GRANT_LIST)
    await grants.start()
    resources.on_close(grants.stop)
