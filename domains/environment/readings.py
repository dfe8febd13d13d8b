"""Ingestion of hourly readings by a station's operator (or the agency's system).

A reading is the hourly mean of one pollutant at one station, labelled with the end of its hour.
Each (station, pollutant, hour) has one value: sending it again changes nothing, sending another
value corrects it. A reading that changes recomputes the hourly index of its hour and of the
hours after it whose NowCast or 8-hour O3 window it falls in (late readings included).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domains.environment import alerts, aqi
from domains.environment.access import require_station_writer
from domains.environment.errors import StationNotFound
from domains.environment.models import HourBucketDocument, HourlyIndex
from domains.environment.repository import RETENTION, EnvironmentStore
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.types import Session

MAX_BATCH = 500
# Clock skew allowed between a station's logger and us before a time counts as "in the future".
SKEW = timedelta(minutes=5)
# An hour's reading reaches the index of the hours after it up to the longest window (NowCast).
REACH = aqi.NOWCAST_HOURS - 1


@dataclass(frozen=True, slots=True)
class Reading:
    pollutant: aqi.Pollutant
    time: datetime
    value: float


@dataclass(frozen=True, slots=True)
class Rejection:
    position: int
    reason: str


@dataclass(slots=True)
class IngestionReport:
    accepted: int = 0
    unchanged: int = 0
    corrected: int = 0
    recomputed_hours: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def check_reading(reading: Reading, *, measured: Sequence[str], now: datetime) -> str | None:
    """Why a reading is refused, or None when it is acceptable."""
    if reading.time.tzinfo is None:
        return "`time` needs a time zone (e.g. 2026-12-06T10:00:00+07:00)."
    if reading.pollutant.value not in measured:
        return f"This station does not measure {reading.pollutant.value}."
    time = reading.time
    if (time.minute, time.second, time.microsecond) != (0, 0, 0):
        return "`time` must be the end of an hour (minutes and seconds zero): readings are hourly."
    if time > now + SKEW:
        return f"`time` {time.isoformat()} is in the future."
    if time < now - RETENTION:
        return "`time` is older than the two years readings are kept."
    top = aqi.PLAUSIBLE_MAX[reading.pollutant]
    if not math.isfinite(reading.value) or not 0 <= reading.value <= top:
        return (
            f"`value` {reading.value} is outside 0–{top:g} µg/m³ for {reading.pollutant.value}: "
            "check the unit (µg/m³) and the sensor."
        )
    return None


def series_of(
    buckets: Sequence[HourBucketDocument],
) -> dict[aqi.Pollutant, dict[datetime, float]]:
    """Hourly values per pollutant, keyed by the (UTC) end of their hour."""
    series: dict[aqi.Pollutant, dict[datetime, float]] = {p: {} for p in aqi.Pollutant}
    for bucket in buckets:
        hour = as_utc(bucket["hour"])
        for code, value in bucket["values"].items():
            series[aqi.Pollutant(code)][hour] = value
    return series


def index_document(index: aqi.Index | None) -> HourlyIndex | None:
    if index is None:
        return None
    return {
        "value": index.value,
        "dominant": index.dominant.value,
        "subIndices": {p.value: value for p, value in index.sub_indices.items()},
    }


def _sort(
    readings: Sequence[Reading], measured: Sequence[str], now: datetime, report: IngestionReport
) -> dict[tuple[datetime, aqi.Pollutant], float]:
    """The acceptable readings (the last one wins within a batch); the rest go to the report."""
    wanted: dict[tuple[datetime, aqi.Pollutant], float] = {}
    for position, reading in enumerate(readings):
        reason = check_reading(reading, measured=measured, now=now)
        if reason is not None:
            report.rejected.append(Rejection(position, reason))
            continue
        wanted[(as_utc(reading.time), reading.pollutant)] = float(reading.value)
    return wanted


async def _store(
    store: EnvironmentStore,
    station_id: str,
    wanted: dict[tuple[datetime, aqi.Pollutant], float],
    report: IngestionReport,
    now: datetime,
    session: Session,
) -> None:
    # A retried transaction starts its counts again.
    report.accepted = report.unchanged = report.corrected = 0
    first, last = min(hour for hour, _ in wanted), max(hour for hour, _ in wanted)
    start, end = first - REACH * aqi.HOUR, min(last + REACH * aqi.HOUR, now + SKEW)
    buckets = await store.hours.between(station_id, start, end, session=session)
    series = series_of(buckets)
    changed: list[tuple[datetime, str, float]] = []
    for (hour, pollutant), value in sorted(wanted.items(), key=lambda item: item[0][0]):
        known = series[pollutant].get(hour)
        report.accepted += 1
        if known == value:
            report.unchanged += 1
            continue
        report.corrected += known is not None
        series[pollutant][hour] = value
        changed.append((hour, pollutant.value, value))
    if not changed:
        return
    await store.hours.put_values(station_id, changed, now=now, session=session)
    hours_with_data = {as_utc(bucket["hour"]) for bucket in buckets} | {h for h, _, _ in changed}
    affected = sorted(
        hour
        for hour in hours_with_data
        if any(timedelta(0) <= hour - h <= REACH * aqi.HOUR for h, _, _ in changed)
    )
    indices = [(hour, index_document(aqi.hourly_index(series, hour))) for hour in affected]
    await store.hours.set_indices(station_id, indices, session=session)
    report.recomputed_hours = len(indices)
    await alerts.evaluate_areas(store=store, station_id=station_id, now=now, session=session)


async def submit_readings(
    *,
    caller: Caller[EnvironmentStore],
    station_id: str,
    readings: Sequence[Reading],
    now: datetime | None = None,
) -> IngestionReport:
    """Store a batch of hourly readings of one station; refused ones are listed with the reason."""
    require_station_writer(caller.principal, station_id)
    station = await caller.store.stations.find(station_id)
    if station is None:
        raise StationNotFound(station_id)
    if not 1 <= len(readings) <= MAX_BATCH:
        raise InvalidInput(f"Send 1 to {MAX_BATCH} readings per batch.", field="readings")
    now = now or utcnow()
    report = IngestionReport()
    wanted = _sort(readings, station["parameters"], now, report)
    if wanted:

        async def work(session: Session) -> None:
            await _store(caller.store, station_id, wanted, report, now, session)

        await caller.store.transaction(work, keys=[("environment.station", station_id)])
    return report
