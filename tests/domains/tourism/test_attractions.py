"""Browsing attractions through /graphql: search as people type it, near me, open now, languages."""

from datetime import UTC, datetime
from typing import Any

import pytest

from domains.kernel.geo import distance_km
from domains.kernel.resources import Resources
from domains.tourism import attractions
from domains.tourism.repositories.store import TourismStore
from tests.conftest import GraphQLClient
from tests.domains.tourism.conftest import attraction_id

pytestmark = pytest.mark.usefixtures("seeded")

SEARCH = """
query($search: String, $lang: Language, $first: Int) {
  attractions(search: $search, lang: $lang, first: $first) { nodes { slug name } }
}"""

NEAR = """
query($near: NearInput, $first: Int, $after: String, $category: AttractionCategory) {
  attractions(near: $near, first: $first, after: $after, category: $category) {
    edges { cursor node { slug distanceKm location { lat lng } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}"""

# Sầm Sơn town centre.
SAM_SON = {"lat": 19.7430, "lng": 105.9000}


@pytest.mark.parametrize("typed", ["sam son", "Sầm Sơn", "SAM SON beach", "bai bien sam son"])
async def test_search_finds_sam_son_however_it_is_typed(gql: GraphQLClient, typed: str) -> None:
    body = await gql(SEARCH, {"search": typed, "first": 5})
    slugs = [node["slug"] for node in body["data"]["attractions"]["nodes"]]
    assert slugs[0] == "sam-son-beach", slugs


@pytest.mark.parametrize("typed", ["thanh nha ho", "Thành nhà Hồ", "ho dynasty citadel"])
async def test_search_finds_the_ho_citadel_in_either_language(
    gql: GraphQLClient, typed: str
) -> None:
    body = await gql(SEARCH, {"search": typed, "first": 3})
    assert body["data"]["attractions"]["nodes"][0]["slug"] == "ho-dynasty-citadel"


async def test_search_without_letters_says_what_is_wrong(gql: GraphQLClient) -> None:
    body = await gql(SEARCH, {"search": "?!", "first": 3})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "search" in body["errors"][0]["message"]


