"""Admission rounds served from memory: the window-ordered list and the rounds of each school.

A ``RoundCatalogue`` per process (wired by ``module.py``) is the generic catalogue read side over
``admission_rounds`` (its index holds the round names; nothing searches them yet) with a
``RoundBook`` beside it: every round's window and filters in window order, and the rounds of
each school. SecantusDB reads every round for each page of ``admissionRounds`` even through
the ``opensAt`` index (0.3–0.9 s at 1,550 rounds), and ``School.admissionRounds`` would ask once
per school; here a page is a bisect and a short walk, and a school's rounds a dictionary look-up.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from bson import ObjectId
from bson.raw_bson import RawBSONDocument

from domains.education.models import AdmissionRoundDocument
from domains.education.repository import AdmissionRoundRepository, RoundFilter
from domains.kernel.clock import as_utc
from domains.kernel.resources import Key
from domains.search import Catalogue, CatalogueIndex, Catalogues, IndexSpec, TextField
from domains.search.catalogue import Stored
from domains.search.memory import shared_values

RoundKey = tuple[datetime, ObjectId]  # (opensAt in UTC, _id): the list's order

ROUNDS = Catalogue(
    name="admission_rounds",
    collection=AdmissionRoundRepository.collection_name,
    index=IndexSpec(text_fields=(TextField("name"),)),
    index_document=lambda stored: {"name": stored.get("name") or {}},
    # What a page renders is kept in the RoundBook, unpickled.
)


@dataclass(frozen=True, slots=True)
class RoundEntry:
    """What the round lists filter and sort on."""

    id: str
    opens_at: datetime
    closes_at: datetime
    school_year: str
    grade: str
    districts: frozenset[str]
    school_ids: tuple[str, ...]
    document: AdmissionRoundDocument = field(compare=False, repr=False)

    @property
    def key(self) -> "RoundKey":
        return self.opens_at, ObjectId(self.id)

    @classmethod
    def of(cls, stored: Stored, table: dict[str, str] | None = None) -> "RoundEntry":
        """``table``: one string per distinct value across the entries made with it."""
        stored = shared_values(dict(stored), {} if table is None else table)
        return cls(
            id=str(stored["_id"]),
            opens_at=as_utc(stored["opensAt"]),
            closes_at=as_utc(stored["closesAt"]),
            school_year=str(stored.get("schoolYear", "")),
            grade=str(stored.get("grade", "")),
            districts=frozenset(stored.get("districts", [])),
            school_ids=tuple(stored.get("schoolIds", [])),
            document=cast(AdmissionRoundDocument, dict(stored)),
        )

    def matches(self, filter: RoundFilter, now: datetime) -> bool:
        if filter.school_year and filter.school_year != self.school_year:
            return False
        if filter.grade and filter.grade != self.grade:
            return False
        if filter.district and filter.district not in self.districts:
            return False
        if filter.school_id and filter.school_id not in self.school_ids:
            return False
        return _status_matches(filter.status, self, now)


def _status_matches(status: str | None, entry: RoundEntry, now: datetime) -> bool:
    if status == "upcoming":
        return entry.opens_at > now
    if status == "open":
        return entry.opens_at <= now < entry.closes_at
    if status == "closed":
        return entry.closes_at <= now
    return True


class RoundBook:
    """An immutable snapshot of every round's ``RoundEntry`` in window order (``opensAt``, then
    ``_id``, as the database sorted them) and by school."""

    def __init__(self, entries: Iterable[RoundEntry] = ()) -> None:
        self.by_id: dict[str, RoundEntry] = {entry.id: entry for entry in entries}
        self.order = sorted(self.by_id.values(), key=lambda entry: entry.key)
        self.keys = [entry.key for entry in self.order]
        of_school: dict[str, list[RoundEntry]] = defaultdict(list)
        for entry in self.order:
            for school_id in entry.school_ids:
                of_school[school_id].append(entry)
        self.of_school = dict(of_school)

    def changed(self, changes: Mapping[str, RoundEntry | None]) -> "RoundBook":
        entries = {**self.by_id, **{k: v for k, v in changes.items() if v is not None}}
        for gone in (k for k, v in changes.items() if v is None):
            entries.pop(gone, None)
        return RoundBook(entries.values())

    def page(
        self, filter: RoundFilter, now: datetime, after: RoundKey | None, size: int
    ) -> list[RoundEntry]:
        """Up to ``size`` rounds matching ``filter`` (at ``now``), strictly after ``after``."""
        if filter.school_id:  # a school's rounds are a short list of their own
            walk: Iterable[RoundEntry] = (
                entry
                for entry in self.of_school.get(filter.school_id, [])
                if after is None or entry.key > after
            )
        else:
            start = 0 if after is None else bisect.bisect_right(self.keys, after)
            walk = self.order[start:]
        found: list[RoundEntry] = []
        for entry in walk:
            if entry.matches(filter, now):
                found.append(entry)
                if len(found) == size:
                    break
        return found

    def count(self, filter: RoundFilter, now: datetime) -> int:
        walk = self.of_school.get(filter.school_id, []) if filter.school_id else self.order
        return sum(1 for entry in walk if entry.matches(filter, now))


class RoundCatalogue(CatalogueIndex):
    """The admission rounds' read side with their ``RoundBook`` beside it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(ROUNDS, *args, **kwargs)
        self.book = RoundBook()
        self._made: list[RoundEntry] = []  # during a build: see ``_keep``
        self._table: dict[str, str] = {}

    def _build(self, stored: list[RawBSONDocument]) -> Any:
        self._made, self._table = [], {}
        built = super()._build(stored)  # each record through ``_keep``
        self.book = RoundBook(self._made)
        self._made, self._table = [], {}
        return built

    def _keep(self, document: dict[str, Any]) -> None:
        self._made.append(RoundEntry.of(document, self._table))

    def _write_index(self, batch: Mapping[str, Stored | None]) -> Any:
        places = super()._write_index(batch)
        changes = {k: None if d is None else RoundEntry.of(d) for k, d in batch.items()}
        self.book = self.book.changed(changes)
        return places

    def round(self, round_id: str) -> AdmissionRoundDocument | None:
        entry = self.book.by_id.get(round_id)
        return None if entry is None else entry.document


ROUND_CATALOGUE: Key[RoundCatalogue] = Key("search.admission_rounds")
CATALOGUES = Catalogues.custom(
    ROUND_CATALOGUE, lambda resources: RoundCatalogue(resources.db, readiness=resources.readiness)
)
"""Wired and started by ``module.py``."""
