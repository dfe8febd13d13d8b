"""The school directory: listing, reading, and administrators adding and changing schools."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from domains.education import listing
from domains.education.errors import SchoolNotFound, UnknownCommunes
from domains.education.listing import Near
from domains.education.models import (
    LEVELS,
    CatchmentDocument,
    CommuneDocument,
    LocalizedDict,
    SchoolDocument,
)
from domains.education.read_side import SchoolCatalogue
from domains.education.repository import SchoolFilter
from domains.education.store import EducationStore
from domains.kernel.auth import require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.folding import fold
from domains.kernel.geo import check_coordinates, check_inside_vietnam, point
from domains.kernel.pagination import Page, page_size
from domains.kernel.search import PRIMARY_FIELD, TERMS_FIELD, query_terms, search_fields
from domains.kernel.validation import clean_text, localized_text, required_text

MAX_SEARCH_LENGTH = 200
MAX_NAME = 200
MAX_CATCHMENT_COMMUNES = 200
OWNERSHIPS = ("public", "private")
CODE = re.compile(r"^\d{5}$")
WEBSITE = re.compile(r"^https?://\S+$")


# -- reading -----------------------------------------------------------------------------------


async def get_school(*, store: EducationStore, school_id: str) -> SchoolDocument | None:
    return await store.schools.get_school(school_id.strip())


async def load_schools(
    *, store: EducationStore, catalogue: SchoolCatalogue, ids: Sequence[str]
) -> list[SchoolDocument | None]:
    """Schools in the order of ``ids`` (for DataLoaders): from the read side, and in one
    database query those it does not hold (not built yet, or written a moment ago elsewhere)."""
    found: dict[str, SchoolDocument | None] = {}
    if catalogue.built:
        found = {school_id: catalogue.school(school_id) for school_id in ids}
    missing = [school_id for school_id in ids if found.get(school_id) is None]
    if missing:
        read = await store.schools.get_many(missing)
        found.update(zip(missing, cast(list[SchoolDocument | None], read), strict=True))
    return [found.get(school_id) for school_id in ids]


def _search_text(search: str | None) -> str | None:
    """The text to search for, or None; InvalidInput naming ``search`` when unusable."""
    if search is None or not search.strip():
        return None
    if len(search) > MAX_SEARCH_LENGTH:
        raise InvalidInput(
            f"`search` is {len(search)} characters long; shorten it to {MAX_SEARCH_LENGTH} or "
            "fewer.",
            field="search",
        )
    if not query_terms(search):
        raise InvalidInput("`search` needs at least one letter or digit.", field="search")
    return search.strip()


async def list_schools(
    *,
    catalogue: SchoolCatalogue,
    level: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    ownership: str | None = None,
    near: Near | None = None,
    search: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[SchoolDocument]:
    """The directory: by name, nearest first with ``near``, best match first with ``search``;
    served from the in-memory read side (no database read)."""
    filter = SchoolFilter(level=level, district=district, commune=commune, ownership=ownership)
    size = page_size(first)
    text = _search_text(search)
    if near is not None:
        return await listing.nearest(catalogue, near, filter, text, size, after)
    if text is not None:
        return await listing.best_match(catalogue, text, filter, size, after)
    return await listing.by_name(catalogue, filter, size, after)


# -- administrators' changes ---------------------------------------------------------------------


@dataclass(slots=True)
class SchoolFields:
    """What an administrator gives for a school (validated by ``school_document``)."""

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


async def _check_communes(store: EducationStore, codes: Sequence[str], field: str) -> None:
    malformed = [code for code in codes if not CODE.match(code)]
    if malformed:
        raise InvalidInput(
            f"Ward/commune codes have 5 digits; got {', '.join(malformed[:5])}.", field=field
        )
    known = await store.communes.existing_codes(codes)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise UnknownCommunes(unknown, field)


def _levels(fields: SchoolFields) -> list[str]:
    """The levels (deduplicated), after checking them and the ownership."""
    levels = list(dict.fromkeys(fields.levels))
    if not levels or any(level not in LEVELS for level in levels):
        raise InvalidInput("Give at least one level.", field="levels")
    if fields.ownership not in OWNERSHIPS:
        raise InvalidInput("`ownership` is public or private.", field="ownership")
    return levels


def _check_counts(fields: SchoolFields) -> None:
    for count_field, value in (("classes", fields.classes), ("pupils", fields.pupils)):
        if value is not None and not 0 <= value <= 100_000:
            raise InvalidInput(f"`{count_field}` must be 0 to 100000.", field=count_field)


async def _catchment(store: EducationStore, fields: SchoolFields) -> CatchmentDocument:
    """The stored catchment, after checking its communes and area."""
    codes = list(dict.fromkeys(c.strip() for c in fields.catchment_commune_codes))
    if len(codes) > MAX_CATCHMENT_COMMUNES:
        raise InvalidInput(
            f"At most {MAX_CATCHMENT_COMMUNES} catchment communes.", field="catchmentCommuneCodes"
        )
    await _check_communes(store, codes, "catchmentCommuneCodes")
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
    return {"communeCodes": codes, "area": area, "provinceWide": fields.province_wide}


def _website(value: str | None) -> str | None:
    website = clean_text(value, field="website", limit=300)
    if website is not None and not WEBSITE.match(website):
        raise InvalidInput("`website` must start with http:// or https://.", field="website")
    return website


async def school_document(
    store: EducationStore, fields: SchoolFields, *, school_id: str, by: str, now: datetime
) -> SchoolDocument:
    """The stored school for what an administrator (or the demo data) gives, checked."""
    name = localized_text(fields.name, field="name", limit=MAX_NAME)
    levels = _levels(fields)
    address = required_text(fields.address, field="address", limit=300)
    check_coordinates(fields.lat, fields.lng)
    check_inside_vietnam(fields.lat, fields.lng)
    await _check_communes(store, [fields.commune_code], "communeCode")
    catchment = await _catchment(store, fields)
    _check_counts(fields)
    website = _website(fields.website)
    commune = await store.communes.get_commune(fields.commune_code)
    assert commune is not None  # noqa: S101 - checked above
    checked = replace(
        fields,
        name=name,
        levels=levels,
        address=address,
        website=website,
        phone=clean_text(fields.phone, field="phone", limit=40),
        email=clean_text(fields.email, field="email", limit=120),
    )
    return stored_school(checked, commune, catchment, school_id=school_id, by=by, now=now)


def stored_school(
    fields: SchoolFields,
    commune: CommuneDocument,
    catchment: CatchmentDocument,
    *,
    school_id: str,
    by: str,
    now: datetime,
) -> SchoolDocument:
    """The stored shape of checked fields (the province generator builds its schools with it)."""
    document: SchoolDocument = {
        "_id": school_id,
        "name": fields.name,
        "levels": fields.levels,
        "ownership": fields.ownership,
        "district": commune["district"],
        "communeCode": fields.commune_code,
        "address": fields.address,
        "location": point(fields.lat, fields.lng),
        "contacts": {"phone": fields.phone, "email": fields.email},
        "website": fields.website,
        "classes": fields.classes,
        "pupils": fields.pupils,
        "catchment": catchment,
        "sortName": fold(fields.name["vi"]),
        "modifiedAt": now,
        "modifiedBy": by,
    }
    search = search_fields(primary=[fields.name], secondary=[fields.address, commune["name"]])
    document["searchPrimary"] = search[PRIMARY_FIELD]
    document["searchTerms"] = search[TERMS_FIELD]
    return document


async def create_school(
    *, caller: Caller[EducationStore], catalogue: SchoolCatalogue, fields: SchoolFields
) -> SchoolDocument:
    """Add a school (administrators only); its id comes from its name and commune."""
    by = require_admin(caller.principal)
    store = caller.store
    school_id = school_id_for(fields.name.get("vi", ""), fields.commune_code.strip())
    document = await school_document(store, fields, school_id=school_id, by=by, now=utcnow())
    if not await store.schools.insert(document):
        raise InvalidInput(
            f"A school with this name already exists in this commune (id {school_id}).",
            field="name",
        )
    await catalogue.written([document])  # searchable at once in this process
    return document


async def update_school(
    *,
    caller: Caller[EducationStore],
    catalogue: SchoolCatalogue,
    school_id: str,
    fields: SchoolFields,
) -> SchoolDocument:
    """Replace a school's details (administrators only); its id never changes."""
    by = require_admin(caller.principal)
    store = caller.store
    schools, rounds = store.schools, store.rounds
    if await schools.get_school(school_id) is None:
        raise SchoolNotFound(school_id)
    document = await school_document(store, fields, school_id=school_id, by=by, now=utcnow())
    await schools.replace(document)
    affected = await rounds.for_schools([school_id])
    ids = sorted({s for r in affected for s in r["schoolIds"]})
    districts = {s: d["district"] for s, d in (await schools.existing_ids(ids)).items()}
    await rounds.set_districts_for_school(school_id, districts)
    await catalogue.written([document])
    return document
