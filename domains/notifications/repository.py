"""Queries of devices, topic subscriptions, the inbox and preferences, next to the indexes that
serve them (the outbox and deliveries: ``outbox_repository``)."""

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.errors import BulkWriteError

from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.types import Database
from domains.notifications.models import (
    DeviceDocument,
    InboxDocument,
    PreferenceDocument,
    SubscriptionDocument,
)
from domains.notifications.windows import newest_first_page

DUPLICATE_KEY = 11000
# Devices are spread over this many buckets (by a hash of the token) for the fan-out to every
# signed-in device; changing it would make resumed fan-outs start their bucket walk again.
DEVICE_BUCKETS = 64
# FCM drops registration tokens an app has not refreshed for 270 days; so do we.
TOKEN_LIFETIME = timedelta(days=270)
# Retention (docs/security.md): an inbox entry is kept a year (``xuthanh purge``).
INBOX_RETENTION = timedelta(days=365)


async def insert_ignoring_duplicates(repository: Repository, documents: list[Any]) -> list[Any]:
    """Insert what is new and return it; documents whose key exists already are skipped
    (re-run fan-outs)."""
    if not documents:
        return []
    try:
        await repository.collection.insert_many(documents, ordered=False)
        return documents
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        existing = {int(e["index"]) for e in errors}
        return [doc for index, doc in enumerate(documents) if index not in existing]


# How long a removed device's token is remembered (``DeviceRemovalRepository``): a batch that
# waited longer for the wire looks all its devices up again.
DEVICE_REMOVALS_KEPT = timedelta(hours=1)


def device_bucket(token: str) -> int:
    """The fan-out bucket of a device token (stable across processes and releases)."""
    return zlib.crc32(token.encode()) % DEVICE_BUCKETS


