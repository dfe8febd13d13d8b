"""Favourites: the attractions a signed-in visitor saved."""

from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId

from domains.kernel.auth import require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.pagination import Page
from domains.tourism.attractions import get_attraction_or_raise
from domains.tourism.models import AttractionDocument, FavoriteDocument
from domains.tourism.repositories.store import TourismStore


async def add_favorite(
    *, caller: Caller[TourismStore], attraction_id: str, now: datetime | None = None
) -> AttractionDocument:
    """Save an attraction to the caller's favourites (idempotent)."""
    store, uid = caller.store, require_user(caller.principal)
    attraction = await get_attraction_or_raise(store=store, attraction_id=attraction_id)
    await store.favorites.add(uid, attraction["_id"], now or utcnow())
    return attraction


async def remove_favorite(
    *, caller: Caller[TourismStore], attraction_id: str
) -> AttractionDocument:
    """Remove an attraction from the caller's favourites (idempotent)."""
    store, uid = caller.store, require_user(caller.principal)
    attraction = await get_attraction_or_raise(store=store, attraction_id=attraction_id)
    await store.favorites.remove(uid, attraction["_id"])
    return attraction


async def list_favorites(
    *, caller: Caller[TourismStore], first: int | None, after: str | None
) -> Page[FavoriteDocument]:
    """The caller's favourites, most recently saved first."""
    store, uid = caller.store, require_user(caller.principal)
    return await store.favorites.page(uid=uid, first=first, after=after)


async def load_favorite_flags(
    *, caller: Caller[TourismStore], attraction_ids: Sequence[ObjectId]
) -> list[bool]:
    """Whether each attraction is among the caller's favourites (False when anonymous)."""
    uid = caller.principal.uid
    if uid is None:
        return [False] * len(attraction_ids)
    saved = await caller.store.favorites.favorite_ids(uid, attraction_ids)
    return [attraction_id in saved for attraction_id in attraction_ids]
