"""The tourism store: the domain's repositories and the resources they run against, built once
per request (``info.context.scoped(TourismStore.of)``) or per use case."""

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Self, TypeVar

from domains.kernel.repository import Repository
from domains.kernel.resources import Resources
from domains.kernel.transactions import in_transaction
from domains.kernel.types import Database, Session
from domains.tourism.repositories.attractions import AttractionRepository
from domains.tourism.repositories.events import EventRepository, LegacyEventSubscriptionRepository
from domains.tourism.repositories.favorites import FavoriteRepository
from domains.tourism.repositories.itineraries import ItineraryRepository
from domains.tourism.repositories.reviews import ReviewRepository

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class TourismStore:
    resources: Resources
    attractions: AttractionRepository
    reviews: ReviewRepository
    events: EventRepository
    itineraries: ItineraryRepository
    favorites: FavoriteRepository
    legacy_subscriptions: LegacyEventSubscriptionRepository

    @classmethod
    def of(cls, resources: Resources) -> Self:
        db = resources.db
        return cls(
            resources=resources,
            attractions=AttractionRepository(db),
            reviews=ReviewRepository(db),
            events=EventRepository(db),
            itineraries=ItineraryRepository(db),
            favorites=FavoriteRepository(db),
            legacy_subscriptions=LegacyEventSubscriptionRepository(db),
        )

    @property
    def db(self) -> Database:
        return self.resources.db

    async def transaction(
        self, work: Callable[[Session], Awaitable[Result]], *, keys: Iterable[Hashable] = ()
    ) -> Result:
        """``work`` in one transaction; with ``keys`` (an attraction's or an event's), after this
        process's earlier transactions on them (``resources.locks``)."""
        return await in_transaction(self.db, work, locks=self.resources.locks, keys=keys)


REPOSITORIES: tuple[type[Repository], ...] = (
    AttractionRepository,
    ReviewRepository,
    EventRepository,
    ItineraryRepository,
    FavoriteRepository,
)
