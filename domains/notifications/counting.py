"""Successes beyond a broadcast's kept records (``SUCCESS_RECORDS_KEPT``): counted in a tally, in
one transaction with what says they were reached, so a crash between the two can neither lose
nor double them and the fan-out's duplicate check still sees them."""

from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId

from domains.kernel.transactions import in_transaction
from domains.kernel.types import Collection, Database, Session
from domains.notifications.batches import BatchRepository
from domains.notifications.tallies import DeliveryTallyRepository


class Counting:
    """Counting one outcome (``state``) at ``now``; ``records``: the delivery records."""

    def __init__(
        self,
        db: Database,
        records: Collection,
        state: str,
        now: datetime,
    ) -> None:
        self.db, self.records, self.state, self.now = db, records, state, now

    async def count(
        self, nid: ObjectId | str, ids: Sequence[str], claim: str, *, batch: bool
    ) -> bool:
        """Count these successes of ``claim`` (a batch in flight, or the shared claim's records
        of them, deleted). False, nothing counted: the batch in flight was handed over
        meanwhile; they are pending again and counted when sent again."""

        async def work(session: Session) -> None:
            if batch:
                # Checked before the tally: the hand-over's pending list is the batch as it
                # was taken (``expanding``); a success counted after that would count twice.
                noted = await BatchRepository(self.db).counted(claim, ids, session=session)
                if noted is None:
                    raise _HandedOver
                counted = noted
            else:
                held = {"_id": {"$in": list(ids)}, "claim": claim}
                found = self.records.find(held, {"_id": 1}, session=session)
                reached = [str(doc["_id"]) async for doc in found]
                removed = await self.records.delete_many(held, session=session)
                counted = removed.deleted_count
                batches = BatchRepository(self.db)
                await batches.reached(claim, nid, reached, now=self.now, session=session)
            tallies = DeliveryTallyRepository(self.db)
            await tallies.add(nid, self.state, counted, now=self.now, session=session)

        try:
            await in_transaction(self.db, work)
        except _HandedOver:
            return False
        return True


class _HandedOver(Exception):
    """Aborts a tally's transaction: the batch in flight was handed over."""
