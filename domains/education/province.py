"""Synthetic schools and admission rounds at the province's real size (issue 13, item 5).

``xuthanh seed --scale province`` runs ``seed_province`` after the demo data: 2,100 schools at
every level, public and private, spread over the demo's real wards/communes (positions scattered
around each commune's centre), and the admission rounds of a realistic subset of them for the
last school year and the next. Every record carries ``synthetic: true`` and a name ending in
``(mẫu NNNN)`` ("sample"); ids start with ``mau-``. The output depends only on the demo data
(fixed random seed and date), and records are upserted by id and ``seedKey``: a second run writes
the same records. Synthetic rounds schedule no reminders here; following a school schedules
the reminders of its open rounds then (``subscriptions.subscribe_to_school``).
"""

import json
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from domains.education.directory import SchoolFields, stored_school
from domains.education.models import (
    GRADE_LEVEL,
    AdmissionRoundDocument,
    CatchmentDocument,
    CommuneDocument,
    RoundDocumentEntry,
    SchoolDocument,
)
from domains.education.rounds import RoundFields, stored_round
from domains.education.seed import commune_document
from domains.education.store import EducationStore
from domains.kernel.module import Progress
from domains.kernel.resources import Resources
from domains.kernel.types import Database

logger = logging.getLogger("xuthanh.education.province")
DATA = Path(__file__).resolve().parent / "data"
SEEDER = "province-generator"
RANDOM_SEED = 2026
BATCH = 300
GENERATED_AT = datetime(2026, 12, 1, tzinfo=UTC)  # fixed: a second run writes the same records

# (levels, ownership share private, how many, Vietnamese prefix, English suffix): about the mix
# of Thanh Hóa's ~2,100 schools and centres (preschools and primary schools in every commune,
# fewer upper-secondary schools, a few combined schools, centres and colleges).
KINDS: tuple[tuple[tuple[str, ...], float, int, str, str], ...] = (
    (("preschool",), 0.15, 700, "Trường Mầm non", "Preschool"),
    (("primary",), 0.02, 620, "Trường Tiểu học", "Primary School"),
    (
        ("primary", "lower_secondary"),
        0.05,
        60,
        "Trường Tiểu học và THCS",
        "Primary and Lower Secondary School",
    ),
    (("lower_secondary",), 0.01, 560, "Trường THCS", "Lower Secondary School"),
    (("upper_secondary",), 0.2, 110, "Trường THPT", "High School"),
    (("lower_secondary", "upper_secondary"), 0.3, 10, "Trường THCS và THPT", "Secondary School"),
    (
        ("continuing_education",),
        0.0,
        25,
        "Trung tâm GDNN - GDTX",
        "Vocational and Continuing Education Centre",
    ),
    (("vocational",), 0.3, 15, "Trường Cao đẳng nghề", "Vocational College"),
)
TOTAL = sum(kind[2] for kind in KINDS)  # 2,100
# Names Thanh Hóa's schools carry beside those of their place: people of the province's history.
NAMESAKES = (
    "Lê Lợi", "Lê Lai", "Trần Phú", "Nguyễn Du", "Quang Trung", "Lý Thường Kiệt", "Bà Triệu",
    "Hàm Nghi", "Lê Hoàn", "Dương Đình Nghệ", "Lê Văn Hưu", "Đặng Thai Mai", "Tống Duy Tân",
    "Nguyễn Hoàng", "Lê Thánh Tông", "Hoàng Văn Thụ", "Kim Đồng", "Võ Thị Sáu", "Lê Hồng Phong",
    "Nguyễn Văn Trỗi", "Trần Khát Chân", "Lê Đình Chinh", "Đinh Chương Dương", "Nguyễn Mộng Tuân",
)  # fmt: skip
GRADE_SHARE = {"grade_10": 1.0, "grade_6": 0.4, "grade_1": 0.3, "preschool": 0.2}
YEARS = ("2026-2027", "2027-2028")
# (opens month/day, days open, procedure code) per grade, as in the demo calendar.
CALENDAR = {
    "grade_10": ((4, 20), 20, "3.000181"),
    "grade_6": ((7, 10), 10, "3.000182"),
    "grade_1": ((7, 1), 14, None),
    "preschool": ((7, 1), 9, None),
}
GRADE_NAMES = {
    "grade_10": ("Tuyển sinh lớp 10", "Grade 10 admission"),
    "grade_6": ("Tuyển sinh lớp 6", "Grade 6 admission"),
    "grade_1": ("Tuyển sinh lớp 1", "Grade 1 admission"),
    "preschool": ("Tuyển sinh mầm non", "Preschool admission"),
}


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class _Place:
    code: str
    name: str  # without "Phường"/"Xã"
    district: str
    lat: float
    lng: float


def _places(communes: Sequence[CommuneDocument]) -> list[_Place]:
    places = []
    for commune in communes:
        lng, lat = commune["centre"]["coordinates"]
        words = commune["name"]["vi"].split(" ", 1)
        places.append(_Place(commune["_id"], words[-1], commune["district"], lat, lng))
    return places


def _scatter(rng: random.Random, place: _Place) -> tuple[float, float]:
    """A point about 1.5 km (at most 5 km) from the commune's centre."""
    distance_km = min(5.0, abs(rng.gauss(0, 1.5)))
    bearing = rng.uniform(0, 2 * math.pi)
    lat = place.lat + distance_km / 111.2 * math.cos(bearing)
    lng = place.lng + distance_km / (111.2 * math.cos(math.radians(place.lat))) * math.sin(bearing)
    return round(lat, 5), round(lng, 5)


