"""Limits that protect the API from abusive documents, and error masking."""

import logging

import httpx
import pytest

from api.app import create_app
from tests.conftest import GraphQLClient


async def test_query_depth_above_the_limit_is_refused(settings, dev_token) -> None:
    from domains.kernel.auth import Role

    assert settings.graphql_max_depth == 10  # the production default
    # The schema is shallow today, so prove the limiter with a lower configured limit.
    shallow = create_app(settings.model_copy(update={"graphql_max_depth": 2}))
    query = "{ grants { edges { node { uid } } } }"  # depth 3 (root fields are depth 0)
    async with shallow.router.lifespan_context(shallow):
        transport = httpx.ASGITransport(app=shallow)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer {dev_token('a', Role.ADMIN)}"}
            refused = (await http.post("/graphql", json={"query": query}, headers=headers)).json()
            allowed = (
                await http.post(
                    "/graphql", json={"query": "{ grants { totalCount } }"}, headers=headers
                )
            ).json()
    assert refused["data"] is None
    assert "exceeds maximum operation depth of 2" in refused["errors"][0]["message"]
    assert allowed["data"]["grants"]["totalCount"] >= 0


async def test_too_many_aliases_are_refused(gql: GraphQLClient) -> None:
    fifteen = " ".join(f"a{i}: __typename" for i in range(15))
    assert "errors" not in await gql(f"{{ {fifteen} }}")
    sixteen = " ".join(f"a{i}: __typename" for i in range(16))
    refused = await gql(f"{{ {sixteen} }}")
    assert "aliases found" in refused["errors"][0]["message"]


async def test_documents_with_too_many_tokens_are_refused(gql: GraphQLClient) -> None:
    padding = " ".join("__typename" for _ in range(2100))
    refused = await gql(f"{{ {padding} }}")
    assert "2000 tokens" in refused["errors"][0]["message"]
    # The parse cache must not let a long document through on a second try either.
    again = await gql(f"{{ {padding} }}")
    assert "2000 tokens" in again["errors"][0]["message"]


async def test_page_size_above_100_is_a_clear_input_error(gql: GraphQLClient, dev_token) -> None:
    from domains.kernel.auth import Role

    body = await gql("{ grants(first: 101) { totalCount } }", token=dev_token("a", Role.ADMIN))
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 1 and 100" in error["message"]


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    gql: GraphQLClient,
    dev_token,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from domains.accounts import service
    from domains.kernel.auth import Role

    async def broken(**_: object) -> None:
        raise RuntimeError("connection string mongodb://admin:hunter2@db")

    monkeypatch.setattr(service, "list_grants", broken)
    with caplog.at_level(logging.ERROR, logger="xuthanh.graphql"):
        body = await gql(
            "{ grants { totalCount } }",
            token=dev_token("a", Role.ADMIN),
            headers={"X-Request-ID": "req-masked-1"},
        )
    message = body["errors"][0]["message"]
    assert "hunter2" not in message and "RuntimeError" not in message
    assert message.startswith("Internal error")
    logged = [r for r in caplog.records if r.name == "xuthanh.graphql"]
    assert logged and "hunter2" in str(logged[0].exc_info[1])


async def test_authorisation_errors_reach_the_client_with_a_code(
    gql: GraphQLClient, dev_token
) -> None:
    anonymous = await gql("{ grants { totalCount } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    citizen = await gql("{ grants { totalCount } }", token=dev_token("citizen-1"))
    assert citizen["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_without_introspection_the_schema_stays_private(settings) -> None:
    closed = create_app(settings.model_copy(update={"graphql_introspection": False}))
    async with closed.router.lifespan_context(closed):
        transport = httpx.ASGITransport(app=closed)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            schema = (
                await http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
            ).json()
            typo = (await http.post("/graphql", json={"query": "{ mee { uid } }"})).json()
    assert "introspection has been disabled" in schema["errors"][0]["message"]
    assert "Cannot query field 'mee'" in typo["errors"][0]["message"]
    assert "Did you mean" not in typo["errors"][0]["message"]


async def test_client_errors_are_not_logged_with_the_query_text(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await gql('{ me(phone: "0912345678") { uid } }')
    assert "0912345678" not in caplog.text
    assert any(getattr(r, "codes", None) for r in caplog.records)


async def test_with_introspection_typos_get_suggestions(gql: GraphQLClient) -> None:
    typo = await gql("{ mee { uid } }")
    assert "Did you mean 'me'" in typo["errors"][0]["message"]
