"""What tourism holds about a person: their favourites and reviews (a review leaves the rating
totals as when its author deletes it)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domains.kernel.auth import Principal
from domains.kernel.caller import Caller
from domains.kernel.personal_data import PersonalData
from domains.kernel.resources import Resources
from domains.tourism.errors import ReviewNotFound
from domains.tourism.repositories.store import TourismStore
from domains.tourism.reviews import delete_review


@dataclass(frozen=True, slots=True)
class TourismPersonalData:
    store: TourismStore

    async def export(self, uid: str) -> Mapping[str, Any]:
        return {
            "favorites": await self.store.favorites.of_user(uid),
            "reviews": await self.store.reviews.of_user(uid),
        }

    async def erase(self, uid: str) -> int:
        caller = Caller(self.store, Principal(uid=uid))
        changed = 0
        for review in await self.store.reviews.of_user(uid):
            try:
                await delete_review(caller=caller, review_id=str(review["_id"]))
                changed += 1
            except ReviewNotFound:
                pass  # deleted meanwhile
        return changed + await self.store.favorites.delete_for_user(uid)


def holder(resources: Resources) -> PersonalData:
    return TourismPersonalData(TourismStore.of(resources))
