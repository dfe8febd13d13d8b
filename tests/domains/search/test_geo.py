"""GeoPoints: distances against the kernel's haversine, radius, order, paging, slot reuse."""

import random

import pytest

from domains.kernel.geo import distance_km
from domains.search import GeoPoints

CENTRE = (19.8075, 105.7764)


def scattered(count: int, seed: int = 7) -> list[tuple[str, float, float]]:
    rng = random.Random(seed)
    return [(f"p{i}", 19.0 + rng.random() * 1.5, 104.8 + rng.random() * 1.5) for i in range(count)]


@pytest.mark.parametrize("radius", [0.5, 5, 20, 300])
def test_near_matches_a_plain_scan(radius: float) -> None:
    points = scattered(3000)
    geo = GeoPoints(points)
    expected = sorted((distance_km(*CENTRE, lat, lng), record_id) for record_id, lat, lng in points)
    inside = [(record_id, d) for d, record_id in expected if d <= radius]
    found = geo.near(*CENTRE, radius, limit=50)
    assert [record_id for record_id, _ in found] == [record_id for record_id, _ in inside[:50]]
    for (_, got), (_, want) in zip(found, inside, strict=False):
        assert got == pytest.approx(want, rel=1e-9)
    paged = geo.near(*CENTRE, radius, limit=10, offset=10)
    assert paged == found[10:20]


def test_filter_applies_before_the_page() -> None:
    geo = GeoPoints(scattered(500))
    odd = geo.near(*CENTRE, 300, limit=5, keep=lambda record_id: int(record_id[1:]) % 2 == 1)
    assert len(odd) == 5 and all(int(record_id[1:]) % 2 == 1 for record_id, _ in odd)
    everything = [r for r, _ in geo.near(*CENTRE, 300, limit=500)]
    assert [r for r, _ in odd] == [r for r in everything if int(r[1:]) % 2 == 1][:5]


def test_moves_removals_slot_reuse_and_growth() -> None:
    geo = GeoPoints()
    for record_id, lat, lng in scattered(200):  # grows past its first capacity
        geo.put(record_id, lat, lng)
    assert len(geo) == 200
    geo.put("p1", *CENTRE)  # moved onto the centre
    assert geo.near(*CENTRE, 0.001, limit=3) == [("p1", pytest.approx(0, abs=1e-6))]
    assert geo.location("p1") == pytest.approx(CENTRE)
    geo.remove("p1")
    geo.remove("p1")  # twice is harmless
    assert "p1" not in geo and geo.near(*CENTRE, 0.001, limit=3) == []
    geo.put("new", *CENTRE)  # takes the freed slot
    assert len(geo) == 200 and geo.near(*CENTRE, 0.001, limit=3)[0][0] == "new"
    with pytest.raises(ValueError):
        geo.near(*CENTRE, 5, limit=0)


def test_a_radius_spanning_every_longitude() -> None:
    geo = GeoPoints([("pole", 89.9, 0.0), ("other side", 89.9, 180.0)])
    assert {r for r, _ in geo.near(89.9, 90.0, 100, limit=5)} == {"pole", "other side"}
