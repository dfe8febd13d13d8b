"""node(id:) with ids no object has: null for anyone, never an error (each domain's types are
tested in tests/domains/<name>/test_nodes.py)."""

from typing import Any

import pytest
from bson import ObjectId

from domains.kernel.auth import Role
from domains.kernel.node import global_id
from tests.conftest import GraphQLClient

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
IDS = [
    "",
    "x" * 401,
    "bv-không-có",
    "!!not base64!!",
    str(ObjectId()),
    global_id("Nope", "x"),
    global_id("Grant", ""),
    global_id("Procedure", "1.000000"),
    global_id("HospitalDepartment", "bv-không-có/noi"),
    global_id("HospitalDoctor", "bs-a"),
    f"{ObjectId()}:someone",
]


@pytest.mark.parametrize("actor", ["anonymous", "citizen", "admin"])
async def test_unknown_ids_are_null_for_everyone(
    gql: GraphQLClient, dev_token: Any, actor: str
) -> None:
    token = {
        "anonymous": None,
        "citizen": dev_token("node-citizen"),
        "admin": dev_token("node-admin", Role.ADMIN),
    }[actor]
    for node_id in IDS:
        assert await gql(NODE, {"id": node_id}, token=token) == {"data": {"node": None}}, node_id
