"""Wards and communes (no districts since 1 July 2025) and the station each one takes its air
quality from: the nearest station within ``AREA_RADIUS_KM`` of its centre, or none."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from domains.environment.models import StationDocument
from domains.kernel.geo import distance_km
from domains.notifications import outbox

DATA = Path(__file__).resolve().parent / "data" / "areas.json"
# Farther than this, a station says too little about an area's air: the area shows "no data".
AREA_RADIUS_KM = 15.0


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: dict[str, str]
    kind: str  # ward | commune
    former_district: str
    lat: float
    lng: float

    @property
    def topic(self) -> str:
        """The topic its followers get its alerts on."""
        return outbox.topic_name("commune", self.code)


@dataclass(frozen=True, slots=True)
class Areas:
    """The areas and, per former district, the keys its old ``district.<key>`` topics used."""

    areas: tuple[Area, ...]
    district_topic_keys: dict[str, tuple[str, ...]]

    def get(self, code: str) -> Area | None:
        return next((area for area in self.areas if area.code == code), None)

    def of_former_district(self, district: str) -> list[Area]:
        return [area for area in self.areas if area.former_district == district]


def load_areas() -> Areas:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    areas = tuple(
        Area(
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            former_district=row["formerDistrict"],
            lat=row["centre"][0],
            lng=row["centre"][1],
        )
        for row in raw["areas"]
    )
    keys = {slug: tuple(d["topicKeys"]) for slug, d in raw["formerDistricts"].items()}
    return Areas(areas=areas, district_topic_keys=keys)


def station_of(area: Area, stations: Sequence[StationDocument]) -> tuple[str, float] | None:
    """The nearest station within the radius and its distance (km), or None."""
    best: tuple[str, float] | None = None
    for station in stations:
        lng, lat = station["location"]["coordinates"]
        distance = distance_km(area.lat, area.lng, lat, lng)
        if distance <= AREA_RADIUS_KM and (best is None or distance < best[1]):
            best = (station["_id"], distance)
    return best
