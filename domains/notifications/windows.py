"""Newest-first pages read a time window at a time, so a page costs what it shows.

SecantusDB (the embedded server of tests and local runs) never stops an index walk early: a
sorted ``find`` with ``limit`` reads, decodes and sorts every document its filter matches, and a
keyset cursor's ``$or`` is not served by an index at all. A user's inbox of 5,000 entries cost
about 1 s per page that way. Here a page asks for one window of ``createdAt`` at a time, newest
first, each window an equality prefix plus one range (which both servers answer from the
``(userId, createdAt)`` index, reading only the window's entries), widening it until the page is
full. On MongoDB each window is the same bounded index scan, so the page stays correct and cheap
there too; only an empty inbox pays a handful of empty windows.

Cursors are the ``(createdAt, _id)`` pair ``find_page`` gives, so earlier cursors still work.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size

Document = dict[str, Any]
# Widths of the windows tried one after another (then everything older than FLOOR): a busy
# inbox fills a page from the first day, a quiet one reaches years back in a few queries.
SPANS = (
    timedelta(days=1),
    timedelta(days=7),
    timedelta(days=56),
    timedelta(days=448),
    timedelta(days=3584),
)
# Below this, one last open-ended window takes whatever is left (nothing, normally).
FLOOR = datetime(2000, 1, 1, tzinfo=UTC)


def _cursor(after: str) -> tuple[datetime, Any]:
    at, last_id = decode_cursor(after, length=2)
    if not isinstance(at, datetime) or not isinstance(last_id, str | ObjectId):
        raise InvalidInput("`after` is not a cursor returned by this list.", field="after")
    return _aware(at), last_id


async def newest_first_page(
    collection: AsyncCollection[Document],
    *,
    equal: Mapping[str, Any],
    key: str,
    first: int | None,
    after: str | None,
    now: datetime,
    spans: Sequence[timedelta] = SPANS,
) -> Page[Document]:
    """Rows matching the equalities ``equal``, by ``key`` then ``_id``, both descending."""
    size = page_size(first)
    cursor = _cursor(after) if after is not None else None
    rows: list[Document] = []
    # The first window reaches up to the cursor's instant (included: rows sharing it with the
    # cursor's row come after it by _id) or, on a first page, has no upper bound.
    upper: Document = {"$lte": cursor[0]} if cursor else {}
    bottom = min(now, cursor[0]) if cursor else now
    for span in (*spans, None):
        lower = bottom - span if span is not None and bottom - span >= FLOOR else None
        bounds = {**upper, **({"$gte": lower} if lower is not None else {})}
        query = {**equal, key: bounds} if bounds else dict(equal)
        # The cursor's window is read whole (rows at the cursor's instant are dropped below);
        # any other window stops at what the page still needs.
        limit = 0 if cursor and "$lte" in upper else size + 1 - len(rows)
        found = await collection.find(query, sort=[(key, -1), ("_id", -1)], limit=limit).to_list()
        if cursor and "$lte" in upper:
            found = [row for row in found if _before(row, key, cursor)]
        rows += found[: size + 1 - len(rows)]
        if len(rows) > size or lower is None:
            break
        upper, bottom = {"$lt": lower}, lower
    has_next = len(rows) > size
    rows = rows[:size]

    async def count_total() -> int:
        return await collection.count_documents(dict(equal))

    cursors = [encode_cursor([row[key], row["_id"]]) for row in rows]
    return Page(rows, cursors, has_next, count_total)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _before(row: Document, key: str, cursor: tuple[datetime, Any]) -> bool:
    """Whether ``row`` comes after the cursor's row in newest-first order."""
    at = _aware(row[key])
    return at < cursor[0] or (at == cursor[0] and row["_id"] < cursor[1])
