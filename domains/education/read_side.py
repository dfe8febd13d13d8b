"""The school directory served from memory: search, "near me", the A–Z list and catchments.

One ``SchoolCatalogue`` per process (wired by ``module.py``): the generic catalogue read side
(``domains/search/catalogue.py``: a tantivy index, each school's stored fields and its point,
built from MongoDB at start-up, ``/readyz`` waiting for ``search.schools``, kept current by the
change feed) plus a ``Directory``: the schools in name order with what the lists filter on and
which communes each admits from. SecantusDB sorts every match in memory for each page (2,130
schools: 0.5–1.4 s for ``schools(first: 20)``), and ``$geoNear`` scans the whole collection;
here a page costs a bisect and a short walk, near-me a vectorised distance pass.
"""

import bisect
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from bson.raw_bson import RawBSONDocument

from domains.education.models import CommuneDocument, SchoolDocument
from domains.education.repository import CommuneRepository, SchoolFilter, SchoolRepository
from domains.kernel.resources import Key
from domains.search import (
    Catalogue,
    CatalogueIndex,
    Catalogues,
    IndexSpec,
    TextField,
    synonyms_file,
)
from domains.search.catalogue import Stored
from domains.search.memory import shared_values

SCHOOL_SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True, initials=True),  # "gdtx", "cđyt"
        TextField("aliases", boost=2.0, word_set=True),
        TextField("body", expand=False),
    ),
    filter_fields=("levels", "district", "commune", "ownership"),
)
# What a level is called in full, for short and everyday words: the names say "THPT".
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "preschool": ("mầm non", "mẫu giáo", "MN", "preschool", "kindergarten"),
    "primary": ("tiểu học", "TH", "primary school"),
    "lower_secondary": ("trung học cơ sở", "THCS", "lower secondary school"),
    "upper_secondary": ("trung học phổ thông", "THPT", "high school"),
    "continuing_education": ("giáo dục thường xuyên", "GDTX", "continuing education"),
    "vocational": ("cao đẳng", "trung cấp", "dạy nghề", "college", "vocational"),
}
# What each ownership is called ("trường tư thục", "private school").
OWNERSHIP_WORDS: dict[str, tuple[str, ...]] = {
    "public": ("công lập", "public"),
    "private": ("tư thục", "ngoài công lập", "dân lập", "private"),
}
# What people type for what the names say differently ("cấp 2", "trường chuyên", "mẫu giáo"),
# kept as data (applied at query time; the assistant reads the same file).
SYNONYMS: dict[str, list[str]] = synonyms_file(Path(__file__).parent / "data" / "synonyms.json")
COMMUNES_TTL_SECONDS = 60.0
# Stored fields a page does not render (the database's own search arrays).
NOT_RENDERED = frozenset({"searchPrimary", "searchTerms"})


def index_document(stored: Stored) -> dict[str, Any]:
    """What the engine indexes of a school: name; level and ownership words; address, ward and
    district."""
    words = [w for level in stored.get("levels", []) for w in LEVEL_WORDS.get(level, ())]
    words += OWNERSHIP_WORDS.get(str(stored.get("ownership", "")), ())
    # searchTerms holds the folded words of the address and the ward's name (pairs have "_").
    place = " ".join(t for t in stored.get("searchTerms", []) if "_" not in t)
    return {
        "name": stored.get("name") or {},
        "aliases": words,
        "body": [
            stored.get("address", ""),
            place,
            str(stored.get("district", "")).replace("-", " "),
        ],
        "levels": list(stored.get("levels", [])),
        "district": stored.get("district", ""),
        "commune": stored.get("communeCode", ""),
        "ownership": stored.get("ownership", ""),
    }


def rendered(stored: Stored) -> dict[str, Any]:
    return {key: value for key, value in stored.items() if key not in NOT_RENDERED}


def location(stored: Stored) -> tuple[float, float] | None:
    point = stored.get("location") or {}
    coordinates = point.get("coordinates")
    if not coordinates:
        return None
    lng, lat = coordinates
    return float(lat), float(lng)


SCHOOLS = Catalogue(
    name="schools",
    collection=SchoolRepository.collection_name,
    index=SCHOOL_SPEC,
    index_document=index_document,
    synonyms=SYNONYMS,
    location=location,  # what a page renders is kept in the Directory, unpickled
)


@dataclass(frozen=True, slots=True)
class Entry:
    """What the lists of one school filter and sort on."""

    id: str
    sort_name: str
    levels: frozenset[str]
    district: str
    commune: str
    ownership: str
    catchment_communes: tuple[str, ...]
    province_wide: bool
    has_area: bool
    # The stored school as a page renders it (kept whole: unpickling one costs 0.1–0.5 ms).
    document: SchoolDocument = field(compare=False, repr=False)

    @classmethod
    def of(cls, stored: Stored, table: dict[str, str] | None = None) -> "Entry":
        """``table``: one string per distinct value across the entries made with it."""
        stored = shared_values(dict(stored), {} if table is None else table)
        catchment = stored.get("catchment") or {}
        return cls(
            id=str(stored["_id"]),
            sort_name=str(stored.get("sortName", "")),
            levels=frozenset(stored.get("levels", [])),
            district=str(stored.get("district", "")),
            commune=str(stored.get("communeCode", "")),
            ownership=str(stored.get("ownership", "")),
            catchment_communes=tuple(catchment.get("communeCodes", [])),
            province_wide=bool(catchment.get("provinceWide")),
            has_area=bool(catchment.get("area")),
            document=cast(SchoolDocument, rendered(stored)),
        )

    def matches(self, filter: SchoolFilter) -> bool:
        return (
            (not filter.level or filter.level in self.levels)
            and (not filter.district or filter.district == self.district)
            and (not filter.commune or filter.commune == self.commune)
            and (not filter.ownership or filter.ownership == self.ownership)
        )


