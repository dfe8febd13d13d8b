"""Successes of fan-out batches: one document per batch instead of a record per device.

A fan-out batch (``batches``) sends up to 500 messages; each one FCM accepts used to become its
own delivery record (an insert of a document with four indexes). SecantusDB's cost goes per
document written, and every change stream reads every write: a broadcast to 10,000 devices wrote
10,000 records. Now a batch's successes are pushed, a slice at a time while the batch is on the
wire, onto ONE document keyed by the batch's claim (``notification_sent``): token, user and
platform of each. Failures, retries and skips keep their individual records (the retry queue),
and so do the shared claim's batches (retries, handed-over batches).

A batch handed over (its worker stopped renewing it) is *fenced* first: the worker handing it
over marks the document and reads the tokens recorded so far, and a later write by the batch's
own worker (alive but slow) fails instead of adding to it. Those deliveries are pending again
and sent again (at least once, as before), and counted once.

Readers of per-device results merge both kinds (``DeliveryRepository``: counts, per-token
results, the duplicate check of a fan-out, export, erasure).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from domains.kernel.repository import Repository
from domains.notifications.models import DeliveryDocument

SENT = "notification_sent"
# As long as delivery records (outbox_repository.DELIVERY_RETENTION; docs/security.md).
SENT_RETENTION_SECONDS = 30 * 86400


class SentRepository(Repository):
    collection_name = SENT
    indexes = (
        # counts, per-token results and the duplicate check of one notification.
        IndexModel([("n", ASCENDING)]),
        IndexModel(
            [("createdAt", ASCENDING)],
            expireAfterSeconds=SENT_RETENTION_SECONDS,
            name="createdAt_ttl",
        ),
    )

    async def record(
        self, claim: str, deliveries: Sequence[DeliveryDocument], *, state: str, now: datetime
    ) -> bool:
        """Add successes of the batch ``claim``; False when the batch was handed over meanwhile
        (fenced): those deliveries are pending again, for the shared claim."""
        if not deliveries:
            return True
        first = deliveries[0]
        try:
            await self.collection.update_one(
                {"_id": claim, "fenced": {"$exists": False}},
                {
                    # Not $addToSet: SecantusDB compares each entry with every one held (a
                    # broadcast's successes would cost it 2.5 million comparisons per 10,000).
                    # A write retried after an error leaves out what is held (``record_sent``).
                    "$push": {"sent": {"$each": [_entry(d) for d in deliveries]}},
                    "$max": {"doneAt": now},
                    "$setOnInsert": {
                        "n": first["n"],
                        "state": state,
                        "createdAt": first.get("createdAt", now),
                        "lastAttemptAt": first.get("lastAttemptAt", now),
                    },
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # fenced: the upsert found no open document and the key is taken
        return True

    async def fence(self, claim: str, nid: ObjectId, *, now: datetime) -> set[str]:
        """The batch is being handed over: no more successes are added; returns the tokens
        recorded so far."""
        fenced = await self.upsert_returning(
            {"_id": claim},
            {"$set": {"fenced": True}, "$setOnInsert": {"n": nid, "createdAt": now}},
            projection={"sent.t": 1},
        )
        return {entry["t"] for entry in fenced.get("sent", [])}

    async def held(self, claims: Sequence[str]) -> set[str]:
        """Delivery ids recorded for these batches."""
        found = self.collection.find({"_id": {"$in": list(claims)}}, {"n": 1, "sent.t": 1})
        return {f"{doc['n']}:{entry['t']}" async for doc in found for entry in doc.get("sent", [])}

    async def recorded(self, ids: Sequence[str]) -> set[str]:
        """Which of these delivery ids (``<notification>:<token>``) are recorded here."""
        found: set[str] = set()
        for nid, tokens in _by_notification(ids).items():
            cursor = self.collection.find({"n": nid, "sent.t": {"$in": tokens}}, {"sent.t": 1})
            wanted = set(tokens)
            async for doc in cursor:
                found.update(f"{nid}:{e['t']}" for e in doc.get("sent", []) if e["t"] in wanted)
        return found

    async def any_of(self, nid: ObjectId) -> bool:
        return await self.collection.find_one({"n": nid, "sent.0": {"$exists": True}}) is not None

    async def counts(self, nid: ObjectId) -> dict[str, int]:
        cursor = await self.collection.aggregate(
            [
                {"$match": {"n": nid, "state": {"$exists": True}}},
                {
                    "$group": {
                        "_id": "$state",
                        "count": {"$sum": {"$size": {"$ifNull": ["$sent", []]}}},
                    }
                },
            ]
        )
        return {row["_id"]: int(row["count"]) async for row in cursor}

    async def results(
        self, nid: ObjectId, *, state: str | None, after: str | None, limit: int
    ) -> list[DeliveryDocument]:
        """The notification's recorded successes as delivery records, in id order from
        ``after``: at most ``limit``."""
        query: dict[str, Any] = {"n": nid, "state": state or {"$exists": True}}
        rows = [
            record
            async for doc in self.collection.find(query)
            for record in as_records(doc)
            if after is None or record["_id"] > after
        ]
        rows.sort(key=lambda record: record["_id"])
        return rows[:limit]

    async def total(self, nid: ObjectId, *, state: str | None) -> int:
        counts = await self.counts(nid)
        return counts.get(state, 0) if state is not None else sum(counts.values())

    async def of_user(self, user_id: str, tokens: Sequence[str]) -> list[DeliveryDocument]:
        """Export: the successes recorded for the user, or for their devices without a user
        (no index: rare)."""
        wanted = set(tokens)
        found = self.collection.find(
            {"$or": [{"sent.u": user_id}, {"sent.t": {"$in": list(tokens)}}]}
        )
        return [
            record
            async for doc in found
            for record in as_records(doc)
            if record["userId"] == user_id
            or (record["userId"] is None and record["token"] in wanted)
        ]

    async def erase(self, *, user_id: str, tokens: Sequence[str]) -> int:
        """Erasure: the user's and their devices' successes go (no index: rare)."""
        erased = 0
        async for doc in self.collection.find(
            {"$or": [{"sent.u": user_id}, {"sent.t": {"$in": list(tokens)}}]}, {"sent": 1}
        ):
            erased += sum(
                1 for e in doc.get("sent", []) if e.get("u") == user_id or e["t"] in tokens
            )
        await self.collection.update_many({"sent.u": user_id}, {"$pull": {"sent": {"u": user_id}}})
        if tokens:
            await self._pull_tokens({"sent.t": {"$in": list(tokens)}}, tokens)
        return erased

    async def delete_ids(self, ids: Sequence[str]) -> None:
        """These deliveries' successes go (erased while their batch was on the wire)."""
        for nid, tokens in _by_notification(ids).items():
            await self._pull_tokens({"n": nid, "sent.t": {"$in": tokens}}, tokens)

    async def _pull_tokens(self, query: dict[str, Any], tokens: Iterable[str]) -> None:
        await self.collection.update_many(query, {"$pull": {"sent": {"t": {"$in": list(tokens)}}}})


