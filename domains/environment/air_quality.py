"""Air quality as people read it: the nearest stations' current index and a station's history.

The age of the data is part of every answer: an index older than ``STALE_AFTER`` is returned as
stale (with its time), never as the current air quality.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from domains.environment import aqi
from domains.environment.errors import StationNotFound
from domains.environment.models import HourBucketDocument, StationDocument
from domains.environment.readings import series_of
from domains.environment.repository import DISTANCE_FIELD, STALE_AFTER, EnvironmentStore
from domains.kernel.clock import PROVINCE_TZ, as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.geo import NearInput

MAX_STATIONS = 10
MAX_HOURLY_SPAN = timedelta(days=31)
MAX_DAILY_SPAN = timedelta(days=366)


class Freshness(Enum):
    CURRENT = "current"
    STALE = "stale"
    NO_DATA = "no_data"


class Resolution(Enum):
    HOURLY = "hourly"
    DAILY = "daily"


@dataclass(frozen=True, slots=True)
class StationReading:
    """A station's latest hourly index as seen at ``now``."""

    station: StationDocument
    latest: HourBucketDocument | None
    now: datetime
    distance_m: float | None = None

    @property
    def measured_at(self) -> datetime | None:
        return as_utc(self.latest["hour"]) if self.latest is not None else None

    @property
    def age(self) -> timedelta | None:
        measured = self.measured_at
        return None if measured is None else max(self.now - measured, timedelta(0))

    @property
    def freshness(self) -> Freshness:
        age = self.age
        if age is None:
            return Freshness.NO_DATA
        return Freshness.CURRENT if age <= STALE_AFTER else Freshness.STALE


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    time: datetime
    index: aqi.Index | None
    values: dict[str, float]


async def station_readings(
    *, store: EnvironmentStore, near: NearInput, first: int = 3, now: datetime | None = None
) -> list[StationReading]:
    """The ``first`` stations nearest the point within its radius, with their latest index."""
    near = near.validated()
    if not 1 <= first <= MAX_STATIONS:
        raise InvalidInput(f"`first` must be 1 to {MAX_STATIONS}.", field="first")
    now = now or utcnow()
    found = await store.stations.near(near, limit=first)
    readings = []
    for document in found:
        distance = float(document.pop(DISTANCE_FIELD))
        station: Any = document
        latest = await store.hours.latest_with_index(station["_id"])
        readings.append(StationReading(station, latest, now, distance))
    return readings


async def station_reading(
    *, store: EnvironmentStore, station_id: str, now: datetime | None = None
) -> StationReading:
    station = await store.stations.find(station_id)
    if station is None:
        raise StationNotFound(station_id)
    latest = await store.hours.latest_with_index(station_id)
    return StationReading(station, latest, now or utcnow())


def _span(
    start: datetime | None, end: datetime | None, resolution: Resolution, now: datetime
) -> tuple[datetime, datetime]:
    for name, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"`{name}` needs a time zone.", field=name)
    end = as_utc(end) if end else now
    default = timedelta(hours=24) if resolution is Resolution.HOURLY else timedelta(days=7)
    start = as_utc(start) if start else end - default
    limit = MAX_HOURLY_SPAN if resolution is Resolution.HOURLY else MAX_DAILY_SPAN
    if not timedelta(0) <= end - start <= limit:
        raise InvalidInput(
            f"`from` must be before `to` and at most {limit.days} days before it for "
            f"{resolution.value} history.",
            field="from",
        )
    return start, end


def _hourly(buckets: list[HourBucketDocument]) -> list[HistoryPoint]:
    points = []
    for bucket in buckets:
        stored = bucket.get("aqi")
        index = None
        if stored:
            index = aqi.Index(
                value=stored["value"],
                dominant=aqi.Pollutant(stored["dominant"]),
                sub_indices={aqi.Pollutant(k): v for k, v in stored["subIndices"].items()},
            )
        points.append(HistoryPoint(as_utc(bucket["hour"]), index, dict(bucket["values"])))
    return points


def _day_means(series: aqi.Series) -> dict[date, dict[str, float]]:
    """Each province day's mean per pollutant (an hour ending at midnight closes its day)."""
    sums: dict[date, dict[str, list[float]]] = {}
    for pollutant, values in series.items():
        for hour, value in values.items():
            day = (hour - timedelta(microseconds=1)).astimezone(PROVINCE_TZ).date()
            sums.setdefault(day, {}).setdefault(pollutant.value, []).append(value)
    return {
        day: {code: round(sum(v) / len(v), 1) for code, v in found.items()}
        for day, found in sums.items()
    }


def _daily(buckets: list[HourBucketDocument], start: datetime, end: datetime) -> list[HistoryPoint]:
    """One point per province day (its 24 hours, 01:00 to 24:00 local), labelled by its midnight."""
    series = series_of(buckets)
    means = _day_means(series)
    day = start.astimezone(PROVINCE_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    points = []
    while day <= end:
        last_hour = day + timedelta(days=1)
        index = aqi.daily_index(series, as_utc(last_hour))
        points.append(HistoryPoint(as_utc(day), index, means.get(day.date(), {})))
        day = last_hour
    return points


async def history(
    *,
    store: EnvironmentStore,
    station_id: str,
    start: datetime | None,
    end: datetime | None,
    resolution: Resolution,
    now: datetime | None = None,
) -> tuple[StationDocument, list[HistoryPoint]]:
    """Hourly or daily VN_AQI of one station over a span (hourly ≤ 31 days, daily ≤ 366)."""
    station = await store.stations.find(station_id)
    if station is None:
        raise StationNotFound(station_id)
    start, end = _span(start, end, resolution, now or utcnow())
    if resolution is Resolution.HOURLY:
        return station, _hourly(await store.hours.between(station_id, start, end))
    local_start = start.astimezone(PROVINCE_TZ).replace(hour=0, minute=0, second=0)
    buckets = await store.hours.between(station_id, as_utc(local_start), end + timedelta(days=1))
    return station, _daily(buckets, start, end)
