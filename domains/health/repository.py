"""Every query of the health domain. Filters are built here from typed arguments only."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError

from domains.health.models import (
    AppointmentDocument,
    AuditEntry,
    HospitalDocument,
    IdempotencyRecord,
    PatientProfileDocument,
    SlotDocument,
    WaitlistEntryDocument,
)
from domains.kernel.clock import as_utc
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.search import match_filter

Session = AsyncClientSession | None
ACTIVE = {"active": True}


class HospitalRepository(Repository):
    collection_name = "health_hospitals"
    indexes = (
        # hospitals(near: ...)
        IndexModel([("location", "2dsphere")], name="location_2dsphere"),
        # hospitals(search: ...): multikey match on folded terms
        IndexModel([("searchTerms", ASCENDING)], name="searchTerms"),
        # hospitals(specialty: ...), sorted by name
        IndexModel([("specialties", ASCENDING), ("sortName", ASCENDING)], name="specialty_name"),
        # hospitals(level: ...), sorted by name
        IndexModel([("level", ASCENDING), ("sortName", ASCENDING)], name="level_name"),
        # hospitals() unfiltered, sorted by name
        IndexModel([("sortName", ASCENDING)], name="sortName"),
    )

    async def page(
        self,
        *,
        ids: Sequence[str] | None,
        search_terms: Sequence[str] | None,
        specialty: str | None,
        level: str | None,
        first: int | None,
        after: str | None,
    ) -> Page[HospitalDocument]:
        query: dict[str, Any] = {}
        if ids is not None:
            query["_id"] = {"$in": list(ids)}
        if search_terms:
            query.update(match_filter(search_terms))
        if specialty is not None:
            query["specialties"] = specialty
        if level is not None:
            query["level"] = level
        page = await find_page(
            self.collection, query=query, sort=[("sortName", 1)], first=first, after=after
        )
        return cast(Page[HospitalDocument], page)

    async def ids_within(self, *, lat: float, lng: float, radius_km: float) -> list[str]:
        """Facilities within the radius (uses the 2dsphere index)."""
        radians = radius_km / 6371.0088
        query = {"location": {"$geoWithin": {"$centerSphere": [[lng, lat], radians]}}}
        return [doc["_id"] async for doc in self.collection.find(query, {"_id": 1})]

    async def find(self, hospital_id: str) -> HospitalDocument | None:
        return cast(HospitalDocument | None, await self.get(hospital_id))

    async def upsert(self, document: HospitalDocument) -> None:
        await self.collection.replace_one({"_id": document["_id"]}, dict(document), upsert=True)


class SlotRepository(Repository):
    collection_name = "health_slots"
    indexes = (
        # Natural key: publishing the same template twice upserts the same slots.
        IndexModel(
            [("hospitalId", 1), ("departmentId", 1), ("doctorId", 1), ("start", 1)],
            unique=True,
            name="natural_key",
        ),
        # availableSlots(hospitalId, ...) and cancelSlots, by start time
        IndexModel([("hospitalId", 1), ("start", 1)], name="hospital_start"),
        # availableSlots(specialty: ...) across facilities
        IndexModel([("specialty", 1), ("start", 1)], name="specialty_start"),
        # the overlap check of publishSlots for one doctor
        IndexModel([("hospitalId", 1), ("doctorId", 1), ("start", 1)], name="doctor_start"),
    )

    async def find(self, slot_id: ObjectId, session: Session = None) -> SlotDocument | None:
        return cast(
            SlotDocument | None,
            await self.collection.find_one({"_id": slot_id}, session=session),
        )

    async def claim(self, slot_id: ObjectId, *, now: datetime, session: Session) -> int | None:
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

    async def release(self, slot_id: ObjectId, queue_number: int, *, session: Session) -> bool:
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

    async def touch_open(self, slot_id: ObjectId, *, session: Session) -> bool:
        """Inside a transaction that books a held place: write the slot while it is still open,
        so that a concurrent closure (cancelSlots) conflicts with it instead of missing it."""
        result = await self.collection.update_one(
            {"_id": slot_id, "status": "free"}, {"$inc": {"holdVersion": 1}}, session=session
        )
        return result.modified_count == 1

    async def upsert_many(self, documents: Sequence[SlotDocument]) -> tuple[int, int]:
        """Insert the slots not yet published (same facility, department, doctor and start);
        returns (created, already there). All documents share facility, department and doctor."""
        if not documents:
            return 0, 0
        first = documents[0]
        existing = {
            as_utc(doc["start"])
            async for doc in self.collection.find(
                {
                    "hospitalId": first["hospitalId"],
                    "departmentId": first["departmentId"],
                    "doctorId": first["doctorId"],
                    "start": {"$gte": documents[0]["start"], "$lte": documents[-1]["start"]},
                },
                {"start": 1},
            )
        }
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

    async def bookable_page(
        self,
        *,
        hospital_ids: Sequence[str] | None,
        department_id: str | None,
        specialty: str | None,
        doctor_id: str | None,
        start_from: datetime | None,
        start_to: datetime | None,
        now: datetime,
        first: int | None,
        after: str | None,
    ) -> Page[SlotDocument]:
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
        page = await find_page(
            self.collection, query=query, sort=[("start", 1)], first=first, after=after
        )
        return cast(Page[SlotDocument], page)

    async def matching(
        self,
        *,
        hospital_id: str,
        department_id: str | None,
        doctor_id: str | None,
        start_from: datetime,
        start_to: datetime,
    ) -> list[SlotDocument]:
        query = self._filter(
            hospital_ids=[hospital_id],
            department_id=department_id,
            specialty=None,
            doctor_id=doctor_id,
            start_from=start_from,
            start_to=start_to,
        )
        return cast(list[SlotDocument], await self.collection.find(query).to_list(None))

    async def mark_unavailable(self, slot_id: ObjectId, *, reason: str, session: Session) -> bool:
        result = await self.collection.update_one(
            {"_id": slot_id, "status": "free"},
            {"$set": {"status": "busy-unavailable", "cancelReason": reason}},
            session=session,
        )
        return result.modified_count == 1


class PatientProfileRepository(Repository):
    collection_name = "health_patient_profiles"
    indexes = (
        # myPatientProfiles: a user's profiles in creation order
        IndexModel([("ownerId", 1), ("createdAt", 1)], name="owner_created"),
    )

    async def insert(self, document: PatientProfileDocument) -> None:
        await self.collection.insert_one(dict(document))

    async def for_owner(self, owner_id: str) -> list[PatientProfileDocument]:
        cursor = self.collection.find({"ownerId": owner_id}, sort=[("createdAt", 1)], limit=50)
        return cast(list[PatientProfileDocument], await cursor.to_list(None))

    async def owned(self, profile_id: ObjectId, owner_id: str) -> PatientProfileDocument | None:
        document = await self.collection.find_one({"_id": profile_id, "ownerId": owner_id})
        return cast(PatientProfileDocument | None, document)

    async def touch(self, profile_id: ObjectId, *, session: Session) -> None:
        """Write the profile inside a booking transaction so that two bookings of one patient
        conflict and run one after the other (the limit check then sees the other's booking)."""
        await self.collection.update_one(
            {"_id": profile_id}, {"$inc": {"bookingVersion": 1}}, session=session
        )


class AppointmentRepository(Repository):
    collection_name = "health_appointments"
    indexes = (
        # One active appointment per patient and slot, whatever the race.
        IndexModel(
            [("slotId", 1), ("patientProfileId", 1)],
            unique=True,
            partialFilterExpression=ACTIVE,
            name="one_active_per_patient_and_slot",
        ),
        # A queue number is held by one active appointment of a slot.
        IndexModel(
            [("slotId", 1), ("queueNumber", 1)],
            unique=True,
            partialFilterExpression=ACTIVE,
            name="one_active_per_queue_number",
        ),
        # checkIn(bookingCode)
        IndexModel([("bookingCode", 1)], unique=True, name="bookingCode"),
        # myAppointments, newest first
        IndexModel([("userId", 1), ("start", -1)], name="user_start"),
        # hospitalAppointments by day; patients_of_hospital
        IndexModel([("hospitalId", 1), ("start", 1)], name="hospital_start"),
        IndexModel([("hospitalId", 1), ("userId", 1), ("start", 1)], name="hospital_user_start"),
        # the active-bookings limit per patient and facility
        IndexModel(
            [("patientProfileId", 1), ("hospitalId", 1), ("status", 1)], name="patient_limit"
        ),
        # cancelSlots: the active appointments of a slot
        IndexModel([("slotId", 1), ("status", 1)], name="slot_status"),
    )

    async def find(
        self, appointment_id: ObjectId, session: Session = None
    ) -> AppointmentDocument | None:
        document = await self.collection.find_one({"_id": appointment_id}, session=session)
        return cast(AppointmentDocument | None, document)

    async def by_code(self, booking_code: str) -> AppointmentDocument | None:
        document = await self.collection.find_one({"bookingCode": booking_code})
        return cast(AppointmentDocument | None, document)

    async def insert(self, document: AppointmentDocument, *, session: Session) -> None:
        await self.collection.insert_one(dict(document), session=session)

    async def active_for(
        self, slot_id: ObjectId, profile_id: ObjectId, *, session: Session
    ) -> AppointmentDocument | None:
        document = await self.collection.find_one(
            {"slotId": slot_id, "patientProfileId": profile_id, **ACTIVE}, session=session
        )
        return cast(AppointmentDocument | None, document)

    async def count_upcoming(
        self, profile_id: ObjectId, hospital_id: str, *, now: datetime, session: Session
    ) -> int:
        return await self.collection.count_documents(
            {
                "patientProfileId": profile_id,
                "hospitalId": hospital_id,
                "status": "booked",
                "start": {"$gt": now},
            },
            session=session,
        )

    async def booked_in_slot(
        self, slot_id: ObjectId, *, session: Session = None
    ) -> list[AppointmentDocument]:
        cursor = self.collection.find({"slotId": slot_id, "status": "booked"}, session=session)
        return cast(list[AppointmentDocument], await cursor.to_list(None))

    async def transition(
        self,
        appointment_id: ObjectId,
        *,
        from_status: str,
        set_fields: dict[str, Any],
        release: bool,
        session: Session,
    ) -> AppointmentDocument | None:
        """Move an appointment out of ``from_status``; None if it was no longer in it."""
        update: dict[str, Any] = {"$set": set_fields}
        if release:
            update["$unset"] = {"active": ""}
        document = await self.collection.find_one_and_update(
            {"_id": appointment_id, "status": from_status},
            update,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return cast(AppointmentDocument | None, document)

    async def page_for_user(
        self, *, user_id: str, status: str | None, first: int | None, after: str | None
    ) -> Page[AppointmentDocument]:
        query: dict[str, Any] = {"userId": user_id}
        if status is not None:
            query["status"] = status
        page = await find_page(
            self.collection, query=query, sort=[("start", -1)], first=first, after=after
        )
        return cast(Page[AppointmentDocument], page)

    async def page_for_hospital(
        self,
        *,
        hospital_id: str,
        start_from: datetime,
        start_to: datetime,
        department_id: str | None,
        status: str | None,
        first: int | None,
        after: str | None,
    ) -> Page[AppointmentDocument]:
        query: dict[str, Any] = {
            "hospitalId": hospital_id,
            "start": {"$gte": start_from, "$lt": start_to},
        }
        if department_id is not None:
            query["departmentId"] = department_id
        if status is not None:
            query["status"] = status
        page = await find_page(
            self.collection,
            query=query,
            sort=[("start", 1), ("queueNumber", 1)],
            first=first,
            after=after,
        )
        return cast(Page[AppointmentDocument], page)

    async def users_seen_at(
        self, *, hospital_id: str, user_ids: Sequence[str], since: datetime
    ) -> set[str]:
        values = await self.collection.distinct(
            "userId",
            {
                "hospitalId": hospital_id,
                "userId": {"$in": list(user_ids)},
                "start": {"$gte": since},
            },
        )
        return {str(value) for value in values}


class AuditRepository(Repository):
    collection_name = "health_audit"
    indexes = (
        # the history of one appointment, in order
        IndexModel([("appointmentId", 1), ("at", 1)], name="appointment_at"),
    )

    async def append(self, entry: AuditEntry, *, session: Session) -> None:
        """Append only: this repository has no update or delete."""
        await self.collection.insert_one(dict(entry), session=session)

    async def for_appointment(self, appointment_id: ObjectId) -> list[AuditEntry]:
        cursor = self.collection.find({"appointmentId": appointment_id}, sort=[("at", 1)])
        return cast(list[AuditEntry], await cursor.to_list(None))


class IdempotencyRepository(Repository):
    collection_name = "health_idempotency"
    indexes = (
        # One record per user and key: concurrent retries collide here.
        IndexModel([("userId", 1), ("key", 1)], unique=True, name="user_key"),
        # Clean-up only: an expired record is ignored (and replaced) whether or not it is swept.
        IndexModel([("expiresAt", 1)], expireAfterSeconds=0, name="expires_ttl"),
    )

    async def find_live(self, user_id: str, key: str, *, now: datetime) -> IdempotencyRecord | None:
        document = await self.collection.find_one(
            {"userId": user_id, "key": key, "expiresAt": {"$gt": now}}
        )
        return cast(IdempotencyRecord | None, document)

    async def claim(self, record: IdempotencyRecord, *, now: datetime, session: Session) -> None:
        """Insert the record; DuplicateKeyError when a live one exists (another attempt won)."""
        await self.collection.delete_one(
            {"userId": record["userId"], "key": record["key"], "expiresAt": {"$lte": now}},
            session=session,
        )
        await self.collection.insert_one(dict(record), session=session)


OPEN = {"open": True}


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
    )

    async def find(
        self, entry_id: ObjectId, session: Session = None
    ) -> WaitlistEntryDocument | None:
        document = await self.collection.find_one({"_id": entry_id}, session=session)
        return cast(WaitlistEntryDocument | None, document)

    async def insert(self, document: WaitlistEntryDocument) -> None:
        await self.collection.insert_one(dict(document))

    async def open_by_key(self, wait_key: str) -> WaitlistEntryDocument | None:
        document = await self.collection.find_one({"waitKey": wait_key, **OPEN})
        return cast(WaitlistEntryDocument | None, document)

    async def waiting_for(
        self, slot: SlotDocument, *, day: str, session: Session, limit: int = 20
    ) -> list[WaitlistEntryDocument]:
        """The first waiting entries for a place in ``slot``, oldest first."""
        query = {
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
        cursor = self.collection.find(
            query, sort=[("createdAt", 1), ("_id", 1)], limit=limit, session=session
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
        session: Session,
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
        session: Session,
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
        waiting = await self.collection.count_documents(
            {
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
        )
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
