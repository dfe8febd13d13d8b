"""Tourism's read sides: attractions and events as the generic ``CatalogueIndex`` keeps them.

Each is a search index (names above aliases above body text, Vietnamese and English, accents
optional), the records' points for "near me" and the fields a page renders, all in memory and
kept current by the change feed (``domains/search/catalogue.py``, docs/search.md). MongoDB stays
the source of truth: an index is rebuilt from it at start-up, and ``/readyz`` answers 503 until
``search.attractions`` and ``search.events`` are built.

Writes made through this process are applied at once (``written``), so the next list in the
process shows them; other replicas follow through the feed.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId

from domains.kernel.resources import Key, Resources
from domains.search import (
    Catalogue,
    CatalogueIndex,
    Catalogues,
    IndexSpec,
    TextField,
    catalogue_key,
    synonyms_file,
)

# What people type for what the names say differently ("biển Sầm Sơn", "thành Hồ", "temple"),
# kept as data (applied at query time; the assistant reads the same file).
SYNONYMS: Mapping[str, Sequence[str]] = synonyms_file(
    Path(__file__).parent / "data" / "synonyms.json"
)
# Derived search keys (the index does their work now) and times no page shows.
NOT_RENDERED = frozenset({"searchPrimary", "searchTerms", "createdAt", "updatedAt"})
# Kept as strings beside the index (an ObjectId unpickles ten times slower than a str).
ID_FIELDS = ("_id", "attractionId")
# Records kept unpickled per catalogue (Catalogue.shared_renders): the province's 500 attractions
# and 200 events, a few KB each; a near page read 21 renders and a filtered one (open now, a
# category) every record in the radius.
SHARED_RENDERS = 512

ATTRACTION_SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True),  # Vietnamese and English names
        # tags ("UNESCO", "rice terraces", "hải sản")
        TextField("aliases", boost=2.0, word_set=True),
        TextField("body", expand=False),  # description, address, district
    ),
    filter_fields=("category", "districtKey"),
)
EVENT_SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True),
        TextField("aliases", boost=2.0, word_set=True),  # the venue
        TextField("body", expand=False),  # description, district, recurrence rule
    ),
    filter_fields=("status",),
)


def _texts(*values: Any) -> list[str]:
    """The strings of plain and localized values (every language)."""
    texts: list[str] = []
    for value in values:
        if isinstance(value, Mapping):
            texts += [str(text) for text in value.values() if text]
        elif isinstance(value, str) and value:
            texts.append(value)
        elif isinstance(value, list):
            texts += _texts(*value)
    return texts


def attraction_entry(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the index holds of one stored attraction."""
    return {
        "name": _texts(document.get("name")),
        "aliases": _texts(document.get("tags")),
        "body": _texts(
            document.get("description"), document.get("address"), document.get("district")
        ),
        "category": document.get("category") or "",
        "districtKey": document.get("districtKey") or "",
    }


def event_entry(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the index holds of one stored event."""
    recurrence = document.get("recurrence") or {}
    return {
        "name": _texts(document.get("name")),
        "aliases": _texts(document.get("venue")),
        "body": _texts(
            document.get("description"), document.get("district"), recurrence.get("rule")
        ),
        "status": document.get("status") or "",
    }


def rendered(document: Mapping[str, Any]) -> dict[str, Any]:
    """The stored document as a page renders it, in types quick to unpickle: ids as strings
    (``restored`` turns them back), times in the standard library's UTC (``bson``'s own time
    zone class unpickles in Python)."""
    fields = {key: value for key, value in document.items() if key not in NOT_RENDERED}
    for key in ID_FIELDS:
        if isinstance(fields.get(key), ObjectId):
            fields[key] = str(fields[key])
    for key in ("startsAt", "endsAt"):
        if isinstance(fields.get(key), datetime):
            fields[key] = fields[key].astimezone(UTC)
    recurrence = fields.get("recurrence")
    if isinstance(recurrence, Mapping) and recurrence.get("nextDates"):
        fields["recurrence"] = {
            **recurrence,
            "nextDates": [moment.astimezone(UTC) for moment in recurrence["nextDates"]],
        }
    return fields


def restored(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of rendered fields as stored again (ids as ObjectIds). ``fields`` is shared
    between requests (``shared_renders`` below) and never changed."""
    row = dict(fields)
    for key in ID_FIELDS:
        if isinstance(row.get(key), str):
            row[key] = ObjectId(row[key])
    return row


def location(document: Mapping[str, Any]) -> tuple[float, float] | None:
    """``(lat, lng)`` of a GeoJSON point (stored ``[lng, lat]``)."""
    point = document.get("location") or {}
    coordinates = point.get("coordinates") if isinstance(point, Mapping) else None
    if not isinstance(coordinates, list | tuple) or len(coordinates) != 2:
        return None
    lng, lat = coordinates
    return float(lat), float(lng)


ATTRACTIONS = Catalogue(
    name="attractions",
    collection="tourism_attractions",
    index=ATTRACTION_SPEC,
    index_document=attraction_entry,
    synonyms=SYNONYMS,
    rendered=rendered,
    location=location,
    shared_renders=SHARED_RENDERS,
)
EVENTS = Catalogue(
    name="events",
    collection="tourism_events",
    index=EVENT_SPEC,
    index_document=event_entry,
    synonyms=SYNONYMS,
    rendered=rendered,
    location=location,
    shared_renders=SHARED_RENDERS,
)
ATTRACTION_INDEX = catalogue_key(ATTRACTIONS)  # "search.attractions"
EVENT_INDEX = catalogue_key(EVENTS)  # "search.events"
CATALOGUES = Catalogues(ATTRACTIONS, EVENTS)
"""Wired and started by ``module.py``."""


async def written(resources: Resources, key: Key[CatalogueIndex], documents: Iterable[Any]) -> None:
    """Tell this process's read side (when it has one: not in ``xuthanh seed``) of a write."""
    index = resources.find(key)
    if index is not None:
        await index.written(documents)


async def rewritten(resources: Resources, key: Key[CatalogueIndex], ids: Sequence[Any]) -> None:
    """Like ``written`` for records changed in place (rating totals): read back, then applied."""
    index = resources.find(key)
    if index is not None:
        await index.written_ids(ids)
