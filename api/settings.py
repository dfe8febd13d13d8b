"""All configuration, from environment variables (see the README's table)."""

import secrets
from enum import Enum
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.registry import MODULES
from domains.kernel.crypto import new_key_text, parse_keys

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(Enum):
    DEVELOPMENT = "development"
    TEST = "test"
    # Every production hardening, except that a local FCM-protocol server (FCM_ENDPOINT) and
    # locally made sign-in certificates (FIREBASE_CERT_URL) are allowed: the replica test.
    STAGING = "staging"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """The process cannot start with this configuration; the message says what to change."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    app_env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = 8000
    # Proxies whose X-Forwarded-For/-Proto uvicorn trusts (comma-separated addresses or
    # networks, or "*"): the load balancer's, so rate limits and logs see the client's address.
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "INFO"

    mongodb_uri: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongodb_database: str = "xuthanh"
    mongodb_timeout_ms: int = 5000

    firebase_project_id: str | None = None
    # A service-account JSON file; in production, application default credentials also do.
    firebase_credentials_file: Path | None = None
    google_application_credentials: Path | None = Field(
        default=None, alias="GOOGLE_APPLICATION_CREDENTIALS"
    )
    # On Google Cloud, credentials come from the metadata server: say so explicitly.
    firebase_use_metadata_credentials: bool = False
    # Set by Google's tooling to route Auth to an emulator, which makes the SDK accept unsigned
    # tokens: only ever allowed in development and tests.
    firebase_auth_emulator_host: str | None = Field(
        default=None, alias="FIREBASE_AUTH_EMULATOR_HOST"
    )
    # Where ID-token signing certificates are fetched; overridden only by tests.
    firebase_cert_url: str | None = None
    # The staff console's sign-in with Firebase Authentication (its web API key, which is not a
    # secret; the auth domain defaults to <project>.firebaseapp.com). Unset: no email sign-in.
    console_firebase_api_key: str | None = None
    console_firebase_auth_domain: str | None = None

    # Development sign-in without Google (`xuthanh dev-token`); on by default outside production.
    dev_tokens_enabled: bool | None = None
    dev_token_secret: SecretStr | None = None
    dev_token_secret_file: Path = PROJECT_ROOT / "var" / "dev-token-secret"

    # Notification worker (`xuthanh worker`). FCM_ENDPOINT sends FCM traffic to a local
    # FCM-protocol server (tests, benchmarks): refused in production.
    fcm_endpoint: str | None = None
    notification_max_attempts: int = Field(default=8, ge=1, le=50)
    notification_lease_seconds: int = Field(default=60, ge=5, le=3600)
    notification_concurrency: int = Field(default=3, ge=1, le=16)
    # A fan-out batch whose devices were read longer ago than this looks at those changed since.
    notification_device_recheck_seconds: float = Field(default=5.0, ge=0, le=3600)

    # Introspection: on by default outside production, off by default in production.
    graphql_introspection: bool | None = None
    # /metrics: in production only with `Authorization: Bearer <METRICS_TOKEN>` (without a token
    # set it answers 404); elsewhere open.
    metrics_token: SecretStr | None = None
    # Also ask Firebase whether a token was revoked (or its user disabled) on every sign-in: a
    # call to Google per request, so off by default.
    firebase_check_revoked: bool = False
    # registerDevice needs a valid Firebase App Check token (X-Firebase-AppCheck): on by default
    # in production, so scripts cannot register tokens by the million.
    device_app_check: bool | None = None
    # Keys of the encryption at rest of reasons for visit and BHYT numbers: "id:base64,..."
    # (32 random bytes each; the first encrypts, all decrypt: `xuthanh rotate-key`). Required
    # in production; elsewhere kept in var/ (created on first use).
    field_encryption_keys: SecretStr | None = None
    field_encryption_keys_file: Path = PROJECT_ROOT / "var" / "field-encryption-keys"
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 15
    graphql_max_tokens: int = 2000
    # A request body over this is answered 413; a string (in the document or the variables)
    # over this many characters is bad input; an operation whose estimated cost (fields times
    # page sizes, api/limits.py) is over this is refused.
    graphql_max_body_bytes: int = Field(default=512 * 1024, ge=1024)
    # A GraphQL multipart request (up to 3 report photos of at most 8 MB each) may be this big.
    graphql_max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    graphql_max_string_length: int = Field(default=10_000, ge=100)
    graphql_max_cost: int = Field(default=30_000, ge=100)
    # Live updates (websocket): open connections per signed-in user (or per address when
    # anonymous) in one process, and subscriptions per connection.
    graphql_ws_connections_per_user: int = Field(default=5, ge=1, le=100)
    graphql_ws_subscriptions_per_connection: int = Field(default=10, ge=1, le=100)
    # Persisted queries: only the documents of graphql/operations run (default: in production);
    # otherwise Apollo's automatic persisted queries, at most this many stored.
    graphql_allow_list: bool | None = None
    graphql_persisted_queries_max: int = Field(default=5000, ge=10, le=1_000_000)

    @property
    def introspection_enabled(self) -> bool:
        if self.graphql_introspection is None:
            return not self.is_production
        return self.graphql_introspection

    @property
    def app_check_active(self) -> bool:
        return self.is_production if self.device_app_check is None else self.device_app_check

    @property
    def allow_list_active(self) -> bool:
        return self.is_production if self.graphql_allow_list is None else self.graphql_allow_list

    @property
    def is_production(self) -> bool:
        """Every production hardening applies: production, and staging."""
        return self.app_env in (Environment.PRODUCTION, Environment.STAGING)

    @property
    def local_services_allowed(self) -> bool:
        """A local FCM-protocol server and locally made sign-in certificates may be used."""
        return self.app_env is not Environment.PRODUCTION

    @property
    def dev_tokens_active(self) -> bool:
        if self.dev_tokens_enabled is None:
            return not self.is_production
        return self.dev_tokens_enabled

    @property
    def graphiql_enabled(self) -> bool:
        return not self.is_production

    @property
    def firebase_project(self) -> str:
        return self.firebase_project_id or "xuthanh-dev"

    @cached_property
    def dev_secret(self) -> str:
        """Secret for development tokens: configured, else kept in var/ (created on first use)."""
        if self.dev_token_secret is not None:
            return self.dev_token_secret.get_secret_value()
        path = self.dev_token_secret_file
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(32)
        path.write_text(secret)
        path.chmod(0o600)
        return secret

    def field_keys(self) -> str:
        """The configured keys, else (outside production) the ones kept in var/."""
        if self.field_encryption_keys is not None:
            return self.field_encryption_keys.get_secret_value()
        path = self.field_encryption_keys_file
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_key_text("dev1"))
        path.chmod(0o600)
        return path.read_text().strip()

    def check(self, *, api: bool = True, serving: bool = True) -> None:
        """Refuse configurations that are unsafe in production (and staging), naming the variable
        to fix. ``api``: this process serves the API, so each domain's settings count too (the
        worker and maintenance commands need no CHAT_SESSION_SECRET). ``serving``: the API or
        the worker, which refuse to start when APP_ENV was not given at all (`make run` and the
        tests set it): a forgotten APP_ENV must not mean development tokens in a deployment."""
        if serving and "app_env" not in self.model_fields_set:
            raise ConfigurationError(
                "APP_ENV is not set: set APP_ENV=production (or staging, or development for a "
                "machine of your own; `make run` sets it)."
            )
        if not self.is_production:
            return
        refusals = self._refusals()
        if api:
            refusals.extend(self.field_key_refusals())
            # Each domain's own settings (e.g. CHAT_SESSION_SECRET, declared by the chatbot relay).
            for module in MODULES:
                if module.production_refusals is not None:
                    refusals.extend(module.production_refusals())
        if refusals:
            raise ConfigurationError(
                f"Refusing to start with APP_ENV={self.app_env.value}:\n- " + "\n- ".join(refusals)
            )

    def field_key_refusals(self) -> list[str]:
        """What the API (and `xuthanh rotate-key`) need to encrypt fields at rest."""
        if self.field_encryption_keys is None:
            return [
                "FIELD_ENCRYPTION_KEYS is not set: reasons for visit and BHYT numbers must be "
                "encrypted under a key kept outside the database (`xuthanh rotate-key --help`)."
            ]
        try:
            parse_keys(self.field_encryption_keys.get_secret_value())
        except ValueError as error:
            return [f"FIELD_ENCRYPTION_KEYS: {error}."]
        return []

    def _refusals(self) -> list[str]:
        refusals = []
        if self.firebase_auth_emulator_host:
            refusals.append(
                "FIREBASE_AUTH_EMULATOR_HOST is set: the Firebase SDK would accept unsigned ID "
                "tokens. Unset it."
            )
        if not self.firebase_project_id:
            refusals.append(
                "FIREBASE_PROJECT_ID is not set: ID tokens cannot be checked against a project."
            )
        # Staging may push to a local FCM-protocol server, which needs no Google credentials.
        if not (self.local_services_allowed and self.fcm_endpoint) and not (
            self.firebase_credentials_file
            or self.google_application_credentials
            or self.firebase_use_metadata_credentials
        ):
            refusals.append(
                "No Firebase credentials: set FIREBASE_CREDENTIALS_FILE (service-account JSON), "
                "GOOGLE_APPLICATION_CREDENTIALS, or FIREBASE_USE_METADATA_CREDENTIALS=true on "
                "Google Cloud."
            )
        if self.dev_tokens_enabled:
            refusals.append(
                "DEV_TOKENS_ENABLED is on: development tokens would be accepted. "
                "Unset it or set it to false."
            )
        if self.dev_token_secret is not None:
            refusals.append("DEV_TOKEN_SECRET is set: it is a development-only switch. Unset it.")
        if self.log_level.strip().upper() in ("DEBUG", "NOTSET"):
            refusals.append(
                "LOG_LEVEL=DEBUG: driver logs would hold documents (personal data). Use INFO."
            )
        if self.fcm_endpoint and not self.local_services_allowed:
            refusals.append("FCM_ENDPOINT is set: push must go to Google's FCM. Unset it.")
        if self.firebase_cert_url and not self.local_services_allowed:
            refusals.append(
                "FIREBASE_CERT_URL is set: token certificates must come from Google. Unset it."
            )
        for name, path in (
            ("FIREBASE_CREDENTIALS_FILE", self.firebase_credentials_file),
            ("GOOGLE_APPLICATION_CREDENTIALS", self.google_application_credentials),
        ):
            if path is not None and not path.is_file():
                refusals.append(f"{name}={path} does not exist.")
        return refusals
