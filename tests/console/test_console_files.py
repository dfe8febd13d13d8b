"""/console/: the built files with a strict Content-Security-Policy, a hint when the console
has not been built, and the development sign-in (demo staff) only where development tokens work."""

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.console import (
    DIST,
    ConsoleFiles,
    client_config,
    console_routes,
    content_security_policy,
)
from api.persisted import canonical_operations, load_allow_list, sha256
from api.settings import Settings
from graphql import parse
from tests.conftest import GraphQLClient

built = pytest.mark.skipif(
    not (DIST / "index.html").is_file(), reason="console/ not built (make test builds it)"
)


@built
async def test_console_is_served_with_a_strict_policy(http: httpx.AsyncClient) -> None:
    response = await http.get("/console/")
    assert response.status_code == 200 and '<script type="module"' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'none'" in policy
    assert "unsafe" not in policy and "https:" not in policy  # no CDN, no inline code
    assert response.headers["x-frame-options"] == "DENY"
    assert (await http.get("/console", follow_redirects=False)).headers["location"] == "/console/"


async def test_an_unbuilt_console_says_how_to_build_it(tmp_path: Path, settings: Settings) -> None:
    transport = httpx.ASGITransport(app=ConsoleFiles(settings, directory=tmp_path))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/")
    assert response.status_code == 503 and "make run" in response.text


async def test_demo_staff_sign_in(http: httpx.AsyncClient, gql: GraphQLClient) -> None:
    staff = (await http.get("/console/dev/staff")).json()
    first = staff[0]
    assert first["uid"] == "demo-staff-bv-da-khoa-tinh-thanh-hoa"
    token = (await http.post("/console/dev/token", json={"uid": first["uid"]})).json()["token"]
    me = await gql("{ me { uid roles hospitalIds } }", token=token)
    assert me["data"]["me"] == {
        "uid": first["uid"],
        "roles": ["CITIZEN", "HOSPITAL_STAFF"],
        "hospitalIds": ["bv-da-khoa-tinh-thanh-hoa"],
    }
    refused = await http.post("/console/dev/token", json={"uid": "someone-else"})
    assert refused.status_code == 404


def test_no_demo_sign_in_without_development_tokens(settings: Settings) -> None:
    paths: list[Any] = [
        getattr(route, "path", "")
        for route in console_routes(settings.model_copy(update={"dev_tokens_enabled": False}))
    ]
    assert "/console/dev/token" not in paths and "/console/dev/staff" not in paths


async def test_config_says_how_staff_sign_in(http: httpx.AsyncClient, settings: Settings) -> None:
    assert (await http.get("/console/config.json")).json() == {"firebase": None, "devSignIn": True}
    production = settings.model_copy(
        update={"console_firebase_api_key": "AIza-web-key", "dev_tokens_enabled": False}
    )
    assert client_config(production) == {
        "firebase": {
            "apiKey": "AIza-web-key",
            "authDomain": f"{production.firebase_project}.firebaseapp.com",
            "projectId": production.firebase_project,
        },
        "devSignIn": False,
    }
    # Firebase Authentication's endpoints, and nothing else, join 'self' when it is on.
    policy = content_security_policy(production)
    assert "connect-src 'self' https://identitytoolkit.googleapis.com " in policy
    assert "connect-src 'self';" in content_security_policy(settings)


GENERATED = DIST.parent / "src" / "gql" / "graphql.ts"


@pytest.mark.skipif(not GENERATED.is_file(), reason="console/ not built (make test builds it)")
def test_every_document_the_console_sends_is_on_the_production_allow_list() -> None:
    sent = re.findall(r"new TypedDocumentString\(`(.*?)`", GENERATED.read_text("utf-8"), re.S)
    allowed = load_allow_list()
    names = []
    for document in sent:
        for name, body in canonical_operations(parse(document)).items():
            assert sha256(body) in allowed, f"{name} is not in api/persisted_queries.json"
            names.append(name)
    assert "PublishSlotsPreview" in names and "ConsoleCheckIn" in names