async def test_names_follow_the_requested_language(gql: GraphQLClient) -> None:
    en = await gql(SEARCH, {"search": "thanh nha ho", "lang": "EN", "first": 1})
    vi = await gql(SEARCH, {"search": "thanh nha ho", "lang": "VI", "first": 1})
    assert en["data"]["attractions"]["nodes"][0]["name"] == "Citadel of the Hồ Dynasty"
    assert vi["data"]["attractions"]["nodes"][0]["name"] == "Thành nhà Hồ"
    # Without `lang`, the Accept-Language header decides.
    header = await gql(
        SEARCH,
        {"search": "thanh nha ho", "first": 1},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert header["data"]["attractions"]["nodes"][0]["name"] == "Citadel of the Hồ Dynasty"


async def test_near_me_is_ordered_by_distance_and_pages_without_gaps(gql: GraphQLClient) -> None:
    near = {**SAM_SON, "radiusKm": 60}
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        body = await gql(NEAR, {"near": near, "first": 4, "after": after})
        connection = body["data"]["attractions"]
        seen += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    slugs = [node["slug"] for node in seen]
    assert len(slugs) == len(set(slugs)) == connection["totalCount"]
    distances = [node["distanceKm"] for node in seen]
    assert distances == sorted(distances)
    assert slugs[0] in {"sam-son-beach", "co-tien-temple", "doc-cuoc-temple"}
    for node in seen:
        location = node["location"]
        expected = distance_km(SAM_SON["lat"], SAM_SON["lng"], location["lat"], location["lng"])
        # MongoDB measures on a sphere of radius 6378.1 km, haversine here on 6371 km.
        assert node["distanceKm"] == pytest.approx(expected, rel=0.005)
        assert node["distanceKm"] <= 60
    # Everything in the radius is there: the Hồ citadel (~40 km) yes, Pù Luông (~90 km) no.
    assert "ho-dynasty-citadel" in slugs and "pu-luong-nature-reserve" not in slugs


async def test_near_combines_with_category(gql: GraphQLClient) -> None:
    body = await gql(NEAR, {"near": {**SAM_SON, "radiusKm": 100}, "category": "BEACH"})
    slugs = [edge["node"]["slug"] for edge in body["data"]["attractions"]["edges"]]
    assert slugs[:2] == ["sam-son-beach", "hai-tien-beach"]
    assert all(s.endswith("beach") for s in slugs)


async def test_near_rejects_a_radius_beyond_the_cap(gql: GraphQLClient) -> None:
    body = await gql(NEAR, {"near": {**SAM_SON, "radiusKm": 5000}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "radiusKm" in body["errors"][0]["message"]


async def test_district_filter_is_accent_insensitive(gql: GraphQLClient) -> None:
    query = "query($d: String) { attractions(district: $d, first: 50) { nodes { slug district } } }"
    body = await gql(query, {"d": "vinh loc"})
    nodes = body["data"]["attractions"]["nodes"]
    assert {n["district"] for n in nodes} == {"Vĩnh Lộc"}
    assert {"ho-dynasty-citadel", "ho-cong-cave"} <= {n["slug"] for n in nodes}


async def test_open_now_filter_matches_the_open_now_field(gql: GraphQLClient) -> None:
    every = await gql("{ attractions(first: 100) { nodes { slug openNow } } }")
    open_now = await gql("{ attractions(openNow: true, first: 100) { nodes { slug openNow } } }")
    expected = {n["slug"] for n in every["data"]["attractions"]["nodes"] if n["openNow"]}
    got = open_now["data"]["attractions"]["nodes"]
    assert {n["slug"] for n in got} == expected
    assert all(n["openNow"] for n in got)
    # Beaches never close, so the list is never empty.
    assert "sam-son-beach" in expected


async def test_open_now_honours_special_days(seeded: Any, resources: Resources) -> None:
    tet_saturday = datetime(2027, 2, 6, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam, closed for Tết
    normal_saturday = datetime(2027, 2, 13, 3, 0, tzinfo=UTC)
    festival_night = datetime(2027, 9, 21, 13, 0, tzinfo=UTC)  # 20:00, Lam Kinh festival

    async def open_slugs(moment: datetime) -> set[str]:
        page = await attractions.list_attractions(
            store=TourismStore.of(resources), open_now=True, first=100, now=moment
        )
        return {d["slug"] for d in page.items}

    assert "thanh-hoa-provincial-museum" not in await open_slugs(tet_saturday)
    assert "thanh-hoa-provincial-museum" in await open_slugs(normal_saturday)
    assert "lam-kinh-historic-site" in await open_slugs(festival_night)
    assert "ho-dynasty-citadel" not in await open_slugs(festival_night)


async def test_attraction_detail_has_everything_a_visitor_needs(
    gql: GraphQLClient, seeded: Any
) -> None:
    museum = await attraction_id(seeded, "thanh-hoa-provincial-museum")
    query = """query($id: ID!) { attraction(id: $id, lang: EN) {
      name category district address accessibility
      openingHours { weekday opens closes }
      specialDays { date closed note }
      tickets { free adultVnd }
      rating { average count }
    } }"""
    body = await gql(query, {"id": museum})
    node = body["data"]["attraction"]
    assert node["name"] == "Thanh Hóa Provincial Museum"
    assert node["category"] == "MUSEUM"
    assert {"weekday": "TUESDAY", "opens": "07:30", "closes": "11:30"} in node["openingHours"]
    assert not any(h["weekday"] == "MONDAY" for h in node["openingHours"])
    assert {"date": "2027-02-06", "closed": True, "note": "Closed for Tết"} in node["specialDays"]
    assert node["tickets"] == {"free": True, "adultVnd": 0}
    unknown = await gql(query, {"id": "not-an-id"})
    assert unknown["data"]["attraction"] is None


ATTRACTION_INPUT: dict[str, Any] = {
    "slug": "test-lagoon",
    "name": {"vi": "Đầm Thử Nghiệm", "en": "Test Lagoon"},
    "description": {"vi": "Một đầm nước để thử.", "en": "A lagoon for tests."},
    "category": "NATURE",
    "location": {"lat": 19.9, "lng": 105.8},
    "address": "Xã Thử",
    "district": "Hậu Lộc",
    "openingHours": [{"weekday": "MONDAY", "opens": "08:00", "closes": "17:00"}],
    "tickets": {"free": False, "adultVnd": 30000},
}
CREATE = """mutation($input: AttractionInput!) { createAttraction(input: $input) {
  __typename
  ... on Attraction { id slug name rating { average count } }
  ... on ValidationFailed { message field }
} }"""


async def test_admin_creates_an_attraction_that_search_finds(
    gql: GraphQLClient, admin_token: str
) -> None:
    body = await gql(CREATE, {"input": ATTRACTION_INPUT}, token=admin_token)
    created = body["data"]["createAttraction"]
    assert created["__typename"] == "Attraction"
    assert created["rating"] == {"average": None, "count": 0}
    found = await gql(SEARCH, {"search": "dam thu nghiem", "first": 1})
    assert found["data"]["attractions"]["nodes"][0]["slug"] == "test-lagoon"
    again = await gql(CREATE, {"input": ATTRACTION_INPUT}, token=admin_token)
    assert again["data"]["createAttraction"]["field"] == "slug"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"location": {"lat": 105.8, "lng": 19.9}}, "location", "swapped"),
        ({"location": {"lat": 13.7, "lng": 100.5}}, "location", "outside Vietnam"),
        (
            {"openingHours": [{"weekday": "MONDAY", "opens": "18:00", "closes": "02:00"}]},
            "openingHours[0]",
            "midnight",
        ),
        (
            {"openingHours": [{"weekday": "MONDAY", "opens": "8am", "closes": "17:00"}]},
            "openingHours[0].opens",
            "HH:MM",
        ),
        ({"slug": "Bad Slug!"}, "slug", "lower-case"),
        ({"tickets": {"adultVnd": -5}}, "tickets.adultVnd", "between"),
        ({"images": ["http://example.org/a.jpg"]}, "images[0]", "https"),
    ],
)
async def test_invalid_attractions_are_refused_with_a_reason(
    gql: GraphQLClient, admin_token: str, change: dict[str, Any], field: str, words: str
) -> None:
    body = await gql(
        CREATE, {"input": {**ATTRACTION_INPUT, "slug": "x-lagoon", **change}}, token=admin_token
    )
    result = body["data"]["createAttraction"]
    assert result["__typename"] == "ValidationFailed"
    assert result["field"] == field
    assert words in result["message"]


