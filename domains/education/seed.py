"""Demo data: wards/communes, schools and the 2027–2028 admission rounds of Thanh Hóa."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from domains.education import service
from domains.education.models import CommuneDocument, RoundDocumentEntry
from domains.education.repository import (
    AdmissionRoundRepository,
    CommuneRepository,
    SchoolRepository,
)
from domains.kernel.clock import utcnow
from domains.kernel.folding import fold
from domains.kernel.geo import point

DATA = Path(__file__).resolve().parent / "data"
SEEDER = "seed"


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


async def seed_demo(
    *, db: AsyncDatabase[dict[str, Any]], progress: Callable[[int, int], None]
) -> int:
    """Upsert the demo communes, schools and rounds (by code, id and key); returns how many."""
    communes_data = _load("communes.json")
    schools_data = _load("schools.json")["schools"]
    rounds_data = _load("admission_rounds.json")["rounds"]
    districts = communes_data["districts"]
    total = len(communes_data["communes"]) + len(schools_data) + len(rounds_data)
    done = 0
    progress(done, total)

    communes = CommuneRepository(db)
    for raw in communes_data["communes"]:
        lat, lng = raw["centre"]
        document: CommuneDocument = {
            "_id": raw["code"],
            "name": raw["name"],
            "kind": raw["kind"],
            "district": raw["district"],
            "districtName": districts[raw["district"]],
            "centre": point(lat, lng),
            "sortName": fold(raw["name"]["vi"]),
        }
        await communes.upsert(document)
        done += 1
        progress(done, total)

    schools = SchoolRepository(db)
    now = utcnow()
    for raw in schools_data:
        lat, lng = raw["location"]
        catchment = raw["catchment"]
        area = catchment.get("area")
        fields = service.SchoolFields(
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
        school = await service.school_document(db, fields, school_id=raw["id"], by=SEEDER, now=now)
        await schools.upsert(school)
        done += 1
        progress(done, total)

    rounds = AdmissionRoundRepository(db)
    for raw in rounds_data:
        documents: list[RoundDocumentEntry] = [
            {"name": d["name"], "copies": d.get("copies"), "note": d.get("note")}
            for d in raw["documents"]
        ]
        fields_r = service.RoundFields(
            name=raw["name"],
            school_year=raw["schoolYear"],
            grade=raw["grade"],
            school_ids=raw["schools"],
            opens_on=date.fromisoformat(raw["opensOn"]),
            closes_on=date.fromisoformat(raw["closesOn"]),
            quota=raw["quota"],
            method=raw["method"],
            entrance_exam=raw["entranceExam"],
            exam_on=date.fromisoformat(raw["examOn"]) if raw.get("examOn") else None,
            results_on=date.fromisoformat(raw["resultsOn"]) if raw.get("resultsOn") else None,
            procedure_code=raw.get("procedureCode"),
            documents=documents,
        )
        round_document = await service.round_document(db, fields_r, by=SEEDER, now=now)
        names = await service.school_names(db, round_document["schoolIds"])

        async def write(
            session: AsyncClientSession,
            document: Any = round_document,
            key: str = raw["key"],
            names: dict[str, dict[str, str]] = names,
        ) -> None:
            before, after = await rounds.upsert_seed({**document, "seedKey": key}, session=session)
            await service.reschedule_reminders(
                db=db, session=session, before=before, after=after, school_names=names, now=now
            )

        async with db.client.start_session() as session:
            await session.with_transaction(write)
        done += 1
        progress(done, total)
    return total
