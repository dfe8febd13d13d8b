"""The province-scale generator: 500 attractions and 200 events derived from the demo ones, all
marked synthetic, idempotent; real records still come first for their own names."""

from typing import Any

import pytest

from domains.kernel.geo import distance_km
from domains.kernel.resources import Resources
from domains.tourism.province import ATTRACTIONS, EVENTS, LAT, LNG, seed_province
from tests.conftest import GraphQLClient
from tests.domains.tourism.conftest import refresh_read_sides

SEARCH = """query($search: String!) { attractions(search: $search, first: 3) { nodes { slug } } }"""
NEAR = """query { attractions(near: {lat: 19.80, lng: 105.77, radiusKm: 15}, first: 100) {
  nodes { distanceKm } totalCount } }"""


@pytest.fixture(scope="module")
async def province(seeded: Any, resources: Resources) -> list[tuple[int, int]]:
    progress: list[tuple[int, int]] = []
    written = await seed_province(db=seeded, progress=lambda d, t: progress.append((d, t)))
    again = await seed_province(db=seeded, progress=lambda d, t: None)
    await refresh_read_sides(resources)
    assert written == again == ATTRACTIONS + EVENTS
    return progress


async def test_every_generated_record_is_marked_synthetic_and_inside_the_province(
    seeded: Any, province: list[tuple[int, int]]
) -> None:
    for collection, count in (("tourism_attractions", ATTRACTIONS), ("tourism_events", EVENTS)):
        synthetic = await seeded[collection].find({"synthetic": True}).to_list()
        assert len(synthetic) == count  # a second run added nothing
        assert all("-synthetic-" in row["slug"] for row in synthetic)
        assert all("mô phỏng" in row["name"]["vi"] for row in synthetic)
        for row in synthetic:
            lng, lat = row["location"]["coordinates"]
            assert LAT[0] <= lat <= LAT[1] and LNG[0] <= lng <= LNG[1]
    linked = await seeded["tourism_events"].count_documents(
        {"synthetic": True, "attractionId": {"$ne": None}}
    )
    assert linked > 0
    assert province[-1] == (ATTRACTIONS + EVENTS, ATTRACTIONS + EVENTS)


@pytest.mark.usefixtures("province")
@pytest.mark.parametrize(
    ("typed", "real"), [("sam son", "sam-son-beach"), ("thanh nha ho", "ho-dynasty-citadel")]
)
async def test_the_real_record_comes_first_among_its_copies(
    gql: GraphQLClient, typed: str, real: str
) -> None:
    body = await gql(SEARCH, {"search": typed})
    assert body["data"]["attractions"]["nodes"][0]["slug"] == real


@pytest.mark.usefixtures("province")
async def test_near_me_at_province_size_is_complete_and_ordered(
    gql: GraphQLClient, seeded: Any
) -> None:
    body = await gql(NEAR)
    connection = body["data"]["attractions"]
    distances = [node["distanceKm"] for node in connection["nodes"]]
    assert distances == sorted(distances) and all(d <= 15 for d in distances)
    expected = 0
    async for row in seeded["tourism_attractions"].find({}, {"location": 1}):
        lng, lat = row["location"]["coordinates"]
        expected += distance_km(19.80, 105.77, lat, lng) <= 15
    assert connection["totalCount"] == expected
