"""Favourites per user, itineraries with their stops, and the demo data itself."""

from typing import Any

import pytest

from domains.tourism.seed import seed_demo
from tests.conftest import GraphQLClient
from tests.domains.tourism.conftest import attraction_id

pytestmark = pytest.mark.usefixtures("seeded")

FAVORITES = "{ myFavorites { nodes { slug isFavorite } totalCount } }"
ADD = """mutation($id: ID!) { addFavorite(attractionId: $id) {
  __typename ... on Attraction { slug isFavorite } ... on NotFoundError { message } } }"""
REMOVE = """mutation($id: ID!) { removeFavorite(attractionId: $id) {
  __typename ... on Attraction { isFavorite } } }"""


async def test_favourites_are_per_user(gql: GraphQLClient, seeded: Any, dev_token: Any) -> None:
    ana, ben = dev_token("ana"), dev_token("ben")
    citadel = await attraction_id(seeded, "ho-dynasty-citadel")
    beach = await attraction_id(seeded, "sam-son-beach")
    for place in (citadel, beach, citadel):
        body = await gql(ADD, {"id": place}, token=ana)
        assert body["data"]["addFavorite"]["isFavorite"] is True
    mine = await gql(FAVORITES, token=ana)
    assert mine["data"]["myFavorites"] == {
        "nodes": [
            {"slug": "sam-son-beach", "isFavorite": True},
            {"slug": "ho-dynasty-citadel", "isFavorite": True},
        ],
        "totalCount": 2,
    }
    assert (await gql(FAVORITES, token=ben))["data"]["myFavorites"]["totalCount"] == 0
    query = "query($id: ID!) { attraction(id: $id) { isFavorite } }"
    assert (await gql(query, {"id": beach}, token=ben))["data"]["attraction"]["isFavorite"] is False
    assert (await gql(query, {"id": beach}))["data"]["attraction"]["isFavorite"] is False
    removed = await gql(REMOVE, {"id": beach}, token=ana)
    assert removed["data"]["removeFavorite"]["isFavorite"] is False
    assert (await gql(FAVORITES, token=ana))["data"]["myFavorites"]["totalCount"] == 1


async def test_favourites_need_sign_in(gql: GraphQLClient) -> None:
    body = await gql(FAVORITES)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_itineraries_list_their_stops_in_order(gql: GraphQLClient) -> None:
    query = """{ itineraries(theme: HERITAGE) { nodes {
      title(lang: EN) theme totalMinutes
      stops { order minutes attraction { slug name(lang: EN) } } } } }"""
    body = await gql(query)
    (route,) = body["data"]["itineraries"]["nodes"]
    assert route["title"] == "Heritage of the Hồ and Lê dynasties"
    assert [s["attraction"]["slug"] for s in route["stops"]] == [
        "ho-dynasty-citadel",
        "ho-cong-cave",
        "trinh-lords-palace",
        "lam-kinh-historic-site",
    ]
    assert [s["order"] for s in route["stops"]] == [1, 2, 3, 4]
    assert route["totalMinutes"] == sum(s["minutes"] for s in route["stops"])


async def test_admin_itinerary_must_name_real_attractions(
    gql: GraphQLClient, seeded: Any, admin_token: str
) -> None:
    mutation = """mutation($input: ItineraryInput!) { createItinerary(input: $input) {
      __typename ... on Itinerary { totalMinutes } ... on ValidationFailed { field message } } }"""
    cave = await attraction_id(seeded, "tu-thuc-cave")
    data = {
        "slug": "nga-son-half-day",
        "title": {"vi": "Nửa ngày Nga Sơn"},
        "description": {"vi": "Động và làng cói."},
        "theme": "HERITAGE",
        "stops": [{"attractionId": cave, "minutes": 60}],
    }
    ok = await gql(mutation, {"input": data}, token=admin_token)
    assert ok["data"]["createItinerary"] == {"__typename": "Itinerary", "totalMinutes": 60}
    missing = {
        **data,
        "slug": "x",
        "stops": [{"attractionId": "64b000000000000000000000", "minutes": 60}],
    }
    body = await gql(mutation, {"input": missing}, token=admin_token)
    assert body["data"]["createItinerary"]["field"] == "stops[0].attractionId"
    too_short = {**data, "slug": "y", "stops": [{"attractionId": cave, "minutes": 1}]}
    body = await gql(mutation, {"input": too_short}, token=admin_token)
    assert body["data"]["createItinerary"]["field"] == "stops[0].minutes"


async def test_demo_data_is_complete_and_reloads_idempotently(seeded: Any) -> None:
    counts = {
        name: await seeded[f"tourism_{name}"].count_documents({})
        for name in ("attractions", "events", "itineraries")
    }
    assert counts["attractions"] >= 30 and counts["itineraries"] >= 3
    assert (
        await seeded["tourism_events"].count_documents(
            {"slug": {"$not": {"$regex": "^(kite|night|choir|soon)"}}}
        )
        >= 10
    )
    before = await seeded["tourism_attractions"].find_one({"slug": "sam-son-beach"})
    await seed_demo(db=seeded, progress=lambda done, total: None)
    after = await seeded["tourism_attractions"].find_one({"slug": "sam-son-beach"})
    assert after["_id"] == before["_id"]
    assert await seeded["tourism_attractions"].count_documents({}) == counts["attractions"]
    assert after["rating"]["count"] == await seeded["tourism_reviews"].count_documents(
        {"attractionId": after["_id"], "hidden": False}
    )
    for document in await seeded["tourism_attractions"].find({}).to_list():
        lng, lat = document["location"]["coordinates"]
        # Thanh Hóa province, roughly.
        assert 19.2 <= lat <= 20.7 and 104.3 <= lng <= 106.2, document["slug"]
        assert document["name"].get("en") and document["description"].get("en")