class DeviceRepository(Repository):
    collection_name = "devices"
    indexes = (
        # devices_of_users: a user's devices at fan-out.
        IndexModel([("userId", ASCENDING), ("lastSeenAt", DESCENDING)]),
        # signed_in_in_bucket: the fan-out to every signed-in device, one bucket at a time.
        IndexModel([("bucket", ASCENDING), ("_id", ASCENDING)], name="bucket_token"),
        # Clean-up only (the sweep is periodic): live_device filters stale tokens at send time.
        IndexModel(
            [("lastSeenAt", ASCENDING)], expireAfterSeconds=int(TOKEN_LIFETIME.total_seconds())
        ),
        # changed_since: the devices registered again since a batch read them.
        IndexModel([("changedAt", ASCENDING)], name="changedAt"),
    )

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.removals = DeviceRemovalRepository(db)

    async def upsert(
        self,
        *,
        token: str,
        user_id: str | None,
        platform: str,
        locale: str,
        app_version: str,
        now: datetime,
    ) -> DeviceDocument:
        document = await self.upsert_returning(
            {"_id": token},
            {
                "$set": {
                    "bucket": device_bucket(token),
                    "userId": user_id,
                    "platform": platform,
                    "locale": locale,
                    "appVersion": app_version,
                    "lastSeenAt": now,
                },
                "$setOnInsert": {"createdAt": now},
                # The database's clock, one for every process (``changed_since``).
                "$currentDate": {"changedAt": True},
            },
        )
        return cast(DeviceDocument, document)

    async def get_device(self, token: str) -> DeviceDocument | None:
        return cast(DeviceDocument | None, await self.get(token))

    async def delete(self, token: str) -> bool:
        # Remembered first: a batch asking between the two writes looks the device up and
        # finds it, as it would have before the removal began.
        await self.removals.record([token])
        result = await self.collection.delete_one({"_id": token})
        return result.deleted_count == 1

    async def delete_many(self, tokens: Sequence[str]) -> int:
        if not tokens:
            return 0
        await self.removals.record(tokens)
        result = await self.collection.delete_many({"_id": {"$in": list(tokens)}})
        return int(result.deleted_count)

    async def without_bucket(self, *, limit: int) -> list[str]:
        """Tokens of devices stored before fan-out buckets (no order: nothing to sort)."""
        cursor = self.collection.find({"bucket": None}, {"_id": 1}, limit=limit)
        return [str(document["_id"]) async for document in cursor]

    async def count_without_bucket(self) -> int:
        return await self.collection.count_documents({"bucket": None})

    async def give_buckets(self, tokens: Sequence[str]) -> int:
        """Set each device's bucket unless it has one by now: how many were set."""
        if not tokens:
            return 0
        result = await self.collection.bulk_write(
            [
                UpdateOne(
                    {"_id": token, "bucket": None}, {"$set": {"bucket": device_bucket(token)}}
                )
                for token in tokens
            ],
            ordered=False,
        )
        return int(result.modified_count)

    async def changed_since(self, moment: datetime, *, limit: int) -> list[str]:
        """The tokens registered (again) at or after ``moment`` by the database's clock, at most
        ``limit`` of them."""
        cursor = self.collection.find({"changedAt": {"$gte": moment}}, {"_id": 1}, limit=limit)
        return [str(document["_id"]) async for document in cursor]

    async def of_user(self, user_id: str) -> list[DeviceDocument]:
        """A user's devices (export and erasure; served by the userId index)."""
        cursor = self.collection.find({"userId": user_id})
        return cast(list[DeviceDocument], await cursor.to_list())

    async def beyond_newest(self, user_id: str, keep: int) -> list[str]:
        """The tokens of a user's devices after the ``keep`` most recently seen."""
        cursor = self.collection.find(
            {"userId": user_id}, {"_id": 1}, sort=[("lastSeenAt", DESCENDING)], skip=keep
        )
        return [str(document["_id"]) async for document in cursor]

    async def live_devices_of_users(
        self, user_ids: Sequence[str], *, now: datetime
    ) -> list[DeviceDocument]:
        cursor = self.collection.find(
            {"userId": {"$in": list(user_ids)}, "lastSeenAt": {"$gte": now - TOKEN_LIFETIME}}
        )
        return cast(list[DeviceDocument], await cursor.to_list())

    async def live_devices(self, tokens: Sequence[str], *, now: datetime) -> list[DeviceDocument]:
        cursor = self.collection.find(
            {"_id": {"$in": list(tokens)}, "lastSeenAt": {"$gte": now - TOKEN_LIFETIME}}
        )
        return cast(list[DeviceDocument], await cursor.to_list())

    def in_bucket(
        self, bucket: int | None, after: str | None, *, batch_size: int
    ) -> AsyncCursor[DeviceDocument]:
        """One bucket's devices in token order (``None``: devices stored before buckets), as
        one cursor read a chunk at a time; the caller keeps those it addresses
        (``signed_in_and_live``). A bucket is about 1/64 of the devices: no query sorts them
        all. The filter is the bucket (and the resume position) alone, the shape SecantusDB
        answers from the index; with more clauses it scans and sorts the whole collection."""
        query: dict[str, Any] = {"bucket": bucket}
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self.collection.find(query, sort=[("_id", ASCENDING)], batch_size=batch_size)
        return cast(AsyncCursor[DeviceDocument], cursor)


class DeviceRemovalRepository(Repository):
    """The tokens of devices removed lately (unregistered, signed out, dropped beyond a user's
    newest, pruned after FCM's answer, erased), by the database's clock, kept
    ``DEVICE_REMOVALS_KEPT``: the token alone, no user."""

    collection_name = "device_removals"
    indexes = (
        IndexModel(
            [("removedAt", ASCENDING)],
            name="removedAt",
            expireAfterSeconds=int(DEVICE_REMOVALS_KEPT.total_seconds()),
        ),
    )

    async def record(self, tokens: Sequence[str]) -> None:
        writes = [
            UpdateOne({"_id": token}, {"$currentDate": {"removedAt": True}}, upsert=True)
            for token in dict.fromkeys(tokens)
        ]
        await self.collection.bulk_write(writes, ordered=False)

    async def since(self, moment: datetime, *, limit: int) -> list[str]:
        """The tokens removed at or after ``moment``, at most ``limit`` of them."""
        cursor = self.collection.find({"removedAt": {"$gte": moment}}, {"_id": 1}, limit=limit)
        return [str(document["_id"]) async for document in cursor]


