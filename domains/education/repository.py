"""Every query of the education domain; filters are built here from typed arguments only."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel, ReturnDocument

from domains.education.models import (
    AdmissionRoundDocument,
    AnnouncementDocument,
    CommuneDocument,
    LocalizedDict,
    SchoolDocument,
)
from domains.kernel.geo import EARTH_RADIUS_KM, NearInput
from domains.kernel.pagination import (
    Page,
    decode_cursor,
    encode_cursor,
    find_page,
    keyset_filter,
    page_size,
    value_at,
)
from domains.kernel.repository import Repository
from domains.kernel.search import TERMS_FIELD, match_filter, score_expression
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
        # Resolving a point to its ward/commune: the nearest centre ($nearSphere).
        IndexModel([("centre", GEOSPHERE)], name="centre_2dsphere"),
        # The communes list, by former district then name.
        IndexModel([("district", ASCENDING), ("sortName", ASCENDING)], name="district_name"),
    )

    async def nearest(self, *, lat: float, lng: float, max_km: float) -> CommuneDocument | None:
        # $geoNear rather than find($nearSphere): SecantusDB does not order $nearSphere results
        # by distance when $maxDistance is given; $geoNear is ordered on both servers.
        near = NearInput(lat=lat, lng=lng, radius_km=max_km)
        pipeline: list[Document] = [
            near.geo_near_stage(distance_field="_distance", key="centre"),
            {"$limit": 1},
            {"$project": {"_distance": 0}},
        ]
        rows = await (await self.collection.aggregate(pipeline)).to_list(length=1)
        return cast(CommuneDocument, rows[0]) if rows else None

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
        # schools(near:) and the distance ranking of catchment matches.
        IndexModel([("location", GEOSPHERE)], name="location_2dsphere"),
        # schoolsForLocation: which published catchment areas contain the point ($geoIntersects).
        # 2dsphere indexes skip documents whose area is null.
        IndexModel([("catchment.area", GEOSPHERE)], name="catchment_area_2dsphere"),
        # schoolsForCommune and the commune-code fallback of schoolsForLocation.
        IndexModel([("catchment.communeCodes", ASCENDING)], name="catchment_communes"),
        # The directory: filtered by level / district / commune, listed by name.
        IndexModel([("levels", ASCENDING), ("sortName", ASCENDING)], name="level_name"),
        IndexModel([("district", ASCENDING), ("sortName", ASCENDING)], name="district_name"),
        IndexModel([("communeCode", ASCENDING), ("sortName", ASCENDING)], name="commune_name"),
        IndexModel([("sortName", ASCENDING)], name="name"),
        # schools(search:): accent-insensitive terms.
        IndexModel([(TERMS_FIELD, ASCENDING)], name="search_terms"),
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

    async def page(
        self, *, filter: SchoolFilter, first: int | None, after: str | None
    ) -> Page[SchoolDocument]:
        page = await find_page(
            self.collection,
            query=filter.query(),
            sort=[("sortName", 1)],
            first=first,
            after=after,
        )
        return cast(Page[SchoolDocument], page)

    async def page_ranked(
        self,
        *,
        filter: SchoolFilter,
        near: tuple[float, float, float] | None,
        terms: Sequence[str] | None,
        first: int | None,
        after: str | None,
    ) -> Page[SchoolDocument]:
        """Nearest first when ``near`` (lat, lng, radius km) is given, else best search match."""
        query = filter.query()
        if terms is not None:
            query = {**query, **match_filter(terms)}
        stages: list[Document] = []
        if near is not None:
            lat, lng, radius_km = near
            centre = NearInput(lat=lat, lng=lng, radius_km=radius_km)
            stages.append(centre.geo_near_stage(query=query, distance_field="_rank"))
            order = [("_rank", 1), ("_id", 1)]
            count_query: Document = {
                **query,
                "location": {
                    "$geoWithin": {"$centerSphere": [[lng, lat], radius_km / EARTH_RADIUS_KM]}
                },
            }
        else:
            assert terms is not None  # noqa: S101 - callers pass near or terms
            stages += [{"$match": query}, {"$addFields": {"_rank": score_expression(terms)}}]
            order = [("_rank", -1), ("_id", 1)]
            count_query = query
        return cast(
            Page[SchoolDocument],
            await _aggregate_page(
                self, stages=stages, order=order, count_query=count_query, first=first, after=after
            ),
        )

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

    async def serving_commune(
        self, *, code: str, level: str | None, without_area_only: bool
    ) -> list[SchoolDocument]:
        """Schools listing the commune in their catchment (only those with no area, if asked)."""
        query: Document = {"catchment.communeCodes": code}
        if without_area_only:
            query["catchment.area"] = None
        if level:
            query["levels"] = level
        return cast(list[SchoolDocument], await self.collection.find(query).to_list(length=None))

    async def province_wide(self, *, level: str | None) -> list[SchoolDocument]:
        query: Document = {"catchment.provinceWide": True}
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
        # admissionRounds(schoolYear, grade, status): in window order.
        IndexModel(
            [("schoolYear", ASCENDING), ("grade", ASCENDING), ("opensAt", ASCENDING)],
            name="year_grade_opens",
        ),
        # admissionRounds(district) and the rounds of a school (reminders, School.admissionRounds).
        IndexModel([("districts", ASCENDING), ("opensAt", ASCENDING)], name="district_opens"),
        IndexModel([("schoolIds", ASCENDING), ("opensAt", ASCENDING)], name="school_opens"),
        IndexModel([("opensAt", ASCENDING)], name="opens"),
    )

    async def get_round(self, round_id: ObjectId) -> AdmissionRoundDocument | None:
        return cast(
            AdmissionRoundDocument | None, await self.collection.find_one({"_id": round_id})
        )

    async def page(
        self, *, filter: RoundFilter, now: datetime, first: int | None, after: str | None
    ) -> Page[AdmissionRoundDocument]:
        page = await find_page(
            self.collection,
            query=filter.query(now),
            sort=[("opensAt", 1)],
            first=first,
            after=after,
        )
        return cast(Page[AdmissionRoundDocument], page)

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


async def _aggregate_page(
    repository: Repository,
    *,
    stages: list[Document],
    order: list[tuple[str, int]],
    count_query: Document,
    first: int | None,
    after: str | None,
) -> Page[Document]:
    """Keyset pages over an aggregation whose rows carry a computed ``_rank``."""
    size = page_size(first)
    pipeline = list(stages)
    if after is not None:
        values = decode_cursor(after, length=len(order))
        pipeline.append({"$match": keyset_filter(order, values)})
    pipeline += [{"$sort": dict(order)}, {"$limit": size + 1}]
    rows = await (await repository.collection.aggregate(pipeline)).to_list(length=size + 1)
    has_next = len(rows) > size
    rows = rows[:size]
    cursors = [encode_cursor([value_at(row, key) for key, _ in order]) for row in rows]
    for row in rows:
        row.pop("_rank", None)

    async def count_total() -> int:
        return await repository.collection.count_documents(count_query)

    return Page(rows, cursors, has_next, count_total)
