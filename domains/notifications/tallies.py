"""Per broadcast and outcome: successes counted instead of recorded (beyond the records a
broadcast keeps, ``outbox_repository.SUCCESS_RECORDS_KEPT``)."""

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument

from domains.kernel.repository import Repository
from domains.kernel.types import Session

TALLIED_STATES = ("sent", "sink")
TALLIES = "notification_delivery_tallies"
# As long as the delivery records a tally stands for (outbox_repository.DELIVERY_RETENTION).
TALLY_RETENTION_SECONDS = 30 * 86400


class DeliveryTallyRepository(Repository):
    """Per broadcast and outcome: how many successes were counted instead of recorded
    (``count``), and how many records the broadcast was allowed so far (``kept``)."""

    collection_name = TALLIES
    indexes = (
        # Retention only: as long as the delivery records it stands for.
        IndexModel(
            [("updatedAt", ASCENDING)],
            expireAfterSeconds=TALLY_RETENTION_SECONDS,
            name="updatedAt_ttl",
        ),
    )

    async def reserve(
        self, notification_id: ObjectId | str, state: str, wanted: int, *, now: datetime, kept: int
    ) -> int:
        """How many of ``wanted`` more records of this outcome the broadcast may keep, of
        ``kept`` in all."""
        before = await self.collection.find_one_and_update(
            {"_id": f"{notification_id}:{state}"},
            {
                "$inc": {"kept": wanted},
                "$set": {"n": notification_id, "state": state, "updatedAt": now},
            },
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )
        return max(0, min(wanted, kept - int((before or {}).get("kept", 0))))

    async def room(
        self,
        nid: ObjectId | str,
        state: str,
        wanted: int,
        *,
        now: datetime,
        kept: int,
        batch: dict[str, Any] | None,
        planned: int,
    ) -> int:
        """How many of ``wanted`` successes keep their records. A batch in flight (``batch``:
        the caller's cache for it) reserves once, for its ``planned`` successes."""
        if batch is None:
            return await self.reserve(nid, state, wanted, now=now, kept=kept)
        key = f"room:{nid}:{state}"
        if key not in batch:
            batch[key] = await self.reserve(nid, state, max(wanted, planned), now=now, kept=kept)
            batch[f"reserved:{nid}:{state}"] = batch[key]
        room = min(wanted, int(batch[key]))
        batch[key] -= room
        return room

    async def add(
        self,
        notification_id: ObjectId | str,
        state: str,
        n: int,
        *,
        now: datetime,
        session: Session,
    ) -> None:
        """Count ``n`` outcomes whose records were deleted (in the same transaction)."""
        await self.collection.update_one(
            {"_id": f"{notification_id}:{state}"},
            {"$inc": {"count": n}, "$set": {"updatedAt": now}},
            session=session,
        )

    async def counts(self, notification_id: ObjectId) -> dict[str, int]:
        keys = [f"{notification_id}:{state}" for state in TALLIED_STATES]
        counts: dict[str, int] = {}
        async for tally in self.collection.find({"_id": {"$in": keys}}):
            counts[tally["state"]] = counts.get(tally["state"], 0) + int(tally.get("count", 0))
        return counts


def room_as_before(batch: dict[str, Any], before: dict[str, Any]) -> None:
    """A write that failed took no room: a batch's cache (``room``) as it was ``before`` it,
    keeping the reservations it made (a reservation again would find the room taken)."""
    for key in [k for k in batch if k.startswith("room:")]:
        batch[key] = before.get(key, batch[f"reserved:{key.removeprefix('room:')}"])