def signed_in_and_live(device: DeviceDocument, now: datetime) -> bool:
    """A device of a signed-in user, seen within the token lifetime (the audience 'every
    citizen')."""
    seen = device["lastSeenAt"]
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return device.get("userId") is not None and seen >= now - TOKEN_LIFETIME


class SubscriptionRepository(Repository):
    collection_name = "notification_subscriptions"
    indexes = (
        # One subscription per (topic, user) and per (topic, anonymous device); also serves
        # mySubscriptions (prefix userId) through the second keys.
        IndexModel(
            [("userId", ASCENDING), ("topic", ASCENDING)],
            unique=True,
            partialFilterExpression={"userId": {"$type": "string"}},
        ),
        IndexModel(
            [("token", ASCENDING), ("topic", ASCENDING)],
            unique=True,
            partialFilterExpression={"token": {"$type": "string"}},
        ),
        # subscribers_after: fan-out of a topic in _id order.
        IndexModel([("topic", ASCENDING), ("_id", ASCENDING)]),
    )

    @staticmethod
    def _owner(user_id: str | None, token: str | None) -> dict[str, Any]:
        return {"userId": user_id} if user_id is not None else {"userId": None, "token": token}

    async def add(
        self, *, topic: str, user_id: str | None, token: str | None, now: datetime
    ) -> SubscriptionDocument:
        owner = self._owner(user_id, token)
        insert = {"createdAt": now, "token": None} if user_id is not None else {"createdAt": now}
        document = await self.upsert_returning({**owner, "topic": topic}, {"$setOnInsert": insert})
        return cast(SubscriptionDocument, document)

    async def remove(self, *, topic: str, user_id: str | None, token: str | None) -> bool:
        result = await self.collection.delete_one({**self._owner(user_id, token), "topic": topic})
        return result.deleted_count == 1

    async def move_topic(self, *, topic: str, to: Sequence[str], now: datetime, batch: int) -> int:
        """Give up to ``batch`` followers of ``topic`` the topics ``to`` instead; returns how many
        moved (0 once none is left). Each follower's new subscriptions are written before its
        old one is deleted, so a process stopped half-way loses nobody."""
        followers = await self.collection.find({"topic": topic}).limit(batch).to_list()
        for old in followers:
            for new_topic in to:
                await self.add(
                    topic=new_topic, user_id=old.get("userId"), token=old.get("token"), now=now
                )
        if followers:
            await self.collection.delete_many({"_id": {"$in": [f["_id"] for f in followers]}})
        return len(followers)

    async def remove_for_tokens(self, tokens: Sequence[str]) -> int:
        if not tokens:
            return 0
        result = await self.collection.delete_many({"token": {"$in": list(tokens)}})
        return int(result.deleted_count)

    async def of_user(self, user_id: str) -> list[SubscriptionDocument]:
        cursor = self.collection.find({"userId": user_id})
        return cast(list[SubscriptionDocument], await cursor.to_list())

    async def remove_for_user(self, user_id: str, tokens: Sequence[str]) -> int:
        """Erasure: the user's subscriptions and those of their devices."""
        result = await self.collection.delete_many(
            {"$or": [{"userId": user_id}, {"token": {"$in": list(tokens)}}]}
        )
        return int(result.deleted_count)

    async def page(
        self, *, user_id: str | None, token: str | None, first: int | None, after: str | None
    ) -> Page[SubscriptionDocument]:
        page = await find_page(
            self.collection,
            query=self._owner(user_id, token),
            sort=[("topic", ASCENDING)],
            first=first,
            after=after,
        )
        return cast(Page[SubscriptionDocument], page)

    def subscribers_after(
        self, topic: str, after: ObjectId | None, *, batch_size: int
    ) -> AsyncCursor[SubscriptionDocument]:
        """A topic's subscriptions in ``_id`` order, as one cursor read a chunk at a time."""
        query: dict[str, Any] = {"topic": topic}
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self.collection.find(query, sort=[("_id", ASCENDING)], batch_size=batch_size)
        return cast(AsyncCursor[SubscriptionDocument], cursor)


