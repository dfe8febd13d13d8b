"""Appointments, their append-only audit trail and the idempotency records of bookings."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo import IndexModel, ReturnDocument

from domains.health.models import AppointmentDocument, AuditEntry, IdempotencyRecord
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.types import Session

ACTIVE = {"active": True}
# Retention (docs/security.md): appointments and their audit are kept 10 years after the visit,
# the time we understand a facility keeps an outpatient record (to be checked by a lawyer).
HEALTH_RECORD_RETENTION = timedelta(days=3653)


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
        # hospitalAppointments of a day, a window of start times at a time; patients_of_hospital
        IndexModel([("hospitalId", 1), ("start", 1)], name="hospital_start"),
        IndexModel([("hospitalId", 1), ("userId", 1), ("start", 1)], name="hospital_user_start"),
        # the active-bookings limit per patient and facility
        IndexModel(
            [("patientProfileId", 1), ("hospitalId", 1), ("status", 1)], name="patient_limit"
        ),
        # cancelSlots: the active appointments of a slot
        IndexModel([("slotId", 1), ("status", 1)], name="slot_status"),
        # Retention only: an appointment goes 10 years after its start.
        IndexModel(
            [("start", 1)],
            expireAfterSeconds=int(HEALTH_RECORD_RETENTION.total_seconds()),
            name="start_ttl",
        ),
    )

    async def find(
        self, appointment_id: ObjectId, session: Session | None = None
    ) -> AppointmentDocument | None:
        document = await self.collection.find_one({"_id": appointment_id}, session=session)
        return cast(AppointmentDocument | None, document)

    async def by_code(self, booking_code: str) -> AppointmentDocument | None:
        document = await self.collection.find_one({"bookingCode": booking_code})
        return cast(AppointmentDocument | None, document)

    async def insert(self, document: AppointmentDocument, *, session: Session | None) -> None:
        await self.collection.insert_one(dict(document), session=session)

    async def active_for(
        self, slot_id: ObjectId, profile_id: ObjectId, *, session: Session | None
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
        self, slot_id: ObjectId, *, session: Session | None = None
    ) -> list[AppointmentDocument]:
        cursor = self.collection.find({"slotId": slot_id, "status": "booked"}, session=session)
        return cast(list[AppointmentDocument], await cursor.to_list(None))

    async def next_waiting(
        self, slot_id: ObjectId, *, session: Session | None
    ) -> AppointmentDocument | None:
        """The checked-in patient of a slot with the lowest number not yet called (callNext)."""
        document = await self.collection.find_one(
            {"slotId": slot_id, "status": "checked-in", "calledAt": {"$exists": False}},
            sort=[("queueNumber", 1)],
            session=session,
        )
        return cast(AppointmentDocument | None, document)

    async def mark_called(
        self, appointment_id: ObjectId, *, now: datetime, session: Session | None
    ) -> AppointmentDocument | None:
        """Record the call; None if the patient was called (or left) meanwhile."""
        document = await self.collection.find_one_and_update(
            {"_id": appointment_id, "status": "checked-in", "calledAt": {"$exists": False}},
            {"$set": {"calledAt": now, "changedAt": now}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return cast(AppointmentDocument | None, document)

    async def waiting_before(self, slot_id: ObjectId, queue_number: int) -> int:
        """Patients of a slot still to be called before ``queue_number`` (queueStatus)."""
        return await self.collection.count_documents(
            {
                "slotId": slot_id,
                "status": {"$in": ["booked", "checked-in"]},
                "calledAt": {"$exists": False},
                "queueNumber": {"$lt": queue_number},
            }
        )

    async def transition(
        self,
        appointment_id: ObjectId,
        *,
        from_status: str,
        set_fields: dict[str, Any],
        release: bool,
        session: Session | None,
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

    async def mark_rescheduled(
        self, appointment_id: ObjectId, *, to: ObjectId, session: Session | None
    ) -> None:
        """Link a moved (cancelled) appointment to the one that replaced it."""
        await self.collection.update_one(
            {"_id": appointment_id}, {"$set": {"rescheduledTo": to}}, session=session
        )

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

    async def of_hospital_between(
        self, hospital_id: str, start_from: datetime, start_to: datetime | None
    ) -> list[AppointmentDocument]:
        """A facility's appointments starting in ``[start_from, start_to)``: the shape the
        ``hospital_start`` index serves with tight bounds (``domains/health/windows.py``)."""
        start: dict[str, datetime] = {"$gte": start_from}
        if start_to is not None:
            start["$lt"] = start_to
        cursor = self.collection.find({"hospitalId": hospital_id, "start": start})
        return cast(list[AppointmentDocument], await cursor.to_list(None))

    async def count_for_hospital(
        self,
        *,
        hospital_id: str,
        start_from: datetime,
        start_to: datetime,
        department_id: str | None,
        status: str | None,
    ) -> int:
        """How many ``hospitalAppointments`` lists (``totalCount``, only when asked)."""
        query: dict[str, Any] = {
            "hospitalId": hospital_id,
            "start": {"$gte": start_from, "$lt": start_to},
        }
        if department_id is not None:
            query["departmentId"] = department_id
        if status is not None:
            query["status"] = status
        return await self.collection.count_documents(query)

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
        # Retention only: an entry goes 10 years after it was written, with its appointment.
        IndexModel(
            [("at", 1)],
            expireAfterSeconds=int(HEALTH_RECORD_RETENTION.total_seconds()),
            name="at_ttl",
        ),
    )

    async def append(self, entry: AuditEntry, *, session: Session | None) -> None:
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

    async def claim(
        self, record: IdempotencyRecord, *, now: datetime, session: Session | None
    ) -> None:
        """Insert the record; DuplicateKeyError when a live one exists (another attempt won)."""
        await self.collection.delete_one(
            {"userId": record["userId"], "key": record["key"], "expiresAt": {"$lte": now}},
            session=session,
        )
        await self.collection.insert_one(dict(record), session=session)
