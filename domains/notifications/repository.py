"""Every query of the notifications domain, next to the index that serves it."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.errors import BulkWriteError

from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.notifications.models import (
    DeliveryDocument,
    DeviceDocument,
    InboxDocument,
    NotificationDocument,
    PreferenceDocument,
    SubscriptionDocument,
)
from domains.notifications.outbox import NOTIFICATIONS

DUPLICATE_KEY = 11000
# FCM drops registration tokens an app has not refreshed for 270 days; so do we.
TOKEN_LIFETIME = timedelta(days=270)
MARK_SLICE = 100  # deliveries per update when recording outcomes


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


class DeviceRepository(Repository):
    collection_name = "devices"
    indexes = (
        # devices_of_users: a user's devices at fan-out.
        IndexModel([("userId", ASCENDING), ("lastSeenAt", DESCENDING)]),
        # Clean-up only (the sweep is periodic): live_device filters stale tokens at send time.
        IndexModel(
            [("lastSeenAt", ASCENDING)], expireAfterSeconds=int(TOKEN_LIFETIME.total_seconds())
        ),
    )

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
        document = await self.collection.find_one_and_update(
            {"_id": token},
            {
                "$set": {
                    "userId": user_id,
                    "platform": platform,
                    "locale": locale,
                    "appVersion": app_version,
                    "lastSeenAt": now,
                },
                "$setOnInsert": {"createdAt": now},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return cast(DeviceDocument, document)

    async def get_device(self, token: str) -> DeviceDocument | None:
        return cast(DeviceDocument | None, await self.get(token))

    async def delete(self, token: str) -> bool:
        result = await self.collection.delete_one({"_id": token})
        return result.deleted_count == 1

    async def delete_many(self, tokens: Sequence[str]) -> int:
        if not tokens:
            return 0
        result = await self.collection.delete_many({"_id": {"$in": list(tokens)}})
        return int(result.deleted_count)

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

    def signed_in_after(
        self, after: str | None, *, now: datetime, batch_size: int
    ) -> AsyncCursor[DeviceDocument]:
        """Devices of signed-in users in token order (the audience 'every citizen'), as one
        cursor: the fan-out reads it a chunk at a time instead of querying per chunk (SecantusDB
        sorts every remaining device for each query)."""
        query: dict[str, Any] = {
            "userId": {"$ne": None},
            "lastSeenAt": {"$gte": now - TOKEN_LIFETIME},
        }
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self.collection.find(query, sort=[("_id", ASCENDING)], batch_size=batch_size)
        return cast(AsyncCursor[DeviceDocument], cursor)


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
        document = await self.collection.find_one_and_update(
            {**owner, "topic": topic},
            {"$setOnInsert": insert},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return cast(SubscriptionDocument, document)

    async def remove(self, *, topic: str, user_id: str | None, token: str | None) -> bool:
        result = await self.collection.delete_one({**self._owner(user_id, token), "topic": topic})
        return result.deleted_count == 1

    async def remove_for_tokens(self, tokens: Sequence[str]) -> int:
        if not tokens:
            return 0
        result = await self.collection.delete_many({"token": {"$in": list(tokens)}})
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


class NotificationRepository(Repository):
    collection_name = NOTIFICATIONS
    indexes = (
        # outbox.store / cancel_scheduled: one live notification per dedupe key. The key is
        # absent (never null) when unset or cancelled, so a sparse index is exact; it is sparse
        # rather than partial because SecantusDB plans equality look-ups only on the former.
        IndexModel([("dedupeKey", ASCENDING)], unique=True, sparse=True, name="dedupeKey_sparse"),
        # claim_for_fanout: due notifications the worker has not finished fanning out.
        IndexModel([("status", ASCENDING), ("sendAt", ASCENDING)]),
    )

    async def get_notification(self, notification_id: ObjectId) -> NotificationDocument | None:
        return cast(NotificationDocument | None, await self.get(notification_id))

    async def claim_for_fanout(
        self, *, now: datetime, lease: timedelta, owner: str
    ) -> NotificationDocument | None:
        """Take one due notification for fan-out; a lease lets another worker resume a crash.
        Progress is saved only by the ``owner`` holding the fan-out."""
        document = await self.collection.find_one_and_update(
            {
                "status": {"$in": ["pending", "fanning_out"]},
                "sendAt": {"$lte": now},
                "leaseUntil": {"$lte": now},
            },
            {"$set": {"status": "fanning_out", "leaseUntil": now + lease, "fanoutOwner": owner}},
            sort=[("sendAt", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return cast(NotificationDocument | None, document)

    async def record_fanout_progress(
        self,
        notification_id: ObjectId,
        *,
        after: Any,
        recipients: int,
        inbox_entries: int,
        lease_until: datetime,
        owner: str,
    ) -> bool:
        """Save the fan-out position and renew the lease; False if the fan-out was cancelled or
        another worker took it over (its lease had ended)."""
        result = await self.collection.update_one(
            {"_id": notification_id, "status": "fanning_out", "fanoutOwner": owner},
            {
                "$set": {"fanoutAfter": after, "leaseUntil": lease_until},
                "$inc": {"recipients": recipients, "inboxEntries": inbox_entries},
            },
        )
        return result.modified_count == 1

    async def finish_fanout(self, notification_id: ObjectId, *, now: datetime, owner: str) -> None:
        await self.collection.update_one(
            {"_id": notification_id, "status": "fanning_out", "fanoutOwner": owner},
            {"$set": {"status": "sending", "fannedOutAt": now}},
        )

    async def get_texts(self, ids: Sequence[ObjectId]) -> dict[ObjectId, NotificationDocument]:
        cursor = self.collection.find(
            {"_id": {"$in": list(ids)}},
            {"title": 1, "body": 1, "detailed": 1, "data": 1, "category": 1},
        )
        return {doc["_id"]: cast(NotificationDocument, doc) async for doc in cursor}


class DeliveryRepository(Repository):
    collection_name = "notification_deliveries"
    indexes = (
        # claim: pending deliveries that are due (first try, retry time, or expired lease).
        IndexModel([("state", ASCENDING), ("dueAt", ASCENDING)]),
        # counts and per-token results of one notification (notificationStatus).
        IndexModel([("n", ASCENDING), ("state", ASCENDING)]),
        # the claim a worker just made.
        IndexModel([("claim", ASCENDING)], sparse=True),
    )

    async def add(self, documents: list[DeliveryDocument]) -> list[DeliveryDocument]:
        """Insert the deliveries that do not exist yet; returns those."""
        return await insert_ignoring_duplicates(self, list(documents))

    async def claim(
        self, *, worker_claim: str, now: datetime, lease: timedelta, limit: int
    ) -> list[DeliveryDocument]:
        """Take up to ``limit`` due deliveries for this worker until the lease ends.

        Candidates are read first, then taken with one conditional update: a document only
        moves if it is still pending and due, so two workers never hold the same delivery.
        """
        due = {"state": "pending", "dueAt": {"$lte": now}}
        candidates = await self.collection.find(
            due, {"_id": 1}, sort=[("dueAt", ASCENDING)], limit=limit
        ).to_list()
        if not candidates:
            return []
        # `_id` first: SecantusDB looks the ids up by key only when `_id` leads the filter; with
        # `state` first it scans the whole collection (5 s per batch at 10,000 deliveries).
        await self.collection.update_many(
            {"_id": {"$in": [doc["_id"] for doc in candidates]}, **due},
            {
                "$set": {"claim": worker_claim, "dueAt": now + lease, "lastAttemptAt": now},
                "$inc": {"attempts": 1},
            },
        )
        taken = await self.collection.find({"claim": worker_claim}).to_list()
        return cast(list[DeliveryDocument], taken)

    async def extend_claim(self, worker_claim: str, *, until: datetime) -> None:
        """Push the lease of a claim still being worked on further out."""
        await self.collection.update_many(
            {"claim": worker_claim, "state": "pending"}, {"$set": {"dueAt": until}}
        )

    async def mark(
        self, ids: Sequence[str], *, worker_claim: str, state: str, now: datetime
    ) -> None:
        """Record one outcome for many deliveries of this claim (e.g. all successes).

        Written in slices of ``MARK_SLICE``: SecantusDB spends about half as much per delivery on
        updates of 25 to 100 documents as on updates of one or of 500."""
        for start in range(0, len(ids), MARK_SLICE):
            await self.collection.update_many(
                {"_id": {"$in": list(ids[start : start + MARK_SLICE])}, "claim": worker_claim},
                {
                    "$set": {
                        "state": state,
                        "doneAt": now,
                        "errorCode": None,
                        "errorMessage": None,
                    },
                    "$unset": {"claim": ""},
                },
            )

    async def record(self, updates: Sequence[tuple[str, dict[str, Any]]], *, claim: str) -> None:
        """Record individual outcomes (failures, retries) of this claim."""
        if not updates:
            return
        await self.collection.bulk_write(
            [
                UpdateOne({"_id": _id, "claim": claim}, {"$set": fields, "$unset": {"claim": ""}})
                for _id, fields in updates
            ],
            ordered=False,
        )

    async def skip_pending_for_tokens(self, tokens: Sequence[str], *, now: datetime) -> int:
        """Deliveries waiting for tokens FCM reported unregistered will never arrive."""
        if not tokens:
            return 0
        result = await self.collection.update_many(
            {"token": {"$in": list(tokens)}, "state": "pending", "claim": {"$exists": False}},
            {"$set": {"state": "skipped", "errorCode": "UNREGISTERED", "doneAt": now}},
        )
        return int(result.modified_count)

    async def counts(self, notification_id: ObjectId) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"n": notification_id}},
            {"$group": {"_id": "$state", "count": {"$sum": 1}}},
        ]
        cursor = await self.collection.aggregate(pipeline)
        return {row["_id"]: int(row["count"]) async for row in cursor}

    async def page(
        self,
        notification_id: ObjectId,
        *,
        state: str | None,
        first: int | None,
        after: str | None,
    ) -> Page[DeliveryDocument]:
        query: dict[str, Any] = {"n": notification_id}
        if state is not None:
            query["state"] = state
        page = await find_page(self.collection, query=query, sort=[], first=first, after=after)
        return cast(Page[DeliveryDocument], page)


class InboxRepository(Repository):
    collection_name = "inbox"
    indexes = (
        # page / unread_count: a user's inbox, newest first, optionally unread only.
        IndexModel([("userId", ASCENDING), ("createdAt", DESCENDING)]),
        IndexModel(
            [("userId", ASCENDING), ("createdAt", DESCENDING)],
            name="unread_by_user",
            partialFilterExpression={"readAt": None},
        ),
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
        self, *, user_id: str, unread_only: bool, first: int | None, after: str | None
    ) -> Page[InboxDocument]:
        page = await find_page(
            self.collection,
            query=self._query(user_id, unread_only),
            sort=[("createdAt", DESCENDING)],
            first=first,
            after=after,
        )
        return cast(Page[InboxDocument], page)

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

    async def showing_place(self, user_ids: Sequence[str]) -> set[str]:
        """Those of ``user_ids`` who chose to see places on their lock screen."""
        cursor = self.collection.find(
            {"_id": {"$in": list(user_ids)}, "lockScreen": LOCK_SCREEN_PLACE}, {"_id": 1}
        )
        return {str(document["_id"]) async for document in cursor}