class Directory:
    """An immutable snapshot of every school's ``Entry``: in name order, by id and by the
    communes schools admit from. Changes make a new snapshot (swapped in whole)."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.by_id: dict[str, Entry] = {entry.id: entry for entry in entries}
        self.order = sorted(self.by_id.values(), key=lambda e: (e.sort_name, e.id))
        serving: dict[str, list[Entry]] = defaultdict(list)
        # The schools of each level, district and commune, also in name order: a filtered
        # page walks the shortest of the lists its filters select.
        groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for entry in self.order:
            for code in entry.catchment_communes:
                serving[code].append(entry)
            for level in entry.levels:
                groups["level", level].append(entry)
            groups["district", entry.district].append(entry)
            groups["commune", entry.commune].append(entry)
        self.serving = dict(serving)
        self.groups = dict(groups)
        self.province_wide = [entry for entry in self.order if entry.province_wide]

    def _walk(self, filter: SchoolFilter) -> list[Entry]:
        chosen = [
            self.groups.get((kind, value), [])
            for kind, value in (
                ("level", filter.level),
                ("district", filter.district),
                ("commune", filter.commune),
            )
            if value
        ]
        return min(chosen, key=len) if chosen else self.order

    def changed(self, changes: Mapping[str, Entry | None]) -> "Directory":
        entries = {**self.by_id, **{k: v for k, v in changes.items() if v is not None}}
        for gone in (k for k, v in changes.items() if v is None):
            entries.pop(gone, None)
        return Directory(entries.values())

    def page(self, filter: SchoolFilter, after: tuple[str, str] | None, size: int) -> list[Entry]:
        """Up to ``size`` schools matching ``filter`` in name order, strictly after ``after``
        (sortName, id)."""
        walk = self._walk(filter)
        start = 0
        if after is not None:
            start = bisect.bisect_right(walk, after, key=lambda e: (e.sort_name, e.id))
        found: list[Entry] = []
        for entry in itertools.islice(walk, start, None):
            if entry.matches(filter):
                found.append(entry)
                if len(found) == size:
                    break
        return found

    def count(self, filter: SchoolFilter) -> int:
        return sum(1 for entry in self._walk(filter) if entry.matches(filter))


class CommuneCentres:
    """The wards/communes (a few hundred at most: reference data that only the seed changes),
    read again at most every ``ttl`` seconds, for resolving a point to its ward in memory."""

    def __init__(self, ttl: float = COMMUNES_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._communes: list[CommuneDocument] = []
        self._read_at: float | None = None

    async def all(self, repository: CommuneRepository) -> list[CommuneDocument]:
        now = time.monotonic()
        if self._read_at is None or now - self._read_at > self.ttl:
            self._communes = await repository.list_all(district=None)
            self._read_at = now
        return self._communes


class SchoolCatalogue(CatalogueIndex):
    """The schools' catalogue read side with their ``Directory`` beside it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(SCHOOLS, *args, **kwargs)
        self.directory = Directory()
        self._made: list[Entry] = []  # during a build: see ``_keep``
        self._table: dict[str, str] = {}
        self.communes = CommuneCentres()

    def _build(self, stored: list[RawBSONDocument]) -> Any:
        self._made, self._table = [], {}
        built = super()._build(stored)  # each record through ``_keep``
        self.directory = Directory(self._made)
        self._made, self._table = [], {}
        return built

    def _keep(self, document: dict[str, Any]) -> None:
        self._made.append(Entry.of(document, self._table))

    def _write_index(self, batch: Mapping[str, Stored | None]) -> Any:
        places = super()._write_index(batch)
        changes = {k: None if d is None else Entry.of(d) for k, d in batch.items()}
        self.directory = self.directory.changed(changes)
        return places

    def school(self, school_id: str) -> SchoolDocument | None:
        """The stored school (without its search arrays), or None when not in the catalogue."""
        entry = self.directory.by_id.get(school_id)
        return None if entry is None else entry.document

    def keep(self, filter: SchoolFilter) -> Callable[[str], bool]:
        directory = self.directory

        def keep(school_id: str) -> bool:
            entry = directory.by_id.get(school_id)
            return entry is not None and entry.matches(filter)

        return keep


SCHOOL_CATALOGUE: Key[SchoolCatalogue] = Key("search.schools")
CATALOGUES = Catalogues.custom(
    SCHOOL_CATALOGUE, lambda resources: SchoolCatalogue(resources.db, readiness=resources.readiness)
)
"""Wired and started by ``module.py``."""
