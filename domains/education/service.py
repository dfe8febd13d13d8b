"""Schools, catchments, admission rounds, announcements and school subscriptions."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from domains.education.errors import RoundNotFound, SchoolNotFound, UnknownCommunes
from domains.education.models import (
    GRADE_LEVEL,
    GRADES,
    LEVELS,
    AdmissionRoundDocument,
    AnnouncementDocument,
    CommuneDocument,
    LocalizedDict,
    RoundDocumentEntry,
    SchoolDocument,
)
from domains.education.repository import (
    AdmissionRoundRepository,
    AnnouncementRepository,
    CommuneRepository,
    RoundFilter,
    SchoolFilter,
    SchoolRepository,
)
from domains.kernel.auth import Principal, require_admin, require_school_staff
from domains.kernel.clock import PROVINCE_TZ, as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import check_coordinates, check_inside_vietnam, distance_km, point
from domains.kernel.i18n import pick
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.search import query_terms, search_fields
from domains.notifications import outbox
from domains.notifications import service as notifications
from domains.procedures import service as procedures
from domains.procedures.models import ProcedureDocument

Database = AsyncDatabase[dict[str, Any]]

# A point is resolved to the ward/commune whose centre is nearest, within this distance.
COMMUNE_RESOLUTION_KM = 15.0
MAX_CATCHMENT_MATCHES = 50
MAX_SEARCH_LENGTH = 200
MAX_TITLE = 120  # an announcement title is also the push title
MAX_BODY = 5000
PUSH_BODY_CHARS = 240
OWNERSHIPS = ("public", "private")
METHODS = ("online", "in_person", "both")
AUDIENCES = ("parents", "everyone")
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
CODE = re.compile(r"^\d{5}$")
# Reminders go out at 08:00 province time: three days before a window opens and on the day
# before it closes.
REMINDER_HOUR = 8
OPENS_REMINDER_DAYS = 3
CLOSES_REMINDER_DAYS = 1


# -- time ------------------------------------------------------------------------------------


def local_midnight_utc(day: date) -> datetime:
    """00:00 in the province on ``day``, as a UTC datetime."""
    return as_utc(datetime.combine(day, time(0, 0), tzinfo=PROVINCE_TZ))


def window_bounds(opens_on: date, closes_on: date) -> tuple[datetime, datetime]:
    """The window [opens 00:00, the day after closing 00:00) in province time, as UTC."""
    return local_midnight_utc(opens_on), local_midnight_utc(closes_on + timedelta(days=1))


def round_status(document: AdmissionRoundDocument, now: datetime) -> str:
    """upcoming / open / closed, from the window and ``now``."""
    if now < as_utc(document["opensAt"]):
        return "upcoming"
    if now < as_utc(document["closesAt"]):
        return "open"
    return "closed"


# -- communes --------------------------------------------------------------------------------


async def list_communes(*, db: Database, district: str | None) -> list[CommuneDocument]:
    """Wards and communes known to the education domain, by former district and name."""
    return await CommuneRepository(db).list_all(district=district)


async def load_communes(*, db: Database, codes: Sequence[str]) -> list[CommuneDocument | None]:
    """Communes in the order of ``codes`` (for DataLoaders)."""
    return cast(list[CommuneDocument | None], await CommuneRepository(db).get_many(list(codes)))


async def get_commune(*, db: Database, code: str) -> CommuneDocument | None:
    return await CommuneRepository(db).get_commune(code.strip())


# -- schools ---------------------------------------------------------------------------------


async def get_school(*, db: Database, school_id: str) -> SchoolDocument | None:
    return await SchoolRepository(db).get_school(school_id.strip())


async def load_schools(*, db: Database, ids: Sequence[str]) -> list[SchoolDocument | None]:
    """Schools in the order of ``ids`` (for DataLoaders)."""
    return cast(list[SchoolDocument | None], await SchoolRepository(db).get_many(list(ids)))


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lng: float
    radius_km: float


async def list_schools(
    *,
    db: Database,
    level: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    ownership: str | None = None,
    near: Near | None = None,
    search: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[SchoolDocument]:
    """The directory: by name, nearest first with ``near``, best match first with ``search``."""
    schools = SchoolRepository(db)
    filter = SchoolFilter(level=level, district=district, commune=commune, ownership=ownership)
    terms: list[str] | None = None
    if search is not None and search.strip():
        if len(search) > MAX_SEARCH_LENGTH:
            raise InvalidInput(
                f"`search` is at most {MAX_SEARCH_LENGTH} characters.", field="search"
            )
        terms = query_terms(search)
        if not terms:
            raise InvalidInput("`search` needs at least one letter or digit.", field="search")
    if near is None and terms is None:
        return await schools.page(filter=filter, first=first, after=after)
    near_tuple = (near.lat, near.lng, near.radius_km) if near else None
    return await schools.page_ranked(
        filter=filter, near=near_tuple, terms=terms, first=first, after=after
    )


@dataclass(frozen=True, slots=True)
class CatchmentMatch:
    school: SchoolDocument
    matched_by: str  # area | commune | commune_part | province_wide
    distance_km: float


@dataclass(frozen=True, slots=True)
class CatchmentAnswer:
    commune: CommuneDocument | None
    matches: list[CatchmentMatch]


def _school_point(school: SchoolDocument) -> tuple[float, float]:
    lng, lat = school["location"]["coordinates"]
    return float(lat), float(lng)


def _ranked(
    found: dict[str, tuple[SchoolDocument, str]], lat: float, lng: float
) -> list[CatchmentMatch]:
    matches = [
        CatchmentMatch(
            school=s, matched_by=how, distance_km=distance_km(lat, lng, *_school_point(s))
        )
        for s, how in found.values()
    ]
    # Province-wide schools (gifted schools, colleges) come after the schools of the catchment.
    matches.sort(key=lambda m: (m.matched_by == "province_wide", m.distance_km, m.school["_id"]))
    return matches[:MAX_CATCHMENT_MATCHES]


def _check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise InvalidInput(f"Unknown level {level!r}.", field="level")


async def schools_for_location(
    *,
    db: Database,
    lat: float,
    lng: float,
    level: str | None = None,
    commune_code: str | None = None,
) -> CatchmentAnswer:
    """Schools whose catchment includes the point: a published area containing it, else the
    point's ward/commune in the catchment list; nearest first."""
    check_coordinates(lat, lng)
    check_inside_vietnam(lat, lng)
    _check_level(level)
    communes = CommuneRepository(db)
    if commune_code is not None:
        commune = await communes.get_commune(commune_code.strip())
        if commune is None:
            raise UnknownCommunes([commune_code], "communeCode")
    else:
        commune = await communes.nearest(lat=lat, lng=lng, max_km=COMMUNE_RESOLUTION_KM)
    schools = SchoolRepository(db)
    found: dict[str, tuple[SchoolDocument, str]] = {}
    for school in await schools.containing_point(lat=lat, lng=lng, level=level):
        found[school["_id"]] = (school, "area")
    if commune is not None:
        for school in await schools.serving_commune(
            code=commune["_id"], level=level, without_area_only=True
        ):
            found.setdefault(school["_id"], (school, "commune"))
        # Province-wide schools only for a point inside the province's known communes.
        for school in await schools.province_wide(level=level):
            found.setdefault(school["_id"], (school, "province_wide"))
    return CatchmentAnswer(commune=commune, matches=_ranked(found, lat, lng))


