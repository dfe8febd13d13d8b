"""Queries of the outbox (``notifications``) and of its per-token deliveries, next to the indexes
that serve them."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import PyMongoError

from domains.kernel.repository import Repository
from domains.kernel.types import Document, Session
from domains.notifications.batches import BatchRepository, as_pending_record, unsent
from domains.notifications.counting import Counting
from domains.notifications.models import DeliveryDocument, NotificationDocument
from domains.notifications.repository import insert_ignoring_duplicates
from domains.notifications.sent import SentRepository
from domains.notifications.tallies import (
    TALLIED_STATES,
    TALLIES,
    DeliveryTallyRepository,
    room_as_before,
)

__all__ = ["TALLIES", "DeliveryRepository", "DeliveryTallyRepository", "NotificationRepository"]

NOTIFICATIONS = "notifications"
# Retention (docs/security.md): a notification is kept 90 days after it was fanned out or
# cancelled (scheduled ones wait for their time), its per-device records 30 days.
OUTBOX_RETENTION = timedelta(days=90)
DELIVERY_RETENTION = timedelta(days=30)
MARK_SLICE = 100  # deliveries per update when recording outcomes
# A broadcast (any audience but a list of users) keeps a record of at most this many successful
# deliveries; the successes beyond are counted in `notification_delivery_tallies`, so a million
# devices never leave a million records. Pending and failed deliveries always keep theirs: they
# are the retry queue and what notificationStatus lists (docs/security.md).
SUCCESS_RECORDS_KEPT = 10_000


class NotificationRepository(Repository):
    collection_name = NOTIFICATIONS
    indexes = (
        # store / cancel_pending: one live notification per dedupe key. The key is
        # absent (never null) when unset or cancelled, so a sparse index is exact; it is sparse
        # rather than partial because SecantusDB plans equality look-ups only on the former.
        IndexModel([("dedupeKey", ASCENDING)], unique=True, sparse=True, name="dedupeKey_sparse"),
        # claim_for_fanout: due notifications the worker has not finished fanning out.
        IndexModel([("status", ASCENDING), ("sendAt", ASCENDING)]),
        # Retention only (a TTL index skips documents without the field: pending ones).
        IndexModel(
            [("fannedOutAt", ASCENDING)],
            expireAfterSeconds=int(OUTBOX_RETENTION.total_seconds()),
            name="fannedOutAt_ttl",
        ),
        IndexModel(
            [("cancelledAt", ASCENDING)],
            expireAfterSeconds=int(OUTBOX_RETENTION.total_seconds()),
            name="cancelledAt_ttl",
        ),
    )

    async def get_notification(self, notification_id: ObjectId) -> NotificationDocument | None:
        return cast(NotificationDocument | None, await self.get(notification_id))

    async def audience_of(self, notification_id: str) -> tuple[ObjectId | str, Document] | None:
        """The id and audience of a notification given as text (a delivery id's first part)."""
        key = ObjectId(notification_id) if ObjectId.is_valid(notification_id) else notification_id
        found = await self.collection.find_one({"_id": key}, {"audience": 1})
        return None if found is None else (found["_id"], found.get("audience", {}))

    async def store(self, document: Document, *, session: Session | None) -> ObjectId:
        """Insert an outbox document; with a dedupe key, the first stored one wins and is
        returned."""
        key = document.get("dedupeKey")
        if key is None:
            result = await self.collection.insert_one(document, session=session)
            return ObjectId(result.inserted_id)
        # An upsert rather than insert-then-catch: a duplicate-key error inside the caller's
        # transaction would abort the caller's whole change.
        insert = {k: v for k, v in document.items() if k != "dedupeKey"}
        stored = await self.upsert_returning(
            {"dedupeKey": key}, {"$setOnInsert": insert}, projection={"_id": 1}, session=session
        )
        return ObjectId(stored["_id"])

    async def cancel_pending(
        self, dedupe_keys: Sequence[str], *, now: datetime, session: Session | None
    ) -> int:
        """Cancel the notifications under these keys the worker has not started on; returns
        how many. The key is released so that, say, a rebooked appointment can schedule its
        reminder under the same key again."""
        result = await self.collection.update_many(
            {"dedupeKey": {"$in": list(dedupe_keys)}, "status": "pending"},
            [
                {
                    "$set": {
                        "status": "cancelled",
                        "cancelledAt": now,
                        "cancelledDedupeKey": "$dedupeKey",
                    }
                },
                {"$unset": "dedupeKey"},
            ],
            session=session,
        )
        return int(result.modified_count)

    async def claim_for_fanout(
        self, *, now: datetime, lease: timedelta, owner: str
    ) -> NotificationDocument | None:
        """Take one due notification for fan-out; a lease lets another worker resume a crash.
        Progress is saved only by ``owner``. A read first: idle workers ask often, and a
        findAndModify is a write (SecantusDB keeps a reply per retryable write, then scans them)."""
        due = {"status": {"$in": ["pending", "fanning_out"]}, "sendAt": {"$lte": now}}
        due["leaseUntil"] = {"$lte": now}
        if await self.collection.find_one(due, {"_id": 1}) is None:
            return None
        document = await self.collection.find_one_and_update(
            due,
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

    async def renew_fanout(self, notification_id: ObjectId, *, until: datetime, owner: str) -> bool:
        """Renew the lease of a fan-out ``owner`` still holds; False if it was cancelled or taken
        over (its lease had ended): the owner then sends nothing more of it."""
        result = await self.collection.update_one(
            {"_id": notification_id, "status": "fanning_out", "fanoutOwner": owner},
            {"$set": {"leaseUntil": until}},
        )
        return result.matched_count == 1

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

    async def drop_recipient(self, user_id: str) -> int:
        """Erasure: the user leaves the audience of notifications not fanned out yet (a
        notification left with nobody to address is cancelled)."""
        waiting = {"status": "pending", "audience.userIds": user_id}
        result = await self.collection.update_many(
            waiting, {"$pull": {"audience.userIds": user_id}}
        )
        await self.collection.update_many(
            {"status": "pending", "audience.userIds": {"$size": 0}},
            {"$set": {"status": "cancelled"}, "$unset": {"dedupeKey": ""}},
        )
        return int(result.modified_count)


class DeliveryRepository(Repository):
    collection_name = "notification_deliveries"
    indexes = (
        # claim: pending deliveries that are due (first try, retry time, or expired lease).
        IndexModel([("state", ASCENDING), ("dueAt", ASCENDING)]),
        # counts and per-token results of one notification (notificationStatus).
        IndexModel([("n", ASCENDING), ("state", ASCENDING)]),
        # the claim a worker just made.
        IndexModel([("claim", ASCENDING)], sparse=True),
        # Retention only: a delivery record goes 30 days after it was made.
        IndexModel(
            [("createdAt", ASCENDING)],
            expireAfterSeconds=int(DELIVERY_RETENTION.total_seconds()),
            name="createdAt_ttl",
        ),
    )

    async def add(self, documents: list[DeliveryDocument]) -> list[DeliveryDocument]:
        """Insert the deliveries that do not exist yet; returns those."""
        return await insert_ignoring_duplicates(self, list(documents))

    async def any_of(self, notification_id: ObjectId) -> bool:
        found = await self.collection.find_one({"n": notification_id}, {"_id": 1})
        return found is not None or await self._sent.any_of(notification_id)

    async def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of these deliveries have a record (their own, or in their batch's successes)."""
        if not ids:
            return set()
        found = self.collection.find({"_id": {"$in": list(ids)}}, {"_id": 1})
        recorded = {str(doc["_id"]) async for doc in found}
        return recorded | await self._sent.recorded([i for i in ids if i not in recorded])

    async def delete_ids(self, ids: Sequence[str]) -> None:
        await self.collection.delete_many({"_id": {"$in": list(ids)}})
        await self._sent.delete_ids(ids)

    async def of_user(self, user_id: str, tokens: Sequence[str]) -> list[DeliveryDocument]:
        """Export: what was sent, or is queued, to the user (by any device, theirs now or not)
        or to their devices without a user (not a token's previous owner's; no index: rare)."""
        anonymous = {"token": {"$in": list(tokens)}, "userId": {"$in": [user_id, None]}}
        cursor = self.collection.find(
            {"$or": [{"userId": user_id}, anonymous]}, {"_id": 0, "claim": 0}
        )
        records = cast(list[DeliveryDocument], await cursor.to_list())
        for record in await self._sent.of_user(user_id, tokens):
            record.pop("_id")
            records.append(record)
        return records

    async def delete_for(self, *, user_id: str, tokens: Sequence[str]) -> int:
        """Erasure: queued pushes and delivery records of the user and their devices."""
        result = await self.collection.delete_many(
            {"$or": [{"userId": user_id}, {"token": {"$in": list(tokens)}}]}
        )
        return int(result.deleted_count) + await self._sent.erase(user_id=user_id, tokens=tokens)

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

    async def extend_claim(self, worker_claim: str, *, until: datetime) -> set[str]:
        """Push the lease of a claim still being worked on further out; returns the deliveries
        the claim still holds (once a lease has run out, another worker may have taken some)."""
        await self.collection.update_many(
            {"claim": worker_claim, "state": "pending"}, {"$set": {"dueAt": until}}
        )
        held = await self.collection.find(
            {"claim": worker_claim, "state": "pending"}, {"_id": 1}
        ).to_list()
        return {str(doc["_id"]) for doc in held}

    async def mark(
        self,
        ids: Sequence[str],
        *,
        worker_claim: str,
        state: str,
        now: datetime,
        audiences: dict[str, Any] | None = None,
    ) -> None:
        """Record one outcome for many deliveries of this claim (e.g. all successes).

        Written in slices of ``MARK_SLICE``: SecantusDB spends about half as much per delivery on
        updates of 25 to 100 documents as on updates of one or of 500. ``audiences``: a cache of
        the notifications' audiences the caller keeps across calls (they never change)."""
        audiences = {} if audiences is None else audiences
        for start in range(0, len(ids), MARK_SLICE):
            chunk = list(ids[start : start + MARK_SLICE])
            if state in TALLIED_STATES:
                chunk = (
                    await self._count_beyond_kept(
                        chunk, worker_claim=worker_claim, state=state, now=now, audiences=audiences
                    )
                    or []
                )
            if not chunk:
                continue
            await self.collection.update_many(
                {"_id": {"$in": chunk}, "claim": worker_claim},
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

    async def _count_beyond_kept(
        self,
        ids: list[str],
        *,
        worker_claim: str,
        state: str,
        now: datetime,
        audiences: dict[str, Any],
        batch: bool = False,
        planned: int = 0,
    ) -> list[str] | None:
        """Of these successes (ids are ``<notification>:<token>``), those whose records stay
        (None: the batch in flight was handed over, nothing was counted);
        a broadcast's successes beyond ``SUCCESS_RECORDS_KEPT`` are counted instead, in one
        transaction with deleting their records (or, of a batch in flight, noting them in the
        batch), so a crash between the two can neither lose nor double them.

        A batch in flight reserves its records once, for its ``planned`` successes, at its
        first write (kept in ``audiences``, the caller's cache for the batch): a reservation per
        slice was a write per 100 messages."""
        groups: dict[str, list[str]] = {}
        for delivery_id in ids:
            groups.setdefault(delivery_id.split(":", 1)[0], []).append(delivery_id)
        kept: list[str] = []
        for nid, group in groups.items():
            if nid not in audiences:
                audiences[nid] = await NotificationRepository(self.db).audience_of(nid)
            found = audiences[nid]
            if found is None or "userIds" in found[1]:
                kept += group  # a message to named users: every record stays
                continue
            room = await self._tallies.room(
                found[0],
                state,
                len(group),
                now=now,
                kept=SUCCESS_RECORDS_KEPT,
                batch=audiences if batch else None,
                planned=planned,
            )
            kept += group[:room]
            beyond = group[room:]
            counting = Counting(self.db, self.collection, state, now)
            if beyond and not await counting.count(found[0], beyond, worker_claim, batch=batch):
                return None
        return kept

    async def record_sent(
        self,
        deliveries: Sequence[DeliveryDocument],
        *,
        batch: str,
        state: str,
        now: datetime,
        audiences: dict[str, Any],
        planned: int = 0,
    ) -> bool:
        """Record successes of a batch in flight (``batches``) in its successes document; a
        broadcast's beyond ``SUCCESS_RECORDS_KEPT`` are counted, noted in the batch. False: the
        batch was handed over (they are pending again). Written again after an error (perhaps
        applied): what is held is left out, the share of kept records is as before."""
        reserved = dict(audiences)
        try:
            if audiences.pop("again", False):
                held = await self._sent.held([batch]) | await BatchRepository(self.db).noted(batch)
                deliveries = [d for d in deliveries if d["_id"] not in held]
            kept = await self._kept_or_counted(deliveries, batch, state, now, audiences, planned)
            if kept is None:
                return False  # handed over: none of them counted
            return await self._sent.record(
                batch, [d for d in deliveries if d["_id"] in kept], state=state, now=now
            )
        except PyMongoError:
            room_as_before(audiences, reserved)
            audiences["again"] = True
            raise

    async def _kept_or_counted(
        self,
        deliveries: Sequence[DeliveryDocument],
        batch: str,
        state: str,
        now: datetime,
        audiences: dict[str, Any],
        planned: int,
    ) -> set[str] | None:
        ids = [d["_id"] for d in deliveries]
        if state not in TALLIED_STATES:
            return set(ids)
        kept = await self._count_beyond_kept(
            ids,
            worker_claim=batch,
            state=state,
            now=now,
            audiences=audiences,
            batch=True,
            planned=planned,
        )
        return None if kept is None else set(kept)

    async def insert_records(self, records: list[DeliveryDocument]) -> None:
        """Outcomes of a batch in flight; one recorded already (handed over, retried) stays."""
        await insert_ignoring_duplicates(self, records)

    @property
    def _tallies(self) -> DeliveryTallyRepository:
        return DeliveryTallyRepository(self.db)

    @property
    def _sent(self) -> SentRepository:
        return SentRepository(self.db)

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
        counts = {row["_id"]: int(row["count"]) async for row in cursor}
        if in_flight := await self.in_flight(notification_id):
            counts["pending"] = counts.get("pending", 0) + len(in_flight)
        for kind in (self._sent, self._tallies):
            for state, counted in (await kind.counts(notification_id)).items():
                counts[state] = counts.get(state, 0) + counted
        return counts

    async def in_flight(self, notification_id: ObjectId) -> list[DeliveryDocument]:
        """Deliveries of batches being sent that have no record yet (pending)."""
        batches = await BatchRepository(self.db).in_flight(notification_id)
        deliveries = {d["_id"]: d for b in batches for d in unsent(b)}
        if not deliveries:
            return []
        found = self.collection.find({"_id": {"$in": list(deliveries)}}, {"_id": 1})
        recorded = {str(doc["_id"]) async for doc in found}
        recorded |= await self._sent.held([b["_id"] for b in batches])
        return [as_pending_record(d) for i, d in deliveries.items() if i not in recorded]

    async def records_after(
        self, notification_id: ObjectId, *, state: str | None, after: str | None, limit: int
    ) -> list[DeliveryDocument]:
        """The notification's individual records in id order from ``after``."""
        query = self._of(notification_id, state)
        if after is not None:
            query["_id"] = {"$gt": after}
        found = self.collection.find(query, sort=[("_id", ASCENDING)])
        return cast(list[DeliveryDocument], await found.to_list(limit))

    async def count_records(self, notification_id: ObjectId, *, state: str | None) -> int:
        return await self.collection.count_documents(self._of(notification_id, state))

    @staticmethod
    def _of(notification_id: ObjectId, state: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"n": notification_id}
        if state is not None:
            query["state"] = state
        return query
