"""The grants page's read side: every grant in memory, in uid order, kept current by a change feed.

SecantusDB answers ``grants(first: 20)`` by reading, filtering and sorting every grant (its
``_id`` index is never walked in order, a ``$ne`` filter uses no index, and an index walk never
stops early), so each page of 1,000 grants cost the whole collection. Uids have no distribution
a time window or bucket could follow, and the list is small (staff and administrators, a few
thousand at most), so each process keeps it: read once at start-up, followed with the kernel's
``ChangeFeed`` (another replica's grant shows within about a second) and updated at once by the
writes made here. Until the first read is done a page is read from MongoDB as before.
"""

import bisect
from collections.abc import Callable
from typing import cast

from domains.accounts.models import GrantDocument
from domains.accounts.repository import GrantRepository
from domains.kernel.change_feed import ChangeEvent, ChangeFeed
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size
from domains.kernel.resources import Key, Resources
from domains.kernel.types import Database


class GrantList:
    def __init__(self, db: Database) -> None:
        self._collection = db[GrantRepository.collection_name]
        self._feed = ChangeFeed(self._collection)
        self._feed.subscribe(self._on_change, self._reload)
        self._grants: dict[str, GrantDocument] = {}
        self._uids: list[str] = []  # sorted: the uids holding at least one role
        self.built = False

    async def start(self) -> None:
        self._feed.start()

    async def stop(self) -> None:
        await self._feed.stop()

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
        resources.provide(GRANT_LIST, GrantList(resources.db))


async def start(resources: Resources) -> None:
    """Start following the grants; the first read happens in the background."""
    grants = resources.get(GRANT_LIST)
    await grants.start()
    resources.on_close(grants.stop)