async def schools_for_commune(
    *, db: Database, commune_code: str, level: str | None = None
) -> CatchmentAnswer:
    """Schools admitting from a ward/commune, nearest to its centre first. A school with a
    published area may serve only part of it (``commune_part``)."""
    _check_level(level)
    commune = await CommuneRepository(db).get_commune(commune_code.strip())
    if commune is None:
        raise UnknownCommunes([commune_code], "communeCode")
    schools = SchoolRepository(db)
    found: dict[str, tuple[SchoolDocument, str]] = {}
    for school in await schools.serving_commune(
        code=commune["_id"], level=level, without_area_only=False
    ):
        area = school.get("catchment", {}).get("area")
        found[school["_id"]] = (school, "commune_part" if area else "commune")
    for school in await schools.province_wide(level=level):
        found.setdefault(school["_id"], (school, "province_wide"))
    lng, lat = commune["centre"]["coordinates"]
    return CatchmentAnswer(commune=commune, matches=_ranked(found, float(lat), float(lng)))


@dataclass(slots=True)
class SchoolFields:
    """What an administrator gives for a school (validated by ``_school_document``)."""

    name: LocalizedDict
    levels: list[str]
    ownership: str
    commune_code: str
    address: str
    lat: float
    lng: float
    catchment_commune_codes: list[str]
    catchment_area: list[list[tuple[float, float]]] | None = None  # rings of (lat, lng)
    province_wide: bool = False
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    classes: int | None = None
    pupils: int | None = None


