"""``health_staff_reads``: who of a facility's staff read which patient's personal fields, one
entry per reader, patient and day (a screen that refreshes does not flood it)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo import DESCENDING, IndexModel, UpdateOne

from domains.health.models import StaffReadDocument
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository

# Kept as long as the appointments they are about (docs/security.md).
READ_RETENTION = timedelta(days=3653)


class StaffReadRepository(Repository):
    collection_name = "health_staff_reads"
    indexes = (
        # page: who read one patient, newest first; what one reader read, newest first.
        IndexModel([("patientProfileId", 1), ("day", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("reader", 1), ("day", DESCENDING), ("_id", DESCENDING)]),
        # Retention only.
        IndexModel(
            [("firstAt", 1)],
            expireAfterSeconds=int(READ_RETENTION.total_seconds()),
            name="firstAt_ttl",
        ),
    )

    async def record(
        self, reader: str, reads: Sequence[tuple[ObjectId, str]], *, day: str, now: datetime
    ) -> None:
        """Note that ``reader`` read these (patient profile, facility) pairs today; once a day."""
        if not reads:
            return
        await self.collection.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{reader}|{profile_id}|{day}"},
                    {
                        "$setOnInsert": {
                            "reader": reader,
                            "patientProfileId": profile_id,
                            "hospitalId": hospital_id,
                            "day": day,
                            "firstAt": now,
                        }
                    },
                    upsert=True,
                )
                for profile_id, hospital_id in reads
            ],
            ordered=False,
        )

    async def page(
        self,
        *,
        patient_profile_id: ObjectId | None,
        reader: str | None,
        first: int | None,
        after: str | None,
    ) -> Page[StaffReadDocument]:
        query: dict[str, Any] = {}
        if patient_profile_id is not None:
            query["patientProfileId"] = patient_profile_id
        if reader is not None:
            query["reader"] = reader
        page = await find_page(
            self.collection, query=query, sort=[("day", -1)], first=first, after=after
        )
        return cast(Page[StaffReadDocument], page)
