"""The procedures catalogue: look-up, ranked search, filter chips, admin edits and imports.

Ranked search and a code typed in search are served by the in-process index
(``search_index.ProcedureSearch``) and the fields kept beside it; MongoDB stays the source of
truth (browsing, look-ups by code, a code the index does not hold yet). Writes made here are
handed to the index directly after the write (``index=``), so they are searchable at once.
"""

import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from domains.kernel.auth import Principal, require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import Forbidden, InvalidInput
from domains.kernel.folding import fold
from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size
from domains.kernel.types import Database
from domains.procedures.errors import CodeTaken, InvalidProcedure, ProcedureNotFound
from domains.procedures.models import LEVELS, ONLINE_LEVELS, ProcedureDocument, ProcedureRecord
from domains.procedures.ranking import slug
from domains.procedures.records import (
    Problem,
    is_procedure_code,
    record_from_document,
    validate_record,
)
from domains.procedures.repository import (
    FieldCount,
    ProcedureFilter,
    ProcedureRepository,
    ProcedureStore,
)
from domains.procedures.search_index import LIVE, ProcedureSearch
from domains.search import QueryTooLong

Progress = Callable[[int, int], None]
WRITE_BATCH = 500
# Ranked pages: the cursor is the position in the ranking after the row (see search_procedures).
RANK_CURSOR = "rank"
MAX_RANK_OFFSET = 10_000


def _no_progress(done: int, total: int) -> None:
    return None


def to_document(record: ProcedureRecord, *, by: str, at: datetime) -> dict[str, Any]:
    """The stored form of a valid record: its fields plus the derived keys search needs."""
    fields: dict[str, Any] = {key: value for key, value in record.items() if key != "code"}
    return {
        "_id": record["code"],
        # The code is the _id; kept as a field too for people and tools reading the collection.
        "code": record["code"],
        **fields,
        "fieldKey": slug(record["field"]["vi"]),
        "agencyKey": slug(record["agency"]["vi"]),
        "sortName": fold(record["name"]["vi"]),
        "modifiedAt": at,
        "modifiedBy": by,
    }


def _valid(raw: Mapping[str, Any]) -> ProcedureRecord:
    record, problems = validate_record(raw)
    if record is None:
        raise InvalidProcedure(problems)
    return record


async def get_procedure(*, db: Database, code: str) -> ProcedureDocument | None:
    """One procedure by its national code (retired ones too, marked as such)."""
    code = code.strip()
    if not is_procedure_code(code):
        raise InvalidInput(
            f"A procedure code looks like 1.001193 (a digit, a dot, six digits); got {code!r}.",
            field="code",
        )
    return await ProcedureRepository(db).get_by_code(code)


async def load_procedures(*, db: Database, codes: list[str]) -> list[ProcedureDocument | None]:
    """Procedures in the order of ``codes`` (for DataLoaders of domains citing procedures)."""
    return await ProcedureRepository(db).get_many_by_code(codes)


def _key(name: str | None) -> str | None:
    """The slug a field/agency filter matches on: its key ("ho-tich") or its name ("Hộ tịch")."""
    if name is None or not name.strip():
        return None
    # A name with no letters or digits gets a key no procedure has: it matches nothing.
    return slug(name) or "-"


def _filter(
    *,
    principal: Principal,
    field: str | None,
    agency: str | None,
    level: str | None,
    online_level: str | None,
    include_retired: bool,
) -> ProcedureFilter:
    if include_retired and not principal.is_admin:
        raise Forbidden("Only administrators can list retired procedures.")
    if level is not None and level not in LEVELS:
        raise InvalidInput(f"`level` must be one of {', '.join(LEVELS)}.", field="level")
    if online_level is not None and online_level not in ONLINE_LEVELS:
        raise InvalidInput(
            f"`onlineLevel` must be one of {', '.join(ONLINE_LEVELS)}.", field="onlineLevel"
        )
    return ProcedureFilter(
        field_key=_key(field),
        agency_key=_key(agency),
        level=level,
        online_level=online_level,
        include_retired=include_retired,
    )


