"""Batches in flight: a fan-out batch held as one document while its messages are sent.

A fresh batch (direct send) is claimed with one insert of its deliveries as one document, not an
insert of a document per delivery: each outcome is then recorded by inserting the delivery's
record, never by updating one. SecantusDB spends about twice as much on updating a document as on
inserting it, and a claimed delivery was both inserted and updated. The document goes once every
outcome of the batch is recorded. When a worker dies with a batch in flight, the document's lease
runs out and any worker turns it back into pending deliveries (those without a record yet), which
the shared claim sends again: the same guarantee as a claimed delivery's lease.

A batch some of whose successes were counted in a tally instead of recorded (beyond
``SUCCESS_RECORDS_KEPT``) leaves, once closed or handed over, the ids it counted (``closedAt``)
until its fan-out ends: they have no record, and the fan-out's duplicate check must still see
them. So does the shared claim for the successes it counts (``counted:<claim>``).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument

from domains.kernel.clock import utcnow
from domains.kernel.repository import Repository
from domains.kernel.types import Document, Session
from domains.notifications.models import DeliveryDocument

BATCHES = "notification_batches"

# What a closed batch leaves is deleted when its fan-out ends; this is for a straggler only
# (a batch of a worker that lost its fan-out, closed after the fan-out ended).
CLOSED_KEPT = timedelta(days=1)


class BatchRepository(Repository):
    collection_name = BATCHES
    indexes = (
        # expired: batches whose worker stopped renewing them.
        IndexModel([("dueAt", ASCENDING)]),
        # in_flight: a notification's batches being sent (counts, a resumed fan-out).
        IndexModel([("n", ASCENDING)]),
        IndexModel(
            [("closedAt", ASCENDING)],
            expireAfterSeconds=int(CLOSED_KEPT.total_seconds()),
            name="closedAt_ttl",
        ),
    )

    async def open(
        self, claim: str, nid: ObjectId, deliveries: list[DeliveryDocument], *, until: datetime
    ) -> None:
        """Hold ``deliveries`` (pending, attempt 1) under ``claim`` until ``until``."""
        await self.collection.insert_one(
            {"_id": claim, "n": nid, "deliveries": deliveries, "dueAt": until, "done": []}
        )

    async def extend(self, claim: str, *, until: datetime) -> bool:
        """Renew the lease; False when the batch was handed over (its lease had run out)."""
        result = await self.collection.update_one(
            {"_id": claim, "expanding": {"$exists": False}, "closedAt": {"$exists": False}},
            {"$set": {"dueAt": until}},
        )
        return result.matched_count == 1

    async def close(self, claim: str) -> list[str]:
        """Every outcome of the batch is recorded (a batch being handed over stays: the worker
        handing it over deletes it once its deliveries are pending); the ids counted in a tally
        stay until the fan-out ends. Returns the deliveries erased meanwhile, whose records
        the caller deletes again."""
        open_batch = {"_id": claim, "expanding": {"$exists": False}, "closedAt": {"$exists": False}}
        closed = await self.collection.find_one_and_delete(
            {**open_batch, "done": {"$size": 0}}, projection={"erased": 1}
        )
        if closed is None:
            closed = await self.collection.find_one_and_update(
                open_batch,
                {"$set": {"closedAt": utcnow()}, "$unset": {"deliveries": "", "dueAt": ""}},
                projection={"erased": 1},
            )
        return list((closed or {}).get("erased", []))

    async def forget_closed(self, nid: ObjectId) -> None:
        """The fan-out ended: what its closed batches left goes."""
        await self.collection.delete_many({"n": nid, "closedAt": {"$exists": True}})

    async def erase(self, *, user_id: str, tokens: Sequence[str]) -> int:
        """Erasure: the user's deliveries in flight are marked erased (not handed over; their
        records are deleted again when the batch closes)."""
        mine = {
            "$or": [{"deliveries.userId": user_id}, {"deliveries.token": {"$in": list(tokens)}}]
        }
        erased = 0
        async for batch in self.collection.find(mine):
            ids = [
                d["_id"]
                for d in batch["deliveries"]
                if d.get("userId") == user_id or d["token"] in tokens
            ]
            await self.collection.update_one(
                {"_id": batch["_id"]}, {"$addToSet": {"erased": {"$each": ids}}}
            )
            erased += len(ids)
        # Closed batches keep only ids (``<notification>:<token>``): the user's tokens go.
        if tokens and (
            closed := await self.collection.distinct("n", {"closedAt": {"$exists": True}})
        ):
            ids = [f"{nid}:{token}" for nid in closed for token in tokens]
            await self.collection.update_many(
                {"closedAt": {"$exists": True}, "done": {"$in": ids}},
                {"$pull": {"done": {"$in": ids}}},
            )
        return erased

    async def handed_over(self, claim: str) -> list[str]:
        """The batch's deliveries are pending now; returns those erased meanwhile. The ids it
        counted in a tally stay, as a closed batch's do, until the fan-out ends."""
        gone = await self.collection.find_one_and_delete(
            {"_id": claim, "done": {"$size": 0}}, projection={"erased": 1}
        )
        if gone is None:
            gone = await self.collection.find_one_and_update(
                {"_id": claim},
                {"$set": {"closedAt": utcnow()}, "$unset": {"deliveries": "", "dueAt": ""}},
                projection={"erased": 1},
            )
        return list((gone or {}).get("erased", []))

    async def reached(
        self, claim: str, nid: ObjectId | str, ids: list[str], *, now: datetime, session: Session
    ) -> None:
        """Successes of the shared claim ``claim`` counted in a tally (their records deleted, in
        the tally's transaction): kept as a closed batch's counted ids are, for the fan-out's
        duplicate check."""
        if ids:
            await self.collection.update_one(
                {"_id": f"counted:{claim}"},
                {
                    "$addToSet": {"done": {"$each": ids}},
                    "$setOnInsert": {"n": nid, "closedAt": now},
                },
                upsert=True,
                session=session,
            )

    async def counted(self, claim: str, ids: Sequence[str], *, session: Session) -> int | None:
        """Successes counted in a tally instead of recorded (in the tally's transaction): how
        many were not noted yet (a retried write counts none twice). None when the batch is no
        longer its sender's (taken for handing over, or gone)."""
        before = await self.collection.find_one_and_update(
            {"_id": claim, "expanding": {"$exists": False}, "closedAt": {"$exists": False}},
            {"$addToSet": {"done": {"$each": list(ids)}}},
            projection={"done": 1},
            session=session,
        )
        if before is None:
            return None
        return len(set(ids) - set(before.get("done", [])))

    async def noted(self, claim: str) -> set[str]:
        """The ids a batch counted in a tally."""
        found = await self.collection.find_one({"_id": claim}, {"done": 1})
        return set((found or {}).get("done", []))

    async def in_flight(self, nid: ObjectId | str) -> list[Document]:
        """A notification's batches being sent."""
        being_sent = {"n": nid, "closedAt": {"$exists": False}}
        return await self.collection.find(being_sent).to_list()

    async def any_in_flight(self, nid: ObjectId) -> bool:
        being_sent = {"n": nid, "closedAt": {"$exists": False}}
        return await self.collection.find_one(being_sent, {"_id": 1}) is not None

    async def addressed(self, nid: ObjectId) -> set[str]:
        """The deliveries of a notification's batches being sent, and those its closed batches
        counted in a tally (they have no record)."""
        ids: set[str] = set()
        async for batch in self.collection.find({"n": nid}, {"deliveries._id": 1, "done": 1}):
            ids.update(d["_id"] for d in batch.get("deliveries", []))
            ids.update(batch.get("done", []))
        return ids

    async def take_expired(self, *, now: datetime, until: datetime) -> Document | None:
        """One batch whose lease ran out, taken for handing over (its worker can no longer
        renew it); taken again after ``until`` if this worker dies meanwhile. A read first:
        asked at every idle round, and a findAndModify is a write (``claim_for_fanout``)."""
        if await self.collection.find_one({"dueAt": {"$lte": now}}, {"_id": 1}) is None:
            return None
        return await self.collection.find_one_and_update(
            {"dueAt": {"$lte": now}},
            {"$set": {"dueAt": until, "expanding": True}},
            return_document=ReturnDocument.AFTER,
        )


def unsent(batch: Document) -> list[DeliveryDocument]:
    """A batch's deliveries neither counted in a tally nor erased (the recorded ones are
    skipped on insert)."""
    done = {*batch.get("done", []), *batch.get("erased", [])}
    return [d for d in batch["deliveries"] if d["_id"] not in done]


def as_pending(deliveries: list[DeliveryDocument], *, now: datetime) -> list[DeliveryDocument]:
    """A handed-over batch's deliveries, due now for the shared claim."""
    pending = [cast(DeliveryDocument, {**d, "state": "pending", "dueAt": now}) for d in deliveries]
    for delivery in pending:
        delivery.pop("claim", None)
    return pending


def as_pending_record(delivery: DeliveryDocument) -> DeliveryDocument:
    """A delivery of a batch on the wire, as its record would read now (pending)."""
    record = cast(DeliveryDocument, dict(delivery))
    record.pop("claim", None)
    return record


def as_record(delivery: DeliveryDocument, fields: dict[str, Any]) -> DeliveryDocument:
    """A delivery of a batch with its outcome, as the record to insert."""
    record = cast(DeliveryDocument, {**delivery, **fields})
    record.pop("claim", None)
    return record
