"""Citizens' pollution reports: every query of the report side."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel, ReturnDocument

from domains.environment.models import ReportDocument
from domains.kernel.geo import NearInput
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository

OPEN_STATUSES = ("received", "assigned", "in_progress")


class ReportRepository(Repository):
    collection_name = "environment_reports"
    indexes = (
        # similar_open: open reports of a category near a point ($geoNear).
        IndexModel([("location", GEOSPHERE)], name="location_2dsphere"),
        # count_since / open_count / of_reporter: one reporter's reports (limits, mine, erasure).
        IndexModel([("reporterUid", ASCENDING), ("createdAt", DESCENDING)], name="reporter"),
        # page: the public list and the staff's queue, newest first.
        IndexModel([("createdAt", DESCENDING), ("_id", DESCENDING)], name="created"),
        # showing_photo: the report a photo belongs to (the public photo endpoint).
        IndexModel([("photoIds", ASCENDING)], name="photos"),
        IndexModel([("resultPhotoIds", ASCENDING)], name="result_photos"),
        # Retention: a report is kept two years after it was resolved or rejected (open ones
        # have no closedAt and stay); its photos go with it (delete_closed_photos).
        IndexModel([("closedAt", ASCENDING)], expireAfterSeconds=730 * 86400, name="closed_ttl"),
    )

    async def find(self, report_id: ObjectId) -> ReportDocument | None:
        return cast(ReportDocument | None, await self.collection.find_one({"_id": report_id}))

    async def insert(self, report: ReportDocument) -> None:
        await self.collection.insert_one(dict(report))

    async def count_since(self, uid: str, since: datetime) -> int:
        return await self.collection.count_documents(
            {"reporterUid": uid, "createdAt": {"$gte": since}}
        )

    async def open_count(self, uid: str) -> int:
        return await self.collection.count_documents({"reporterUid": uid, "open": True})

    async def similar_open(
        self, *, category: str, lat: float, lng: float, radius_m: float, since: datetime
    ) -> ReportDocument | None:
        """The nearest open, visible report of the category within the radius, or None."""
        near = NearInput(lat=lat, lng=lng, radius_km=radius_m / 1000)
        query = {"category": category, "open": True, "hidden": False, "createdAt": {"$gte": since}}
        pipeline = [near.geo_near_stage(query=query), {"$limit": 1}]
        found = [d async for d in await self.collection.aggregate(pipeline)]
        return cast(ReportDocument, found[0]) if found else None

    async def near(self, near: NearInput, *, public: bool, limit: int) -> list[ReportDocument]:
        """Reports within the radius, nearest first (the map)."""
        query = {"hidden": False} if public else None
        pipeline = [near.geo_near_stage(query=query), {"$limit": limit}]
        return [cast(ReportDocument, d) async for d in await self.collection.aggregate(pipeline)]

    async def add_supporter(self, report_id: ObjectId, uid: str, now: datetime) -> ReportDocument:
        document = await self.collection.find_one_and_update(
            {"_id": report_id},
            {"$addToSet": {"supporters": uid}, "$set": {"updatedAt": now}},
            return_document=ReturnDocument.AFTER,
        )
        return cast(ReportDocument, document)

    async def update(
        self, report_id: ObjectId, *, expected_status: str, changes: dict[str, Any], event: Any
    ) -> ReportDocument | None:
        """Apply a status change only if the report is still in ``expected_status``."""
        document = await self.collection.find_one_and_update(
            {"_id": report_id, "status": expected_status},
            {"$set": changes, "$push": {"history": event}},
            return_document=ReturnDocument.AFTER,
        )
        return cast(ReportDocument | None, document)

    async def set_fields(
        self, report_id: ObjectId, changes: dict[str, Any]
    ) -> ReportDocument | None:
        document = await self.collection.find_one_and_update(
            {"_id": report_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )
        return cast(ReportDocument | None, document)

    async def page(
        self, *, public: bool, reporter: str | None, first: int | None, after: str | None
    ) -> Page[ReportDocument]:
        query: dict[str, Any] = {}
        if public:
            query["hidden"] = False
        if reporter is not None:
            query["reporterUid"] = reporter
        page = await find_page(
            self.collection,
            query=query,
            sort=[("createdAt", -1)],
            first=first,
            after=after,
        )
        return cast(Page[ReportDocument], page)

    async def referenced(self, photo_ids: list[ObjectId]) -> set[ObjectId]:
        """Which of these photos a report still shows (the daily purge; a scan is fine once a
        day over reports that live at most two years after closing)."""
        query = {"$or": [{"photoIds": {"$in": photo_ids}}, {"resultPhotoIds": {"$in": photo_ids}}]}
        found: set[ObjectId] = set()
        async for report in self.collection.find(query, {"photoIds": 1, "resultPhotoIds": 1}):
            found |= set(report["photoIds"]) | set(report["resultPhotoIds"])
        return found

    async def showing_photo(self, photo_id: ObjectId) -> ReportDocument | None:
        for field in ("photoIds", "resultPhotoIds"):
            found = await self.collection.find_one({field: photo_id})
            if found is not None:
                return cast(ReportDocument, found)
        return None

    async def open311(
        self,
        *,
        ids: list[ObjectId] | None,
        category: str | None,
        start: datetime,
        end: datetime,
        open_only: bool | None,
        limit: int,
    ) -> list[ReportDocument]:
        """Visible reports filed in [start, end], newest first (Open311 requests.json)."""
        query: dict[str, Any] = {"hidden": False, "createdAt": {"$gte": start, "$lte": end}}
        if ids is not None:
            query["_id"] = {"$in": ids}
        if category is not None:
            query["category"] = category
        if open_only is not None:
            query["open"] = open_only
        cursor = self.collection.find(query, sort=[("createdAt", DESCENDING)], limit=limit)
        return cast(list[ReportDocument], await cursor.to_list())

    async def of_reporter(self, uid: str) -> list[ReportDocument]:
        cursor = self.collection.find({"reporterUid": uid})
        return cast(list[ReportDocument], await cursor.to_list())

    async def remove_supporter(self, uid: str) -> int:
        result = await self.collection.update_many(
            {"supporters": uid}, {"$pull": {"supporters": uid}}
        )
        return int(result.modified_count)

    async def delete(self, report_ids: Sequence[ObjectId]) -> int:
        result = await self.collection.delete_many({"_id": {"$in": list(report_ids)}})
        return int(result.deleted_count)
