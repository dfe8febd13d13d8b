"""Administrators grant and revoke staff roles; nobody else can."""

from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.notifications.ports import ROLE_DIRECTORY
from tests.conftest import GraphQLClient

GRANT = """mutation($uid: String!, $role: Role!, $hospitalId: String, $schoolId: String) {
  grantRole(uid: $uid, role: $role, hospitalId: $hospitalId, schoolId: $schoolId) {
    __typename
    ... on Grant { uid roles hospitalIds schoolIds updatedBy }
    ... on ValidationFailed { message code field }
  }
}"""
REVOKE = """mutation($uid: String!, $role: Role!, $hospitalId: String) {
  revokeRole(uid: $uid, role: $role, hospitalId: $hospitalId) {
    __typename
    ... on Grant { roles hospitalIds }
    ... on UserError { message code }
  }
}"""
ME = "{ me { roles hospitalIds } }"


async def test_admin_grants_a_hospital_staff_role_that_takes_effect(
    gql: GraphQLClient, dev_token
) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(
        GRANT,
        {"uid": "doctor-1", "role": "HOSPITAL_STAFF", "hospitalId": "bv-nhi-thanh-hoa"},
        token=admin,
    )
    assert body["data"]["grantRole"] == {
        "__typename": "Grant",
        "uid": "doctor-1",
        "roles": ["HOSPITAL_STAFF"],
        "hospitalIds": ["bv-nhi-thanh-hoa"],
        "schoolIds": [],
        "updatedBy": "admin-1",
    }
    me = await gql(ME, token=dev_token("doctor-1"))
    assert me["data"]["me"] == {
        "roles": ["CITIZEN", "HOSPITAL_STAFF"],
        "hospitalIds": ["bv-nhi-thanh-hoa"],
    }


async def test_granting_twice_does_not_duplicate(gql: GraphQLClient, dev_token) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    variables = {"uid": "doctor-2", "role": "HOSPITAL_STAFF", "hospitalId": "h-a"}
    await gql(GRANT, variables, token=admin)
    body = await gql(GRANT, variables, token=admin)
    assert body["data"]["grantRole"]["hospitalIds"] == ["h-a"]
    assert body["data"]["grantRole"]["roles"] == ["HOSPITAL_STAFF"]


async def test_staff_roles_need_their_hospital_or_school(gql: GraphQLClient, dev_token) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(GRANT, {"uid": "x", "role": "SCHOOL_STAFF"}, token=admin)
    result = body["data"]["grantRole"]
    assert result["__typename"] == "ValidationFailed"
    assert result["field"] == "schoolId"
    citizen = await gql(GRANT, {"uid": "x", "role": "CITIZEN"}, token=admin)
    assert citizen["data"]["grantRole"]["field"] == "role"


