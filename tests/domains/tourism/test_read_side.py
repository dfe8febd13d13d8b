"""Search and "near me" served by the in-process read sides (attractions and events), as people
use them: accents optional, either language, nearest first within the radius, writes visible at
once, over-long input refused, and writes from another process arriving through the feed."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from domains.kernel.clock import utcnow
from domains.kernel.geo import point
from domains.kernel.resources import Resources
from domains.tourism.catalogues import ATTRACTION_INDEX, EVENT_INDEX
from tests.conftest import GraphQLClient
from tests.domains.tourism.conftest import attraction_id
from tests.support.ranking import assert_ranked, assert_unranked

pytestmark = pytest.mark.usefixtures("seeded")

ATTRACTIONS = """
query($search: String, $near: NearInput, $openNow: Boolean, $district: String, $first: Int) {
  attractions(search: $search, near: $near, openNow: $openNow, district: $district,
              first: $first) {
    nodes { slug name distanceKm openNow district location { lat lng } }
    totalCount
  }
}"""
EVENTS = """
query($search: String, $near: NearInput, $from: DateTime, $first: Int) {
  events(search: $search, near: $near, from: $from, first: $first) {
    nodes { slug name startsAt distanceKm }
  }
}"""
SAM_SON = {"lat": 19.7430, "lng": 105.9000}
PAST = "2020-01-01T00:00:00+07:00"


async def slugs(gql: GraphQLClient, query: str, **variables: Any) -> list[str]:
    body = await gql(query, variables)
    assert "errors" not in body, body
    connection = body["data"]["attractions" if "attractions(" in query else "events"]
    return [node["slug"] for node in connection["nodes"]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sam son", "sam-son-beach"),
        ("Sầm Sơn", "sam-son-beach"),
        ("thanh nha ho", "ho-dynasty-citadel"),
        ("Thành nhà Hồ", "ho-dynasty-citadel"),
        ("ho citadel", "ho-dynasty-citadel"),
        ("Citadel of the Ho Dynasty", "ho-dynasty-citadel"),
    ],
)
async def test_attraction_search_finds_the_place_with_or_without_accents(
    gql: GraphQLClient, typed: str, expected: str
) -> None:
    assert (await slugs(gql, ATTRACTIONS, search=typed, first=3))[0] == expected


@pytest.mark.parametrize("typed", ["le hoi lam kinh", "Lễ hội Lam Kinh", "lam kinh festival"])
async def test_event_search_finds_the_festival_in_either_language(
    gql: GraphQLClient, typed: str
) -> None:
    assert (await slugs(gql, EVENTS, search=typed, first=3))[0] == "lam-kinh-festival"


async def test_search_syntax_is_plain_text(gql: GraphQLClient) -> None:
    typed = '"sam son" AND (beach) -x:y*'
    assert (await slugs(gql, ATTRACTIONS, search=typed, first=3))[0] == "sam-son-beach"


@pytest.mark.parametrize("query", [ATTRACTIONS, EVENTS])
async def test_over_long_search_is_refused_naming_the_field(gql: GraphQLClient, query: str) -> None:
    body = await gql(query, {"search": "sầm sơn " * 30})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "search" in error["message"] and "200" in error["message"]


async def test_near_search_and_filters_combine_nearest_first(gql: GraphQLClient) -> None:
    near = {**SAM_SON, "radiusKm": 50}
    body = await gql(ATTRACTIONS, {"near": near, "search": "den temple", "first": 50})
    nodes = body["data"]["attractions"]["nodes"]
    assert nodes and [n["distanceKm"] for n in nodes] == sorted(n["distanceKm"] for n in nodes)
    assert all(n["distanceKm"] <= 50 for n in nodes)
    assert {"co-tien-temple", "doc-cuoc-temple"} <= {n["slug"] for n in nodes}
    open_now = await gql(ATTRACTIONS, {"near": near, "openNow": True, "first": 100})
    assert all(n["openNow"] for n in open_now["data"]["attractions"]["nodes"])
    district = await gql(ATTRACTIONS, {"near": near, "district": "sam son", "first": 100})
    assert {n["district"] for n in district["data"]["attractions"]["nodes"]} == {"Sầm Sơn"}


async def test_events_near_a_place_stay_in_start_order_within_the_radius(
    gql: GraphQLClient,
) -> None:
    near = {**SAM_SON, "radiusKm": 60}
    body = await gql(EVENTS, {"near": near, "from": PAST, "first": 100})
    nodes = body["data"]["events"]["nodes"]
    assert nodes
    assert [n["startsAt"] for n in nodes] == sorted(n["startsAt"] for n in nodes)
    assert all(n["distanceKm"] <= 60 for n in nodes)
    wider = await gql(EVENTS, {"near": {**near, "radiusKm": 300}, "from": PAST, "first": 100})
    assert len(wider["data"]["events"]["nodes"]) > len(nodes)


RANKED = {
    "attractions": """query($search: String, $near: NearInput, $first: Int, $after: String) {
  attractions(search: $search, near: $near, first: $first, after: $after) {
    nodes { slug searchScore searchMargin } pageInfo { endCursor } } }""",
    "events": """query($search: String, $near: NearInput, $first: Int, $after: String) {
  events(search: $search, near: $near, first: $first, after: $after, from: "2020-01-01T00:00:00Z") {
    nodes { slug searchScore searchMargin } pageInfo { endCursor } } }""",
}


@pytest.mark.parametrize("name", ["attractions", "events"])
async def test_search_rows_carry_their_score_and_margin_over_the_next(
    gql: GraphQLClient, name: str
) -> None:
    first = (await gql(RANKED[name], {"search": "le hoi den", "first": 3}))["data"][name]
    after = first["pageInfo"]["endCursor"]
    rest = await gql(RANKED[name], {"search": "le hoi den", "first": 1, "after": after})
    following = rest["data"][name]["nodes"]
    assert_ranked(first["nodes"], following[0]["searchScore"] if following else None)
    near = await gql(RANKED[name], {"near": {**SAM_SON, "radiusKm": 50}, "first": 5})
    assert_unranked(near["data"][name]["nodes"])


EVENT_INPUT: dict[str, Any] = {
    "slug": "test-kite-festival",
    "name": {"vi": "Hội thả diều Quảng Xương", "en": "Quảng Xương Kite Festival"},
    "description": {"vi": "Thả diều trên bãi biển.", "en": "Kites over the beach."},
    "location": {"lat": 19.70, "lng": 105.85},
    "venue": {"vi": "Bãi biển Hải Tiến"},
    "district": "Quảng Xương",
}
CREATE_EVENT = """mutation($input: TourismEventInput!) { createEvent(input: $input) {
  __typename ... on TourismEvent { id slug } } }"""
UPDATE_EVENT = """mutation($id: ID!, $input: TourismEventInput!) {
  updateEvent(id: $id, input: $input) { __typename ... on TourismEvent { slug name } } }"""


async def test_an_event_written_is_searchable_and_near_at_once(
    gql: GraphQLClient, admin_token: str
) -> None:
    starts = utcnow() + timedelta(days=30)
    event = {
        **EVENT_INPUT,
        "startsAt": starts.isoformat(),
        "endsAt": (starts + timedelta(hours=5)).isoformat(),
    }
    body = await gql(CREATE_EVENT, {"input": event}, token=admin_token)
    assert body["data"]["createEvent"]["__typename"] == "TourismEvent"
    assert (await slugs(gql, EVENTS, search="hoi tha dieu", first=1)) == ["test-kite-festival"]
    near = {"lat": 19.70, "lng": 105.85, "radiusKm": 1}
    assert "test-kite-festival" in await slugs(gql, EVENTS, near=near, first=50)
    renamed = {**event, "name": {"vi": "Lễ hội diều sáo", "en": "Flute Kite Festival"}}
    created = body["data"]["createEvent"]["id"]
    await gql(UPDATE_EVENT, {"id": created, "input": renamed}, token=admin_token)
    assert (await slugs(gql, EVENTS, search="dieu sao", first=1)) == ["test-kite-festival"]


async def until(condition: Any) -> None:
    """Wait (on a condition, not a fixed sleep) until ``condition()`` is true."""
    async with asyncio.timeout(10):
        while not await condition():  # noqa: ASYNC110 (the write is another process's)
            await asyncio.sleep(0.02)


async def test_a_write_from_another_process_arrives_through_the_change_feed(
    gql: GraphQLClient, seeded: Any, resources: Resources
) -> None:
    # Written straight to MongoDB, as another replica (or `xuthanh seed`) would.
    beach = await seeded["tourism_attractions"].find_one({"slug": "sam-son-beach"})
    copy = {
        **beach,
        "_id": None,
        "slug": "feed-lagoon",
        "name": {"vi": "Đầm Phá Xa", "en": "Far Lagoon"},
        "location": point(19.95, 105.60),
    }
    del copy["_id"]
    await seeded["tourism_attractions"].insert_one(copy)

    async def found() -> bool:
        return await slugs(gql, ATTRACTIONS, search="dam pha xa", first=1) == ["feed-lagoon"]

    await until(found)
    near = {"lat": 19.95, "lng": 105.60, "radiusKm": 1}
    assert await slugs(gql, ATTRACTIONS, near=near, first=5) == ["feed-lagoon"]
    await seeded["tourism_attractions"].delete_one({"slug": "feed-lagoon"})

    async def gone() -> bool:
        return "feed-lagoon" not in resources.get(ATTRACTION_INDEX).ids() and not (
            await slugs(gql, ATTRACTIONS, near=near, first=5)
        )

    await until(gone)


async def test_a_review_moves_the_rating_a_list_shows_at_once(
    gql: GraphQLClient, seeded: Any, dev_token: Any
) -> None:
    museum = await attraction_id(seeded, "thanh-hoa-provincial-museum")
    rating = """query { attractions(search: "bao tang tinh thanh hoa", first: 1) {
      nodes { slug rating { count } } } }"""
    before = (await gql(rating))["data"]["attractions"]["nodes"][0]
    assert before["slug"] == "thanh-hoa-provincial-museum"
    review = """mutation($id: ID!) { addReview(attractionId: $id, rating: 5, text: "Hay") {
      __typename } }"""
    added = await gql(review, {"id": museum}, token=dev_token("read-side-reviewer"))
    assert added["data"]["addReview"]["__typename"] == "AttractionReview"
    after = (await gql(rating))["data"]["attractions"]["nodes"][0]
    assert after["rating"]["count"] == before["rating"]["count"] + 1


async def test_the_read_sides_are_built_before_the_app_is_ready(resources: Resources) -> None:
    for key in (ATTRACTION_INDEX, EVENT_INDEX):
        index = resources.get(key)
        assert index.built and len(index) > 0
