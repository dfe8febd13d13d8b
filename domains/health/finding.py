"""Finding facilities: by words (best match first), near a place (nearest first), or by name.

Words and places are served by the read side (``catalogue.py``): ids come from the search
engine or the in-memory points, and each row from the fields kept beside them, with no database
round trip. With both, the matches come nearest first. Without either, the name order is an
indexed read of MongoDB.

Cursors of the first two are positions in the ordering, tied to the request's arguments: a page
follows on from the previous one as long as the catalogue does not change in between (then a
row may repeat or be skipped once), like the procedures search.
"""

import zlib
from collections.abc import Callable
from typing import cast

from domains.health.catalogue import HOSPITAL_INDEX
from domains.health.models import HospitalDocument
from domains.health.repositories import HealthStore
from domains.kernel.errors import InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size
from domains.search import CatalogueIndex, QueryTooLong, Ranked, scored

MAX_SEARCH_TEXT = 200
MAX_POSITION = 100_000
# Hits asked of the engine at a time (its maximum).
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


def _position(after: str | None, key: int) -> int:
    if after is None:
        return 0
    marker, position, found_key = decode_cursor(after, length=3)
    if (
        marker != "facilities"
        or found_key != key
        or not isinstance(position, int)
        or isinstance(position, bool)
        or not 0 <= position <= MAX_POSITION
    ):
        raise InvalidInput("`after` is not a cursor returned by this list.", field="after")
    return position


def _filters(specialty: str | None, level: str | None) -> dict[str, str]:
    filters = {"specialties": specialty, "level": level}
    return {name: value for name, value in filters.items() if value is not None}


async def _matches(
    index: CatalogueIndex, text: str, filters: dict[str, str], wanted: int
) -> list[Ranked]:
    """The first ``wanted`` matches of ``text``, best first, with their scores and margins."""
    found: list[Ranked] = []
    while len(found) < wanted:
        try:
            result = await index.search(
                text, limit=ENGINE_BATCH, offset=len(found), filters=filters
            )
        except QueryTooLong as error:
            raise InvalidInput(
                f"`search` is {error.length} characters long; shorten it to {error.limit} or "
                "fewer.",
                field="search",
            ) from None
        # The engine applied every filter: its margins are over the next match of this list.
        found += [Ranked(hit.id, hit.score, hit.margin) for hit in result.hits]
        if not result.hits or len(found) >= result.total:
            break
    return found[:wanted]


def _keeper(
    index: CatalogueIndex, filters: dict[str, str], only: frozenset[str] | None
) -> Callable[[str], bool] | None:
    """What a near search keeps: among ``only`` (the text's matches), of the level and specialty."""
    if not filters and only is None:
        return None

    def keep(record_id: str) -> bool:
        if only is not None:
            return record_id in only  # the engine applied the filters already
        fields = index.rendered(record_id) or {}
        return ("level" not in filters or fields.get("level") == filters["level"]) and (
            "specialties" not in filters or filters["specialties"] in fields.get("specialties", ())
        )

    return keep


async def _ordered(
    index: CatalogueIndex,
    near: NearInput | None,
    text: str | None,
    filters: dict[str, str],
    wanted: int,
) -> list[tuple[str, Ranked | None]]:
    """The first ``wanted`` ids in the list's order, with the match when ranked by the text
    (None for both: not served here)."""
    if near is None:
        assert text is not None  # noqa: S101 - the caller serves the name order
        return [(match.id, match) for match in await _matches(index, text, filters, wanted)]
    only = None
    if text is not None:
        matches = await _matches(index, text, filters, max(wanted, len(index)))
        only = frozenset(match.id for match in matches)
    found = await index.near(
        near.lat, near.lng, near.radius_km, limit=wanted, filter=_keeper(index, filters, only)
    )
    return [(record_id, None) for record_id, _ in found]


async def find_hospitals(
    *,
    store: HealthStore,
    near: NearInput | None,
    search: str | None,
    specialty: str | None,
    level: str | None,
    first: int | None,
    after: str | None,
) -> Page[HospitalDocument]:
    """Facilities by words (best match first) and/or near a place (nearest first), else by name."""
    text = search_text(search)
    if near is None and text is None:
        return await store.hospitals.page(
            specialty=specialty, level=level, first=first, after=after
        )
    near = near.validated() if near is not None else None
    index = store.resources.get(HOSPITAL_INDEX)
    size = page_size(first)
    place = None if near is None else (near.lat, near.lng, near.radius_km)
    key = zlib.crc32(repr((text, place, specialty, level)).encode())
    offset = _position(after, key)
    filters = _filters(specialty, level)
    ids = await _ordered(index, near, text, filters, offset + size + 1)
    rows: list[HospitalDocument] = []
    cursors: list[str] = []
    for position, (record_id, match) in enumerate(ids[offset : offset + size], start=offset + 1):
        fields = index.rendered(record_id)
        if fields is not None:  # left the catalogue since the search
            rows.append(cast(HospitalDocument, fields if match is None else scored(fields, match)))
            cursors.append(encode_cursor(["facilities", position, key]))

    async def count_total() -> int:
        return len(await _ordered(index, near, text, filters, MAX_POSITION))

    return Page(rows, cursors, len(ids) > offset + size, count_total)