async def test_only_admins_grant(gql: GraphQLClient, dev_token) -> None:
    variables = {"uid": "me-too", "role": "ADMIN"}
    anonymous = await gql(GRANT, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for token in (
        dev_token("citizen-9"),
        dev_token("nurse-9", Role.HOSPITAL_STAFF, hospitals=("h-1",)),
    ):
        body = await gql(GRANT, variables, token=token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    me = await gql(ME, token=dev_token("me-too"))
    assert me["data"]["me"]["roles"] == ["CITIZEN"]


async def test_revoking_one_hospital_keeps_the_others(gql: GraphQLClient, dev_token) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    for hospital in ("h-1", "h-2"):
        await gql(
            GRANT,
            {"uid": "doctor-3", "role": "HOSPITAL_STAFF", "hospitalId": hospital},
            token=admin,
        )
    one = await gql(
        REVOKE, {"uid": "doctor-3", "role": "HOSPITAL_STAFF", "hospitalId": "h-1"}, token=admin
    )
    assert one["data"]["revokeRole"] == {
        "__typename": "Grant",
        "roles": ["HOSPITAL_STAFF"],
        "hospitalIds": ["h-2"],
    }
    last = await gql(
        REVOKE, {"uid": "doctor-3", "role": "HOSPITAL_STAFF", "hospitalId": "h-2"}, token=admin
    )
    assert last["data"]["revokeRole"] == {"__typename": "Grant", "roles": [], "hospitalIds": []}
    me = await gql(ME, token=dev_token("doctor-3"))
    assert me["data"]["me"]["roles"] == ["CITIZEN"]


async def test_revoking_from_a_user_without_grants_says_so(gql: GraphQLClient, dev_token) -> None:
    body = await gql(
        REVOKE, {"uid": "nobody", "role": "ADMIN"}, token=dev_token("admin-1", Role.ADMIN)
    )
    assert body["data"]["revokeRole"]["code"] == "GRANT_NOT_FOUND"


async def test_admins_cannot_lock_themselves_out(gql: GraphQLClient, dev_token) -> None:
    body = await gql(
        REVOKE, {"uid": "admin-1", "role": "ADMIN"}, token=dev_token("admin-1", Role.ADMIN)
    )
    assert body["data"]["revokeRole"]["__typename"] == "ValidationFailed"


async def test_grants_list_pages_through_staff(gql: GraphQLClient, dev_token) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    for n in range(5):
        await gql(
            GRANT, {"uid": f"teacher-{n}", "role": "SCHOOL_STAFF", "schoolId": "s-1"}, token=admin
        )
    query = """query($after: String) { grants(role: SCHOOL_STAFF, first: 2, after: $after) {
      totalCount edges { node { uid } } pageInfo { hasNextPage endCursor } } }"""
    uids: list[str] = []
    after = None
    while True:
        page = (await gql(query, {"after": after}, token=admin))["data"]["grants"]
        assert page["totalCount"] == 5
        uids += [edge["node"]["uid"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert uids == [f"teacher-{n}" for n in range(5)]


async def test_the_role_directory_lists_a_roles_holders_in_uid_order(
    gql: GraphQLClient, dev_token, resources: Resources
) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    role = {"role": "HOSPITAL_STAFF", "hospitalId": "h-dir"}
    for uid in ("staff-b", "staff-a", "staff-c"):
        await gql(GRANT, {"uid": uid, **role}, token=admin)
    await gql(REVOKE, {"uid": "staff-c", **role}, token=admin)
    holders = await resources.get(ROLE_DIRECTORY).uids_with_role("hospital_staff")
    assert [uid for uid in holders if uid.startswith("staff-")] == ["staff-a", "staff-b"]


HISTORY = """query($uid: String) {
  grantHistory(uid: $uid, first: 10) { nodes { uid action role scopeId by } }
}"""


async def test_every_grant_and_revocation_is_kept_in_an_append_only_history(
    gql: GraphQLClient, dev_token
) -> None:
    admin = dev_token("history-admin", Role.ADMIN)
    # An administrator granting themself a facility's staff role is on the record.
    await gql(
        GRANT, {"uid": "history-admin", "role": "HOSPITAL_STAFF", "hospitalId": "bv-x"}, token=admin
    )
    await gql(
        REVOKE,
        {"uid": "history-admin", "role": "HOSPITAL_STAFF", "hospitalId": "bv-x"},
        token=admin,
    )
    body = await gql(HISTORY, {"uid": "history-admin"}, token=admin)
    assert body["data"]["grantHistory"]["nodes"] == [
        {
            "uid": "history-admin",
            "action": "revoke",
            "role": "HOSPITAL_STAFF",
            "scopeId": "bv-x",
            "by": "history-admin",
        },
        {
            "uid": "history-admin",
            "action": "grant",
            "role": "HOSPITAL_STAFF",
            "scopeId": "bv-x",
            "by": "history-admin",
        },
    ]
    for token in (dev_token("history-citizen"), None):
        denied = await gql(HISTORY, {"uid": "history-admin"}, token=token)
        assert denied["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
