"""Waitlist entries: first come, first offered."""

from datetime import datetime, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo import IndexModel, ReturnDocument

from domains.health.models import SlotDocument, WaitlistEntryDocument
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.types import Session

OPEN = {"open": True}
# Retention (docs/security.md): a waitlist entry is kept a year after its last change.
WAITLIST_RETENTION = timedelta(days=365)


def _waiting_for(slot: SlotDocument, day: str) -> dict[str, Any]:
    """Entries waiting for a place in ``slot``: for it, or for its department's ``day``."""
    return {
        "status": "waiting",
        "$or": [
            {"scope": "slot", "slotId": slot["_id"]},
            {
                "scope": "day",
                "hospitalId": slot["hospitalId"],
                "departmentId": slot["departmentId"],
                "day": day,
            },
        ],
    }


class WaitlistRepository(Repository):
    collection_name = "health_waitlist"
    indexes = (
        # One open entry per patient and slot (or department and day): joining twice is a no-op.
        IndexModel([("waitKey", 1)], unique=True, partialFilterExpression=OPEN, name="one_open"),
        # The next waiting entry for a freed place of a slot, first come first served
        IndexModel([("slotId", 1), ("status", 1), ("createdAt", 1)], name="slot_status_created"),
        # ... or for any slot of a department on that day
        IndexModel(
            [("hospitalId", 1), ("departmentId", 1), ("day", 1), ("status", 1), ("createdAt", 1)],
            name="department_day_status_created",
        ),
        # expire_waitlist_holds: offers whose hold has passed
        IndexModel([("status", 1), ("holdExpiresAt", 1)], name="status_hold"),
        # myWaitlist, newest first
        IndexModel([("userId", 1), ("createdAt", -1)], name="user_created"),
        # Retention only: an entry goes a year after its last change (all are for days weeks
        # ahead, so an open one is long over by then).
        IndexModel(
            [("changedAt", 1)],
            expireAfterSeconds=int(WAITLIST_RETENTION.total_seconds()),
            name="changedAt_ttl",
        ),
    )

    async def find(
        self, entry_id: ObjectId, session: Session | None = None
    ) -> WaitlistEntryDocument | None:
        document = await self.collection.find_one({"_id": entry_id}, session=session)
        return cast(WaitlistEntryDocument | None, document)

    async def count_open_for_user(self, user_id: str) -> int:
        """Open entries of one account (prefix of ``user_created``)."""
        return await self.collection.count_documents({"userId": user_id, **OPEN})

    async def insert(self, document: WaitlistEntryDocument) -> None:
        await self.collection.insert_one(dict(document))

    async def open_by_key(self, wait_key: str) -> WaitlistEntryDocument | None:
        document = await self.collection.find_one({"waitKey": wait_key, **OPEN})
        return cast(WaitlistEntryDocument | None, document)

    async def waiting_for(
        self, slot: SlotDocument, *, day: str, session: Session | None, limit: int = 20
    ) -> list[WaitlistEntryDocument]:
        """The first waiting entries for a place in ``slot``, oldest first."""
        cursor = self.collection.find(
            _waiting_for(slot, day),
            sort=[("createdAt", 1), ("_id", 1)],
            limit=limit,
            session=session,
        )
        return cast(list[WaitlistEntryDocument], await cursor.to_list(None))

    async def offer(
        self,
        entry_id: ObjectId,
        *,
        slot_id: ObjectId,
        number: int,
        until: datetime,
        now: datetime,
        session: Session | None,
    ) -> WaitlistEntryDocument | None:
        """Waiting -> offered, holding place ``number`` of ``slot_id``; None if it moved on."""
        document = await self.collection.find_one_and_update(
            {"_id": entry_id, "status": "waiting"},
            {
                "$set": {
                    "status": "offered",
                    "slotId": slot_id,
                    "heldNumber": number,
                    "holdExpiresAt": until,
                    "offeredAt": now,
                    "changedAt": now,
                }
            },
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return cast(WaitlistEntryDocument | None, document)

    async def close(
        self,
        entry_id: ObjectId,
        *,
        from_status: str,
        to_status: str,
        now: datetime,
        session: Session | None,
        extra: dict[str, Any] | None = None,
        hold_valid_at: datetime | None = None,
        hold_expired_at: datetime | None = None,
    ) -> WaitlistEntryDocument | None:
        """Move an open entry out of ``from_status`` (optionally only while its hold is still
        valid, or only once it has expired); None if it was no longer so."""
        query: dict[str, Any] = {"_id": entry_id, "status": from_status}
        if hold_valid_at is not None:
            query["holdExpiresAt"] = {"$gt": hold_valid_at}
        if hold_expired_at is not None:
            query["holdExpiresAt"] = {"$lte": hold_expired_at}
        document = await self.collection.find_one_and_update(
            query,
            {
                "$set": {"status": to_status, "changedAt": now, **(extra or {})},
                "$unset": {"open": ""},
            },
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return cast(WaitlistEntryDocument | None, document)

    async def expired_holds(
        self, *, now: datetime, slot_id: ObjectId | None, limit: int = 100
    ) -> list[WaitlistEntryDocument]:
        query: dict[str, Any] = {"status": "offered", "holdExpiresAt": {"$lte": now}}
        if slot_id is not None:
            query["slotId"] = slot_id
        cursor = self.collection.find(query, sort=[("holdExpiresAt", 1)], limit=limit)
        return cast(list[WaitlistEntryDocument], await cursor.to_list(None))

    async def open_in_slot(self, slot_id: ObjectId) -> list[WaitlistEntryDocument]:
        """Open entries bound to a slot: waiting for it, or holding a place in it."""
        cursor = self.collection.find({"slotId": slot_id, **OPEN}, sort=[("createdAt", 1)])
        return cast(list[WaitlistEntryDocument], await cursor.to_list(None))

    async def counts_for(self, slot: SlotDocument, *, day: str) -> tuple[int, int]:
        """(waiting, offered) for a slot: entries for it and for its department's day."""
        waiting = await self.collection.count_documents(_waiting_for(slot, day))
        offered = await self.collection.count_documents(
            {"status": "offered", "slotId": slot["_id"]}
        )
        return waiting, offered

    async def page_for_user(
        self, *, user_id: str, first: int | None, after: str | None
    ) -> Page[WaitlistEntryDocument]:
        page = await find_page(
            self.collection,
            query={"userId": user_id},
            sort=[("createdAt", -1)],
            first=first,
            after=after,
        )
        return cast(Page[WaitlistEntryDocument], page)
