"""The tourism store: the domain's repositories and the resources they run against, built once
per request (``info.context.scoped(TourismStore.of)``) or per use case."""

from dataclasses import dataclass

from domains.kernel.repository import Repository
from domains.kernel.store import Store
from domains.tourism.repositories.attractions import AttractionRepository
from domains.tourism.repositories.events import EventRepository, LegacyEventSubscriptionRepository
from domains.tourism.repositories.favorites import FavoriteRepository
from domains.tourism.repositories.itineraries import ItineraryRepository
from domains.tourism.repositories.reviews import ReviewRepository


@dataclass(frozen=True, slots=True)
class TourismStore(Store):
    """Transactions lock on an attraction's id (reviews) or an event's (reminders)."""

    attractions: AttractionRepository
    reviews: ReviewRepository
    events: EventRepository
    itineraries: ItineraryRepository
    favorites: FavoriteRepository
    legacy_subscriptions: LegacyEventSubscriptionRepository


REPOSITORIES: tuple[type[Repository], ...] = (
    AttractionRepository,
    ReviewRepository,
    EventRepository,
    ItineraryRepository,
    FavoriteRepository,
)