def school_id_for(name_vi: str, commune_code: str) -> str:
    """The readable id of a school: its folded Vietnamese name and its commune code."""
    slug = "-".join(fold(name_vi).split())[:80]
    return f"{slug}-{commune_code}"


def _polygon(rings: list[list[tuple[float, float]]]) -> dict[str, Any]:
    if not rings or len(rings) > 10:
        raise InvalidInput("`catchmentArea` needs 1 to 10 rings.", field="catchmentArea")
    coordinates: list[list[list[float]]] = []
    for index, ring in enumerate(rings):
        if not 4 <= len(ring) <= 2000:
            raise InvalidInput(
                f"Ring {index} of `catchmentArea` has {len(ring)} points; a closed ring needs 4 "
                "to 2000 (the last point repeating the first).",
                field="catchmentArea",
            )
        if tuple(ring[0]) != tuple(ring[-1]):
            raise InvalidInput(
                f"Ring {index} of `catchmentArea` is not closed: repeat the first point at the "
                "end.",
                field="catchmentArea",
            )
        for lat, lng in ring:
            check_coordinates(lat, lng)
            check_inside_vietnam(lat, lng)
        coordinates.append([[lng, lat] for lat, lng in ring])
    return {"type": "Polygon", "coordinates": coordinates}


async def _check_communes(db: Database, codes: Sequence[str], field: str) -> None:
    malformed = [code for code in codes if not CODE.match(code)]
    if malformed:
        raise InvalidInput(
            f"Ward/commune codes have 5 digits; got {', '.join(malformed[:5])}.", field=field
        )
    known = await CommuneRepository(db).existing_codes(codes)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise UnknownCommunes(unknown, field)


def _clean_text(value: str | None, field: str, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"`{field}` is at most {limit} characters.", field=field)
    return value


