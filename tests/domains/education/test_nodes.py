"""node(id:) refetches education objects with the visibility of their own queries."""

from typing import Any

import pytest

from domains.kernel.auth import Role
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.usefixtures("demo")

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on School { name } ... on AdmissionRound { name } ... on SchoolAnnouncement { title } } }"""
PUBLISH = """mutation($input: SchoolAnnouncementInput!) { publishAnnouncement(input: $input) {
  ... on SchoolAnnouncement { id } } }"""
SCHOOL = "thpt-dao-duy-tu"


async def node(gql: GraphQLClient, node_id: str, token: str | None = None) -> Any:
    body = await gql(NODE, {"id": node_id}, token=token)
    assert "errors" not in body, body
    return body["data"]["node"]


async def test_schools_and_rounds_are_refetched_by_anyone(gql: GraphQLClient) -> None:
    school = (await node(gql, SCHOOL))["__typename"]
    assert school == "School"
    listed = await gql("{ admissionRounds(first: 1) { nodes { id name } } }")
    (held,) = listed["data"]["admissionRounds"]["nodes"]
    assert await node(gql, held["id"]) == {"__typename": "AdmissionRound", **held}
    assert await node(gql, "no-such-school") is None


async def test_announcements_for_parents_are_refetched_only_when_signed_in(
    gql: GraphQLClient, dev_token: Any
) -> None:
    staff = dev_token("node-staff", Role.SCHOOL_STAFF, schools=(SCHOOL,))
    ids = {}
    for audience in ("EVERYONE", "PARENTS"):
        text = {"vi": f"Thông báo {audience}"}
        data = {"schoolId": SCHOOL, "title": text, "body": text, "audience": audience}
        body = await gql(PUBLISH, {"input": data}, token=staff)
        ids[audience] = body["data"]["publishAnnouncement"]["id"]
    parent = dev_token("node-parent")
    for token in (None, parent):
        public = await node(gql, ids["EVERYONE"], token)
        assert public == {
            "__typename": "SchoolAnnouncement",
            "id": ids["EVERYONE"],
            "title": "Thông báo EVERYONE",
        }
    assert await node(gql, ids["PARENTS"]) is None  # anonymous: as `announcements`
    assert (await node(gql, ids["PARENTS"], parent))["title"] == "Thông báo PARENTS"