def _catchment(
    rng: random.Random, levels: tuple[str, ...], place: _Place, places: Sequence[_Place]
) -> CatchmentDocument:
    if levels[0] in ("continuing_education", "vocational"):
        return {"communeCodes": [], "area": None, "provinceWide": True}
    codes = [place.code]
    if "upper_secondary" in levels:  # a high school admits from its neighbouring communes
        neighbours = [p.code for p in places if p.district == place.district and p != place]
        codes += rng.sample(neighbours, min(len(neighbours), rng.randint(1, 4)))
    return {"communeCodes": codes, "area": None, "provinceWide": False}


def synthetic_schools(communes: Sequence[CommuneDocument], now: datetime) -> list[SchoolDocument]:
    """The 2,100 synthetic schools (the same ones on every run)."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible synthetic data
    places = _places(communes)
    by_code = {commune["_id"]: commune for commune in communes}
    schools: list[SchoolDocument] = []
    for levels, private_share, count, prefix, english in KINDS:
        for _ in range(count):
            n = len(schools) + 1
            place = rng.choice(places)
            namesake = rng.choice(NAMESAKES) if rng.random() < 0.3 else place.name
            vi = f"{prefix} {namesake} {rng.randint(1, 9)} (mẫu {n:04d})"
            en = f"{namesake} {english} (sample {n:04d})"
            lat, lng = _scatter(rng, place)
            classes = rng.randint(6, 45)
            fields = SchoolFields(
                name={"vi": vi, "en": en},
                levels=list(levels),
                ownership="private" if rng.random() < private_share else "public",
                commune_code=place.code,
                address=f"Thôn {rng.randint(1, 15)}, {by_code[place.code]['name']['vi']}",
                lat=lat,
                lng=lng,
                catchment_commune_codes=[],
                classes=classes,
                pupils=classes * rng.randint(25, 42),
            )
            catchment = _catchment(rng, levels, place, places)
            school_id = f"mau-{n:04d}-{place.code}"
            document = stored_school(
                fields, by_code[place.code], catchment, school_id=school_id, by=SEEDER, now=now
            )
            document["synthetic"] = True
            schools.append(document)
    return schools


def _documents(template: Sequence[dict[str, Any]]) -> list[RoundDocumentEntry]:
    return [{"name": d["name"], "copies": d.get("copies"), "note": d.get("note")} for d in template]


def synthetic_rounds(
    schools: Sequence[SchoolDocument], now: datetime
) -> list[AdmissionRoundDocument]:
    """Rounds of a realistic subset: every high school's grade 10, some grade 6, 1 and
    preschool rounds, for the last school year and the next (the same ones on every run)."""
    rng = random.Random(RANDOM_SEED + 1)  # noqa: S311 - reproducible synthetic data
    templates = {raw["grade"]: raw["documents"] for raw in _load("admission_rounds.json")["rounds"]}
    rounds: list[AdmissionRoundDocument] = []
    for school in schools:
        for grade, share in GRADE_SHARE.items():
            if GRADE_LEVEL[grade] not in school["levels"] or rng.random() >= share:
                continue
            (month, day), days, code = CALENDAR[grade]
            shift, quota = rng.randint(-5, 5), 35 * rng.randint(2, 12)
            for year in YEARS:
                opens = date(int(year[:4]), month, day) + timedelta(days=shift)
                vi, en = GRADE_NAMES[grade]
                fields = RoundFields(
                    name={
                        "vi": f"{vi} {school['name']['vi']} năm học {year}",
                        "en": f"{en}, {school['name']['en']}, {year}",
                    },
                    school_year=year,
                    grade=grade,
                    school_ids=[school["_id"]],
                    opens_on=opens,
                    closes_on=opens + timedelta(days=days),
                    quota=quota,
                    method=rng.choice(("online", "both", "in_person")),
                    entrance_exam=grade == "grade_10",
                    exam_on=opens + timedelta(days=days + 21) if grade == "grade_10" else None,
                    procedure_code=code,
                    documents=_documents(templates.get(grade, [])),
                )
                document = stored_round(fields, districts=[school["district"]], by=SEEDER, now=now)
                document["seedKey"] = f"mau-{year}-{grade}-{school['_id']}"
                document["synthetic"] = True
                rounds.append(document)
    return rounds


async def seed_province(*, db: Database, progress: Progress) -> int:
    """Upsert the synthetic schools and rounds (by id and ``seedKey``); returns how many."""
    store = EducationStore.of(Resources(db=db))
    communes_data = _load("communes.json")
    communes = [
        commune_document(raw, communes_data["districts"]) for raw in communes_data["communes"]
    ]
    for commune in communes:  # the demo's communes, in case the demo data was not loaded
        await store.communes.upsert(commune)
    now = GENERATED_AT
    schools = synthetic_schools(communes, now)
    rounds = synthetic_rounds(schools, now)
    total, done, written = len(schools) + len(rounds), 0, 0
    progress(done, total)
    existing = await store.schools.synthetic()
    for start in range(0, len(schools), BATCH):
        written += await store.schools.write_generated(schools[start : start + BATCH], existing)
        done = min(start + BATCH, len(schools))
        progress(done, total)
    existing = await store.rounds.synthetic()
    for start in range(0, len(rounds), BATCH):
        written += await store.rounds.write_generated(rounds[start : start + BATCH], existing)
        progress(min(done + start + BATCH, total), total)
    logger.info("education: %d synthetic records, %d written", total, written)
    return total
