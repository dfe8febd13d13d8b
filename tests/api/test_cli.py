"""The `xuthanh` command line: the first admin, development tokens, the schema file."""

import subprocess

import jwt
import pytest
from pymongo import MongoClient

from api.cli import main
from tests.conftest import DEV_SECRET, ROOT


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, mongo_uri: str) -> str:
    database = "cli_test"
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    monkeypatch.setenv("MONGODB_DATABASE", database)
    monkeypatch.setenv("DEV_TOKEN_SECRET", DEV_SECRET)
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    yield database
    with MongoClient(mongo_uri) as client:
        client.drop_database(database)


def test_grant_creates_the_first_admin(cli_env: str, mongo_uri: str) -> None:
    assert main(["grant", "--uid", "first-admin", "--role", "admin"]) == 0
    with MongoClient(mongo_uri) as client:
        grant = client[cli_env].grants.find_one({"_id": "first-admin"})
    assert grant is not None and grant["roles"] == ["admin"] and grant["updatedBy"] == "cli"


def test_grant_without_a_scope_explains_what_is_missing(
    cli_env: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["grant", "--uid", "nurse", "--role", "hospital_staff"]) == 2
    assert "needs `hospitalId`" in capsys.readouterr().err


def test_dev_token_is_signed_for_this_server(cli_env: str, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["dev-token", "--uid", "doctor-1", "--role", "hospital_staff", "--hospital", "h-1"])
        == 0
    )
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, DEV_SECRET, algorithms=["HS256"], audience="xuthanh-development")
    assert claims["sub"] == "doctor-1"
    assert claims["roles"] == ["hospital_staff"] and claims["hospitalIds"] == ["h-1"]


def test_dev_token_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("FIREBASE_PROJECT_ID", "p")
    monkeypatch.setenv("FIREBASE_USE_METADATA_CREDENTIALS", "true")
    monkeypatch.setenv("CHAT_SESSION_SECRET", "c" * 32)
    monkeypatch.delenv("DEV_TOKEN_SECRET", raising=False)
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    assert main(["dev-token", "--uid", "x", "--role", "admin"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Development tokens are off" in captured.err


def test_production_refusal_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("FIREBASE_PROJECT_ID", raising=False)
    assert main(["create-indexes"]) == 2
    assert "FIREBASE_PROJECT_ID" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/xuthanh"), "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "seed", "create-indexes", "export-schema", "dev-token", "grant"):
        assert command in result.stdout
