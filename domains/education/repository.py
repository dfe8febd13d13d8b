"""Every query of the education domain; filters are built here from typed arguments only."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import (
    ASCENDING,
    DESCENDING,
    GEOSPHERE,
    IndexModel,
    ReplaceOne,
    ReturnDocument,
)

from domains.education.models import (
    AdmissionRoundDocument,
    AnnouncementDocument,
    CommuneDocument,
    LocalizedDict,
    SchoolDocument,
)
from domains.kernel.pagination import (
    Page,
    find_page,
)
from domains.kernel.repository import Repository
from domains.kernel.types import Document, Session

# A point within this many degrees (about 1 m) of a catchment boundary counts as inside: the
# geocoding of an address is never more precise than that, and the answer must not depend on
# floating-point rounding at a shared edge (see docs/education.md, "Boundaries").
BOUNDARY_TOLERANCE_DEG = 0.00001


def _tolerance_square(lat: float, lng: float) -> dict[str, Any]:
    d = BOUNDARY_TOLERANCE_DEG
    ring = [[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d], [lng - d, lat + d]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


class CommuneRepository(Repository):
    collection_name = "communes"
    indexes = (
        # The communes list, by former district then name (also what the read side reads to
        # resolve a point to its ward).
        IndexModel([("district", ASCENDING), ("sortName", ASCENDING)], name="district_name"),
    )

    async def get_commune(self, code: str) -> CommuneDocument | None:
        return cast(CommuneDocument | None, await self.collection.find_one({"_id": code}))

    async def existing_codes(self, codes: Sequence[str]) -> set[str]:
        cursor = self.collection.find({"_id": {"$in": list(codes)}}, {"_id": 1})
        return {str(document["_id"]) async for document in cursor}

    async def list_all(self, *, district: str | None) -> list[CommuneDocument]:
        query: Document = {"district": district} if district else {}
        cursor = self.collection.find(query, sort=[("district", 1), ("sortName", 1)])
        return cast(list[CommuneDocument], await cursor.to_list(length=None))

    async def upsert(self, document: CommuneDocument) -> bool:
        result = await self.collection.replace_one(
            {"_id": document["_id"]}, dict(document), upsert=True
        )
        return result.upserted_id is not None


@dataclass(frozen=True, slots=True)
class SchoolFilter:
    """The filters of the school directory (all optional, combined with AND)."""

    level: str | None = None
    district: str | None = None
    commune: str | None = None
    ownership: str | None = None

    def query(self) -> Document:
        query: Document = {}
        if self.level:
            query["levels"] = self.level
        if self.district:
            query["district"] = self.district
        if self.commune:
            query["communeCode"] = self.commune
        if self.ownership:
            query["ownership"] = self.ownership
        return query


class SchoolRepository(Repository):
    collection_name = "schools"
    indexes = (
        # Search, near me, the directory's lists and the commune catchments are served from the
        # in-memory read side (read_side.py), which reads the whole collection once.
        # schoolsForLocation: which published catchment areas contain the point ($geoIntersects).
        # 2dsphere indexes skip documents whose area is null.
        IndexModel([("catchment.area", GEOSPHERE)], name="catchment_area_2dsphere"),
    )

    async def get_school(self, school_id: str) -> SchoolDocument | None:
        return cast(SchoolDocument | None, await self.collection.find_one({"_id": school_id}))

    async def existing_ids(self, ids: Sequence[str]) -> dict[str, SchoolDocument]:
        cursor = self.collection.find({"_id": {"$in": list(ids)}})
        return {str(d["_id"]): cast(SchoolDocument, d) async for d in cursor}

    async def names(self, ids: Sequence[str]) -> dict[str, LocalizedDict]:
        """The names of the schools among ``ids`` that exist (for reminder texts)."""
        cursor = self.collection.find({"_id": {"$in": list(ids)}}, {"name": 1})
        return {str(d["_id"]): d["name"] async for d in cursor}

    async def containing_point(
        self, *, lat: float, lng: float, level: str | None
    ) -> list[SchoolDocument]:
        """Schools whose published catchment area contains the point (boundary included)."""
        query: Document = {
            "catchment.area": {"$geoIntersects": {"$geometry": _tolerance_square(lat, lng)}}
        }
        if level:
            query["levels"] = level
        return cast(list[SchoolDocument], await self.collection.find(query).to_list(length=None))

    async def insert(self, document: SchoolDocument) -> bool:
        """False when a school with this id exists already."""
        result = await self.collection.update_one(
            {"_id": document["_id"]}, {"$setOnInsert": dict(document)}, upsert=True
        )
        return result.upserted_id is not None

    async def replace(self, document: SchoolDocument) -> bool:
        result = await self.collection.replace_one({"_id": document["_id"]}, dict(document))
        return result.matched_count == 1

    async def upsert(self, document: SchoolDocument) -> bool:
        result = await self.collection.replace_one(
            {"_id": document["_id"]}, dict(document), upsert=True
        )
        return result.upserted_id is not None

    async def synthetic(self) -> dict[str, Document]:
        """The generated schools by id (one read; the province generator compares with them)."""
        return {str(d["_id"]): d async for d in self.collection.find({"synthetic": True})}

    async def write_generated(
        self, documents: Sequence[SchoolDocument], existing: Mapping[str, Document]
    ) -> int:
        """Insert the missing schools and replace those that differ from ``existing``; returns
        how many were written (upserts one by one cost a collection scan each on SecantusDB)."""
        return await _write_missing_or_changed(self.collection, "_id", documents, existing)


@dataclass(frozen=True, slots=True)
class RoundFilter:
    school_year: str | None = None
    grade: str | None = None
    district: str | None = None
    school_id: str | None = None
    status: str | None = None  # upcoming | open | closed, relative to ``now``

    def query(self, now: datetime) -> Document:
        query: Document = {}
        if self.school_year:
            query["schoolYear"] = self.school_year
        if self.grade:
            query["grade"] = self.grade
        if self.district:
            query["districts"] = self.district
        if self.school_id:
            query["schoolIds"] = self.school_id
        if self.status == "upcoming":
            query["opensAt"] = {"$gt": now}
        elif self.status == "open":
            query["opensAt"] = {"$lte": now}
            query["closesAt"] = {"$gt": now}
        elif self.status == "closed":
            query["closesAt"] = {"$lte": now}
        return query


class AdmissionRoundRepository(Repository):
    collection_name = "admission_rounds"
    indexes = (
        # Demo rounds are upserted by their natural key.
        IndexModel(
            [("seedKey", ASCENDING)],
            name="seed_key",
            unique=True,
            partialFilterExpression={"seedKey": {"$type": "string"}},
        ),
        # The rounds of a school for its reminders (subscribing, a school's move); the lists
        # (admissionRounds, School.admissionRounds) are served from rounds_read.py.
        IndexModel([("schoolIds", ASCENDING), ("opensAt", ASCENDING)], name="school_opens"),
    )

    async def get_round(self, round_id: ObjectId) -> AdmissionRoundDocument | None:
        return cast(
            AdmissionRoundDocument | None, await self.collection.find_one({"_id": round_id})
        )

    async def not_closed_for_school(
        self, school_id: str, *, now: datetime
    ) -> list[AdmissionRoundDocument]:
        cursor = self.collection.find(
            {"schoolIds": school_id, "closesAt": {"$gt": now}}, sort=[("opensAt", 1)]
        )
        return cast(list[AdmissionRoundDocument], await cursor.to_list(length=None))

    async def for_schools(self, school_ids: Sequence[str]) -> list[AdmissionRoundDocument]:
        cursor = self.collection.find(
            {"schoolIds": {"$in": list(school_ids)}}, sort=[("opensAt", 1)]
        )
        return cast(list[AdmissionRoundDocument], await cursor.to_list(length=None))

    async def insert(
        self, document: AdmissionRoundDocument, *, session: Session | None = None
    ) -> ObjectId:
        result = await self.collection.insert_one(dict(document), session=session)
        return ObjectId(result.inserted_id)

    async def replace(
        self, document: AdmissionRoundDocument, *, session: Session | None = None
    ) -> bool:
        result = await self.collection.replace_one(
            {"_id": document["_id"]}, dict(document), session=session
        )
        return result.matched_count == 1

    async def upsert_seed(
        self, document: Mapping[str, Any], *, session: Session | None = None
    ) -> tuple[AdmissionRoundDocument | None, AdmissionRoundDocument]:
        """Write a demo round by ``seedKey``; returns (before, after)."""
        before = await self.collection.find_one_and_update(
            {"seedKey": document["seedKey"]},
            {"$set": dict(document), "$setOnInsert": {"_id": ObjectId()}},
            upsert=True,
            return_document=ReturnDocument.BEFORE,
            session=session,
        )
        after = await self.collection.find_one({"seedKey": document["seedKey"]}, session=session)
        assert after is not None  # noqa: S101 - just upserted
        return cast(AdmissionRoundDocument | None, before), cast(AdmissionRoundDocument, after)

    async def synthetic(self) -> dict[str, Document]:
        """The generated rounds by ``seedKey`` (one read)."""
        found = self.collection.find({"synthetic": True})
        return {str(d["seedKey"]): d async for d in found}

    async def write_generated(
        self, documents: Sequence[AdmissionRoundDocument], existing: Mapping[str, Document]
    ) -> int:
        """Write generated rounds by ``seedKey`` (missing: inserted; changed: replaced keeping
        their ``_id``); no reminders. Returns how many were written."""
        return await _write_missing_or_changed(self.collection, "seedKey", documents, existing)

    async def set_districts_for_school(
        self, school_id: str, districts_of: Mapping[str, str]
    ) -> None:
        """Keep the denormalised ``districts`` of a school's rounds right after it moved."""
        async for document in self.collection.find({"schoolIds": school_id}):
            districts = sorted(
                {districts_of[s] for s in document["schoolIds"] if s in districts_of}
            )
            await self.collection.update_one(
                {"_id": document["_id"]}, {"$set": {"districts": districts}}
            )


