"""Wards/communes and which schools admit from a place or a ward/commune."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from domains.education.errors import UnknownCommunes
from domains.education.models import LEVELS, CommuneDocument, SchoolDocument
from domains.education.read_side import Entry, SchoolCatalogue
from domains.education.store import EducationStore
from domains.kernel.errors import InvalidInput
from domains.kernel.geo import check_coordinates, check_inside_vietnam, distance_km

# A point is resolved to the ward/commune whose centre is nearest, within this distance.
COMMUNE_RESOLUTION_KM = 15.0
MAX_CATCHMENT_MATCHES = 50


async def list_communes(*, store: EducationStore, district: str | None) -> list[CommuneDocument]:
    """Wards and communes known to the education domain, by former district and name."""
    return await store.communes.list_all(district=district)


async def load_communes(
    *, store: EducationStore, codes: Sequence[str]
) -> list[CommuneDocument | None]:
    """Communes in the order of ``codes`` (for DataLoaders)."""
    return cast(list[CommuneDocument | None], await store.communes.get_many(list(codes)))


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


async def _given_commune(store: EducationStore, commune_code: str) -> CommuneDocument:
    commune = await store.communes.get_commune(commune_code.strip())
    if commune is None:
        raise UnknownCommunes([commune_code], "communeCode")
    return commune


def _from_directory(
    catalogue: SchoolCatalogue, entries: Iterable[Entry], level: str | None
) -> list[SchoolDocument]:
    wanted = (e for e in entries if level is None or level in e.levels)
    found = (catalogue.school(entry.id) for entry in wanted)
    return [school for school in found if school is not None]


async def _commune_near(
    store: EducationStore, catalogue: SchoolCatalogue, lat: float, lng: float
) -> CommuneDocument | None:
    """The ward/commune whose centre is nearest, within COMMUNE_RESOLUTION_KM."""
    communes = await catalogue.communes.all(store.communes)
    best: tuple[float, CommuneDocument] | None = None
    for commune in communes:
        c_lng, c_lat = commune["centre"]["coordinates"]
        distance = distance_km(lat, lng, float(c_lat), float(c_lng))
        if distance <= COMMUNE_RESOLUTION_KM and (best is None or distance < best[0]):
            best = (distance, commune)
    return best[1] if best else None


async def schools_for_location(
    *,
    store: EducationStore,
    catalogue: SchoolCatalogue,
    lat: float,
    lng: float,
    level: str | None = None,
    commune_code: str | None = None,
) -> CatchmentAnswer:
    """Schools whose catchment includes the point: a published area containing it, else the
    point's ward/commune in the catchment list; nearest first. Only the area test reads the
    database (its 2dsphere index); the rest comes from the in-memory directory."""
    check_coordinates(lat, lng)
    check_inside_vietnam(lat, lng)
    _check_level(level)
    if commune_code is not None:
        commune: CommuneDocument | None = await _given_commune(store, commune_code)
    else:
        commune = await _commune_near(store, catalogue, lat, lng)
    await catalogue.wait_built()
    directory = catalogue.directory
    found: dict[str, tuple[SchoolDocument, str]] = {}
    for school in await store.schools.containing_point(lat=lat, lng=lng, level=level):
        found[school["_id"]] = (school, "area")
    if commune is not None:
        serving = [e for e in directory.serving.get(commune["_id"], []) if not e.has_area]
        for school in _from_directory(catalogue, serving, level):
            found.setdefault(school["_id"], (school, "commune"))
        # Province-wide schools only for a point inside the province's known communes.
        for school in _from_directory(catalogue, directory.province_wide, level):
            found.setdefault(school["_id"], (school, "province_wide"))
    return CatchmentAnswer(commune=commune, matches=_ranked(found, lat, lng))


async def schools_for_commune(
    *,
    store: EducationStore,
    catalogue: SchoolCatalogue,
    commune_code: str,
    level: str | None = None,
) -> CatchmentAnswer:
    """Schools admitting from a ward/commune, nearest to its centre first. A school with a
    published area may serve only part of it (``commune_part``)."""
    _check_level(level)
    commune = await _given_commune(store, commune_code)
    await catalogue.wait_built()
    directory = catalogue.directory
    found: dict[str, tuple[SchoolDocument, str]] = {}
    for school in _from_directory(catalogue, directory.serving.get(commune["_id"], []), level):
        area = school.get("catchment", {}).get("area")
        found[school["_id"]] = (school, "commune_part" if area else "commune")
    for school in _from_directory(catalogue, directory.province_wide, level):
        found.setdefault(school["_id"], (school, "province_wide"))
    lng, lat = commune["centre"]["coordinates"]
    return CatchmentAnswer(commune=commune, matches=_ranked(found, float(lat), float(lng)))
