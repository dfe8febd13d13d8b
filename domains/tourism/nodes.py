"""``node(id:)`` for tourism: attractions, events and itineraries (public, as their queries
answer) and reviews (hidden ones only for administrators, as `reviews` shows them)."""

from bson import ObjectId

from domains.kernel.context import Info
from domains.kernel.node import Node
from domains.tourism import attractions, events, itineraries, reviews
from domains.tourism.itinerary_types import Itinerary
from domains.tourism.types import Attraction, Event, Review, tourism, visitor


async def find_node(info: Info, node_id: str) -> Node | None:
    """The tourism object with this id, as the caller may see it."""
    if not ObjectId.is_valid(node_id):
        return None
    store, language = tourism(info), info.context.lang(None)
    if attraction := await attractions.get_attraction(store=store, attraction_id=node_id):
        return Attraction.from_document(attraction, language)
    if event := await events.get_event(store=store, event_id=node_id):
        return Event.from_document(event, language)
    if itinerary := await itineraries.get_itinerary(store=store, itinerary_id=node_id):
        return Itinerary.from_document(itinerary, language)
    if review := await reviews.get_review(caller=visitor(info), review_id=node_id):
        return Review.from_document(review, language)
    return None