async def school_document(
    db: Database, fields: SchoolFields, *, school_id: str, by: str, now: datetime
) -> SchoolDocument:
    name = {k: v.strip() for k, v in fields.name.items() if v and v.strip()}
    if not name.get("vi") or any(len(v) > 200 for v in name.values()):
        raise InvalidInput("`name.vi` is required (at most 200 characters).", field="name")
    levels = list(dict.fromkeys(fields.levels))
    if not levels or any(level not in LEVELS for level in levels):
        raise InvalidInput("Give at least one level.", field="levels")
    if fields.ownership not in OWNERSHIPS:
        raise InvalidInput("`ownership` is public or private.", field="ownership")
    address = _clean_text(fields.address, "address", 300)
    if address is None:
        raise InvalidInput("`address` is required.", field="address")
    check_coordinates(fields.lat, fields.lng)
    check_inside_vietnam(fields.lat, fields.lng)
    await _check_communes(db, [fields.commune_code], "communeCode")
    codes = list(dict.fromkeys(c.strip() for c in fields.catchment_commune_codes))
    if len(codes) > 200:
        raise InvalidInput("At most 200 catchment communes.", field="catchmentCommuneCodes")
    await _check_communes(db, codes, "catchmentCommuneCodes")
    area = _polygon(fields.catchment_area) if fields.catchment_area is not None else None
    if area is not None and not codes:
        raise InvalidInput(
            "A school with a catchment area must also list the communes the area lies in "
            "(`catchmentCommuneCodes`).",
            field="catchmentCommuneCodes",
        )
    if not codes and not fields.province_wide:
        raise InvalidInput(
            "List the communes the school admits from, or set `provinceWide`.",
            field="catchmentCommuneCodes",
        )
    for count_field, value in (("classes", fields.classes), ("pupils", fields.pupils)):
        if value is not None and not 0 <= value <= 100_000:
            raise InvalidInput(f"`{count_field}` must be 0 to 100000.", field=count_field)
    website = _clean_text(fields.website, "website", 300)
    if website is not None and not re.match(r"^https?://\S+$", website):
        raise InvalidInput("`website` must start with http:// or https://.", field="website")
    commune = await CommuneRepository(db).get_commune(fields.commune_code)
    assert commune is not None  # noqa: S101 - checked above
    document: SchoolDocument = {
        "_id": school_id,
        "name": name,
        "levels": levels,
        "ownership": fields.ownership,
        "district": commune["district"],
        "communeCode": fields.commune_code,
        "address": address,
        "location": point(fields.lat, fields.lng),
        "contacts": {
            "phone": _clean_text(fields.phone, "phone", 40),
            "email": _clean_text(fields.email, "email", 120),
        },
        "website": website,
        "classes": fields.classes,
        "pupils": fields.pupils,
        "catchment": {"communeCodes": codes, "area": area, "provinceWide": fields.province_wide},
        "sortName": fold(name["vi"]),
        "modifiedAt": now,
        "modifiedBy": by,
    }
    document.update(search_fields(primary=[name], secondary=[address, commune["name"]]))  # type: ignore[typeddict-item]
    return document


async def create_school(
    *, db: Database, principal: Principal, fields: SchoolFields
) -> SchoolDocument:
    """Add a school (administrators only); its id comes from its name and commune."""
    by = require_admin(principal)
    school_id = school_id_for(fields.name.get("vi", ""), fields.commune_code.strip())
    document = await school_document(db, fields, school_id=school_id, by=by, now=utcnow())
    if not await SchoolRepository(db).insert(document):
        raise InvalidInput(
            f"A school with this name already exists in this commune (id {school_id}).",
            field="name",
        )
    return document


async def update_school(
    *, db: Database, principal: Principal, school_id: str, fields: SchoolFields
) -> SchoolDocument:
    """Replace a school's details (administrators only); its id never changes."""
    by = require_admin(principal)
    schools = SchoolRepository(db)
    if await schools.get_school(school_id) is None:
        raise SchoolNotFound(school_id)
    document = await school_document(db, fields, school_id=school_id, by=by, now=utcnow())
    await schools.replace(document)
    rounds = AdmissionRoundRepository(db)
    affected = await rounds.for_schools([school_id])
    ids = sorted({s for r in affected for s in r["schoolIds"]})
    districts = {s: d["district"] for s, d in (await schools.existing_ids(ids)).items()}
    await rounds.set_districts_for_school(school_id, districts)
    return document


# -- admission rounds ------------------------------------------------------------------------


