"""Points of one catalogue held in memory: "near me" without a database scan.

Each point sits in a slot of two numpy arrays (latitude and longitude, in radians); a deleted
point's slot is marked empty (NaN) and reused by the next insert. ``near`` looks within a small
radius first and widens it until the page is full. Each look keeps the slots inside the box
around the circle (one cheap pass), computes the haversine term for those only (vectorized,
compared with the radius's own term, so no arcsin runs for points left out) and sorts only the
nearest ``offset + limit``; figures in docs/search.md. A grid would answer faster for tiny
radii, but at catalogue sizes these passes are far below a request's budget and have no cell
size to tune.

Not thread-safe: the catalogue changes it on the event loop only (changes are dictionary and
array element writes, microseconds each); a rebuild makes a new one in a thread and swaps it.
"""

from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from domains.kernel.geo import EARTH_RADIUS_KM

Floats = npt.NDArray[np.float64]
_INITIAL_CAPACITY = 64
# The first radius ``near`` looks within before widening (a town's centre, a few streets).
FIRST_PROBE_KM = 2.0


class GeoPoints:
    """Points by id; ``near`` lists ids by distance from a place."""

    def __init__(self, points: Iterable[tuple[str, float, float]] = ()) -> None:
        entries = list(points)
        capacity = max(_INITIAL_CAPACITY, len(entries))
        self._lat: Floats = np.full(capacity, np.nan)
        self._lng: Floats = np.full(capacity, np.nan)
        self._cos: Floats = np.full(capacity, np.nan)  # cos(lat), kept for the haversine
        self._ids: list[str | None] = [None] * capacity
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        self._used = 0  # slots below this have been handed out at least once
        for record_id, lat, lng in entries:
            self.put(record_id, lat, lng)

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._slots

    def location(self, record_id: str) -> tuple[float, float] | None:
        """``(lat, lng)`` in degrees, or None when the id has no point."""
        slot = self._slots.get(record_id)
        if slot is None:
            return None
        return float(np.degrees(self._lat[slot])), float(np.degrees(self._lng[slot]))

    def put(self, record_id: str, lat: float, lng: float) -> None:
        """Add the point or move it."""
        slot = self._slots.get(record_id)
        if slot is None:
            slot = self._free.pop() if self._free else self._next_slot()
            self._slots[record_id] = slot
            self._ids[slot] = record_id
        self._lat[slot] = np.radians(lat)
        self._lng[slot] = np.radians(lng)
        self._cos[slot] = np.cos(self._lat[slot])

    def remove(self, record_id: str) -> None:
        slot = self._slots.pop(record_id, None)
        if slot is not None:
            self._lat[slot] = self._lng[slot] = self._cos[slot] = np.nan
            self._ids[slot] = None
            self._free.append(slot)

    def _next_slot(self) -> int:
        if self._used == len(self._lat):
            more = np.full(len(self._lat), np.nan)
            self._lat = np.concatenate([self._lat, more])
            self._lng = np.concatenate([self._lng, more])
            self._cos = np.concatenate([self._cos, more])
            self._ids.extend([None] * len(more))
        self._used += 1
        return self._used - 1

    def _candidates(self, lat_r: float, lng_r: float, radius_km: float) -> npt.NDArray[np.intp]:
        """Slots inside the box around the circle (a cheap pass that spares most trigonometry)."""
        lats, lngs = self._lat[: self._used], self._lng[: self._used]
        half_lat = radius_km / EARTH_RADIUS_KM
        band = np.abs(lats - lat_r) <= half_lat  # NaN compares False
        spread = float(np.cos(min(abs(lat_r) + half_lat, np.pi / 2)))
        if spread * EARTH_RADIUS_KM > radius_km:  # else the circle spans every longitude
            half_lng = float(np.arcsin(min(1.0, np.sin(half_lat) / spread)))
            gap = np.abs(lngs - lng_r)
            band &= np.minimum(gap, 2 * np.pi - gap) <= half_lng
        return np.flatnonzero(band)

    def _haversines(self, slots: npt.NDArray[np.intp], lat_r: float, lng_r: float) -> Floats:
        """The haversine term of each slot: it grows with the distance, so it ranks as well."""
        term: Floats = (
            np.sin((self._lat[slots] - lat_r) / 2) ** 2
            + np.cos(lat_r) * self._cos[slots] * np.sin((self._lng[slots] - lng_r) / 2) ** 2
        )
        return term

    def near(
        self,
        lat: float,
        lng: float,
        radius_km: float,
        *,
        limit: int,
        offset: int = 0,
        keep: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, float]]:
        """``(id, distance_km)`` within ``radius_km``, nearest first; ``keep`` filters ids.

        Looks within a small radius first and widens it (× 4) until the page is full or the
        radius reached: whatever lies beyond a full page is farther than all of it, so a wide
        radius costs little when the nearest points are close.
        """
        if limit < 1 or offset < 0:
            raise ValueError("limit must be at least 1 and offset at least 0.")
        lat_r, lng_r = float(np.radians(lat)), float(np.radians(lng))
        probe = min(radius_km, FIRST_PROBE_KM)
        while True:
            found = self._within(lat_r, lng_r, probe, offset + limit, keep)
            if len(found) == offset + limit or probe >= radius_km:
                return found[offset:]
            probe = min(radius_km, probe * 4)

    def _within(
        self,
        lat_r: float,
        lng_r: float,
        radius_km: float,
        wanted: int,
        keep: Callable[[str], bool] | None,
    ) -> list[tuple[str, float]]:
        """The ``wanted`` nearest kept points within ``radius_km`` (fewer if there are fewer)."""
        slots = self._candidates(lat_r, lng_r, radius_km)
        terms = self._haversines(slots, lat_r, lng_r)
        # Within the radius, compared in haversine terms: no arcsin for points left out.
        inside = terms <= np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2) ** 2
        slots, terms = slots[inside], terms[inside]
        found: list[tuple[str, float]] = []
        for position in self._nearest_first(terms, wanted if keep is None else None):
            record_id = self._ids[int(slots[position])]
            if record_id is None or (keep is not None and not keep(record_id)):
                continue
            distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(min(float(terms[position]), 1.0)))
            found.append((record_id, float(distance)))
            if len(found) == wanted:
                break
        return found

    @staticmethod
    def _nearest_first(terms: Floats, count: int | None) -> list[int]:
        """Positions by distance; only the first ``count`` are sorted when it is given."""
        if count is not None and count < len(terms):
            nearest: npt.NDArray[np.intp] = np.argpartition(terms, count - 1)[:count]
            nearest = nearest[np.argsort(terms[nearest], kind="stable")]
        else:
            nearest = np.argsort(terms, kind="stable")
        positions: list[int] = nearest.tolist()
        return positions
