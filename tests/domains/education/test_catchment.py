"""From a place to the schools that admit from it, through /graphql."""

from typing import Any

import pytest

from domains.kernel.geo import distance_km
from tests.conftest import GraphQLClient

FOR_LOCATION = """
query($lat: Float!, $lng: Float!, $level: SchoolLevel, $commune: String, $lang: Language) {
  schoolsForLocation(lat: $lat, lng: $lng, level: $level, communeCode: $commune, lang: $lang) {
    commune { code name }
    schools { school { id name lat lng } matchedBy distanceKm }
  }
}"""
FOR_COMMUNE = """
query($code: String!, $level: SchoolLevel) {
  schoolsForCommune(communeCode: $code, level: $level) {
    commune { code name lat lng }
    schools { school { id lat lng } matchedBy distanceKm }
  }
}"""

# Two primary schools of Hạc Thành ward split it along this meridian (data/schools.json).
SPLIT_LNG = 105.777


async def lookup(gql: GraphQLClient, **variables: Any) -> dict[str, Any]:
    body = await gql(FOR_LOCATION, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["schoolsForLocation"]
    return result


def ids(result: dict[str, Any]) -> list[str]:
    return [m["school"]["id"] for m in result["schools"]]


def kinds(result: dict[str, Any]) -> dict[str, str]:
    return {m["school"]["id"]: m["matchedBy"] for m in result["schools"]}


@pytest.mark.usefixtures("demo")
async def test_point_inside_a_published_area_gets_that_school_only(gql: GraphQLClient) -> None:
    result = await lookup(gql, lat=19.805, lng=105.765, level="PRIMARY")
    assert result["commune"] == {"code": "14797", "name": "Phường Hạc Thành"}
    # Điện Biên 1's area (west half) contains the point; Đông Thọ's (east half) does not, even
    # though both list the ward: a published area beats the ward code.
    assert kinds(result) == {"th-dien-bien-1": "AREA", "fpt-thanh-hoa": "PROVINCE_WIDE"}
    assert ids(result)[-1] == "fpt-thanh-hoa"  # province-wide schools come last

    east = await lookup(gql, lat=19.82, lng=105.79, level="PRIMARY")
    assert kinds(east) == {"th-dong-tho": "AREA", "fpt-thanh-hoa": "PROVINCE_WIDE"}


@pytest.mark.usefixtures("demo")
async def test_point_on_a_shared_boundary_belongs_to_both_schools_nearest_first(
    gql: GraphQLClient,
) -> None:
    lat = 19.80
    result = await lookup(gql, lat=lat, lng=SPLIT_LNG, level="PRIMARY")
    assert kinds(result) == {
        "th-dien-bien-1": "AREA",
        "th-dong-tho": "AREA",
        "fpt-thanh-hoa": "PROVINCE_WIDE",
    }
    catchment = [m for m in result["schools"] if m["matchedBy"] == "AREA"]
    distances = [
        distance_km(lat, SPLIT_LNG, m["school"]["lat"], m["school"]["lng"]) for m in catchment
    ]
    assert distances == sorted(distances)
    assert [m["distanceKm"] for m in catchment] == [round(d, 3) for d in distances]
    # Điện Biên 1 (19.8065, 105.7700) is nearer to this point than Đông Thọ (19.818, 105.787).
    assert [m["school"]["id"] for m in catchment] == ["th-dien-bien-1", "th-dong-tho"]


@pytest.mark.usefixtures("demo")
async def test_a_hair_across_the_boundary_is_still_one_school(gql: GraphQLClient) -> None:
    # 0.0001° (about 11 m) inside the west half: beyond the 1 m tolerance, so one school only.
    result = await lookup(gql, lat=19.80, lng=SPLIT_LNG - 0.0001, level="PRIMARY")
    assert "th-dong-tho" not in ids(result)
    assert "th-dien-bien-1" in ids(result)


@pytest.mark.usefixtures("demo")
async def test_school_without_a_polygon_is_found_by_the_ward_code(gql: GraphQLClient) -> None:
    result = await lookup(gql, lat=19.842, lng=105.793, level="PRIMARY")
    assert result["commune"]["code"] == "14758"
    assert kinds(result)["th-ham-rong"] == "COMMUNE"
    assert "th-dien-bien-1" not in ids(result)


@pytest.mark.usefixtures("demo")
async def test_ward_served_by_two_schools_lists_both_nearest_first(gql: GraphQLClient) -> None:
    body = await gql(FOR_COMMUNE, {"code": "14797", "level": "LOWER_SECONDARY"})
    result = body["data"]["schoolsForCommune"]
    assert result["commune"]["code"] == "14797"
    assert kinds(result) == {
        "thcs-tran-mai-ninh": "COMMUNE",
        "thcs-dien-bien": "COMMUNE",
        "fpt-thanh-hoa": "PROVINCE_WIDE",
    }
    centre = result["commune"]["lat"], result["commune"]["lng"]
    local = [m for m in result["schools"] if m["matchedBy"] == "COMMUNE"]
    distances = [distance_km(*centre, m["school"]["lat"], m["school"]["lng"]) for m in local]
    assert distances == sorted(distances)


@pytest.mark.usefixtures("demo")
async def test_commune_lookup_flags_schools_that_serve_only_part_of_it(gql: GraphQLClient) -> None:
    body = await gql(FOR_COMMUNE, {"code": "14797", "level": "PRIMARY"})
    result = body["data"]["schoolsForCommune"]
    assert kinds(result) == {
        "th-dien-bien-1": "COMMUNE_PART",
        "th-dong-tho": "COMMUNE_PART",
        "fpt-thanh-hoa": "PROVINCE_WIDE",
    }


@pytest.mark.usefixtures("demo")
async def test_rural_commune_and_level_filter(gql: GraphQLClient) -> None:
    body = await gql(FOR_COMMUNE, {"code": "15889", "level": "UPPER_SECONDARY"})
    result = body["data"]["schoolsForCommune"]
    # Hoằng Phú: Lương Đắc Bằng by code; Lam Sơn gifted and FPT admit province-wide.
    assert kinds(result) == {
        "thpt-luong-dac-bang": "COMMUNE",
        "thpt-chuyen-lam-son": "PROVINCE_WIDE",
        "fpt-thanh-hoa": "PROVINCE_WIDE",
    }
    assert ids(result)[0] == "thpt-luong-dac-bang"


@pytest.mark.usefixtures("demo")
async def test_given_commune_code_overrides_the_nearest_centre(gql: GraphQLClient) -> None:
    # A point near Hạc Thành's centre, but the parent's address says Hàm Rồng ward.
    result = await lookup(gql, lat=19.83, lng=105.79, level="PRIMARY", commune="14758")
    assert result["commune"]["code"] == "14758"
    assert kinds(result)["th-ham-rong"] == "COMMUNE"


@pytest.mark.usefixtures("demo")
async def test_english_names_on_request(gql: GraphQLClient) -> None:
    result = await lookup(gql, lat=19.842, lng=105.793, level="PRIMARY", lang="EN")
    assert result["commune"]["name"] == "Hàm Rồng ward"
    assert "Hàm Rồng Primary School" in [m["school"]["name"] for m in result["schools"]]


@pytest.mark.usefixtures("demo")
async def test_bad_places_get_clear_errors(gql: GraphQLClient) -> None:
    swapped = await gql(FOR_LOCATION, {"lat": 105.79, "lng": 19.84})
    assert swapped["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "lat" in swapped["errors"][0]["message"]
    unknown = await gql(FOR_COMMUNE, {"code": "99999"})
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "99999" in unknown["errors"][0]["message"]
    assert "communes" in unknown["errors"][0]["message"]


@pytest.mark.usefixtures("demo")
async def test_place_far_from_every_known_commune_has_no_commune_or_schools(
    gql: GraphQLClient,
) -> None:
    # Hà Nội: inside Vietnam, but not within 15 km of any ward of this province.
    result = await lookup(gql, lat=21.028, lng=105.854)
    assert result == {"commune": None, "schools": []}