async def list_rounds(
    *,
    db: Database,
    school_year: str | None = None,
    grade: str | None = None,
    district: str | None = None,
    school_id: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[AdmissionRoundDocument]:
    """Admission rounds in the order their windows open."""
    if school_year is not None and not SCHOOL_YEAR.match(school_year.strip()):
        raise InvalidInput(
            f"`schoolYear` looks like 2027-2028; got {school_year!r}.", field="schoolYear"
        )
    filter = RoundFilter(
        school_year=school_year.strip() if school_year else None,
        grade=grade,
        district=district,
        school_id=school_id,
        status=status,
    )
    return await AdmissionRoundRepository(db).page(
        filter=filter, now=now or utcnow(), first=first, after=after
    )


async def get_round(*, db: Database, round_id: str) -> AdmissionRoundDocument | None:
    oid = parse_object_id(round_id)
    return await AdmissionRoundRepository(db).get_round(oid) if oid else None


@dataclass(slots=True)
class RoundFields:
    """What an administrator gives for an admission round."""

    name: LocalizedDict
    school_year: str
    grade: str
    school_ids: list[str]
    opens_on: date
    closes_on: date
    quota: int
    method: str
    entrance_exam: bool
    exam_on: date | None = None
    results_on: date | None = None
    procedure_code: str | None = None
    documents: list[RoundDocumentEntry] = field(default_factory=list)


async def round_document(
    db: Database, fields: RoundFields, *, by: str, now: datetime
) -> AdmissionRoundDocument:
    name = {k: v.strip() for k, v in fields.name.items() if v and v.strip()}
    if not name.get("vi") or any(len(v) > 200 for v in name.values()):
        raise InvalidInput("`name.vi` is required (at most 200 characters).", field="name")
    year = SCHOOL_YEAR.match(fields.school_year.strip())
    if not year or int(year.group(2)) != int(year.group(1)) + 1:
        raise InvalidInput(
            f"`schoolYear` is two consecutive years such as 2027-2028; got {fields.school_year!r}.",
            field="schoolYear",
        )
    if fields.grade not in GRADES:
        raise InvalidInput(f"Unknown grade {fields.grade!r}.", field="grade")
    if fields.closes_on <= fields.opens_on:
        raise InvalidInput(
            f"The window must close after it opens: `closesOn` {fields.closes_on} is not after "
            f"`opensOn` {fields.opens_on}.",
            field="closesOn",
        )
    if fields.quota <= 0:
        raise InvalidInput(f"`quota` must be above 0; got {fields.quota}.", field="quota")
    if fields.quota > 100_000:
        raise InvalidInput("`quota` is at most 100000.", field="quota")
    if fields.method not in METHODS:
        raise InvalidInput("`method` is online, in_person or both.", field="method")
    if fields.exam_on is not None and not fields.entrance_exam:
        raise InvalidInput("`examOn` is only for rounds with an entrance exam.", field="examOn")
    if fields.exam_on is not None and fields.exam_on <= fields.closes_on:
        raise InvalidInput("`examOn` must be after the window closes.", field="examOn")
    if fields.results_on is not None and fields.results_on < (fields.exam_on or fields.closes_on):
        raise InvalidInput(
            "`resultsOn` cannot be before the window closes (or the exam).", field="resultsOn"
        )
    ids = list(dict.fromkeys(s.strip() for s in fields.school_ids))
    if not 1 <= len(ids) <= 50:
        raise InvalidInput("A round has 1 to 50 schools.", field="schoolIds")
    schools = await SchoolRepository(db).existing_ids(ids)
    missing = [s for s in ids if s not in schools]
    if missing:
        raise InvalidInput(f"Unknown school id(s): {', '.join(missing[:5])}.", field="schoolIds")
    wanted = GRADE_LEVEL[fields.grade]
    wrong = [s for s in ids if wanted not in schools[s].get("levels", [])]
    if wrong:
        raise InvalidInput(
            f"School(s) {', '.join(wrong[:5])} do not teach at the {wanted} level that "
            f"admits {fields.grade}.",
            field="schoolIds",
        )
    code = fields.procedure_code.strip() if fields.procedure_code else None
    if code is not None and (await procedures.load_procedures(db=db, codes=[code]))[0] is None:
        raise InvalidInput(
            f"No procedure with code {code} in the catalogue; check the code (e.g. 3.000181).",
            field="procedureCode",
        )
    if len(fields.documents) > 50:
        raise InvalidInput("At most 50 documents.", field="documents")
    opens_at, closes_at = window_bounds(fields.opens_on, fields.closes_on)
    return {
        "name": name,
        "schoolYear": fields.school_year.strip(),
        "grade": fields.grade,
        "schoolIds": ids,
        "districts": sorted({schools[s]["district"] for s in ids}),
        "opensOn": fields.opens_on.isoformat(),
        "closesOn": fields.closes_on.isoformat(),
        "opensAt": opens_at,
        "closesAt": closes_at,
        "quota": fields.quota,
        "method": fields.method,
        "entranceExam": fields.entrance_exam,
        "examOn": fields.exam_on.isoformat() if fields.exam_on else None,
        "resultsOn": fields.results_on.isoformat() if fields.results_on else None,
        "procedureCode": code,
        "documents": list(fields.documents),
        "modifiedAt": now,
        "modifiedBy": by,
    }


async def load_procedures(*, db: Database, codes: Sequence[str]) -> list[ProcedureDocument | None]:
    """Procedure records in the order of ``codes`` (for the rounds' DataLoader)."""
    return await procedures.load_procedures(db=db, codes=list(codes))


async def _in_transaction(db: Database, work: Any) -> Any:
    async with db.client.start_session() as session:
        return await session.with_transaction(work)


async def create_round(
    *, db: Database, principal: Principal, fields: RoundFields
) -> AdmissionRoundDocument:
    """Open a new admission round (administrators only) and schedule its reminders."""
    by = require_admin(principal)
    now = utcnow()
    document = await round_document(db, fields, by=by, now=now)
    document["_id"] = ObjectId()
    names = await school_names(db, document["schoolIds"])

    async def write(session: AsyncClientSession) -> None:
        await AdmissionRoundRepository(db).insert(document, session=session)
        await reschedule_reminders(
            db=db, session=session, before=None, after=document, school_names=names, now=now
        )

    await _in_transaction(db, write)
    return document


async def update_round(
    *, db: Database, principal: Principal, round_id: str, fields: RoundFields
) -> AdmissionRoundDocument:
    """Change a round (administrators only); reminders follow a moved window."""
    by = require_admin(principal)
    rounds = AdmissionRoundRepository(db)
    oid = parse_object_id(round_id)
    before = await rounds.get_round(oid) if oid else None
    if before is None:
        raise RoundNotFound(round_id)
    now = utcnow()
    document = await round_document(db, fields, by=by, now=now)
    document["_id"] = before["_id"]
    if "seedKey" in before:
        document["seedKey"] = before["seedKey"]
    names = await school_names(db, sorted({*document["schoolIds"], *before["schoolIds"]}))

    async def write(session: AsyncClientSession) -> None:
        await rounds.replace(document, session=session)
        await reschedule_reminders(
            db=db, session=session, before=before, after=document, school_names=names, now=now
        )

    await _in_transaction(db, write)
    return document


# -- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reminder:
    key: str
    school_id: str
    kind: str  # opens | closes
    send_at: datetime


def reminder_plan(document: AdmissionRoundDocument) -> list[Reminder]:
    """The reminders of a round, one per school and kind. The key carries the send time, so a
    moved window gets new keys and the old reminders can be cancelled by theirs."""
    opens_on = date.fromisoformat(document["opensOn"])
    closes_on = date.fromisoformat(document["closesOn"])
    times = {
        "opens": opens_on - timedelta(days=OPENS_REMINDER_DAYS),
        "closes": closes_on - timedelta(days=CLOSES_REMINDER_DAYS),
    }
    plan: list[Reminder] = []
    for school_id in document["schoolIds"]:
        for kind, day in times.items():
            send_at = as_utc(datetime.combine(day, time(REMINDER_HOUR), tzinfo=PROVINCE_TZ))
            key = f"education.round:{document['_id']}:{school_id}:{kind}:{send_at:%Y%m%dT%H%M}"
            plan.append(Reminder(key=key, school_id=school_id, kind=kind, send_at=send_at))
    return plan


def _deadline_of(document: AdmissionRoundDocument, kind: str) -> datetime:
    """Until when a late reminder still makes sense: the opening, or the start of the last day
    (after which "closes tomorrow" would be wrong)."""
    if kind == "opens":
        return as_utc(document["opensAt"])
    return local_midnight_utc(date.fromisoformat(document["closesOn"]))


def _dmy(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _reminder_texts(
    document: AdmissionRoundDocument, kind: str, school: LocalizedDict
) -> tuple[LocalizedDict, LocalizedDict]:
    opens, closes = _dmy(document["opensOn"]), _dmy(document["closesOn"])
    school_vi = pick(school, "vi") or ""
    school_en = pick(school, "en") or school_vi
    round_vi = pick(document["name"], "vi") or ""
    round_en = pick(document["name"], "en") or round_vi
    if kind == "opens":
        title = {"vi": f"Sắp mở đăng ký tuyển sinh ({opens})", "en": f"Admissions open on {opens}"}
        body = {
            "vi": f"{round_vi} – {school_vi}: nhận hồ sơ từ {opens} đến hết {closes}.",
            "en": f"{round_en} – {school_en}: applications from {opens} to the end of {closes}.",
        }
    else:
        title = {
            "vi": f"Ngày mai hết hạn nộp hồ sơ ({closes})",
            "en": f"Applications close tomorrow ({closes})",
        }
        body = {
            "vi": f"{round_vi} – {school_vi}: hạn cuối nhận hồ sơ là hết ngày {closes}.",
            "en": f"{round_en} – {school_en}: the last day to apply is {closes}.",
        }
    return title, body


def school_topic(school_id: str) -> str:
    return outbox.topic_name("school", school_id)


async def reschedule_reminders(
    *,
    db: Database,
    session: AsyncClientSession | None,
    before: AdmissionRoundDocument | None,
    after: AdmissionRoundDocument | None,
    school_names: dict[str, LocalizedDict],
    now: datetime,
) -> int:
    """Cancel the reminders ``before`` had that ``after`` no longer has, and schedule those of
    ``after`` still in the future (idempotent through the dedupe keys). Returns how many were
    scheduled."""
    new_plan = reminder_plan(after) if after is not None else []
    new_keys = {r.key for r in new_plan}
    if before is not None:
        stale = [r.key for r in reminder_plan(before) if r.key not in new_keys]
        await outbox.cancel_scheduled(db=db, session=session, dedupe_keys=stale)
    scheduled = 0
    for reminder in new_plan:
        assert after is not None  # noqa: S101 - new_plan is empty otherwise
        if reminder.send_at > now + outbox.MAX_SCHEDULE_AHEAD:
            # Beyond the outbox's horizon: scheduled when someone subscribes or the round is
            # next saved.
            continue
        send_at: datetime | None = reminder.send_at
        if reminder.send_at <= now:
            # Its time has passed (the round was created or moved late): still worth sending
            # now while what it announces lies ahead, pointless afterwards.
            if now >= _deadline_of(after, reminder.kind):
                continue
            send_at = None
        title, body = _reminder_texts(
            after, reminder.kind, school_names.get(reminder.school_id, {})
        )
        await outbox.enqueue(
            db=db,
            session=session,
            topic=school_topic(reminder.school_id),
            title=title,
            body=body,
            category=f"education.round_{reminder.kind}",
            data={"roundId": str(after["_id"]), "schoolId": reminder.school_id},
            send_at=send_at,
            dedupe_key=reminder.key,
            sender="education",
        )
        scheduled += 1
    return scheduled


async def school_names(db: Database, ids: Sequence[str]) -> dict[str, LocalizedDict]:
    found = await SchoolRepository(db).existing_ids(ids)
    return {school_id: school["name"] for school_id, school in found.items()}


# -- subscriptions ---------------------------------------------------------------------------


async def subscribe_to_school(
    *, db: Database, principal: Principal, school_id: str, device_token: str | None = None
) -> SchoolDocument:
    """Follow a school: its announcements and reminders of its admission rounds."""
    school = await SchoolRepository(db).get_school(school_id.strip())
    if school is None:
        raise SchoolNotFound(school_id)
    await notifications.subscribe(
        db=db, principal=principal, topic=school_topic(school["_id"]), device_token=device_token
    )
    # Reminders too far ahead when their round was saved are scheduled now (idempotent).
    now = utcnow()
    names = {school["_id"]: school["name"]}
    for document in await AdmissionRoundRepository(db).not_closed_for_school(
        school["_id"], now=now
    ):
        all_names = (
            names
            if len(document["schoolIds"]) == 1
            else await school_names(db, document["schoolIds"])
        )
        await reschedule_reminders(
            db=db, session=None, before=None, after=document, school_names=all_names, now=now
        )
    return school


async def unsubscribe_from_school(
    *, db: Database, principal: Principal, school_id: str, device_token: str | None = None
) -> bool:
    """Stop following a school; False when not following it."""
    return await notifications.unsubscribe(
        db=db, principal=principal, topic=school_topic(school_id.strip()), device_token=device_token
    )


# -- announcements ---------------------------------------------------------------------------


def visible_audiences(principal: Principal, school_id: str) -> list[str]:
    """Everyone sees public announcements; signed-in users (parents follow schools signed in)
    and the school's staff also see those for parents."""
    if principal.is_authenticated:
        return list(AUDIENCES)
    return ["everyone"]


async def list_announcements(
    *,
    db: Database,
    principal: Principal,
    school_id: str,
    first: int | None = None,
    after: str | None = None,
) -> Page[AnnouncementDocument]:
    """A school's announcements, newest first, as far as the caller may see them."""
    school_id = school_id.strip()
    if await SchoolRepository(db).get_school(school_id) is None:
        raise SchoolNotFound(school_id)
    return await AnnouncementRepository(db).page(
        school_id=school_id,
        audiences=visible_audiences(principal, school_id),
        first=first,
        after=after,
    )


def _localized(text: LocalizedDict, field: str, limit: int) -> LocalizedDict:
    cleaned = {k: v.strip() for k, v in text.items() if v and v.strip()}
    if not cleaned.get("vi"):
        raise InvalidInput(f"`{field}.vi` is required.", field=field)
    for lang, value in cleaned.items():
        if len(value) > limit:
            raise InvalidInput(
                f"`{field}.{lang}` is {len(value)} characters; at most {limit}.", field=field
            )
    return cleaned


def _push_body(body: LocalizedDict) -> LocalizedDict:
    return {
        lang: value
        if len(value) <= PUSH_BODY_CHARS
        else value[: PUSH_BODY_CHARS - 1].rstrip() + "…"
        for lang, value in body.items()
    }


async def publish_announcement(
    *,
    db: Database,
    principal: Principal,
    school_id: str,
    title: LocalizedDict,
    body: LocalizedDict,
    audience: str,
) -> AnnouncementDocument:
    """Publish for a school (its staff or an admin): stored, pushed to the school's followers
    and put in their inboxes, in one transaction."""
    school_id = school_id.strip()
    uid = require_school_staff(principal, school_id)
    if await SchoolRepository(db).get_school(school_id) is None:
        raise SchoolNotFound(school_id)
    if audience not in AUDIENCES:
        raise InvalidInput("`audience` is parents or everyone.", field="audience")
    document: AnnouncementDocument = {
        "_id": ObjectId(),
        "schoolId": school_id,
        "title": _localized(title, "title", MAX_TITLE),
        "body": _localized(body, "body", MAX_BODY),
        "audience": audience,
        "publishedAt": utcnow(),
        "publishedBy": uid,
    }

    async def write(session: AsyncClientSession) -> None:
        await AnnouncementRepository(db).insert(document, session=session)
        await outbox.enqueue(
            db=db,
            session=session,
            topic=school_topic(school_id),
            title=document["title"],
            body=_push_body(document["body"]),
            category="education.announcement",
            data={"schoolId": school_id, "announcementId": str(document["_id"])},
            dedupe_key=f"education.announcement:{document['_id']}",
            sender="education",
        )

    await _in_transaction(db, write)
    return document
