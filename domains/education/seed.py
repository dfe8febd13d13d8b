"""Demo data: wards/communes, schools and the 2027–2028 admission rounds of Thanh Hóa."""

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domains.education.directory import SchoolFields, school_document
from domains.education.models import CommuneDocument, RoundDocumentEntry
from domains.education.reminders import reschedule_reminders
from domains.education.rounds import RoundFields, round_document
from domains.education.store import EducationStore
from domains.kernel.clock import utcnow
from domains.kernel.folding import fold
from domains.kernel.geo import point
from domains.kernel.module import Progress
from domains.kernel.resources import Resources
from domains.kernel.types import Database, Session

DATA = Path(__file__).resolve().parent / "data"
SEEDER = "seed"


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def commune_document(raw: dict[str, Any], districts: dict[str, Any]) -> CommuneDocument:
    lat, lng = raw["centre"]
    return {
        "_id": raw["code"],
        "name": raw["name"],
        "kind": raw["kind"],
        "district": raw["district"],
        "districtName": districts[raw["district"]],
        "centre": point(lat, lng),
        "sortName": fold(raw["name"]["vi"]),
    }


def school_fields(raw: dict[str, Any]) -> SchoolFields:
    lat, lng = raw["location"]
    catchment = raw["catchment"]
    area = catchment.get("area")
    return SchoolFields(
        name=raw["name"],
        levels=raw["levels"],
        ownership=raw["ownership"],
        commune_code=raw["communeCode"],
        address=raw["address"],
        lat=lat,
        lng=lng,
        catchment_commune_codes=catchment["communeCodes"],
        catchment_area=(
            [[(p[1], p[0]) for p in ring] for ring in area["coordinates"]] if area else None
        ),
        province_wide=catchment["provinceWide"],
        phone=raw["contacts"].get("phone"),
        email=raw["contacts"].get("email"),
        website=raw.get("website"),
        classes=raw.get("classes"),
        pupils=raw.get("pupils"),
    )


def round_fields(raw: dict[str, Any]) -> RoundFields:
    documents: list[RoundDocumentEntry] = [
        {"name": d["name"], "copies": d.get("copies"), "note": d.get("note")}
        for d in raw["documents"]
    ]
    return RoundFields(
        name=raw["name"],
        school_year=raw["schoolYear"],
        grade=raw["grade"],
        school_ids=raw["schools"],
        opens_on=date.fromisoformat(raw["opensOn"]),
        closes_on=date.fromisoformat(raw["closesOn"]),
        quota=raw["quota"],
        method=raw["method"],
        entrance_exam=raw["entranceExam"],
        exam_on=_optional_date(raw.get("examOn")),
        results_on=_optional_date(raw.get("resultsOn")),
        procedure_code=raw.get("procedureCode"),
        documents=documents,
    )


async def _seed_round(store: EducationStore, raw: dict[str, Any], now: datetime) -> None:
    """Upsert one demo round by its key; its reminders follow in the same transaction."""
    document = await round_document(store, round_fields(raw), by=SEEDER, now=now)
    names = await store.schools.names(document["schoolIds"])

    async def write(session: Session) -> None:
        before, after = await store.rounds.upsert_seed(
            {**document, "seedKey": raw["key"]}, session=session
        )
        await reschedule_reminders(
            store=store, session=session, before=before, after=after, school_names=names, now=now
        )

    await store.transaction(write)


async def seed_demo(*, db: Database, progress: Progress) -> int:
    """Upsert the demo communes, schools and rounds (by code, id and key); returns how many."""
    communes_data = _load("communes.json")
    schools_data = _load("schools.json")["schools"]
    rounds_data = _load("admission_rounds.json")["rounds"]
    total = len(communes_data["communes"]) + len(schools_data) + len(rounds_data)
    done = 0
    progress(done, total)
    store = EducationStore.of(Resources(db=db))
    for raw in communes_data["communes"]:
        await store.communes.upsert(commune_document(raw, communes_data["districts"]))
        done += 1
        progress(done, total)
    now = utcnow()
    for raw in schools_data:
        school = await school_document(
            store, school_fields(raw), school_id=raw["id"], by=SEEDER, now=now
        )
        await store.schools.upsert(school)
        done += 1
        progress(done, total)
    for raw in rounds_data:
        await _seed_round(store, raw, now)
        done += 1
        progress(done, total)
    return total
