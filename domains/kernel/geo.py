"""GeoJSON points, a "near me" input and distances. Coordinates are stored [lng, lat]."""

import math
from typing import Any

import strawberry

from domains.kernel.errors import InvalidInput

EARTH_RADIUS_KM = 6371.0088
MAX_RADIUS_KM = 300.0
# Mainland Vietnam with its islands, generously rounded: catches swapped lat/lng and typos.
VIETNAM_BOUNDS = {"min_lat": 8.0, "max_lat": 23.5, "min_lng": 102.0, "max_lng": 117.5}


def point(lat: float, lng: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lng, lat]}


def check_coordinates(lat: float, lng: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(f"Coordinates out of range: lat {lat}, lng {lng}.", field="lat")


def check_inside_vietnam(lat: float, lng: float) -> None:
    """Reject places outside Vietnam (the usual sign of swapped latitude and longitude)."""
    b = VIETNAM_BOUNDS
    if not (b["min_lat"] <= lat <= b["max_lat"] and b["min_lng"] <= lng <= b["max_lng"]):
        raise InvalidInput(
            f"Location lat {lat}, lng {lng} is outside Vietnam; check that latitude and "
            "longitude are not swapped.",
            field="location",
        )


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@strawberry.input(description="A place and a radius: results within it, nearest first.")
class NearInput:
    lat: float
    lng: float
    radius_km: float = 10.0

    def validated(self) -> "NearInput":
        check_coordinates(self.lat, self.lng)
        if not 0 < self.radius_km <= MAX_RADIUS_KM:
            raise InvalidInput(
                f"`radiusKm` must be above 0 and at most {MAX_RADIUS_KM:g}; got {self.radius_km}.",
                field="radiusKm",
            )
        return self

    def geo_near_stage(
        self,
        *,
        query: dict[str, Any] | None = None,
        distance_field: str = "distanceMeters",
        min_distance_m: float | None = None,
        key: str = "location",
    ) -> dict[str, Any]:
        """A ``$geoNear`` aggregation stage (needs a 2dsphere index on ``key``), nearest first.

        Use it rather than ``find`` with ``$nearSphere``: SecantusDB does not order
        ``$nearSphere`` results by distance when ``$maxDistance`` is given.
        """
        stage: dict[str, Any] = {
            "near": point(self.lat, self.lng),
            "distanceField": distance_field,
            "maxDistance": self.radius_km * 1000,
            "spherical": True,
            "key": key,
        }
        if query:
            stage["query"] = query
        if min_distance_m is not None:
            stage["minDistance"] = min_distance_m
        return {"$geoNear": stage}
