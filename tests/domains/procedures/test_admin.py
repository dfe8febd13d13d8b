"""Admin edits through /graphql: who may edit, validation, retiring."""

from typing import Any

import pytest

from domains.kernel.auth import Role
from tests.conftest import GraphQLClient

CREATE = """
mutation($input: ProcedureInput!) {
  createProcedure(input: $input) {
    __typename
    ... on Procedure { code name fees { amountVnd } retired }
    ... on UserError { message code }
    ... on ValidationFailed { field }
  }
}
"""
UPDATE = """
mutation($code: String!, $patch: ProcedurePatch!) {
  updateProcedure(code: $code, patch: $patch) {
    __typename
    ... on Procedure { code name conditions fees { amountVnd condition } }
    ... on UserError { message code }
    ... on ValidationFailed { field }
  }
}
"""
RETIRE = """
mutation($code: String!, $retired: Boolean! = true) {
  retireProcedure(code: $code, retired: $retired) {
    __typename
    ... on Procedure { code retired }
    ... on UserError { message code }
  }
}
"""
FIND = "query($s: String){ procedures(search: $s) { totalCount edges { node { code } } } }"


def new_procedure(code: str = "1.999001", **changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "code": code,
        "name": {"vi": "Cấp giấy phép nuôi chim yến thử nghiệm", "en": "Trial swiftlet licence"},
        "field": {"vi": "Chăn nuôi", "en": "Livestock"},
        "agency": {"vi": "Ủy ban nhân dân cấp xã"},
        "level": "COMMUNE",
        "source": {"name": "Test", "url": "https://dichvucong.gov.vn"},
        "updatedAt": "2025-07-01",
        "fees": [{"amountVnd": 50000}],
        "steps": [{"vi": "Nộp hồ sơ"}],
    }
    value.update(changes)
    return value


@pytest.fixture(scope="module")
def admin(dev_token) -> str:
    return str(dev_token("admin-1", Role.ADMIN))


@pytest.mark.parametrize(
    "who",
    [None, ("citizen-1",), ("nurse-1", Role.HOSPITAL_STAFF), ("teacher-1", Role.SCHOOL_STAFF)],
    ids=["anonymous", "citizen", "hospital-staff", "school-staff"],
)
async def test_only_admins_may_edit(gql: GraphQLClient, dev_token, who) -> None:
    token = None if who is None else dev_token(who[0], *who[1:])
    expected = "UNAUTHENTICATED" if who is None else "FORBIDDEN"
    for query, variables in [
        (CREATE, {"input": new_procedure("1.999100")}),
        (UPDATE, {"code": "1.999100", "patch": {"conditions": {"vi": "x"}}}),
        (RETIRE, {"code": "1.999100"}),
    ]:
        body = await gql(query, variables, token=token)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == expected
    admin_view = await gql(
        'query{ procedure(code: "1.999100"){ code } }', token=dev_token("a", Role.ADMIN)
    )
    assert admin_view["data"]["procedure"] is None  # nothing was written


