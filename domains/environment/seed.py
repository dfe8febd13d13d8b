"""Demo data: the province's automatic air stations and eight days of GENERATED hourly readings.

The stations are real places (data/README.md names the sources; positions are approximate). The
readings are not: they are made up here (a daily cycle around each station's plausible level),
every bucket carries ``generated: true`` and every station ``generatedReadings: true``, and the
API shows both. Idempotent: stations are upserted by id, hours by (station, hour).
"""

import json
import math
import random
from datetime import datetime
from pathlib import Path
from typing import Any

from domains.environment import aqi
from domains.environment.models import StationDocument
from domains.environment.readings import index_document
from domains.environment.repository import HourBucketRepository, StationRepository
from domains.kernel.clock import PROVINCE_TZ, utcnow
from domains.kernel.geo import point
from domains.kernel.module import Progress
from domains.kernel.types import Database

DATA = Path(__file__).resolve().parent / "data"
DEMO_HOURS = 8 * 24
OPERATOR = {
    "vi": "Sở Nông nghiệp và Môi trường tỉnh Thanh Hóa",
    "en": "Thanh Hóa Department of Agriculture and Environment",
}
SOURCE = "domains/environment/data/README.md"


def stations() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / "stations.json").read_text(encoding="utf-8"))
    return rows


def station_document(row: dict[str, Any]) -> StationDocument:
    return {
        "_id": row["_id"],
        "name": row["name"],
        "address": row["address"],
        "communeCode": row["communeCode"],
        "location": point(row["lat"], row["lng"]),
        "parameters": row["parameters"],
        "operator": OPERATOR,
        "source": SOURCE,
        "generatedReadings": True,
    }


def generated_value(baseline: float, hour: datetime, rng: random.Random) -> float:
    """A plausible hourly mean: peaks around 07:00 and 19:00 local time, some noise."""
    local = hour.astimezone(PROVINCE_TZ).hour
    rush = math.exp(-(((local - 7) / 2.5) ** 2)) + math.exp(-(((local - 19) / 3) ** 2))
    return round(max(baseline * (0.6 + 0.8 * rush) * rng.uniform(0.8, 1.25), 0.0), 1)


def demo_series(row: dict[str, Any], end: datetime) -> dict[aqi.Pollutant, dict[datetime, float]]:
    rng = random.Random(row["_id"])  # noqa: S311 - demo data, reproducible on purpose
    hours = [end - i * aqi.HOUR for i in range(DEMO_HOURS)]
    return {
        aqi.Pollutant(code): {
            hour: generated_value(row["baseline"][code], hour, rng) for hour in hours
        }
        for code in row["parameters"]
    }


async def seed_demo(*, db: Database, progress: Progress) -> int:
    """Upsert the stations and their generated readings; returns how many records were written."""
    now = utcnow()
    end = now.replace(minute=0, second=0, microsecond=0)
    rows = stations()
    station_repository, hours = StationRepository(db), HourBucketRepository(db)
    written = 0
    for done, row in enumerate(rows, start=1):
        await station_repository.put(station_document(row))
        series = demo_series(row, end)
        triples = [
            (hour, pollutant.value, value)
            for pollutant, values in series.items()
            for hour, value in values.items()
        ]
        await hours.put_values(row["_id"], triples, now=now, generated=True)
        ordered = sorted({hour for values in series.values() for hour in values})
        indices = [(hour, index_document(aqi.hourly_index(series, hour))) for hour in ordered]
        await hours.set_indices(row["_id"], indices)
        written += 1 + len(ordered)
        progress(done, len(rows))
    return written
