"""Itineraries: suggested routes through attractions, and their editing (admins)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.validation import object_id
from domains.tourism import content
from domains.tourism.errors import ItineraryNotFound
from domains.tourism.inputs import ItineraryInput
from domains.tourism.models import ItineraryDocument
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import ItineraryTheme


async def list_itineraries(
    *, store: TourismStore, theme: ItineraryTheme | None, first: int | None, after: str | None
) -> Page[ItineraryDocument]:
    """Itineraries, optionally of one theme."""
    return await store.itineraries.page(
        theme=theme.value if theme else None, first=first, after=after
    )


async def get_itinerary(*, store: TourismStore, itinerary_id: str) -> ItineraryDocument | None:
    """One itinerary, or None for an unknown id."""
    parsed = parse_object_id(itinerary_id)
    return await store.itineraries.get_by_id(parsed) if parsed is not None else None


async def _checked_stops(store: TourismStore, data: ItineraryInput) -> dict[str, Any]:
    """The itinerary's fields, once every stop names an existing attraction."""
    fields = data.to_fields()
    wanted = [stop["attractionId"] for stop in fields["stops"]]
    existing = await store.attractions.existing_ids(wanted)
    for index, attraction_id in enumerate(wanted):
        if attraction_id not in existing:
            raise InvalidInput(
                f"`stops[{index}].attractionId` names no attraction.",
                field=f"stops[{index}].attractionId",
            )
    return fields


async def create_itinerary(
    *,
    caller: Caller[TourismStore],
    data: ItineraryInput,
    now: datetime | None = None,
) -> ItineraryDocument:
    """Add an itinerary (administrators only)."""
    require_admin(caller.principal)
    store = caller.store
    fields: Mapping[str, Any] = await _checked_stops(store, data)
    return await content.create(store.itineraries, fields, now=now or utcnow())


async def update_itinerary(
    *,
    caller: Caller[TourismStore],
    itinerary_id: str,
    data: ItineraryInput,
    now: datetime | None = None,
) -> ItineraryDocument:
    """Replace an itinerary (administrators only)."""
    require_admin(caller.principal)
    store = caller.store
    parsed = object_id(itinerary_id, what="itinerary")
    fields = await _checked_stops(store, data)
    document = await content.replace(store.itineraries, parsed, fields, now=now or utcnow())
    if document is None:
        raise ItineraryNotFound(itinerary_id)
    return document
