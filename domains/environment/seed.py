"""Demo data: the province's automatic air stations and eight days of GENERATED hourly readings,
and five made-up citizens' reports (``demo: true``, text marked "dữ liệu mẫu").

The stations are real places (data/README.md names the sources; positions are approximate). The
readings are not: they are made up here (a daily cycle around each station's plausible level),
every bucket carries ``generated: true`` and every station ``generatedReadings: true``, and the
API shows both. Idempotent: stations are upserted by id, hours by (station, hour).
"""

import json
import math
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bson import ObjectId

from domains.environment import aqi
from domains.environment.models import ReportDocument, ReportEvent, StationDocument
from domains.environment.readings import index_document
from domains.environment.report_repository import ReportRepository
from domains.environment.reports import ROUTING, ReportCategory, nearest_area
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


STEPS = ("received", "assigned", "in_progress", "resolved")


def demo_report(row: dict[str, Any], now: datetime) -> ReportDocument:
    """A made-up report (``demo: true``, demo reporter, text marked "dữ liệu mẫu")."""
    created = now - timedelta(days=row["daysAgo"])
    final = row["status"]
    steps = ["received", "rejected"] if final == "rejected" else STEPS[: STEPS.index(final) + 1]
    history: list[ReportEvent] = [
        {"status": step, "at": created + timedelta(hours=6 * i), "by": "demo-staff"}
        for i, step in enumerate(steps)
    ]
    history[0]["by"] = "reporter"
    report: ReportDocument = {
        "_id": ObjectId(row["_id"]),
        "reporterUid": f"demo-citizen-{row['_id'][-1]}",
        "category": row["category"],
        "text": row["text"],
        "location": point(row["lat"], row["lng"]),
        "areaCode": nearest_area(row["lat"], row["lng"]),
        "agency": ROUTING[ReportCategory(row["category"])],
        "status": final,
        "open": final not in ("resolved", "rejected"),
        "photoIds": [],
        "resultPhotoIds": [],
        "reviewed": row["reviewed"],
        "hidden": False,
        "supporters": [],
        "history": history,
        "createdAt": created,
        "updatedAt": history[-1]["at"],
        "demo": True,
    }
    if final == "rejected":
        report["rejectReason"] = row["note"]
    if not report["open"]:
        report["closedAt"] = history[-1]["at"]
    return report


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
    rows = json.loads((DATA / "reports.json").read_text(encoding="utf-8"))
    await ReportRepository(db).put_generated([dict(demo_report(row, now)) for row in rows])
    return written + len(rows)
