"""Favourites: the attractions a signed-in visitor saved."""

from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId

from domains.kernel.auth import Principal, require_user
from domains.kernel.clock import utcnow
from domains.kernel.pagination import Page
from domains.tourism.attractions import get_attraction_or_raise
from domains.tourism.models import AttractionDocument, FavoriteDocument
from domains.tourism.repositories.store import TourismStore


async def add_favorite(
    *, store: TourismStore, principal: Principal, attraction_id: str, now: datetime | None = None
) -> AttractionDocument:
    """Save an attraction to the caller's favourites (idempotent)."""
    uid = require_user(principal)
    attraction = await get_attraction_or_raise(store=store, attraction_id=attraction_id)
    await store.favorites.add(uid, attraction["_id"], now or utcnow())
    return attraction


async def remove_favorite(
    *, store: TourismStore, principal: Principal, attraction_id: str
) -> AttractionDocument:
    """Remove an attraction from the caller's favourites (idempotent)."""
    uid = require_user(principal)
    attraction = await get_attraction_or_raise(store=store, attraction_id=attraction_id)
    await store.favorites.remove(uid, attraction["_id"])
    return attraction


async def list_favorites(
    *, store: TourismStore, principal: Principal, first: int | None, after: str | None
) -> Page[FavoriteDocument]:
    """The caller's favourites, most recently saved first."""
    uid = require_user(principal)
    return await store.favorites.page(uid=uid, first=first, after=after)


async def load_favorite_flags(
    *, store: TourismStore, principal: Principal, attraction_ids: Sequence[ObjectId]
) -> list[bool]:
    """Whether each attraction is among the caller's favourites (False when anonymous)."""
    if principal.uid is None:
        return [False] * len(attraction_ids)
    saved = await store.favorites.favorite_ids(principal.uid, attraction_ids)
    return [attraction_id in saved for attraction_id in attraction_ids]
