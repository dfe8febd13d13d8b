"""node(id:) refetches a grant for administrators only, as `grants` lists it."""

from typing import Any

from domains.kernel.auth import Role
from tests.conftest import GraphQLClient

GRANT = """mutation($uid: String!) { grantRole(uid: $uid, role: SCHOOL_STAFF, schoolId: "s-node") {
  ... on Grant { id uid } } }"""
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Grant { uid roles } } }"


async def test_a_grant_is_refetched_by_administrators_only(
    gql: GraphQLClient, dev_token: Any
) -> None:
    admin = dev_token("node-admin", Role.ADMIN)
    granted = (await gql(GRANT, {"uid": "node-teacher"}, token=admin))["data"]["grantRole"]
    listed = await gql("{ grants { nodes { id uid } } }", token=admin)
    assert granted in listed["data"]["grants"]["nodes"]
    body = await gql(NODE, {"id": granted["id"]}, token=admin)
    assert body["data"]["node"] == {**granted, "__typename": "Grant", "roles": ["SCHOOL_STAFF"]}
    for token in (None, dev_token("node-teacher"), dev_token("node-citizen")):
        assert await gql(NODE, {"id": granted["id"]}, token=token) == {"data": {"node": None}}