async def test_admin_creates_updates_and_retires(gql: GraphQLClient, admin: str) -> None:
    body = await gql(CREATE, {"input": new_procedure()}, token=admin)
    created = body["data"]["createProcedure"]
    assert created == {
        "__typename": "Procedure",
        "code": "1.999001",
        "name": "Cấp giấy phép nuôi chim yến thử nghiệm",
        "fees": [{"amountVnd": 50000}],
        "retired": False,
    }
    found = await gql(FIND, {"s": "nuoi chim yen"})
    assert found["data"]["procedures"]["edges"][0]["node"]["code"] == "1.999001"

    again = await gql(CREATE, {"input": new_procedure()}, token=admin)
    assert again["data"]["createProcedure"]["code"] == "PROCEDURE_CODE_TAKEN"

    patch = {
        "fees": [{"amountVnd": 0, "condition": {"vi": "Miễn phí"}}],
        "conditions": {"vi": "Có chuồng"},
    }
    updated = (await gql(UPDATE, {"code": "1.999001", "patch": patch}, token=admin))["data"]
    assert updated["updateProcedure"]["fees"] == [{"amountVnd": 0, "condition": "Miễn phí"}]
    assert updated["updateProcedure"]["name"] == "Cấp giấy phép nuôi chim yến thử nghiệm"
    cleared = await gql(UPDATE, {"code": "1.999001", "patch": {"conditions": None}}, token=admin)
    assert cleared["data"]["updateProcedure"]["conditions"] is None

    renamed = await gql(
        UPDATE,
        {"code": "1.999001", "patch": {"name": {"vi": "Cấp phép nuôi ong mật"}}},
        token=admin,
    )
    assert renamed["data"]["updateProcedure"]["name"] == "Cấp phép nuôi ong mật"
    assert (await gql(FIND, {"s": "nuoi ong mat"}))["data"]["procedures"]["totalCount"] == 1
    assert (await gql(FIND, {"s": "chim yen"}))["data"]["procedures"]["totalCount"] == 0

    retired = await gql(RETIRE, {"code": "1.999001"}, token=admin)
    assert retired["data"]["retireProcedure"] == {
        "__typename": "Procedure",
        "code": "1.999001",
        "retired": True,
    }
    assert (await gql(FIND, {"s": "nuoi ong mat"}))["data"]["procedures"]["totalCount"] == 0
    assert (await gql(FIND, {"s": "1.999001"}))["data"]["procedures"]["totalCount"] == 0
    # Still readable by code (links keep working), marked retired; admins can list it.
    by_code = await gql('query{ procedure(code: "1.999001"){ retired } }')
    assert by_code["data"]["procedure"] == {"retired": True}
    listed = await gql(
        'query{ procedures(search: "nuoi ong mat", includeRetired: true){ totalCount } }',
        token=admin,
    )
    assert listed["data"]["procedures"]["totalCount"] == 1
    listed_by_code = await gql(
        'query{ procedures(search: "1.999001", includeRetired: true)'
        "{ edges { node { retired } } } }",
        token=admin,
    )
    assert listed_by_code["data"]["procedures"]["edges"] == [{"node": {"retired": True}}]
    refused = await gql("query{ procedures(includeRetired: true){ totalCount } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    back = await gql(RETIRE, {"code": "1.999001", "retired": False}, token=admin)
    assert back["data"]["retireProcedure"]["retired"] is False
    assert (await gql(FIND, {"s": "nuoi ong mat"}))["data"]["procedures"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"code": "1001193"}, "code", "1.001193"),
        ({"code": "1.00119"}, "code", "six digits"),
        ({"name": {"vi": "  "}}, "name", "required"),
        ({"name": {"vi": "", "en": "Only English"}}, "name", "Vietnamese"),
        ({"fees": [{"amountVnd": -5000}]}, "fees[0].amountVnd", "0 or more"),
        ({"onlineUrl": "javascript:alert(1)"}, "onlineUrl", "http"),
        ({"source": {"name": ""}}, "source", "required"),
        (
            {"documents": [{"name": {"vi": "Tờ khai"}, "copies": -1}]},
            "documents[0].copies",
            "0 or more",
        ),
        ({"legacyOnlineLevel": 7}, "legacyOnlineLevel", "1, 2, 3, 4"),
    ],
)
async def test_invalid_input_is_refused_with_the_reason(
    gql: GraphQLClient, admin: str, changes: dict[str, Any], field: str, words: str
) -> None:
    code = changes.get("code", "1.999050")
    body = await gql(CREATE, {"input": new_procedure(**{**changes, "code": code})}, token=admin)
    result = body["data"]["createProcedure"]
    assert result["__typename"] == "ValidationFailed"
    assert result["field"].startswith(field)
    assert words in result["message"]
    assert (await gql(FIND, {"s": "nuoi chim yen thu nghiem"}))["data"]["procedures"][
        "totalCount"
    ] <= 1


async def test_update_that_breaks_a_rule_changes_nothing(gql: GraphQLClient, admin: str) -> None:
    await gql(CREATE, {"input": new_procedure("1.999002")}, token=admin)
    body = await gql(
        UPDATE,
        {"code": "1.999002", "patch": {"fees": [{"amountVnd": -1}], "conditions": {"vi": "A"}}},
        token=admin,
    )
    assert body["data"]["updateProcedure"]["__typename"] == "ValidationFailed"
    after = await gql('query{ procedure(code: "1.999002"){ conditions fees { amountVnd } } }')
    assert after["data"]["procedure"] == {"conditions": None, "fees": [{"amountVnd": 50000}]}
    missing = await gql(UPDATE, {"code": "1.888888", "patch": {}}, token=admin)
    assert missing["data"]["updateProcedure"]["code"] == "PROCEDURE_NOT_FOUND"
    missing = await gql(RETIRE, {"code": "1.888888"}, token=admin)
    assert missing["data"]["retireProcedure"]["code"] == "PROCEDURE_NOT_FOUND"
