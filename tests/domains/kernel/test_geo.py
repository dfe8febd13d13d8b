import pytest

from domains.kernel.errors import InvalidInput
from domains.kernel.geo import NearInput, check_inside_vietnam, distance_km


def test_distance_between_thanh_hoa_city_and_sam_son() -> None:
    # Thanh Hóa city centre to Sầm Sơn beach is about 15 km as the crow flies.
    assert 13 < distance_km(19.8067, 105.7852, 19.7390, 105.9030) < 16


def test_swapped_coordinates_are_caught() -> None:
    check_inside_vietnam(19.8067, 105.7852)
    with pytest.raises(InvalidInput, match="swapped"):
        check_inside_vietnam(105.7852, 19.8067)


@pytest.mark.parametrize("radius", [0, -5, 1000])
def test_near_radius_must_be_sensible(radius: float) -> None:
    with pytest.raises(InvalidInput, match="radiusKm"):
        NearInput(lat=19.8, lng=105.8, radius_km=radius).validated()


async def test_geo_near_stage_returns_nearest_first_within_the_radius(db) -> None:
    from pymongo import GEOSPHERE

    from domains.kernel.geo import point

    places = db["geo_probe"]
    await places.create_index([("location", GEOSPHERE)])
    # Eastward from Thanh Hóa city, about 1 km apart, inserted out of order.
    await places.insert_many(
        [{"n": n, "location": point(19.8067, 105.7852 + n * 0.0095)} for n in (5, 1, 3, 0, 4, 2)]
    )
    near = NearInput(lat=19.8067, lng=105.7852, radius_km=3.5).validated()
    rows = await (await places.aggregate([near.geo_near_stage()])).to_list()
    assert [row["n"] for row in rows] == [0, 1, 2, 3]
    assert rows[1]["distanceMeters"] == pytest.approx(1000, rel=0.05)
