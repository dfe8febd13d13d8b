"""Production refuses unsafe configurations, naming the variable to fix."""

from pathlib import Path

import pytest

from api.app import create_app
from api.settings import ConfigurationError, Settings
from domains.kernel.crypto import new_key_text

FIELD_KEYS = new_key_text("k1")


@pytest.fixture(autouse=True)
def chat_session_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared by the chatbot relay, read from the environment (docs/chatbot.md)."""
    monkeypatch.setenv("CHAT_SESSION_SECRET", "c" * 32)


@pytest.fixture
def credentials_file(tmp_path: Path) -> Path:
    path = tmp_path / "service-account.json"
    path.write_text("{}")
    return path


def production(credentials_file: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "app_env": "production",
        "firebase_project_id": "thanhhoa-citizen",
        "firebase_credentials_file": credentials_file,
        "FIREBASE_AUTH_EMULATOR_HOST": None,
        "GOOGLE_APPLICATION_CREDENTIALS": None,
        "dev_token_secret": None,
        "dev_tokens_enabled": None,
        "firebase_cert_url": None,
        "field_encryption_keys": FIELD_KEYS,
    }
    values.update(overrides)
    return Settings(**values)


def test_a_complete_production_configuration_is_accepted(credentials_file: Path) -> None:
    settings = production(credentials_file)
    settings.check()
    assert not settings.dev_tokens_active
    assert not settings.graphiql_enabled


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}, "FIREBASE_AUTH_EMULATOR_HOST"),
        ({"firebase_project_id": None}, "FIREBASE_PROJECT_ID"),
        ({"firebase_credentials_file": None}, "FIREBASE_CREDENTIALS_FILE"),
        (
            {"firebase_credentials_file": Path("/nonexistent/sa.json")},
            "FIREBASE_CREDENTIALS_FILE=/nonexistent/sa.json does not exist",
        ),
        ({"dev_tokens_enabled": True}, "DEV_TOKENS_ENABLED"),
        ({"dev_token_secret": "x" * 32}, "DEV_TOKEN_SECRET"),
        ({"firebase_cert_url": "http://127.0.0.1:1/certs"}, "FIREBASE_CERT_URL"),
        ({"field_encryption_keys": None}, "FIELD_ENCRYPTION_KEYS is not set"),
        ({"field_encryption_keys": "k1:c2hvcnQ"}, "FIELD_ENCRYPTION_KEYS: each key"),
    ],
)
def test_production_refuses_to_start(
    credentials_file: Path, overrides: dict, variable: str
) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        create_app(production(credentials_file, **overrides))


def test_production_refuses_to_start_without_the_chat_session_secret(
    credentials_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHAT_SESSION_SECRET")
    with pytest.raises(ConfigurationError, match="CHAT_SESSION_SECRET"):
        create_app(production(credentials_file))


def test_metadata_credentials_count_as_credentials(credentials_file: Path) -> None:
    production(
        credentials_file, firebase_credentials_file=None, firebase_use_metadata_credentials=True
    ).check()


def test_development_allows_the_emulator_and_dev_tokens() -> None:
    settings = Settings(
        app_env="development",
        FIREBASE_AUTH_EMULATOR_HOST="127.0.0.1:9099",
        dev_token_secret="s" * 32,
    )
    settings.check()
    assert settings.dev_tokens_active


def test_environment_variables_configure_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("GRAPHQL_MAX_DEPTH", "7")
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "localhost:9099")
    settings = Settings()
    assert settings.is_production
    assert settings.graphql_max_depth == 7
    with pytest.raises(ConfigurationError, match="FIREBASE_AUTH_EMULATOR_HOST"):
        settings.check()


def staging(**overrides: object) -> Settings:
    """What the replica test runs: staging with a local FCM server and local certificates."""
    values: dict[str, object] = {
        "app_env": "staging",
        "firebase_project_id": "thanhhoa-citizen",
        "firebase_credentials_file": None,
        "FIREBASE_AUTH_EMULATOR_HOST": None,
        "GOOGLE_APPLICATION_CREDENTIALS": None,
        "dev_token_secret": None,
        "dev_tokens_enabled": None,
        "fcm_endpoint": "http://127.0.0.1:1",
        "firebase_cert_url": "http://127.0.0.1:1/certs",
        "field_encryption_keys": FIELD_KEYS,
    }
    values.update(overrides)
    return Settings(**values)


def test_staging_hardens_as_production_but_allows_local_fcm_and_certificates() -> None:
    settings = staging()
    settings.check()
    assert settings.is_production and settings.local_services_allowed
    assert not settings.dev_tokens_active
    assert not settings.graphiql_enabled
    assert not production(Path(__file__)).local_services_allowed


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}, "FIREBASE_AUTH_EMULATOR_HOST"),
        ({"firebase_project_id": None}, "FIREBASE_PROJECT_ID"),
        ({"dev_tokens_enabled": True}, "DEV_TOKENS_ENABLED"),
        ({"dev_token_secret": "x" * 32}, "DEV_TOKEN_SECRET"),
        # Real FCM needs real credentials, in staging too.
        ({"fcm_endpoint": None}, "FIREBASE_CREDENTIALS_FILE"),
    ],
)
def test_staging_refuses_what_production_refuses(overrides: dict, variable: str) -> None:
    with pytest.raises(ConfigurationError, match=f"APP_ENV=staging:(.|\\n)*{variable}"):
        create_app(staging(**overrides))


def test_staging_needs_the_chat_session_secret_to_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAT_SESSION_SECRET")
    with pytest.raises(ConfigurationError, match="CHAT_SESSION_SECRET"):
        staging().check()
    staging().check(api=False)  # the worker and maintenance commands do not use it


def test_forwarded_allow_ips_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().forwarded_allow_ips == "127.0.0.1"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    assert Settings().forwarded_allow_ips == "10.0.0.0/8"


def test_serving_without_app_env_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment that forgets APP_ENV must not fall back to development (dev tokens on)."""
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(ConfigurationError, match="APP_ENV is not set"):
        create_app(Settings())
    Settings().check(serving=False)  # maintenance commands (export-schema, dev-token) still run
    Settings(app_env="development").check()


def test_production_refuses_debug_logs_and_hides_introspection(credentials_file: Path) -> None:
    with pytest.raises(ConfigurationError, match="LOG_LEVEL=DEBUG"):
        production(credentials_file, log_level="debug").check()
    assert not production(credentials_file).introspection_enabled
    assert production(credentials_file, graphql_introspection=True).introspection_enabled
    assert Settings(app_env="development").introspection_enabled


def test_metrics_need_the_token_in_production(credentials_file: Path) -> None:
    from api.app import metrics_allowed

    closed = production(credentials_file)
    assert not metrics_allowed(closed, None)
    assert not metrics_allowed(closed, "Bearer anything")
    with_token = production(credentials_file, metrics_token="m" * 32)
    assert metrics_allowed(with_token, "Bearer " + "m" * 32)
    assert not metrics_allowed(with_token, "Bearer " + "x" * 32)
    assert not metrics_allowed(with_token, None)
    assert metrics_allowed(Settings(app_env="development"), None)


def test_app_check_is_on_by_default_in_production(credentials_file: Path) -> None:
    assert production(credentials_file).app_check_active
    assert not production(credentials_file, device_app_check=False).app_check_active
    assert not Settings(app_env="development").app_check_active
