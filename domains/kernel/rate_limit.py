"""Limits counted in MongoDB, so that every API replica shares them: fixed windows per key (a
user, or a keyed hash of an address) and the expected failure a mutation answers beyond one."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Self

import strawberry
from pymongo import IndexModel

from domains.kernel.errors import DomainError, UserError
from domains.kernel.repository import Repository


class TooManyRequests(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, what: str, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many {what}; try again in {retry_after_seconds} s.",
            retryAfterSeconds=retry_after_seconds,
        )
        self.retry_after_seconds = retry_after_seconds


@strawberry.type(description="Too many requests of this kind: retry after `retryAfterSeconds`.")
class RateLimitExceeded(UserError):
    retry_after_seconds: int
    codes: ClassVar[frozenset[str]] = frozenset({TooManyRequests.code})

    @classmethod
    def from_error(cls, error: DomainError) -> Self:
        retry = int(error.details.get("retryAfterSeconds", 60))
        return cls(message=error.message, code=error.code, retry_after_seconds=retry)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` per ``per`` for one key of ``name`` (e.g. device registrations)."""

    name: str
    count: int
    per: timedelta


def address_key(address: str | None) -> str:
    """An address as a limit key: hashed, so the windows (kept an hour or so) do not list
    addresses in the clear."""
    return hashlib.sha256(f"xuthanh-limit:{address or '-'}".encode()).hexdigest()[:32]


class RateWindowRepository(Repository):
    """``rate_limit_windows``: one counter per (limit, key, window)."""

    collection_name = "rate_limit_windows"
    indexes = (
        # Clean-up only: a window is over when its time is, whether or not it was swept.
        IndexModel("expiresAt", expireAfterSeconds=0, name="expiresAt_ttl"),
    )

    async def take(self, limit: Limit, key: str, *, now: datetime) -> None:
        """Count one for ``key``; raises TooManyRequests past the limit (atomic, shared)."""
        seconds = int(limit.per.total_seconds())
        window = int(now.timestamp()) // seconds
        ends = datetime.fromtimestamp((window + 1) * seconds, tz=now.tzinfo)
        document = await self.upsert_returning(
            {"_id": f"{limit.name}|{key}|{window}"},
            {"$inc": {"count": 1}, "$setOnInsert": {"expiresAt": ends}},
        )
        if int(document["count"]) > limit.count:
            raise TooManyRequests(limit.name, max(1, int((ends - now).total_seconds()) + 1))
