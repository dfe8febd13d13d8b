"""The HTTP surface: health, readiness, request ids, metrics, and production hardening."""

import json
import logging
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from api.app import create_app
from api.settings import Environment, Settings
from domains.kernel.crypto import new_key_text
from tests.conftest import ROOT, GraphQLClient, _load_mongo_server, make_settings
from tests.support.firebase_tokens import service_account_json


async def test_healthz_and_readyz_answer(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["mongodb"] == "ok"


async def test_post_graphql_is_answered_without_redirect(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_request_id_is_returned_and_honoured(http: httpx.AsyncClient) -> None:
    generated = await http.get("/healthz")
    assert len(generated.headers["X-Request-ID"]) == 32
    echoed = await http.get("/healthz", headers={"X-Request-ID": "app-42.abc"})
    assert echoed.headers["X-Request-ID"] == "app-42.abc"
    # Anything that could forge log lines is replaced, not echoed.
    forged = await http.get("/healthz", headers={"X-Request-ID": 'x" level=error'})
    assert forged.headers["X-Request-ID"] != 'x" level=error'


async def test_metrics_count_operations_by_name(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await gql("query WhoAmI { me { uid } }")
    await gql("query WhoAmI { me { uid } }")
    text = (await http.get("/metrics")).text
    assert 'xuthanh_graphql_operations_total{operation="WhoAmI",outcome="ok"} 2.0' in text
    assert 'xuthanh_graphql_operation_seconds_count{operation="WhoAmI"} 2.0' in text
    assert "xuthanh_mongodb_pool_open" in text
    assert 'xuthanh_http_requests_total{route="/graphql",status="2xx"}' in text


async def test_graphiql_is_served_outside_production(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_logs_are_json_with_the_request_id(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    from api.observability import JsonFormatter

    with caplog.at_level(logging.INFO, logger="xuthanh.http"):
        await gql("{ __typename }", headers={"X-Request-ID": "trace-me-1"})
    records = [r for r in caplog.records if r.name == "xuthanh.http"]
    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["request_id"] == "trace-me-1"
    assert line["path"] == "/graphql" and line["status"] == 200


@pytest.fixture(scope="module")
def production_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    credentials = tmp_path_factory.mktemp("firebase") / "service-account.json"
    credentials.write_text(service_account_json())
    return settings.model_copy(
        update={
            "app_env": Environment.PRODUCTION,
            "firebase_credentials_file": Path(credentials),
            "firebase_cert_url": None,
            "dev_token_secret": None,
            "field_encryption_keys": SecretStr(new_key_text("k1")),
        }
    )


async def test_production_turns_off_graphiql_and_runs_only_the_apps_operations(
    production_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_SESSION_SECRET", "c" * 32)
    app = create_app(production_settings)
    me = "query Me { me { uid isAnonymous roles hospitalIds schoolIds } }"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            page = await http.get("/graphql", headers={"Accept": "text/html"})
            via_get = await http.get("/graphql", params={"query": "{ __typename }"})
            via_post = await http.post("/graphql", json={"query": "{ __typename }"})
            allowed = await http.post("/graphql", json={"query": me})
    assert page.status_code == 404
    for refused in (via_get, via_post):  # not an operation of graphql/operations
        assert refused.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    assert allowed.json()["data"]["me"]["isAnonymous"] is True


async def test_readyz_reports_503_when_mongodb_goes_away(tmp_path: Path, token_issuer) -> None:
    server = _load_mongo_server()
    port = server.free_port()
    process = server.start(port=port, storage=":memory:", log_path=tmp_path / "mongo.log")
    settings = make_settings(
        server.uri_for(port), token_issuer.cert_url, "readyz_check", mongodb_timeout_ms=500
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                assert (await http.get("/readyz")).status_code == 200
                server.stop(process)
                down = await http.get("/readyz")
                alive = await http.get("/healthz")
    finally:
        server.stop(process)
    assert down.status_code == 503
    assert down.json()["mongodb"] == "unreachable"
    assert alive.status_code == 200


def test_committed_schema_matches_the_running_schema(settings: Settings) -> None:
    from api.schema import SCHEMA_PATH, build_schema

    assert SCHEMA_PATH == ROOT / "graphql" / "schema.graphql"
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == build_schema(settings).as_str() + "\n", (
        "graphql/schema.graphql is out of date: run `.venv/bin/xuthanh export-schema`"
    )
