"""Patient profiles: the people a user books for."""

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from bson import ObjectId
from pymongo import IndexModel, ReturnDocument

from domains.health.models import PatientProfileDocument
from domains.kernel.repository import Repository
from domains.kernel.types import Document, Session


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

    async def withdraw_consent(
        self, profile_id: ObjectId, owner_id: str, *, events: list[Document], now: datetime
    ) -> PatientProfileDocument | None:
        """Mark the consent withdrawn and append to its history, once; None if it already was
        (or the profile is not the owner's)."""
        document = await self.collection.find_one_and_update(
            {"_id": profile_id, "ownerId": owner_id, "consent.withdrawnAt": {"$exists": False}},
            {"$set": {"consent.withdrawnAt": now}, "$push": {"consentHistory": {"$each": events}}},
            return_document=ReturnDocument.AFTER,
        )
        return cast(PatientProfileDocument | None, document)

    async def find_many(self, ids: Sequence[ObjectId]) -> list[PatientProfileDocument | None]:
        """In the order of ``ids``, None where missing (for DataLoaders)."""
        return cast(list[PatientProfileDocument | None], await self.get_many(ids))

    async def touch(self, profile_id: ObjectId, *, session: Session | None) -> None:
        """Write the profile inside a booking transaction so that two bookings of one patient
        conflict and run one after the other (the limit check then sees the other's booking)."""
        await self.collection.update_one(
            {"_id": profile_id}, {"$inc": {"bookingVersion": 1}}, session=session
        )
