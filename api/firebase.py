"""The Firebase Admin app: real credentials in production, a static token elsewhere."""

import asyncio
import itertools
import logging
from typing import Any

import firebase_admin
import google.auth.credentials
import jwt
from firebase_admin import app_check, auth, credentials, exceptions

from api.settings import Settings

logger = logging.getLogger("xuthanh.firebase")
_app_numbers = itertools.count(1)


class StaticAccessToken(google.auth.credentials.Credentials):
    """A Google credential that holds a fixed token and never asks Google for a new one.

    Used outside production, where no service account exists: token verification needs only the
    project id, and push goes to a local FCM-protocol server or the development sink.
    """

    def __init__(self, token: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.token = token
        self.expiry = None

    def refresh(self, request: Any) -> None:
        return None

    @property
    def expired(self) -> bool:
        return False

    @property
    def valid(self) -> bool:
        return True


class StaticCredential(credentials.Base):  # type: ignore[misc]
    def __init__(self, token: str = "development-static-token") -> None:  # noqa: S107 - not a secret
        self._credential = StaticAccessToken(token)

    def get_credential(self) -> google.auth.credentials.Credentials:
        return self._credential


def credential_for(settings: Settings) -> Any:
    path = settings.firebase_credentials_file or settings.google_application_credentials
    if path is not None:
        return credentials.Certificate(str(path))
    if settings.firebase_use_metadata_credentials:
        return credentials.ApplicationDefault()
    return StaticCredential()


def initialize(settings: Settings) -> firebase_admin.App:
    """A Firebase app of our own (named, so tests can hold several); never the global default."""
    app = firebase_admin.initialize_app(
        credential_for(settings),
        options={"projectId": settings.firebase_project},
        name=f"xuthanh-{next(_app_numbers)}",
    )
    if settings.firebase_cert_url and settings.local_services_allowed:
        # The auth client reads the certificate URL once, when it is built: point that one
        # verifier at the local certificate server used by tests.
        client = auth._get_client(app)
        client._token_verifier.id_token_verifier.cert_url = settings.firebase_cert_url
    return app


def close(app: firebase_admin.App) -> None:
    firebase_admin.delete_app(app)


class FirebaseAppCheck:
    """App Check tokens verified by the Firebase Admin SDK (keys fetched from Google, cached)."""

    def __init__(self, app: firebase_admin.App) -> None:
        self.app = app

    async def verify(self, token: str) -> bool:
        try:
            await asyncio.to_thread(app_check.verify_token, token, app=self.app)
        except (ValueError, jwt.PyJWTError):
            return False
        except exceptions.FirebaseError as error:  # Google's keys unreachable: refuse, say why
            logger.warning("App Check keys unavailable", extra={"error": type(error).__name__})
            return False
        return True
