"""node(id:) refetches tourism objects with the visibility of their own queries."""

from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.domains.tourism.conftest import attraction_id

pytestmark = pytest.mark.usefixtures("seeded")

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Attraction { slug } ... on TourismEvent { slug } ... on Itinerary { slug }
  ... on AttractionReview { rating hidden } } }"""


async def node(gql: GraphQLClient, node_id: str, token: str | None = None) -> Any:
    body = await gql(NODE, {"id": node_id}, token=token)
    assert "errors" not in body, body
    return body["data"]["node"]


async def test_public_objects_are_refetched_by_anyone(gql: GraphQLClient) -> None:
    listed = await gql("""{ attractions(first: 1) { nodes { id slug } }
      events(first: 1) { nodes { id slug } } itineraries(first: 1) { nodes { id slug } } }""")
    for field, typename in (
        ("attractions", "Attraction"),
        ("events", "TourismEvent"),
        ("itineraries", "Itinerary"),
    ):
        (held,) = listed["data"][field]["nodes"]
        assert await node(gql, held["id"]) == {"__typename": typename, **held}
    assert await node(gql, "000000000000000000000000") is None


async def test_a_hidden_review_is_refetched_only_by_administrators(
    gql: GraphQLClient, seeded: Any, dev_token: Any, admin_token: str
) -> None:
    attraction = await attraction_id(seeded, "ho-dynasty-citadel")
    added = await gql(
        """mutation($a: ID!) { addReview(attractionId: $a, rating: 2, text: "Quảng cáo") {
        ... on AttractionReview { id } } }""",
        {"a": attraction},
        token=dev_token("node-reviewer"),
    )
    review = added["data"]["addReview"]["id"]
    visible = {"__typename": "AttractionReview", "id": review, "rating": 2, "hidden": False}
    assert await node(gql, review) == visible
    await gql(
        'mutation($id: ID!) { hideReview(id: $id, hidden: true, reason: "spam") { __typename } }',
        {"id": review},
        token=admin_token,
    )
    assert await node(gql, review) is None
    assert await node(gql, review, dev_token("node-reviewer")) is None  # as `reviews` shows
    assert (await node(gql, review, admin_token))["hidden"] is True
