"""Demo data: Thanh Hóa health facilities, and two weeks of slots from the seeding date."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from domains.health.models import HospitalDocument
from domains.health.repositories import HealthStore
from domains.health.schedule import local_date
from domains.health.slots import SlotTemplate, publish_slots
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.folding import fold
from domains.kernel.geo import point
from domains.kernel.module import Progress
from domains.kernel.resources import Resources
from domains.kernel.search import search_fields
from domains.kernel.types import Database

DATA = Path(__file__).resolve().parent / "data" / "hospitals.json"
SEED_DAYS = 14
# The seeder acts as an administrator of every facility (the same rules as staff publishing).
SEEDER = Principal(uid="seed", roles=frozenset({Role.ADMIN}))


def hospital_document(raw: dict[str, Any]) -> HospitalDocument:
    specialties = sorted({d["specialty"] for d in raw["departments"]})
    department_names = [d["name"] for d in raw["departments"]]
    document: dict[str, Any] = {
        "_id": raw["id"],
        "name": raw["name"],
        "level": raw["level"],
        "address": raw["address"],
        "district": raw["district"],
        "location": point(raw["lat"], raw["lng"]),
        "phone": raw.get("phone"),
        "departments": raw["departments"],
        "doctors": raw["doctors"],
        "bookingPolicy": raw["bookingPolicy"],
        "specialties": specialties,
        "sortName": fold(raw["name"]["vi"]),
    }
    document.update(
        search_fields(
            primary=[raw["name"]],
            secondary=[raw["district"], raw["address"], *department_names],
        )
    )
    return cast(HospitalDocument, document)


def templates(raw: dict[str, Any], now: datetime) -> list[SlotTemplate]:
    commune = raw["level"] == "commune"
    periods = [("07:30", "11:30")] if commune else [("07:30", "11:30"), ("13:30", "16:30")]
    doctors = {d["specialties"][0]: d["id"] for d in raw["doctors"]}
    # Tomorrow in the province: between 00:00 and 07:00 there the UTC date is still yesterday.
    start = local_date(now) + timedelta(days=1)
    return [
        SlotTemplate(
            hospital_id=raw["id"],
            department_id=department["id"],
            doctor_id=doctors.get(department["specialty"]),
            from_date=start,
            to_date=start + timedelta(days=SEED_DAYS - 1),
            weekdays=[1, 2, 3, 4, 5, 6],
            periods=periods,
            slot_minutes=30,
            capacity=4 if commune else 6,
            fee=raw["fee"],
            bhyt_covered=raw["bhytCovered"],
        )
        for department in raw["departments"]
    ]


async def seed_demo(
    *,
    db: Database,
    progress: Progress,
    now: datetime | None = None,
) -> int:
    """Upsert the facilities and publish their slots (re-running creates no duplicates)."""
    raw_hospitals: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))
    now = now or utcnow()
    work = [(raw, template) for raw in raw_hospitals for template in templates(raw, now)]
    total = len(raw_hospitals) + len(work)
    store = HealthStore.of(Resources(db=db))
    done = 0
    for raw in raw_hospitals:
        await store.hospitals.upsert(hospital_document(raw))
        done += 1
        progress(done, total)
    created = 0
    for _, template in work:
        outcome = await publish_slots(caller=Caller(store, SEEDER), template=template, now=now)
        created += outcome.created
        done += 1
        progress(done, total)
    return len(raw_hospitals) + created