class InboxRepository(Repository):
    collection_name = "inbox"
    indexes = (
        # page: a user's inbox, newest first, read a createdAt window at a time.
        IndexModel([("userId", ASCENDING), ("createdAt", DESCENDING)]),
        # page(unread_only) and unread_count: the unread ones (readAt null). Two equalities
        # then the window's range, a shape SecantusDB also answers from the index (it does not
        # use the earlier partial index "unread_by_user", left in place where it exists).
        IndexModel(
            [("userId", ASCENDING), ("readAt", ASCENDING), ("createdAt", DESCENDING)],
            name="unread_by_user_at",
        ),
        # purge_before: the scheduled purge of entries past their retention (not a TTL index,
        # so that tests and generated province data may hold entries years old).
        IndexModel([("createdAt", ASCENDING)], name="createdAt"),
    )

    async def add(self, documents: list[InboxDocument]) -> int:
        return len(await insert_ignoring_duplicates(self, list(documents)))

    @staticmethod
    def _query(user_id: str, unread_only: bool) -> dict[str, Any]:
        query: dict[str, Any] = {"userId": user_id}
        if unread_only:
            query["readAt"] = None
        return query

    async def page(
        self,
        *,
        user_id: str,
        unread_only: bool,
        first: int | None,
        after: str | None,
        now: datetime,
    ) -> Page[InboxDocument]:
        """Newest first, a ``createdAt`` window at a time (``windows``: reads what it shows)."""
        page = await newest_first_page(
            self.collection,
            equal=self._query(user_id, unread_only),
            key="createdAt",
            first=first,
            after=after,
            now=now,
        )
        return cast(Page[InboxDocument], page)

    async def find_own(self, entry_id: str, user_id: str) -> InboxDocument | None:
        found = await self.collection.find_one({"_id": entry_id, "userId": user_id})
        return cast(InboxDocument | None, found)

    async def of_user(self, user_id: str) -> list[InboxDocument]:
        cursor = self.collection.find({"userId": user_id}, sort=[("createdAt", DESCENDING)])
        return cast(list[InboxDocument], await cursor.to_list())

    async def delete_for_user(self, user_id: str) -> int:
        result = await self.collection.delete_many({"userId": user_id})
        return int(result.deleted_count)

    async def purge_before(self, cutoff: datetime) -> int:
        """Retention: delete the entries written before ``cutoff`` (``xuthanh purge``)."""
        result = await self.collection.delete_many({"createdAt": {"$lt": cutoff}})
        return int(result.deleted_count)

    async def unread_count(self, user_id: str) -> int:
        return await self.collection.count_documents(self._query(user_id, True))

    async def mark_read(self, *, user_id: str, ids: Sequence[str] | None, now: datetime) -> int:
        """Mark the user's entries read (all when ``ids`` is None); others' ids match nothing."""
        query = self._query(user_id, True)
        if ids is not None:
            query["_id"] = {"$in": list(ids)}
        result = await self.collection.update_many(query, {"$set": {"readAt": now}})
        return int(result.modified_count)


LOCK_SCREEN_MINIMAL = "minimal"
LOCK_SCREEN_PLACE = "place"


class PreferenceRepository(Repository):
    collection_name = "notification_preferences"
    # Looked up by user id only.

    async def lock_screen(self, user_id: str) -> str:
        document = cast(PreferenceDocument | None, await self.get(user_id))
        return document["lockScreen"] if document else LOCK_SCREEN_MINIMAL

    async def set_lock_screen(self, user_id: str, value: str, *, now: datetime) -> None:
        await self.collection.update_one(
            {"_id": user_id}, {"$set": {"lockScreen": value, "updatedAt": now}}, upsert=True
        )

    async def delete_for_user(self, user_id: str) -> int:
        result = await self.collection.delete_one({"_id": user_id})
        return int(result.deleted_count)

    async def showing_place(self, user_ids: Sequence[str]) -> set[str]:
        """Those of ``user_ids`` who chose to see places on their lock screen."""
        cursor = self.collection.find(
            {"_id": {"$in": list(user_ids)}, "lockScreen": LOCK_SCREEN_PLACE}, {"_id": 1}
        )
        return {str(document["_id"]) async for document in cursor}