async def test_only_admins_create_attractions(gql: GraphQLClient, dev_token: Any) -> None:
    citizen = await gql(CREATE, {"input": ATTRACTION_INPUT}, token=dev_token("visitor-9"))
    assert citizen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await gql(CREATE, {"input": ATTRACTION_INPUT})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admin_update_keeps_reviews_and_rating(
    gql: GraphQLClient, admin_token: str, seeded: Any
) -> None:
    citadel = await attraction_id(seeded, "ho-dynasty-citadel")
    before = await seeded["tourism_attractions"].find_one({"slug": "ho-dynasty-citadel"})
    update = """mutation($id: ID!, $input: AttractionInput!) {
      updateAttraction(id: $id, input: $input) {
      __typename ... on Attraction { slug name rating { count } } } }"""
    new = {
        **ATTRACTION_INPUT,
        "slug": "ho-dynasty-citadel",
        "name": {"vi": "Thành nhà Hồ (Tây Đô)"},
    }
    body = await gql(update, {"id": citadel, "input": new}, token=admin_token)
    assert body["data"]["updateAttraction"]["name"] == "Thành nhà Hồ (Tây Đô)"
    assert body["data"]["updateAttraction"]["rating"]["count"] == before["rating"]["count"]
    found = await gql(SEARCH, {"search": "tay do", "first": 1})
    assert found["data"]["attractions"]["nodes"][0]["slug"] == "ho-dynasty-citadel"


async def test_a_near_page_leaves_nothing_behind_for_the_next_read(gql: GraphQLClient) -> None:
    """Records' rendered fields are shared between requests (``shared_renders``): a near page's
    distance never shows up in the next list or search, and the same page reads the same."""
    listing = "{ attractions(first: 50) { nodes { slug distanceKm searchScore } } }"
    near = {"near": {**SAM_SON, "radiusKm": 100}, "first": 20}
    first = await gql(NEAR, near)
    assert first["data"]["attractions"]["edges"][0]["node"]["distanceKm"] is not None
    plain = await gql(listing)
    found = await gql(SEARCH.replace("slug name", "slug distanceKm"), {"search": "sam son"})
    rows = plain["data"]["attractions"]["nodes"] + found["data"]["attractions"]["nodes"]
    assert rows and all(row["distanceKm"] is None for row in rows)
    assert all(row.get("searchScore") is None for row in plain["data"]["attractions"]["nodes"])
    assert await gql(NEAR, near) == first
