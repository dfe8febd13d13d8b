"""Health's read side: facilities (hospitals and commune health stations) as the generic
``CatalogueIndex`` keeps them.

A search index (names above aliases above body text, Vietnamese and English, accents optional),
each facility's point for "near me" and the fields a page renders, all in memory and kept
current by the change feed (``domains/search/catalogue.py``, docs/search.md). MongoDB stays the
source of truth: the index is rebuilt from it at start-up, and ``/readyz`` answers 503 until
``search.hospitals`` is built. Facilities change only through the seeders (no mutation writes
them), so the feed is how a new or changed facility reaches every replica.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from domains.health.repositories import HospitalRepository
from domains.search import (
    Catalogue,
    Catalogues,
    IndexSpec,
    TextField,
    catalogue_key,
    synonyms_file,
)

# What people type for what the names say differently ("BV tỉnh", "viện nhi", "bv đông y",
# "cancer hospital"), kept as data (applied at query time; the assistant reads the same file).
SYNONYMS: Mapping[str, Sequence[str]] = synonyms_file(
    Path(__file__).parent / "data" / "synonyms.json"
)
# What each level is called, so a facility is found by the kind people ask for ("bệnh viện tư
# nhân", "private hospital"), as schools are by their level words.
LEVEL_WORDS: Mapping[str, Sequence[str]] = {
    "central": ("tuyến trung ương", "central"),
    "provincial": ("tuyến tỉnh", "provincial"),
    "district": ("tuyến huyện", "district"),
    "commune": ("tuyến xã", "commune"),
    "private": ("tư nhân", "ngoài công lập", "private"),
}
# Derived search keys of the old path: the index does their work now.
NOT_RENDERED = frozenset({"searchPrimary", "searchTerms"})

SPEC = IndexSpec(
    text_fields=(
        # Vietnamese and English names; "bvdk", "yhct" match their words' initials.
        TextField("name", boost=3.0, exact=True, initials=True),
        TextField("aliases", boost=2.0, word_set=True),  # departments and doctors' specialties
        TextField("body", expand=False),  # address and district
    ),
    filter_fields=("level", "specialties"),
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


def entry(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the index holds of one stored facility."""
    departments = document.get("departments") or []
    return {
        "name": _texts(document.get("name")),
        "aliases": [
            *_texts([d.get("name") for d in departments]),
            *LEVEL_WORDS.get(str(document.get("level")), ()),
        ],
        "body": _texts(document.get("address"), document.get("district")),
        "level": document.get("level") or "",
        "specialties": list(document.get("specialties") or []),
    }


def rendered(document: Mapping[str, Any]) -> dict[str, Any]:
    """The stored document as a page renders it (every field but the derived search keys)."""
    return {key: value for key, value in document.items() if key not in NOT_RENDERED}


def location(document: Mapping[str, Any]) -> tuple[float, float] | None:
    """``(lat, lng)`` of a GeoJSON point (stored ``[lng, lat]``)."""
    point = document.get("location") or {}
    coordinates = point.get("coordinates") if isinstance(point, Mapping) else None
    if not isinstance(coordinates, list | tuple) or len(coordinates) != 2:
        return None
    lng, lat = coordinates
    return float(lat), float(lng)


HOSPITALS = Catalogue(
    name="hospitals",
    collection=HospitalRepository.collection_name,
    index=SPEC,
    index_document=entry,
    synonyms=SYNONYMS,
    rendered=rendered,
    location=location,
)
HOSPITAL_INDEX = catalogue_key(HOSPITALS)  # "search.hospitals"
CATALOGUES = Catalogues(HOSPITALS)
"""Wired and started by ``module.py``."""
