"""Bounds on one request: the body's size (413), every string's length, the estimated cost; the
apps' own operations stay well inside them."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from starlette.applications import Starlette

from api.limits import estimated_cost
from api.settings import Settings
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from tests.conftest import GraphQLClient

SETTINGS_OVERRIDES = {"graphql_max_body_bytes": 4096, "graphql_max_string_length": 200}
OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


async def test_a_body_over_the_limit_is_answered_413(http: httpx.AsyncClient) -> None:
    padding = "x" * 5000
    response = await http.post(
        "/graphql", json={"query": "{ __typename }", "variables": {"p": padding}}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"query": "{ __typename }", "variables": {"p": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}}'

    streamed = await http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    small = await http.post("/graphql", json={"query": "{ __typename }"})
    assert small.status_code == 200


async def test_long_strings_are_bad_input_in_the_document_and_in_variables(
    gql: GraphQLClient,
) -> None:
    literal = await gql('{ hospitals(search: "%s", first: 1) { nodes { id } } }' % ("a" * 201))
    assert literal["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    query = "query($s: String) { hospitals(search: $s, first: 1) { nodes { id } } }"
    variable = await gql(query, {"s": "b" * 201})
    assert variable["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    fine = await gql(query, {"s": "bệnh viện"})
    assert "errors" not in fine


async def test_costly_operations_are_refused(gql: GraphQLClient) -> None:
    nested = """{ attractions(first: 100) { nodes { name
        reviews(first: 100) { id rating text createdAt updatedAt } } } }"""
    body = await gql(nested)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert body["data"] is None


async def test_a_repeated_document_is_costed_by_each_request_s_page_sizes(
    gql: GraphQLClient,
) -> None:
    # The document's facts are remembered; the page sizes its variables give are not.
    query = """query($a: Int, $r: Int) { attractions(first: $a) { nodes { name
        reviews(first: $r) { id rating text createdAt updatedAt } } } }"""
    for pages, refused in (({"a": 1, "r": 1}, False), ({"a": 100, "r": 100}, True)) * 2:
        body = await gql(query, pages)
        assert ("errors" in body) is refused, pages
        if refused:
            assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    text = '{ hospitals(search: "%s", first: 1) { nodes { id } } }'
    for length, refused in ((10, False), (201, True), (201, True)):
        body = await gql(text % ("a" * length))
        assert ("errors" in body) is refused, length


def test_every_app_operation_is_well_inside_the_cost_limit(app: Starlette) -> None:
    settings: Settings = app.state.settings
    schema = app.state.schema._schema
    for path in OPERATIONS.glob("*.graphql"):
        document = parse(path.read_text())
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        for operation in document.definitions:
            if isinstance(operation, OperationDefinitionNode):
                cost = estimated_cost(schema, operation, fragments, {"first": 100})
                assert cost < settings.graphql_max_cost, (path.name, operation.name, cost)
