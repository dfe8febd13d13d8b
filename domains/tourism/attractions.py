"""Attractions: finding them (near a point, by words, open now) and editing them (admins)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId

from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.folding import fold
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.validation import object_id
from domains.tourism import catalogues, content
from domains.tourism.catalogues import ATTRACTION_INDEX
from domains.tourism.errors import AttractionNotFound
from domains.tourism.hours import is_open
from domains.tourism.inputs import AttractionInput
from domains.tourism.listing import Keep, near_page, query_key, ranked_ids, ranked_page, search_text
from domains.tourism.models import AttractionDocument
from domains.tourism.repositories.attractions import AttractionFilter
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import AttractionCategory


def _keep(category: str | None, district_key: str | None, open_at: datetime | None) -> Keep | None:
    """The filters as a test of the rendered fields (for pages served from the read side)."""
    if category is None and district_key is None and open_at is None:
        return None

    def keep(fields: Mapping[str, Any]) -> bool:
        return (
            (category is None or fields.get("category") == category)
            and (district_key is None or fields.get("districtKey") == district_key)
            and (
                open_at is None
                or is_open(fields.get("openingHours", []), fields.get("specialDays", []), open_at)
            )
        )

    return keep


async def list_attractions(
    *,
    store: TourismStore,
    near: NearInput | None = None,
    search: str | None = None,
    category: AttractionCategory | None = None,
    district: str | None = None,
    open_now: bool = False,
    first: int | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[AttractionDocument]:
    """Attractions filtered and ordered by distance (near), relevance (search) or name.

    Near and search are served by the read side (``catalogues``); with both, the matches of the
    search come nearest first. The name order is an indexed read of MongoDB.
    """
    text = search_text(search)
    kind = category.value if category else None
    district_key = fold(district) if district and district.strip() else None
    open_at = (now or utcnow()) if open_now else None
    if near is None and text is None:
        where = AttractionFilter(category=kind, district_key=district_key, open_at=open_at)
        return await store.attractions.page(where=where, first=first, after=after)
    index = store.resources.get(ATTRACTION_INDEX)
    filters = {"category": kind, "districtKey": district_key}
    engine_filters = {name: value for name, value in filters.items() if value is not None}
    centre = None if near is None else (near.lat, near.lng, near.radius_km)
    key = query_key("attractions", centre, text, filters, open_now)
    if near is not None:
        near = near.validated()
        matches = None
        if text is not None:
            found = await ranked_ids(index, text, filters=engine_filters, keep=None)
            matches = frozenset(match.id for match in found)
        page = await near_page(
            index,
            near,
            keep=_keep(kind, district_key, open_at),
            key=key,
            first=first,
            after=after,
            only=matches,
        )
    else:
        page = await ranked_page(
            index,
            text or "",
            filters=engine_filters,
            keep=_keep(None, None, open_at),
            key=key,
            first=first,
            after=after,
        )
    return cast(Page[AttractionDocument], page)


async def get_attraction(*, store: TourismStore, attraction_id: str) -> AttractionDocument | None:
    """One attraction, or None for an unknown id."""
    parsed = parse_object_id(attraction_id)
    return await store.attractions.get_by_id(parsed) if parsed is not None else None


async def get_attraction_or_raise(*, store: TourismStore, attraction_id: str) -> AttractionDocument:
    """One attraction, or AttractionNotFound."""
    attraction = await get_attraction(store=store, attraction_id=attraction_id)
    if attraction is None:
        raise AttractionNotFound(attraction_id)
    return attraction


async def load_attractions(
    *, store: TourismStore, ids: Sequence[ObjectId]
) -> list[AttractionDocument | None]:
    """Attractions in the order of ``ids`` (DataLoader batch)."""
    return await store.attractions.load_many(list(ids))


async def create_attraction(
    *,
    caller: Caller[TourismStore],
    data: AttractionInput,
    now: datetime | None = None,
) -> AttractionDocument:
    """Add an attraction (administrators only)."""
    require_admin(caller.principal)
    store = caller.store
    document = await content.create(
        store.attractions,
        data.to_fields(),
        extra={"rating": {"sum": 0, "count": 0}},
        now=now or utcnow(),
    )
    await catalogues.written(store.resources, ATTRACTION_INDEX, [document])
    return document


async def update_attraction(
    *,
    caller: Caller[TourismStore],
    attraction_id: str,
    data: AttractionInput,
    now: datetime | None = None,
) -> AttractionDocument:
    """Replace an attraction's content; its reviews and rating stay (administrators only)."""
    require_admin(caller.principal)
    store = caller.store
    parsed = object_id(attraction_id, what="attraction")
    document = await content.replace(
        store.attractions, parsed, data.to_fields(), now=now or utcnow()
    )
    if document is None:
        raise AttractionNotFound(attraction_id)
    await catalogues.written(store.resources, ATTRACTION_INDEX, [document])
    return document
