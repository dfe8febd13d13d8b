"""node(id:) refetches a procedure by the opaque id it lists (public, retired ones too)."""

from typing import Any

import pytest

from domains.kernel.node import global_id
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.usefixtures("catalogue")

NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Procedure { code name } } }"


async def test_a_procedure_is_refetched_by_its_id(gql: GraphQLClient) -> None:
    listed = await gql("{ procedures(first: 1) { nodes { id code name } } }")
    (held,) = listed["data"]["procedures"]["nodes"]
    assert held["id"] != held["code"]  # opaque: a code alone names no object of the graph
    body = await gql(NODE, {"id": held["id"]})
    assert body["data"]["node"] == {"__typename": "Procedure", **held}
    for unknown in (held["code"], global_id("Procedure", "9.999999"), global_id("Grant", "x")):
        body: Any = await gql(NODE, {"id": unknown})
        assert body == {"data": {"node": None}}
