"""Attractions: finding them (near a point, by words, open now) and editing them (admins)."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from bson import ObjectId

from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.search import query_terms
from domains.kernel.validation import object_id
from domains.tourism import content
from domains.tourism.errors import AttractionNotFound
from domains.tourism.inputs import AttractionInput
from domains.tourism.models import AttractionDocument
from domains.tourism.repositories.attractions import AttractionFilter
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import AttractionCategory

MAX_SEARCH_TEXT = 200
# Synonyms people type for what the names say differently.
SYNONYMS: Mapping[str, Sequence[str]] = {
    "citadel": ["thanh"],
    "ho dynasty": ["thanh nha ho"],
    "beach": ["bai bien"],
    "temple": ["den"],
    "pagoda": ["chua"],
    "cave": ["hang", "dong"],
    "waterfall": ["thac"],
    "national park": ["vuon quoc gia"],
}


def _search_terms(search: str | None) -> list[str]:
    if search is None or not search.strip():
        return []
    if len(search) > MAX_SEARCH_TEXT:
        raise InvalidInput(f"`search` is at most {MAX_SEARCH_TEXT} characters.", field="search")
    terms = query_terms(search, SYNONYMS)
    if not terms:
        raise InvalidInput("`search` has no letters or digits to look for.", field="search")
    return terms


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
    """Attractions filtered and ordered by distance (near), relevance (search) or name."""
    where = AttractionFilter(
        category=category.value if category else None,
        district_key=fold(district) if district and district.strip() else None,
        search_terms=_search_terms(search),
        open_at=(now or utcnow()) if open_now else None,
    )
    return await store.attractions.page(
        where=where, near=near.validated() if near else None, first=first, after=after
    )


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
    return await content.create(
        store.attractions,
        data.to_fields(),
        extra={"rating": {"sum": 0, "count": 0}},
        now=now or utcnow(),
    )


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
    return document
