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
