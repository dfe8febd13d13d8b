"""Stations and hourly buckets of readings: every query of the environment domain's air side."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel, UpdateOne

from domains.environment.models import (
    AreaAlertDocument,
    HourBucketDocument,
    HourlyIndex,
    StationDocument,
)
from domains.environment.photos import PhotoStore
from domains.environment.report_repository import ReportRepository
from domains.kernel.geo import NearInput
from domains.kernel.repository import Repository
from domains.kernel.store import Store
from domains.kernel.types import Session

# Hourly buckets are kept two years (daily history for a full year back and the year before);
# the TTL sweep removes older ones. MongoDB time-series collections were not used: SecantusDB
# accepts the option but stores a plain collection, and real time-series collections allow no
# unique key per (station, hour), which idempotent ingestion relies on.
RETENTION = timedelta(days=730)
# Stations report every hour and deliver within the next; past two hours a value is not "now".
STALE_AFTER = timedelta(hours=2)
DISTANCE_FIELD = "distanceMeters"


def bucket_id(station_id: str, hour: datetime) -> str:
    return f"{station_id}:{hour:%Y%m%d%H}"


class StationRepository(Repository):
    collection_name = "environment_stations"
    indexes = (
        # near: stations nearest a point ($geoNear).
        IndexModel([("location", GEOSPHERE)], name="location_2dsphere"),
    )

    async def all(self) -> list[StationDocument]:
        cursor = self.collection.find({}, sort=[("_id", ASCENDING)])
        return [cast(StationDocument, document) async for document in cursor]

    async def find(self, station_id: str) -> StationDocument | None:
        return cast(StationDocument | None, await self.collection.find_one({"_id": station_id}))

    async def near(self, near: NearInput, *, limit: int) -> list[dict[str, Any]]:
        """Stations within the radius, nearest first, each with ``distanceMeters``."""
        pipeline = [near.geo_near_stage(distance_field=DISTANCE_FIELD), {"$limit": limit}]
        return [document async for document in await self.collection.aggregate(pipeline)]

    async def put(self, station: StationDocument) -> None:
        await self.collection.replace_one({"_id": station["_id"]}, dict(station), upsert=True)


class HourBucketRepository(Repository):
    collection_name = "environment_hours"
    indexes = (
        # between / latest_with_index: one station's hours in time order.
        IndexModel([("stationId", ASCENDING), ("hour", DESCENDING)], name="station_hour"),
        # Retention: buckets older than RETENTION are swept (clean-up only; queries are bounded).
        IndexModel(
            [("hour", ASCENDING)],
            expireAfterSeconds=int(RETENTION.total_seconds()),
            name="hour_ttl",
        ),
    )

    async def between(
        self, station_id: str, start: datetime, end: datetime, *, session: Session | None = None
    ) -> list[HourBucketDocument]:
        """The station's buckets with ``start <= hour <= end``, oldest first."""
        cursor = self.collection.find(
            {"stationId": station_id, "hour": {"$gte": start, "$lte": end}},
            sort=[("hour", ASCENDING)],
            session=session,
        )
        return [cast(HourBucketDocument, document) async for document in cursor]

    async def latest_with_index(
        self, station_id: str, *, session: Session | None = None
    ) -> HourBucketDocument | None:
        """The station's latest hour that has an hourly index."""
        document = await self.collection.find_one(
            {"stationId": station_id, "aqi.value": {"$exists": True}},
            sort=[("hour", DESCENDING)],
            session=session,
        )
        return cast(HourBucketDocument | None, document)

    async def put_values(
        self,
        station_id: str,
        values: Sequence[tuple[datetime, str, float]],
        *,
        now: datetime,
        generated: bool = False,
        session: Session | None = None,
    ) -> None:
        """Upsert (hour, pollutant, value) triples: one key per station, pollutant and hour,
        one write per hour."""
        by_hour: dict[datetime, dict[str, Any]] = {}
        for hour, pollutant, value in values:
            fields = by_hour.setdefault(hour, {"receivedAt": now})
            fields[f"values.{pollutant}"] = value
            if generated:
                fields["generated"] = True
        updates = [
            UpdateOne(
                {"_id": bucket_id(station_id, hour)},
                {"$set": fields, "$setOnInsert": {"stationId": station_id, "hour": hour}},
                upsert=True,
            )
            for hour, fields in by_hour.items()
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=session)

    async def set_indices(
        self,
        station_id: str,
        indices: Sequence[tuple[datetime, HourlyIndex | None]],
        *,
        session: Session | None = None,
    ) -> None:
        updates = [
            UpdateOne({"_id": bucket_id(station_id, hour)}, {"$set": {"aqi": index}})
            for hour, index in indices
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=session)


class AreaAlertRepository(Repository):
    collection_name = "environment_area_alerts"
    # Read and written by _id (the area's code) only.

    async def states(
        self, codes: Sequence[str], *, session: Session | None = None
    ) -> dict[str, AreaAlertDocument]:
        cursor = self.collection.find({"_id": {"$in": list(codes)}}, session=session)
        return {document["_id"]: cast(AreaAlertDocument, document) async for document in cursor}

    async def put(self, state: AreaAlertDocument, *, session: Session | None = None) -> None:
        await self.collection.replace_one(
            {"_id": state["_id"]}, dict(state), upsert=True, session=session
        )


@dataclass(frozen=True, slots=True)
class EnvironmentStore(Store):
    stations: StationRepository
    hours: HourBucketRepository
    area_alerts: AreaAlertRepository
    reports: ReportRepository
    photos: PhotoStore
