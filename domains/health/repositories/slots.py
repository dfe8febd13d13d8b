"""Slots: the atomic claim and release of a place, publishing, and the bookable listing."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import IndexModel, ReturnDocument
from pymongo.errors import BulkWriteError

from domains.health.models import SlotDocument
from domains.kernel.clock import as_utc
from domains.kernel.repository import Repository
from domains.kernel.types import Session


class SlotRepository(Repository):
    collection_name = "health_slots"
    indexes = (
        # Natural key: publishing the same template twice upserts the same slots.
        IndexModel(
            [("hospitalId", 1), ("departmentId", 1), ("doctorId", 1), ("start", 1)],
            unique=True,
            name="natural_key",
        ),
        # availableSlots(hospitalId, ...) (one window of start times at a time) and cancelSlots
        IndexModel([("hospitalId", 1), ("start", 1)], name="hospital_start"),
        # availableSlots(specialty: ...) across facilities, one window at a time
        IndexModel([("specialty", 1), ("start", 1)], name="specialty_start"),
        # availableSlots() and availableSlots(near:) over many facilities, one window at a time
        IndexModel([("status", 1), ("start", 1)], name="status_start"),
        # the overlap check of publishSlots for one doctor
        IndexModel([("hospitalId", 1), ("doctorId", 1), ("start", 1)], name="doctor_start"),
    )

    async def find(self, slot_id: ObjectId, session: Session | None = None) -> SlotDocument | None:
        return cast(
            SlotDocument | None,
            await self.collection.find_one({"_id": slot_id}, session=session),
        )

    async def find_many(self, ids: Sequence[ObjectId]) -> list[SlotDocument | None]:
        """In the order of ``ids``, None where missing (for DataLoaders)."""
        return cast(list[SlotDocument | None], await self.get_many(ids))

    async def claim(
        self, slot_id: ObjectId, *, now: datetime, session: Session | None
    ) -> int | None:
        """Take one place and the lowest free queue number in ONE conditional update.

        The filter is the whole rule (open, a place left, inside the booking window): two
        concurrent claims can never both pass it for the last place.
        """
        before = await self.collection.find_one_and_update(
            {
                "_id": slot_id,
                "status": "free",
                "remaining": {"$gt": 0},
                "bookableFrom": {"$lte": now},
                "bookableUntil": {"$gt": now},
            },
            {"$inc": {"booked": 1, "remaining": -1}, "$pop": {"freeNumbers": -1}},
            projection={"freeNumbers": {"$slice": 1}},
            return_document=ReturnDocument.BEFORE,
            session=session,
        )
        if before is None:
            return None
        return int(before["freeNumbers"][0])

    async def release(
        self, slot_id: ObjectId, queue_number: int, *, session: Session | None
    ) -> bool:
        """Give a place and its queue number back (the number returns to the sorted pool)."""
        result = await self.collection.update_one(
            {"_id": slot_id, "booked": {"$gt": 0}, "freeNumbers": {"$ne": queue_number}},
            {
                "$inc": {"booked": -1, "remaining": 1},
                "$push": {"freeNumbers": {"$each": [queue_number], "$sort": 1}},
            },
            session=session,
        )
        return result.modified_count == 1

    async def touch_open(self, slot_id: ObjectId, *, session: Session | None) -> bool:
        """Inside a transaction that books a held place: write the slot while it is still open
        or only closed (closeSlot keeps the places already held: their offers stand), so that a
        concurrent cancellation (cancelSlots) conflicts with it instead of missing it."""
        result = await self.collection.update_one(
            {"_id": slot_id, "$or": [{"status": "free"}, {"closedAt": {"$exists": True}}]},
            {"$inc": {"holdVersion": 1}},
            session=session,
        )
        return result.modified_count == 1

    async def upsert_many(self, documents: Sequence[SlotDocument]) -> tuple[int, int]:
        """Insert the slots not yet published (same facility, department, doctor and start);
        returns (created, already there). All documents share facility, department and doctor."""
        if not documents:
            return 0, 0
        first = documents[0]
        existing = await self.published_starts(
            hospital_id=first["hospitalId"],
            department_id=first["departmentId"],
            doctor_id=first["doctorId"],
            first=documents[0]["start"],
            last=documents[-1]["start"],
        )
        missing = [dict(d) for d in documents if as_utc(d["start"]) not in existing]
        created = 0
        if missing:
            try:
                result = await self.collection.insert_many(missing, ordered=False)
                created = len(result.inserted_ids)
            except BulkWriteError as error:
                # A concurrent publish of the same template inserted some first: the natural-key
                # index kept one of each, which is all that matters.
                created = int(error.details.get("nInserted", 0))
        return created, len(documents) - created

    async def published_starts(
        self,
        *,
        hospital_id: str,
        department_id: str,
        doctor_id: str,
        first: datetime,
        last: datetime,
    ) -> set[datetime]:
        """Start times already published for one facility, department and doctor (natural key)."""
        query = {
            "hospitalId": hospital_id,
            "departmentId": department_id,
            "doctorId": doctor_id,
            "start": {"$gte": first, "$lte": last},
        }
        return {as_utc(doc["start"]) async for doc in self.collection.find(query, {"start": 1})}

    async def for_doctor_between(
        self, *, hospital_id: str, doctor_id: str, start: datetime, end: datetime
    ) -> list[SlotDocument]:
        """The doctor's open slots that start before ``end`` and end after ``start``."""
        query = {
            "hospitalId": hospital_id,
            "doctorId": doctor_id,
            "start": {"$lt": end},
            "end": {"$gt": start},
            "status": "free",
        }
        return cast(list[SlotDocument], await self.collection.find(query).to_list(None))

    def _filter(
        self,
        *,
        hospital_ids: Sequence[str] | None,
        department_id: str | None,
        specialty: str | None,
        doctor_id: str | None,
        start_from: datetime | None,
        start_to: datetime | None,
    ) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if hospital_ids is not None:
            query["hospitalId"] = (
                hospital_ids[0] if len(hospital_ids) == 1 else {"$in": list(hospital_ids)}
            )
        if department_id is not None:
            query["departmentId"] = department_id
        if specialty is not None:
            query["specialty"] = specialty
        if doctor_id is not None:
            query["doctorId"] = doctor_id
        start: dict[str, datetime] = {}
        if start_from is not None:
            start["$gte"] = start_from
        if start_to is not None:
            start["$lt"] = start_to
        if start:
            query["start"] = start
        return query

    async def set_serving(
        self, slot_id: ObjectId, queue_number: int, *, session: Session | None
    ) -> None:
        """The number the desk called last (queueStatus shows it to the waiting patients)."""
        await self.collection.update_one(
            {"_id": slot_id}, {"$set": {"serving": queue_number}}, session=session
        )

    async def of_department_between(
        self, hospital_id: str, department_id: str, start_from: datetime, start_to: datetime
    ) -> list[SlotDocument]:
        """One department's slots starting in ``[start_from, start_to)`` (slotAvailability)."""
        cursor = self.collection.find(
            {
                "hospitalId": hospital_id,
                "start": {"$gte": start_from, "$lt": start_to},
                "departmentId": department_id,
            }
        ).sort([("start", 1), ("_id", 1)])
        return cast(list[SlotDocument], await cursor.to_list(None))

    async def starting_between(
        self,
        start_from: datetime,
        start_to: datetime | None,
        *,
        hospital_id: str | None = None,
        specialty: str | None = None,
    ) -> list[SlotDocument]:
        """The slots of one facility, or of one specialty, or the open ones, starting in
        ``[start_from, start_to)``: one equality and the range, the shape an index serves with
        tight bounds (``domains/health/windows.py``); the caller applies the rest."""
        start: dict[str, datetime] = {"$gte": start_from}
        if start_to is not None:
            start["$lt"] = start_to
        query: dict[str, Any]
        if hospital_id is not None:
            query = {"hospitalId": hospital_id, "start": start}
        elif specialty is not None:
            query = {"specialty": specialty, "start": start}
        else:
            query = {"status": "free", "start": start}
        return cast(list[SlotDocument], await self.collection.find(query).to_list(None))

    async def count_bookable(
        self,
        *,
        hospital_ids: Sequence[str] | None,
        department_id: str | None,
        specialty: str | None,
        doctor_id: str | None,
        start_from: datetime | None,
        start_to: datetime | None,
        now: datetime,
    ) -> int:
        """How many slots ``availableSlots`` lists (``totalCount``, only when asked)."""
        query = self._filter(
            hospital_ids=hospital_ids,
            department_id=department_id,
            specialty=specialty,
            doctor_id=doctor_id,
            start_from=start_from,
            start_to=start_to,
        )
        query.update(
            {
                "status": "free",
                "remaining": {"$gt": 0},
                "bookableFrom": {"$lte": now},
                "bookableUntil": {"$gt": now},
            }
        )
        return await self.collection.count_documents(query)

    async def matching(
        self,
        *,
        hospital_id: str,
        department_id: str | None,
        doctor_id: str | None,
        start_from: datetime,
        start_to: datetime,
        ids: Sequence[ObjectId] | None = None,
    ) -> list[SlotDocument]:
        """cancelSlots and facilitySlots: a facility's slots (every status) in a range."""
        query = self._filter(
            hospital_ids=[hospital_id],
            department_id=department_id,
            specialty=None,
            doctor_id=doctor_id,
            start_from=start_from,
            start_to=start_to,
        )
        if ids is not None:
            query["_id"] = {"$in": list(ids)}
        return cast(list[SlotDocument], await self.collection.find(query).to_list(None))

    async def mark_unavailable(
        self, slot_id: ObjectId, *, reason: str, session: Session | None
    ) -> bool:
        result = await self.collection.update_one(
            {"_id": slot_id, "$or": [{"status": "free"}, {"closedAt": {"$exists": True}}]},
            {
                "$set": {"status": "busy-unavailable", "cancelReason": reason},
                "$unset": {"closedAt": "", "closedBy": ""},
            },
            session=session,
        )
        return result.modified_count == 1

    async def close(self, slot_id: ObjectId, *, actor: str, now: datetime) -> SlotDocument | None:
        """closeSlot: an open slot takes no new booking (its bookings stay); None when it is
        not open (closed already, or cancelled)."""
        return cast(
            SlotDocument | None,
            await self.collection.find_one_and_update(
                {"_id": slot_id, "status": "free"},
                {"$set": {"status": "busy-unavailable", "closedAt": now, "closedBy": actor}},
                return_document=ReturnDocument.AFTER,
            ),
        )

    async def reopen(self, slot_id: ObjectId, *, session: Session | None) -> bool:
        """reopenSlot: a closed (not cancelled) slot is open again; False when it is not closed.
        Called inside the transaction that also offers its free places to the waitlist."""
        result = await self.collection.update_one(
            {"_id": slot_id, "status": "busy-unavailable", "closedAt": {"$exists": True}},
            {"$set": {"status": "free"}, "$unset": {"closedAt": "", "closedBy": ""}},
            session=session,
        )
        return result.modified_count == 1
