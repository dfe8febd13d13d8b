"""Synthetic health data at the province's real size (``xuthanh seed --scale province``).

700 facilities with the demo ones (``data/hospitals.json``): 684 synthetic provincial, district
and private hospitals and commune health stations, placed inside Thanh Hóa's bounding box, most
of them around the demo facilities, each copying the departments, doctors, policy and fees of a
demo facility of its level. Then 60,000 slots over the next 30 days, Monday to Saturday, shared
out by size (a provincial hospital has 16 times a commune station's). Every record carries
``synthetic: true``; facility names end in "(synthetic NNNN)".

Idempotent: facilities are upserted by id, and slots are inserted under their natural key (a
second run on the same day adds nothing). Deterministic: the same seed gives the same places.
"""

import json
import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, cast

from pymongo.errors import BulkWriteError

from domains.health.models import HospitalDocument, SlotDocument
from domains.health.repositories import HealthStore, SlotRepository
from domains.health.schedule import at_local, local_date
from domains.health.seed import DATA, hospital_document
from domains.health.slots import SlotTemplate, slot_document
from domains.kernel.clock import utcnow
from domains.kernel.module import Progress
from domains.kernel.resources import Resources
from domains.kernel.types import Database

FACILITIES = 700  # with the demo ones
SLOTS = 60_000  # synthetic, over DAYS
DAYS = 30
# Facilities of each level among the synthetic ones, and their relative number of slots.
LEVELS = {"provincial": (8, 16), "district": (26, 8), "private": (40, 4), "commune": (610, 1)}
# Thanh Hóa's bounding box (degrees), and how far around a demo facility most are placed.
BOX = {"min_lat": 19.30, "max_lat": 20.67, "min_lng": 104.37, "max_lng": 106.08}
SPREAD_DEGREES = 0.12
AROUND_DEMO = 0.7
SEED = 1313
BATCH = 2_000
SYNTHETIC = "synthetic"

DISTRICTS = (
    "TP Thanh Hóa", "Sầm Sơn", "Bỉm Sơn", "Nghi Sơn", "Quảng Xương", "Hoằng Hóa", "Hậu Lộc",
    "Nga Sơn", "Hà Trung", "Thiệu Hóa", "Yên Định", "Vĩnh Lộc", "Thọ Xuân", "Triệu Sơn",
    "Nông Cống", "Đông Sơn", "Thạch Thành", "Cẩm Thủy", "Ngọc Lặc", "Lang Chánh", "Bá Thước",
    "Thường Xuân", "Như Xuân", "Như Thanh", "Quan Hóa", "Quan Sơn", "Mường Lát",
)  # fmt: skip
FIRST = ("Quảng", "Hoằng", "Thọ", "Thiệu", "Triệu", "Nga", "Hà", "Vĩnh", "Yên", "Đông", "Cẩm")
SECOND = (
    "An", "Bình", "Châu", "Đức", "Giang", "Hải", "Hòa", "Hưng", "Khê", "Lộc", "Long", "Minh",
    "Phú", "Phúc", "Quang", "Sơn", "Tân", "Thành", "Thịnh", "Tiến", "Trung", "Văn", "Xuân",
    "Tâm", "Lợi", "Phong", "Định", "Thủy", "Lâm", "Cường",
)  # fmt: skip
KINDS = {
    "provincial": ("Bệnh viện Đa khoa khu vực {place}", "{place} Regional General Hospital"),
    "district": ("Trung tâm Y tế huyện {place}", "{place} District Health Centre"),
    "private": ("Phòng khám Đa khoa {place}", "{place} General Clinic"),
    "commune": ("Trạm Y tế xã {place}", "{place} Commune Health Station"),
}


def _demo() -> list[dict[str, Any]]:
    raw: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))
    return raw


def _place(rng: random.Random, demo: list[dict[str, Any]]) -> tuple[float, float]:
    if rng.random() < AROUND_DEMO:
        around = rng.choice(demo)
        lat = rng.gauss(around["lat"], SPREAD_DEGREES)
        lng = rng.gauss(around["lng"], SPREAD_DEGREES)
    else:
        lat = rng.uniform(BOX["min_lat"], BOX["max_lat"])
        lng = rng.uniform(BOX["min_lng"], BOX["max_lng"])
    lat = min(max(lat, BOX["min_lat"]), BOX["max_lat"])
    lng = min(max(lng, BOX["min_lng"]), BOX["max_lng"])
    return round(lat, 5), round(lng, 5)


