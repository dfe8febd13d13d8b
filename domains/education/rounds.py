"""Admission rounds: listing and reading them, their documents' procedure records, and
administrators opening and changing them (their reminders follow in the same transaction)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
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
from domains.education.store import EducationStore
from domains.education.timing import window_bounds
from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.kernel.types import Session
from domains.kernel.validation import localized_text
from domains.procedures import service as procedures
from domains.procedures.models import ProcedureDocument

MAX_NAME = 200
METHODS = ("online", "in_person", "both")
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


# -- reading -----------------------------------------------------------------------------------


async def list_rounds(
    *,
    store: EducationStore,
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
    return await store.rounds.page(filter=filter, now=now or utcnow(), first=first, after=after)


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
    *, caller: Caller[EducationStore], fields: RoundFields
) -> AdmissionRoundDocument:
    """Open a new admission round (administrators only) and schedule its reminders."""
    by = require_admin(caller.principal)
    store = caller.store
    now = utcnow()
    document = await round_document(store, fields, by=by, now=now)
    document["_id"] = ObjectId()
    await _save(store, document, before=None, now=now)
    return document


async def update_round(
    *, caller: Caller[EducationStore], round_id: str, fields: RoundFields
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
    return document
