"""Admission rounds: listing and reading them, their documents' procedure records, and
administrators opening and changing them (their reminders follow in the same transaction)."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bson import ObjectId

from domains.education.errors import RoundNotFound
from domains.education.models import (
    GRADE_LEVEL,
    GRADES,
    AdmissionRoundDocument,
    LocalizedDict,
    RoundDocumentEntry,
    SchoolDocument,
)
from domains.education.reminders import reschedule_reminders
from domains.education.repository import RoundFilter
from domains.education.rounds_read import RoundCatalogue, RoundKey
from domains.education.store import EducationStore
from domains.education.timing import window_bounds
from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size
from domains.kernel.repository import parse_object_id
from domains.kernel.types import Session
from domains.kernel.validation import localized_text
from domains.procedures import service as procedures
from domains.procedures.models import ProcedureDocument

MAX_NAME = 200
MAX_OF_SCHOOL = 50  # School.admissionRounds lists at most this many
METHODS = ("online", "in_person", "both")
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


# -- reading -----------------------------------------------------------------------------------


async def list_rounds(
    *,
    catalogue: RoundCatalogue,
    school_year: str | None = None,
    grade: str | None = None,
    district: str | None = None,
    school_id: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[AdmissionRoundDocument]:
    """Admission rounds in the order their windows open, from the in-memory read side."""
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
    size = page_size(first)
    start: RoundKey | None = None
    if after is not None:
        opens_at, round_id = decode_cursor(after, length=2)
        if not isinstance(opens_at, datetime) or not isinstance(round_id, ObjectId):
            raise InvalidInput("`after` is not a cursor returned by this list.", field="after")
        start = (as_utc(opens_at), round_id)
    await catalogue.wait_built()
    at, book = now or utcnow(), catalogue.book
    entries = book.page(filter, at, start, size + 1)
    found = (catalogue.round(entry.id) for entry in entries[:size])
    rows = [row for row in found if row is not None]
    cursors = [encode_cursor([row["opensAt"], row["_id"]]) for row in rows]

    async def count_total() -> int:
        return book.count(filter, at)

    return Page(rows, cursors, len(entries) > size, count_total)


def rounds_of_schools(
    *,
    catalogue: RoundCatalogue,
    school_ids: Sequence[str],
    school_year: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> list[list[AdmissionRoundDocument]]:
    """The rounds of each school (in the order of ``school_ids``), in window order: what
    ``School.admissionRounds`` loads for a whole page of schools at once."""
    if school_year is not None and not SCHOOL_YEAR.match(school_year.strip()):
        raise InvalidInput(
            f"`schoolYear` looks like 2027-2028; got {school_year!r}.", field="schoolYear"
        )
    at, book = now or utcnow(), catalogue.book
    answer: list[list[AdmissionRoundDocument]] = []
    for school_id in school_ids:
        filter = RoundFilter(
            school_year=school_year.strip() if school_year else None,
            school_id=school_id,
            status=status,
        )
        found = (catalogue.round(entry.id) for entry in book.page(filter, at, None, MAX_OF_SCHOOL))
        answer.append([row for row in found if row is not None])
    return answer


async def get_round(*, store: EducationStore, round_id: str) -> AdmissionRoundDocument | None:
    oid = parse_object_id(round_id)
    return await store.rounds.get_round(oid) if oid else None


async def load_procedures(
    *, store: EducationStore, codes: Sequence[str]
) -> list[ProcedureDocument | None]:
    """Procedure records in the order of ``codes`` (for the rounds' DataLoader)."""
    return await procedures.load_procedures(db=store.db, codes=list(codes))


# -- administrators' changes ---------------------------------------------------------------------


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


def _check_terms(fields: RoundFields) -> None:
    """School year, grade, window, quota, method and the exam and results dates."""
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


async def _round_schools(
    store: EducationStore, fields: RoundFields
) -> tuple[list[str], dict[str, SchoolDocument]]:
    """The round's school ids (deduplicated) and schools, which must teach the grade's level."""
    ids = list(dict.fromkeys(s.strip() for s in fields.school_ids))
    if not 1 <= len(ids) <= 50:
        raise InvalidInput("A round has 1 to 50 schools.", field="schoolIds")
    schools = await store.schools.existing_ids(ids)
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
    return ids, schools


async def _procedure_code(store: EducationStore, fields: RoundFields) -> str | None:
    code = fields.procedure_code.strip() if fields.procedure_code else None
    if code is not None and (await load_procedures(store=store, codes=[code]))[0] is None:
        raise InvalidInput(
            f"No procedure with code {code} in the catalogue; check the code (e.g. 3.000181).",
            field="procedureCode",
        )
    return code


async def round_document(
    store: EducationStore, fields: RoundFields, *, by: str, now: datetime
) -> AdmissionRoundDocument:
    """The stored round for what an administrator (or the demo data) gives, checked."""
    name = localized_text(fields.name, field="name", limit=MAX_NAME)
    _check_terms(fields)
    ids, schools = await _round_schools(store, fields)
    code = await _procedure_code(store, fields)
    if len(fields.documents) > 50:
        raise InvalidInput("At most 50 documents.", field="documents")
    checked = replace(fields, name=name, school_ids=ids, procedure_code=code)
    districts = {schools[s]["district"] for s in ids}
    return stored_round(checked, districts=districts, by=by, now=now)


def stored_round(
    fields: RoundFields, *, districts: Iterable[str], by: str, now: datetime
) -> AdmissionRoundDocument:
    """The stored shape of checked fields (the province generator builds its rounds with it)."""
    opens_at, closes_at = window_bounds(fields.opens_on, fields.closes_on)
    return {
        "name": fields.name,
        "schoolYear": fields.school_year.strip(),
        "grade": fields.grade,
        "schoolIds": fields.school_ids,
        "districts": sorted(set(districts)),
        "opensOn": fields.opens_on.isoformat(),
        "closesOn": fields.closes_on.isoformat(),
        "opensAt": opens_at,
        "closesAt": closes_at,
        "quota": fields.quota,
        "method": fields.method,
        "entranceExam": fields.entrance_exam,
        "examOn": fields.exam_on.isoformat() if fields.exam_on else None,
        "resultsOn": fields.results_on.isoformat() if fields.results_on else None,
        "procedureCode": fields.procedure_code,
        "documents": list(fields.documents),
        "modifiedAt": now,
        "modifiedBy": by,
    }


async def _save(
    store: EducationStore,
    document: AdmissionRoundDocument,
    *,
    before: AdmissionRoundDocument | None,
    now: datetime,
) -> None:
    """Insert the round (no ``before``) or replace ``before``; its reminders follow in the same
    transaction."""
    names = await store.schools.names(
        sorted({*document["schoolIds"], *(before["schoolIds"] if before else ())})
    )

    async def write(session: Session) -> None:
        if before is None:
            await store.rounds.insert(document, session=session)
        else:
            await store.rounds.replace(document, session=session)
        await reschedule_reminders(
            store=store, session=session, before=before, after=document, school_names=names, now=now
        )

    await store.transaction(write)


async def create_round(
    *, caller: Caller[EducationStore], catalogue: RoundCatalogue, fields: RoundFields
) -> AdmissionRoundDocument:
    """Open a new admission round (administrators only) and schedule its reminders."""
    by = require_admin(caller.principal)
    store = caller.store
    now = utcnow()
    document = await round_document(store, fields, by=by, now=now)
    document["_id"] = ObjectId()
    await _save(store, document, before=None, now=now)
    await catalogue.written([document])  # listed at once in this process
    return document


async def update_round(
    *,
    caller: Caller[EducationStore],
    catalogue: RoundCatalogue,
    round_id: str,
    fields: RoundFields,
) -> AdmissionRoundDocument:
    """Change a round (administrators only); reminders follow a moved window."""
    by = require_admin(caller.principal)
    store = caller.store
    oid = parse_object_id(round_id)
    before = await store.rounds.get_round(oid) if oid else None
    if before is None:
        raise RoundNotFound(round_id)
    now = utcnow()
    document = await round_document(store, fields, by=by, now=now)
    document["_id"] = before["_id"]
    if "seedKey" in before:
        document["seedKey"] = before["seedKey"]
    await _save(store, document, before=before, now=now)
    await catalogue.written([document])
    return document