def _entry(delivery: DeliveryDocument) -> dict[str, Any]:
    entry = {"t": delivery["token"], "p": delivery.get("platform", "android")}
    if (user := delivery.get("userId")) is not None:
        entry["u"] = user
    return entry


def as_records(doc: dict[str, Any]) -> list[DeliveryDocument]:
    """A batch's successes as the delivery records they stand for."""
    return [
        cast(
            DeliveryDocument,
            {
                "_id": f"{doc['n']}:{entry['t']}",
                "n": doc["n"],
                "token": entry["t"],
                "userId": entry.get("u"),
                "platform": entry.get("p", "android"),
                "state": doc["state"],
                "attempts": 1,
                "errorCode": None,
                "errorMessage": None,
                "createdAt": doc.get("createdAt"),
                "lastAttemptAt": doc.get("lastAttemptAt"),
                "doneAt": doc.get("doneAt"),
            },
        )
        for entry in doc.get("sent", [])
    ]


def _by_notification(ids: Iterable[str]) -> dict[ObjectId | str, list[str]]:
    """Delivery ids (``<notification>:<token>``) grouped by notification."""
    groups: dict[ObjectId | str, list[str]] = {}
    for delivery_id in ids:
        nid, _, token = delivery_id.partition(":")
        key: ObjectId | str = ObjectId(nid) if ObjectId.is_valid(nid) else nid
        groups.setdefault(key, []).append(token)
    return groups
