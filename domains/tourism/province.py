"""Province-scale synthetic data (``xuthanh seed --scale province``): 500 attractions and 200
events derived from the demo ones, spread over the province.

Each synthetic record copies a real one (its category, hours, tickets, description, district)
at another point of Thanh Hóa: within about 25 km of the original, kept inside the province's
box. It is marked ``synthetic: true``, its slug ends in ``-synthetic-<n>`` and its name in
"(mô phỏng <n>)" / "(synthetic <n>)", so nobody mistakes it for a real place. A synthetic event
takes place at the synthetic copy of its attraction (or near its free location), on the
original's dates moved by a few weeks. No reminders are queued for them (like the demo events).

Idempotent: upserted by slug, from a fixed random seed, so running it again changes nothing.
"""

import random
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from domains.kernel.clock import utcnow
from domains.kernel.module import Progress
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from domains.tourism.events import with_place
from domains.tourism.repositories.store import TourismStore
from domains.tourism.seed import attraction_input, event_input, load

ATTRACTIONS = 500
EVENTS = 200
# Thanh Hóa, roughly (mainland): synthetic points stay inside this box.
LAT = (19.30, 20.60)
LNG = (104.60, 106.05)
SPREAD_DEGREES = 0.25  # about 25 km
SEED = 13
BATCH = 100


def _copy_name(name: dict[str, str], n: int) -> dict[str, str]:
    marked = {"vi": f"{name['vi']} (mô phỏng {n})"}
    if name.get("en"):
        marked["en"] = f"{name['en']} (synthetic {n})"
    return marked


def _moved(rng: random.Random, lat: float, lng: float) -> tuple[float, float]:
    def clamp(value: float, bounds: tuple[float, float]) -> float:
        return round(min(max(value, bounds[0]), bounds[1]), 5)

    return (
        clamp(lat + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES), LAT),
        clamp(lng + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES), LNG),
    )


def synthetic_attraction_rows(demo: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 500 synthetic attractions as demo-data rows (validated like the demo's)."""
    rng = random.Random(SEED)  # noqa: S311 (synthetic data, not secrets)
    rows = []
    for i in range(ATTRACTIONS):
        base, n = demo[i % len(demo)], i // len(demo) + 1
        lat, lng = _moved(rng, base["lat"], base["lng"])
        rows.append(
            {
                **base,
                "slug": f"{base['slug']}-synthetic-{n}",
                "name": _copy_name(base["name"], n),
                "lat": lat,
                "lng": lng,
            }
        )
    return rows


def synthetic_event_rows(demo: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 200 synthetic events as demo-data rows, at the copies of their attractions."""
    rng = random.Random(SEED + 1)  # noqa: S311
    rows = []
    for i in range(EVENTS):
        base, n = demo[i % len(demo)], i // len(demo) + 1
        shift = timedelta(days=7 * (n % 20))
        row = {
            **base,
            "slug": f"{base['slug']}-synthetic-{n}",
            "name": _copy_name(base["name"], n),
            "startsAt": (datetime.fromisoformat(base["startsAt"]) + shift).isoformat(),
            "endsAt": (datetime.fromisoformat(base["endsAt"]) + shift).isoformat(),
        }
        row.pop("recurrence", None)  # a copy is a one-off
        if base.get("attraction"):
            row["attraction"] = f"{base['attraction']}-synthetic-{(n - 1) % 14 + 1}"
        if "lat" in base:
            row["lat"], row["lng"] = _moved(rng, base["lat"], base["lng"])
        rows.append(row)
    return rows


async def seed_province(*, db: Database, progress: Progress) -> int:
    """Upsert the synthetic attractions and events; returns how many records were written."""
    store = TourismStore.of(Resources(db=db))
    attractions = synthetic_attraction_rows(load("attractions.json"))
    events = synthetic_event_rows(load("events.json"))
    total, done = len(attractions) + len(events), 0
    progress(done, total)
    now = utcnow()
    ids: dict[str, ObjectId] = {}
    for batch in _batches(attractions):
        fields = [
            {**attraction_input(row).to_fields(), "synthetic": True, "updatedAt": now}
            for row in batch
        ]
        ids.update(await store.attractions.upsert_many_by_slug(fields, now))
        done += len(batch)
        progress(done, total)
    for batch in _batches(events):
        fields = [
            {
                **await with_place(store, event_input(row, ids).to_fields()),
                "synthetic": True,
                "updatedAt": now,
            }
            for row in batch
        ]
        await store.events.upsert_many_by_slug(fields, now)
        done += len(batch)
        progress(done, total)
    return done


def _batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[start : start + BATCH] for start in range(0, len(rows), BATCH)]
