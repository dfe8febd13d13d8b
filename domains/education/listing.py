"""Pages of the school directory from its in-memory read side (``read_side.SchoolCatalogue``).

Three orders: by name (keyset cursors of ``sortName`` and id, as the database pages gave), best
match first for ``search`` (the engine's ranking) and nearest first for ``near``. Cursors of the
last two are positions in that ranking, tied to the text, the place and the filters: a page
follows on from the previous one as long as the directory does not change in between.
"""

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from domains.education.models import SchoolDocument
from domains.education.read_side import SchoolCatalogue
from domains.education.repository import SchoolFilter
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page, decode_cursor, encode_cursor
from domains.search import QueryTooLong, Ranked, scored

RANKED = "rank"
NEAR = "near"
MAX_OFFSET = 10_000
ENGINE_PAGE = 100  # the engine's largest page


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lng: float
    radius_km: float


def _filters(filter: SchoolFilter) -> dict[str, str]:
    given = {
        "levels": filter.level,
        "district": filter.district,
        "commune": filter.commune,
        "ownership": filter.ownership,
    }
    return {name: value for name, value in given.items() if value}


def _position(after: str | None, marker: str, key: int) -> int:
    if after is None:
        return 0
    found, position, found_key = decode_cursor(after, length=3)
    if (
        found != marker
        or found_key != key
        or not isinstance(position, int)
        or isinstance(position, bool)
        or not 0 <= position <= MAX_OFFSET
    ):
        raise InvalidInput("`after` is not a cursor returned by this list.", field="after")
    return position


def _rows(catalogue: SchoolCatalogue, ids: list[str]) -> list[SchoolDocument]:
    found = (catalogue.school(school_id) for school_id in ids)
    return [school for school in found if school is not None]  # None: left since the read


def _page(
    rows: list[SchoolDocument], cursors: list[str], has_next: bool, total: Callable[[], int]
) -> Page[SchoolDocument]:
    async def count_total() -> int:
        return total()

    return Page(rows, cursors, has_next, count_total)


async def by_name(
    catalogue: SchoolCatalogue, filter: SchoolFilter, size: int, after: str | None
) -> Page[SchoolDocument]:
    """Schools in name order (``sortName``, then id)."""
    await catalogue.wait_built()
    start: tuple[str, str] | None = None
    if after is not None:
        sort_name, school_id = decode_cursor(after, length=2)
        if not isinstance(sort_name, str) or not isinstance(school_id, str):
            raise InvalidInput("`after` is not a cursor returned by this list.", field="after")
        start = (sort_name, school_id)
    directory = catalogue.directory
    entries = directory.page(filter, start, size + 1)
    rows = _rows(catalogue, [entry.id for entry in entries[:size]])
    cursors = [encode_cursor([row.get("sortName", ""), row["_id"]]) for row in rows]
    return _page(rows, cursors, len(entries) > size, lambda: directory.count(filter))


async def _search(
    catalogue: SchoolCatalogue, text: str, filter: SchoolFilter, *, limit: int, offset: int
) -> Any:
    try:
        return await catalogue.search(text, limit=limit, offset=offset, filters=_filters(filter))
    except QueryTooLong as error:
        raise InvalidInput(
            f"`search` is {error.length} characters long; shorten it to {error.limit} or fewer.",
            field="search",
        ) from None


async def best_match(
    catalogue: SchoolCatalogue, text: str, filter: SchoolFilter, size: int, after: str | None
) -> Page[SchoolDocument]:
    """Schools matching ``text``, best first (the engine's ranking)."""
    key = zlib.crc32(repr((RANKED, text, sorted(_filters(filter).items()))).encode())
    offset = _position(after, RANKED, key)
    result = await _search(catalogue, text, filter, limit=size, offset=offset)
    ids = [hit.id for hit in result.hits]
    # The engine applied every filter: its margins are over the next match of this list.
    rows = [
        cast(SchoolDocument, scored(school, Ranked(hit.id, hit.score, hit.margin)))
        for hit in result.hits
        if (school := catalogue.school(hit.id)) is not None  # None: left since the read
    ]
    cursors = [encode_cursor([RANKED, offset + n, key]) for n in range(1, len(rows) + 1)]
    total: int = result.total
    return _page(rows, cursors, offset + len(ids) < total, lambda: total)


async def _matching_ids(
    catalogue: SchoolCatalogue, text: str, filter: SchoolFilter
) -> frozenset[str]:
    """Every school matching ``text`` (for ``near`` with ``search``: ordered by distance)."""
    found: set[str] = set()
    offset = 0
    while True:
        result = await _search(catalogue, text, filter, limit=ENGINE_PAGE, offset=offset)
        found.update(hit.id for hit in result.hits)
        offset += ENGINE_PAGE
        if not result.hits or offset >= result.total:
            return frozenset(found)


async def nearest(
    catalogue: SchoolCatalogue,
    near: Near,
    filter: SchoolFilter,
    text: str | None,
    size: int,
    after: str | None,
) -> Page[SchoolDocument]:
    """Schools within ``near.radius_km`` of the place, nearest first (matching ``text`` if
    given), from the catalogue's points: no database read."""
    place = (near.lat, near.lng, near.radius_km)
    key = zlib.crc32(repr((NEAR, place, text, sorted(_filters(filter).items()))).encode())
    offset = _position(after, NEAR, key)
    keep = catalogue.keep(filter)
    if text is not None:
        matching = await _matching_ids(catalogue, text, filter)
        kept = keep
        keep = lambda school_id: school_id in matching and kept(school_id)  # noqa: E731
    found = await catalogue.near(*place, limit=size + 1, offset=offset, filter=keep)
    rows = _rows(catalogue, [school_id for school_id, _ in found[:size]])
    cursors = [encode_cursor([NEAR, offset + n, key]) for n in range(1, len(rows) + 1)]

    def total() -> int:
        everything = max(1, len(catalogue))
        return len(catalogue.points.near(*place, limit=everything, keep=keep))

    return _page(rows, cursors, len(found) > size, total)