class AnnouncementRepository(Repository):
    collection_name = "school_announcements"
    indexes = (
        # announcements(schoolId): newest first, per audience.
        IndexModel([("schoolId", ASCENDING), ("publishedAt", DESCENDING)], name="school_published"),
    )

    async def insert(
        self, document: AnnouncementDocument, *, session: Session | None = None
    ) -> None:
        await self.collection.insert_one(dict(document), session=session)

    async def page(
        self,
        *,
        school_id: str,
        audiences: Sequence[str],
        first: int | None,
        after: str | None,
    ) -> Page[AnnouncementDocument]:
        page = await find_page(
            self.collection,
            query={"schoolId": school_id, "audience": {"$in": list(audiences)}},
            sort=[("publishedAt", -1)],
            first=first,
            after=after,
        )
        return cast(Page[AnnouncementDocument], page)

    async def get_announcement(self, announcement_id: ObjectId) -> AnnouncementDocument | None:
        found = await self.collection.find_one({"_id": announcement_id})
        return cast(AnnouncementDocument | None, found)


async def _write_missing_or_changed(
    collection: Any,
    key: str,
    documents: Sequence[Mapping[str, Any]],
    existing: Mapping[str, Document],
) -> int:
    """Generated records by their natural ``key``: insert the missing, replace the changed (an
    existing record keeps its ``_id``), leave the equal alone."""
    wanted = {d[key]: dict(d) for d in documents}
    missing = [d for k, d in wanted.items() if k not in existing]
    changed = []
    for k, document in wanted.items():
        if k in existing:
            merged = {**document, "_id": existing[k]["_id"]}
            if _naive(merged) != _naive(existing[k]):
                changed.append(ReplaceOne({"_id": existing[k]["_id"]}, merged))
    if missing:
        for document in missing:
            document.setdefault("_id", ObjectId())
        await collection.insert_many(missing, ordered=False)
    if changed:
        await collection.bulk_write(changed, ordered=False)
    return len(missing) + len(changed)


def _naive(value: Any) -> Any:
    """``value`` with aware datetimes as naive UTC, as a default client reads them back."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Mapping):
        return {key: _naive(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_naive(item) for item in value]
    return value
