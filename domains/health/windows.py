"""Pages of time-ordered lists read one window of start times at a time.

Why: the embedded database (SecantusDB, what tests, demos and benchmarks run on) reads every
document an index gives for a filter, sorts them in memory and only then applies the limit, and
it uses an index only for a filter of one shape, equalities then one range on the index's next
field; a filter with ``$or``/``$and`` at the top (the keyset filter of ``find_page`` on page two)
scans the whole collection. So a list ordered by start time is read here in windows: each read
is such a filter on an index (e.g. ``{hospitalId, start: [from, to)}`` on ``(hospitalId,
start)``) and returns only that window's documents; windows widen (×2, ×4 while nothing was
found) until the page and one more row (``hasNextPage``) are found or the list's end is
reached. The rest of the rule is applied here, to the few documents read. MongoDB would serve
the same reads from the index with bounds as tight.

Cursors carry the order's values of the last row (``start``, then any tie-breakers, then
``_id``: the same as ``find_page`` writes for that sort), so a page starts strictly after it.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from domains.kernel.clock import as_utc
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size

Read = Callable[[datetime, datetime | None], Awaitable[Sequence[Any]]]


@dataclass(frozen=True, slots=True)
class Span:
    """The start times a list covers: from ``start``; until ``end`` (None: open-ended, and from
    ``read_rest_after`` on, everything left is read at once); first window ``window``."""

    start: datetime
    end: datetime | None
    window: timedelta
    read_rest_after: datetime | None = None


def _key(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(as_utc(v) if isinstance(v, datetime) else v for v in values)


def after_values(after: str | None, fields: Sequence[str]) -> tuple[Any, ...] | None:
    """The order's values a cursor carries (start, tie-breakers..., _id), checked."""
    if after is None:
        return None
    values = decode_cursor(after, length=len(fields) + 1)
    start, identifier = values[0], values[-1]
    if not isinstance(start, datetime) or not isinstance(identifier, ObjectId):
        raise InvalidInput("`after` is not a cursor returned by this list.", field="after")
    return _key(values)


async def windowed_page(
    read: Read,
    *,
    span: Span,
    keep: Callable[[Any], bool],
    fields: Sequence[str],
    first: int | None,
    after: str | None,
    count_total: Callable[[], Awaitable[int]],
) -> Page[Any]:
    """A page of the rows ``keep`` keeps, by ``start``, then ``fields[1:]``, then ``_id``."""
    size = page_size(first)
    last = after_values(after, fields)

    def order(row: Any) -> tuple[Any, ...]:
        return _key([row[name] for name in fields] + [row["_id"]])

    low = as_utc(span.start)
    if last is not None:
        low = max(low, last[0])
    found: list[Any] = []
    window = span.window
    while len(found) <= size and (span.end is None or low < span.end):
        high: datetime | None = low + window
        if span.read_rest_after is not None and low >= span.read_rest_after:
            high = None  # far ahead: whatever is left, in one read
        if span.end is not None and (high is None or high >= span.end):
            high = span.end
        rows = [row for row in await read(low, high) if keep(row)]
        if last is not None:
            rows = [row for row in rows if order(row) > last]
        found += sorted(rows, key=order)
        if high is None or high == span.end:
            break
        # Nothing yet: the list is sparse here, so widen faster.
        low, window = high, window * (2 if found else 4)
    shown = found[:size]
    cursors = [encode_cursor(list(order(row))) for row in shown]
    return Page(shown, cursors, len(found) > size, count_total)
