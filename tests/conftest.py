"""Shared fixtures: a MongoDB-protocol server, token issuing, and the app per test module."""

import importlib.util
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.applications import Starlette

from api.app import create_app
from api.auth import mint_dev_token
from api.settings import Settings
from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from tests.support.firebase_tokens import PROJECT_ID, SigningKey, TokenIssuer, certificate_server

ROOT = Path(__file__).resolve().parent.parent
# The processes tests start (the API, the worker, the command line) run this checkout's code, also
# where the virtual environment's editable install points at another checkout (git worktrees
# sharing one environment ran the other checkout's API without a word).
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
DEV_SECRET = "test-only-dev-token-secret-0123456789"


def _load_mongo_server() -> Any:
    spec = importlib.util.spec_from_file_location("mongo_server", ROOT / "scripts/mongo_server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """MONGODB_URI when set (make test sets it; a real MongoDB works too), else our own server."""
    if uri := os.environ.get("MONGODB_URI"):
        yield uri
        return
    server = _load_mongo_server()
    port = server.free_port()
    log = tmp_path_factory.mktemp("secantus") / "secantusd.log"
    process = server.start(port=port, storage=":memory:", log_path=log, test_commands=True)
    try:
        yield server.uri_for(port)
    finally:
        server.stop(process)


@pytest.fixture(scope="session")
def token_issuer() -> Iterator[TokenIssuer]:
    key = SigningKey.generate()
    with certificate_server(key) as url:
        yield TokenIssuer(key=key, cert_url=url)


def make_settings(mongo_uri: str, cert_url: str, database: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "app_env": "test",
        "mongodb_uri": mongo_uri,
        "mongodb_database": database,
        "firebase_project_id": PROJECT_ID,
        "firebase_cert_url": cert_url,
        "dev_token_secret": DEV_SECRET,
        "FIREBASE_AUTH_EMULATOR_HOST": None,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)


def database_name(request: pytest.FixtureRequest) -> str:
    module = re.sub(r"[^A-Za-z0-9]+", "_", request.module.__name__)[-40:]
    return f"t_{module}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def settings(request: pytest.FixtureRequest, mongo_uri: str, token_issuer: TokenIssuer) -> Settings:
    """Settings for a fresh database per test module; a module may override `settings_overrides`."""
    overrides = getattr(request.module, "SETTINGS_OVERRIDES", {})
    return make_settings(mongo_uri, token_issuer.cert_url, database_name(request), **overrides)


@pytest.fixture(scope="module")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        await client.drop_database(settings.mongodb_database)
    finally:
        await client.close()


@pytest.fixture(scope="module")
def db(app: Starlette) -> AsyncDatabase[dict[str, Any]]:
    database: AsyncDatabase[dict[str, Any]] = app.state.runtime.db
    return database


@pytest.fixture(scope="module")
def resources(app: Starlette) -> Resources:
    """What the app's use cases run against (database, key locks, wired components)."""
    wired: Resources = app.state.runtime.resources
    return wired


class GraphQLClient:
    """Posts GraphQL to the app over ASGI, as a mobile client would."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=all_headers
        )

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The JSON body of a 200 answer (any other status fails the test)."""
        response = await self.post(query, variables, token=token, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture(scope="session")
def dev_token() -> Any:
    """Development tokens (accepted in test settings) for role matrices."""

    def make(
        uid: str,
        *roles: Role,
        hospitals: tuple[str, ...] = (),
        schools: tuple[str, ...] = (),
        stations: tuple[str, ...] = (),
    ) -> str:
        return mint_dev_token(
            secret=DEV_SECRET,
            uid=uid,
            roles=roles,
            hospital_ids=hospitals,
            school_ids=schools,
            station_ids=stations,
        )

    return make
