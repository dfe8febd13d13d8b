"""The queries of export and erasure over health's collections: a user's documents by owner,
and the reduction of the appointments a facility must keep (domains/health/personal_data.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from domains.health.models import (
    AppointmentDocument,
    AuditEntry,
    PatientProfileDocument,
    WaitlistEntryDocument,
)
from domains.health.repositories.appointments import (
    AppointmentRepository,
    AuditRepository,
    IdempotencyRepository,
)
from domains.health.repositories.profiles import PatientProfileRepository
from domains.health.repositories.reads import StaffReadRepository
from domains.health.repositories.waitlist import WaitlistRepository
from domains.kernel.types import Database, Document

# The actor written in place of an erased user in the audit of an appointment that is kept.
ERASED_ACTOR = "erased-user"


class PersonalRecords:
    """Owner-keyed reads and deletes; each served by the owner index of its collection
    (``owner_created``, ``user_start``, ``user_created``, ``user_key``); the audit by
    ``appointment_at``."""

    def __init__(self, db: Database) -> None:
        self.profiles: AsyncCollection[Document] = db[PatientProfileRepository.collection_name]
        self.appointments: AsyncCollection[Document] = db[AppointmentRepository.collection_name]
        self.waitlist: AsyncCollection[Document] = db[WaitlistRepository.collection_name]
        self.audit: AsyncCollection[Document] = db[AuditRepository.collection_name]
        self.idempotency: AsyncCollection[Document] = db[IdempotencyRepository.collection_name]
        self.reads: AsyncCollection[Document] = db[StaffReadRepository.collection_name]

    async def profiles_of(self, uid: str) -> list[PatientProfileDocument]:
        found = await self.profiles.find({"ownerId": uid}).to_list()
        return cast(list[PatientProfileDocument], found)

    async def appointments_of(
        self, uid: str, *, status: Sequence[str] | None = None
    ) -> list[AppointmentDocument]:
        query: dict[str, Any] = {"userId": uid}
        if status is not None:
            query["status"] = {"$in": list(status)}
        found = await self.appointments.find(query, sort=[("start", -1)]).to_list()
        return cast(list[AppointmentDocument], found)

    async def waitlist_of(
        self, uid: str, *, status: Sequence[str] | None = None
    ) -> list[WaitlistEntryDocument]:
        query: dict[str, Any] = {"userId": uid}
        if status is not None:
            query["status"] = {"$in": list(status)}
        found = await self.waitlist.find(query).to_list()
        return cast(list[WaitlistEntryDocument], found)

    async def of_profile(
        self, uid: str, profile_id: ObjectId
    ) -> tuple[list[WaitlistEntryDocument], list[AppointmentDocument]]:
        """A profile's open waitlist entries and booked appointments (consent withdrawn); by
        ``user_created`` and ``patient_limit``."""
        entries = await self.waitlist.find(
            {
                "userId": uid,
                "patientProfileId": profile_id,
                "status": {"$in": ["waiting", "offered"]},
            }
        ).to_list()
        booked = await self.appointments.find(
            {"patientProfileId": profile_id, "status": "booked"}
        ).to_list()
        return cast(list[WaitlistEntryDocument], entries), cast(list[AppointmentDocument], booked)

    async def reads_of(self, profile_ids: Sequence[ObjectId]) -> list[Document]:
        """Which staff read these patients' personal fields, and when (export)."""
        query = {"patientProfileId": {"$in": list(profile_ids)}}
        return await self.reads.find(query, {"_id": 0}).to_list()

    async def audit_of(self, appointment_ids: Sequence[ObjectId]) -> list[AuditEntry]:
        found = await self.audit.find(
            {"appointmentId": {"$in": list(appointment_ids)}}, sort=[("at", 1)]
        ).to_list()
        return cast(list[AuditEntry], found)

    async def reduce_appointment(
        self, appointment_id: ObjectId, *, uid: str, patient: dict[str, str], now: datetime
    ) -> int:
        """Keep what the facility's record needs, unlinked from the user (see docs/security.md)."""
        result = await self.appointments.update_one(
            {"_id": appointment_id, "userId": uid},
            {
                "$set": {"userId": "", "retainedPatient": patient, "erasedAt": now},
                "$unset": {"reason": "", "cancelReason": ""},
            },
        )
        return int(result.modified_count)

    async def unlink_audit(self, appointment_ids: Sequence[ObjectId], uid: str) -> int:
        result = await self.audit.update_many(
            {"appointmentId": {"$in": list(appointment_ids)}, "actor": uid},
            {"$set": {"actor": ERASED_ACTOR}},
        )
        return int(result.modified_count)

    async def delete_appointments(self, appointment_ids: Sequence[ObjectId]) -> int:
        """The appointments and their audit (audit first: a crash leaves them to delete again)."""
        ids = list(appointment_ids)
        deleted = (await self.audit.delete_many({"appointmentId": {"$in": ids}})).deleted_count
        result = await self.appointments.delete_many({"_id": {"$in": ids}})
        return int(deleted + result.deleted_count)

    async def delete_owned(self, uid: str) -> int:
        """The waitlist entries, booking idempotency records and profiles of the user."""
        deleted = 0
        for collection, owner in (
            (self.waitlist, "userId"),
            (self.idempotency, "userId"),
            (self.profiles, "ownerId"),
        ):
            deleted += (await collection.delete_many({owner: uid})).deleted_count
        return int(deleted)