async def search_procedures(
    *,
    caller: Caller[ProcedureStore],
    index: ProcedureSearch,
    search: str | None = None,
    field: str | None = None,
    agency: str | None = None,
    level: str | None = None,
    online_level: str | None = None,
    include_retired: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[ProcedureDocument]:
    """Ranked search when ``search`` is given (a code finds that procedure), else A–Z browsing.

    Ranked rows carry ``score`` and ``margin`` (over the next hit; see docs/search.md). Their
    cursors are positions in the ranking, tied to the search text and filters: a page follows on
    from the previous one as long as the catalogue does not change in between (then a row may
    repeat or be skipped once).
    """
    where = _filter(
        principal=caller.principal,
        field=field,
        agency=agency,
        level=level,
        online_level=online_level,
        include_retired=include_retired,
    )
    repository = caller.store.procedures
    text = (search or "").strip()
    if not text:
        return await repository.browse(where=where, first=first, after=after)
    if is_procedure_code(text):
        return await _code_page(index, repository, text, where, first, after)
    return await _ranked_page(index, text, _index_filters(where), page_size(first), after)


async def _ranked_page(
    index: ProcedureSearch, text: str, filters: dict[str, str], size: int, after: str | None
) -> Page[ProcedureDocument]:
    """One page of the engine's ranking, rendered from the fields kept beside the index."""
    # Ties a cursor to its search: another text or filter does not continue from it.
    search_key = zlib.crc32(repr((text, sorted(filters.items()))).encode())
    offset = _rank_offset(after, search_key)
    try:
        result = await index.search(text, limit=size, offset=offset, filters=filters)
    except QueryTooLong as error:
        raise InvalidInput(
            f"`search` is {error.length} characters long; shorten it to {error.limit} or fewer.",
            field="search",
        ) from None
    # Served from the index's component: no database read per search.
    rows: list[ProcedureDocument] = []
    cursors: list[str] = []
    for position, hit in enumerate(result.hits, start=offset + 1):
        fields = index.rendered(hit.id)
        if fields is None:  # left the index since the search (a rebuild or a delete)
            continue
        rows.append(cast(ProcedureDocument, {**fields, "score": hit.score, "margin": hit.margin}))
        cursors.append(encode_cursor([RANK_CURSOR, position, search_key]))
    total = result.total

    async def count_total() -> int:
        return total

    return Page(rows, cursors, offset + len(result.hits) < total, count_total)


def _rank_offset(after: str | None, search_key: int) -> int:
    if after is None:
        return 0
    marker, position, key = decode_cursor(after, length=3)
    if (
        marker != RANK_CURSOR
        or key != search_key
        or not isinstance(position, int)
        or isinstance(position, bool)
        or not 0 <= position <= MAX_RANK_OFFSET
    ):
        raise InvalidInput("`after` is not a cursor returned by this search.", field="after")
    return position


def _index_filters(where: ProcedureFilter) -> dict[str, str]:
    filters = {
        "fieldKey": where.field_key,
        "agencyKey": where.agency_key,
        "level": where.level,
        "onlineLevel": where.online_level,
        "status": None if where.include_retired else LIVE,
    }
    return {name: value for name, value in filters.items() if value is not None}


async def _code_page(
    index: ProcedureSearch,
    repository: ProcedureRepository,
    code: str,
    where: ProcedureFilter,
    first: int | None,
    after: str | None,
) -> Page[ProcedureDocument]:
    """The procedure with that code: from the fields kept beside the index, like a ranked page,
    or read from MongoDB when the index does not hold it (not built yet, or a write another
    process made that this process's feed has not applied): an exact look-up never misses.

    The index first, because under load a database read costs a request several turns of the
    event loop behind every other request in flight: it made code searches the slowest."""
    page_size(first)
    if after is not None:
        return _empty_page()
    fields = index.rendered(code) if index.built else None
    if fields is not None:
        document = cast(ProcedureDocument, dict(fields))
    else:
        found = await repository.get_by_code(code)
        if found is None:
            return _empty_page()
        document = found
        for key in ("searchTerms", "searchPrimary"):
            document.pop(key, None)  # type: ignore[misc]
    if not where.admits(document):
        return _empty_page()

    async def one() -> int:
        return 1

    return Page([document], [code], False, one)


def _empty_page() -> Page[ProcedureDocument]:
    async def zero() -> int:
        return 0

    return Page([], [], False, zero)


async def procedure_fields(*, db: Database, level: str | None = None) -> list[FieldCount]:
    """Every field (lĩnh vực) with its number of live procedures, most used first."""
    if level is not None and level not in LEVELS:
        raise InvalidInput(f"`level` must be one of {', '.join(LEVELS)}.", field="level")
    return await ProcedureRepository(db).field_counts(level=level)


async def create_procedure(
    *,
    caller: Caller[ProcedureStore],
    record: Mapping[str, Any],
    index: ProcedureSearch | None = None,
) -> ProcedureDocument:
    """Add a procedure (admins only); its code must be new."""
    by = require_admin(caller.principal)
    document = to_document(_valid(record), by=by, at=utcnow())
    document.update(retired=False, retiredAt=None)
    repository = caller.store.procedures
    if not await repository.insert(document):
        raise CodeTaken(document["_id"])
    created = await repository.get_by_code(document["_id"])
    if created is None:  # pragma: no cover - just inserted
        raise ProcedureNotFound(document["_id"])
    if index is not None:
        await index.written([created])
    return created


async def update_procedure(
    *,
    caller: Caller[ProcedureStore],
    code: str,
    changes: Mapping[str, Any],
    index: ProcedureSearch | None = None,
) -> ProcedureDocument:
    """Change fields of a procedure (admins only), validated whole."""
    by = require_admin(caller.principal)
    repository = caller.store.procedures
    current = await repository.get_by_code(code.strip())
    if current is None:
        raise ProcedureNotFound(code)
    if "code" in changes and changes["code"] != current["_id"]:
        raise InvalidInput(
            "A procedure's code cannot change: retire this one and create the new code.",
            field="code",
        )
    merged = {**record_from_document(current), **changes}
    document = to_document(_valid(merged), by=by, at=utcnow())
    del document["_id"]
    replaced = await repository.replace_catalogue_fields(current["_id"], document)
    if replaced is None:
        raise ProcedureNotFound(code)
    if index is not None:
        await index.written([replaced])
    return replaced


async def retire_procedure(
    *,
    caller: Caller[ProcedureStore],
    code: str,
    retired: bool = True,
    index: ProcedureSearch | None = None,
) -> ProcedureDocument:
    """Take a procedure out of search and browsing (or bring it back); admins only."""
    by = require_admin(caller.principal)
    document = await caller.store.procedures.set_retired(
        code.strip(), retired=retired, at=utcnow(), by=by
    )
    if document is None:
        raise ProcedureNotFound(code)
    if index is not None:
        await index.written([document])
    return document


@dataclass(slots=True)
class RowRejection:
    row: int
    code: str | None
    problems: list[Problem]


@dataclass(slots=True)
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[RowRejection] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated


async def import_records(
    *,
    db: Database,
    rows: Iterable[tuple[int, Mapping[str, Any] | None, list[Problem]]],
    by: str,
    progress: Progress = _no_progress,
    dry_run: bool = False,
    index: ProcedureSearch | None = None,
) -> ImportReport:
    """Validate every row, then write the valid ones whole (upsert by code).

    ``rows`` are (row number, raw record, problems found while reading the row). A rejected row
    writes nothing; an accepted row replaces the catalogue fields of that code in one document
    write, so no row is ever half-imported. A code seen twice is rejected the second time.
    """
    rows = list(rows)
    report = ImportReport(total=len(rows))
    at = utcnow()
    accepted = _accepted_rows(rows, report, by=by, at=at, progress=progress, dry_run=dry_run)
    if dry_run:
        existing = await _existing_codes(db, [document["_id"] for document in accepted])
        report.updated = len(existing)
        report.created = len(accepted) - len(existing)
        return report
    repository = ProcedureRepository(db)
    done = len(rows) + len(report.rejected)  # rejected rows need no write
    for start in range(0, len(accepted), WRITE_BATCH):
        batch = accepted[start : start + WRITE_BATCH]
        created, updated = await repository.upsert_many(batch)
        report.created += created
        report.updated += updated
        if index is not None:
            # Read back: an existing procedure keeps its retired flag, which the rows lack.
            await index.written_codes([document["_id"] for document in batch])
        done += len(batch)
        progress(done, 2 * len(rows))
    if not accepted:
        progress(2 * len(rows), 2 * len(rows))
    return report


def _accepted_rows(
    rows: list[tuple[int, Mapping[str, Any] | None, list[Problem]]],
    report: ImportReport,
    *,
    by: str,
    at: datetime,
    progress: Progress,
    dry_run: bool,
) -> list[dict[str, Any]]:
    """The documents of the valid rows; every rejected row goes to ``report`` with its reasons."""
    accepted: list[dict[str, Any]] = []
    first_row_of: dict[str, int] = {}
    for read, (row, raw, reading_problems) in enumerate(rows, start=1):
        code = raw.get("code") if isinstance(raw, Mapping) else None
        code_text = code if isinstance(code, str) else None
        problems = list(reading_problems)
        record = None
        if raw is not None:
            record, found = validate_record(raw)
            problems += found
        if record is not None and record["code"] in first_row_of:
            problems.append(
                Problem(
                    "code",
                    f"{record['code']} appears again (first in row "
                    f"{first_row_of[record['code']]}).",
                )
            )
        if problems or record is None:
            report.rejected.append(RowRejection(row, code_text, problems))
        else:
            first_row_of[record["code"]] = row
            accepted.append(to_document(record, by=by, at=at))
        progress(read, len(rows) if dry_run else 2 * len(rows))
    return accepted


async def _existing_codes(db: Database, codes: list[str]) -> set[str]:
    found = await ProcedureRepository(db).get_many_by_code(codes)
    return {document["_id"] for document in found if document is not None}
