from dataclasses import dataclass
from datetime import datetime
from typing import cast

from pymongo import IndexModel

from domains.chatbot.models import RateWindowDocument
from domains.kernel.repository import Repository
from domains.kernel.store import Store


class RateLimitRepository(Repository):
    """Fixed one-minute windows, counted in MongoDB so every API replica shares them."""

    collection_name = "chat_rate_limits"
    indexes = (
        # Clean-up only: a window is over when its minute is, whether or not it was swept.
        IndexModel("expiresAt", expireAfterSeconds=0, name="expiresAt_ttl"),
    )

    async def count_message(self, *, key: str, window: int, expires_at: datetime) -> int:
        """Adds one message to ``key``'s window and returns the window's count (atomic)."""
        document = await self.upsert_returning(
            {"_id": f"{key}|{window}"},
            {"$inc": {"count": 1}, "$setOnInsert": {"expiresAt": expires_at}},
        )
        return cast(RateWindowDocument, document)["count"]


@dataclass(frozen=True, slots=True)
class ChatStore(Store):
    """The rate-limit windows over the request's resources."""

    rate_limits: RateLimitRepository