def synthetic_facilities(seed: int = SEED) -> list[dict[str, Any]]:
    """The synthetic facilities as raw records (the shape of ``hospitals.json``), with weights."""
    rng = random.Random(seed)  # noqa: S311 - synthetic places, not secrets
    demo = _demo()
    by_level = {level: [h for h in demo if h["level"] == level] for level in LEVELS}
    by_level["provincial"] = [h for h in by_level["provincial"] if "khoa" in h["id"]]
    records: list[dict[str, Any]] = []
    for level, (count, weight) in LEVELS.items():
        vi, en = KINDS[level]
        for _ in range(count):
            number = len(records) + 1
            model = rng.choice(by_level[level] or demo)
            place = f"{rng.choice(FIRST)} {rng.choice(SECOND)}"
            district = rng.choice(DISTRICTS)
            lat, lng = _place(rng, demo)
            suffix = f" ({SYNTHETIC} {number:04d})"
            record = {
                **model,
                "id": f"syn-{level}-{number:04d}",
                "name": {
                    "vi": vi.format(place=place) + suffix,
                    "en": en.format(place=place) + suffix,
                },
                "level": level,
                "address": f"xã {place}, {district}",
                "district": district,
                "lat": lat,
                "lng": lng,
                "phone": None,
                "bookingPolicy": {**model["bookingPolicy"], "daysAhead": DAYS},
                "weight": weight,
            }
            records.append(record)
    return records


def facility_document(raw: dict[str, Any]) -> HospitalDocument:
    document = hospital_document(raw)
    cast(dict[str, Any], document)[SYNTHETIC] = True
    return document


def _slot_counts(records: list[dict[str, Any]]) -> list[int]:
    """SLOTS shared out by weight, exactly."""
    total = sum(r["weight"] for r in records)
    counts = [math.floor(SLOTS * r["weight"] / total) for r in records]
    for position in range(SLOTS - sum(counts)):
        counts[position % len(counts)] += 1
    return counts


def _working_days(today: date) -> list[date]:
    days = [today + timedelta(days=n) for n in range(1, DAYS + 1)]
    return [day for day in days if day.isoweekday() != 7]


def _times() -> list[str]:
    """A department's half-hour slot starts in a day: 14 of them."""
    morning = [f"{7 + (30 + 30 * n) // 60:02d}:{(30 + 30 * n) % 60:02d}" for n in range(8)]
    afternoon = [f"{13 + (30 + 30 * n) // 60:02d}:{(30 + 30 * n) % 60:02d}" for n in range(6)]
    return morning + afternoon


def facility_slots(
    document: HospitalDocument, raw: dict[str, Any], count: int, now: datetime
) -> Iterator[SlotDocument]:
    """``count`` slots of the facility over the working days of the next DAYS days."""
    days = _working_days(local_date(now))
    departments = document["departments"]
    doctors = {d["specialties"][0]: d["id"] for d in document["doctors"]}
    times = _times()
    commune = raw["level"] == "commune"
    for n in range(count):
        day = days[n % len(days)]
        per_day = n // len(days)
        department = departments[per_day % len(departments)]
        at = times[(per_day // len(departments)) % len(times)]
        template = SlotTemplate(
            hospital_id=document["_id"],
            department_id=department["id"],
            doctor_id=doctors.get(department["specialty"]),
            from_date=day,
            to_date=day,
            weekdays=[day.isoweekday()],
            periods=[(at, at)],  # one slot: only the department, doctor and prices are read
            slot_minutes=30,
            capacity=4 if commune else 6,
            fee=raw["fee"],
            bhyt_covered=raw["bhytCovered"],
        )
        start = at_local(day, at)
        slot = slot_document(
            document, template, (start, start + timedelta(minutes=30)), "seed", now
        )
        cast(dict[str, Any], slot)[SYNTHETIC] = True
        yield slot


async def _insert(slots: SlotRepository, batch: list[SlotDocument]) -> int:
    """Insert the slots not there yet (their natural key is unique)."""
    try:
        result = await slots.collection.insert_many([dict(s) for s in batch], ordered=False)
    except BulkWriteError as error:
        return int(error.details.get("nInserted", 0))
    return len(result.inserted_ids)


async def seed_province(*, db: Database, progress: Progress, now: datetime | None = None) -> int:
    """Upsert the synthetic facilities and insert their slots; returns the records written."""
    now = now or utcnow()
    store = HealthStore.of(Resources(db=db))
    records = synthetic_facilities()
    counts = _slot_counts(records)
    total = len(records) + SLOTS
    done = written = 0
    batch: list[SlotDocument] = []
    for raw, count in zip(records, counts, strict=True):
        document = facility_document(raw)
        await store.hospitals.upsert(document)
        done += 1
        written += 1
        for slot in facility_slots(document, raw, count, now):
            batch.append(slot)
            if len(batch) == BATCH:
                written += await _insert(store.slots, batch)
                done += len(batch)
                batch = []
                progress(done, total)
    if batch:
        written += await _insert(store.slots, batch)
        done += len(batch)
    progress(total, total)
    return written
