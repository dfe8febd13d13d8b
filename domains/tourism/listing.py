"""Pages served from a catalogue's read side (``catalogues``): nearest first, best match first.

No database round trip: the ids come from the in-memory points or the search engine, and each
row from the fields kept beside them. A ``keep(fields)`` predicate applies the filters the
engine does not hold (open now, an event's dates); it sees the rendered fields.

Cursors are positions in the ordering, tied to the request's arguments (``query_key``): a page
follows on from the previous one as long as the catalogue does not change in between (then a
row may repeat or be skipped once), like the procedures search.
"""

import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from domains.kernel.errors import InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size
from domains.search import CatalogueIndex, QueryTooLong, Ranked, scored, with_margins
from domains.tourism.catalogues import restored

Row = dict[str, Any]
Keep = Callable[[Mapping[str, Any]], bool]
DISTANCE_FIELD = "distanceMeters"
MAX_SEARCH_TEXT = 200
# A cursor's position is at most this far down a list (a catalogue is thousands of records).
MAX_POSITION = 1_000_000
# Hits asked of the engine at a time while a filter of ours thins them out (its maximum).
ENGINE_BATCH = 100


def search_text(search: str | None) -> str | None:
    """The text to search for, None for none; InvalidInput when it cannot be searched."""
    if search is None or not search.strip():
        return None
    if len(search) > MAX_SEARCH_TEXT:
        raise InvalidInput(
            f"`search` is {len(search)} characters long; shorten it to {MAX_SEARCH_TEXT} or fewer.",
            field="search",
        )
    if not any(character.isalnum() for character in fold(search)):
        raise InvalidInput("`search` has no letters or digits to look for.", field="search")
    return search.strip()


def query_key(*parts: Any) -> int:
    """Ties a cursor to the arguments it was made for."""
    return zlib.crc32(repr(parts).encode())


def _position(after: str | None, marker: str, key: int) -> int:
    if after is None:
        return 0
    found, position, found_key = decode_cursor(after, length=3)
    if (
        found != marker
        or found_key != key
        or not isinstance(position, int)
        or isinstance(position, bool)
        or not 0 <= position <= MAX_POSITION
    ):
        raise InvalidInput("`after` is not a cursor returned by this list.", field="after")
    return position


def _kept(index: CatalogueIndex, keep: Keep | None) -> Callable[[str], bool] | None:
    if keep is None:
        return None

    def kept(record_id: str) -> bool:
        fields = index.rendered(record_id)
        return fields is not None and keep(fields)

    return kept


async def near_ids(
    index: CatalogueIndex, near: NearInput, keep: Callable[[str], bool] | None = None
) -> list[tuple[str, float]]:
    """Every ``(id, km)`` within the radius that ``keep`` keeps, nearest first."""
    return await index.near(
        near.lat, near.lng, near.radius_km, limit=max(1, len(index)), filter=keep
    )


async def near_page(
    index: CatalogueIndex,
    near: NearInput,
    *,
    keep: Keep | None,
    key: int,
    first: int | None,
    after: str | None,
    only: frozenset[str] | None = None,
) -> Page[Row]:
    """Records within ``near``'s radius, nearest first (``only``: among these ids)."""
    size = page_size(first)
    offset = _position(after, "near", key)
    kept = _kept(index, keep)
    if only is not None:
        inner = kept

        def kept(record_id: str) -> bool:
            return record_id in only and (inner is None or inner(record_id))

    found = await index.near(
        near.lat, near.lng, near.radius_km, limit=size + 1, offset=offset, filter=kept
    )
    rows: list[Row] = []
    cursors: list[str] = []
    for position, (record_id, km) in enumerate(found[:size], start=offset + 1):
        fields = index.rendered(record_id)
        if fields is not None:
            row = restored(fields)
            row[DISTANCE_FIELD] = km * 1000
            rows.append(row)
            cursors.append(encode_cursor(["near", position, key]))

    async def count_total() -> int:
        return len(await near_ids(index, near, kept))

    return Page(rows, cursors, len(found) > size, count_total)


async def ranked_ids(
    index: CatalogueIndex,
    text: str,
    *,
    filters: Mapping[str, str | Sequence[str]],
    keep: Keep | None,
    wanted: int | None = None,
) -> list[Ranked]:
    """The matches ``keep`` keeps, best first, each with its margin over the next one kept:
    the first ``wanted`` (None: all)."""
    kept = _kept(index, keep)
    found: list[tuple[str, float]] = []
    offset = 0
    # One more than wanted gives the last one its margin.
    while wanted is None or len(found) <= wanted:
        try:
            result = await index.search(text, limit=ENGINE_BATCH, offset=offset, filters=filters)
        except QueryTooLong as error:
            raise InvalidInput(
                f"`search` is {error.length} characters long; shorten it to {error.limit} or "
                "fewer.",
                field="search",
            ) from None
        found += [(hit.id, hit.score) for hit in result.hits if kept is None or kept(hit.id)]
        offset += len(result.hits)
        if not result.hits or offset >= result.total:
            break
    ranked = with_margins(found)
    return ranked if wanted is None else ranked[:wanted]


async def ranked_page(
    index: CatalogueIndex,
    text: str,
    *,
    filters: Mapping[str, str | Sequence[str]],
    keep: Keep | None,
    key: int,
    first: int | None,
    after: str | None,
) -> Page[Row]:
    """Matches of ``text``, best first, each with its score and margin."""
    size = page_size(first)
    offset = _position(after, "ranked", key)
    matches = await ranked_ids(index, text, filters=filters, keep=keep, wanted=offset + size + 1)
    rows: list[Row] = []
    cursors: list[str] = []
    for position, match in enumerate(matches[offset : offset + size], start=offset + 1):
        fields = index.rendered(match.id)
        if fields is not None:
            rows.append(scored(restored(fields), match))
            cursors.append(encode_cursor(["ranked", position, key]))

    async def count_total() -> int:
        return len(await ranked_ids(index, text, filters=filters, keep=keep))

    return Page(rows, cursors, len(matches) > offset + size, count_total)


def ordered_page(
    index: CatalogueIndex,
    ids: Sequence[str],
    *,
    keep: Keep | None,
    order: Sequence[str],
    key: int,
    first: int | None,
    after: str | None,
) -> Page[Row]:
    """The kept records among ``ids``, ascending by the ``order`` fields and then ``_id``."""
    size = page_size(first)
    offset = _position(after, "ordered", key)
    rows: list[Row] = []
    for record_id in ids:
        fields = index.rendered(record_id)
        if fields is not None and (keep is None or keep(fields)):
            rows.append(fields)
    rows.sort(key=lambda row: (*(row[name] for name in order), row["_id"]))
    shown = [restored(row) for row in rows[offset : offset + size]]
    cursors = [
        encode_cursor(["ordered", position, key])
        for position in range(offset + 1, offset + len(shown) + 1)
    ]
    total = len(rows)

    async def count_total() -> int:
        return total

    return Page(shown, cursors, total > offset + size, count_total)
