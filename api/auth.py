"""Sign-in: Firebase ID tokens (and development tokens outside production) to a Principal."""

import asyncio
import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import firebase_admin
import jwt
from firebase_admin import auth as firebase_auth

from api.settings import Settings
from domains.accounts.grant_list import GrantList
from domains.accounts.service import load_principal
from domains.kernel.auth import ANONYMOUS, Principal, Role
from domains.kernel.types import Database

logger = logging.getLogger("xuthanh.auth")

DEV_ISSUER = "xuthanh-dev-token"
DEV_AUDIENCE = "xuthanh-development"


class AuthenticationFailed(Exception):
    """The request carried credentials that are not valid: answered 401, never anonymous."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthUnavailable(Exception):
    """Google's signing certificates could not be fetched: answered 503 (try again)."""


def mint_dev_token(
    *,
    secret: str,
    uid: str,
    roles: Iterable[Role] = (),
    hospital_ids: Iterable[str] = (),
    school_ids: Iterable[str] = (),
    station_ids: Iterable[str] = (),
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """A development token: accepted only by servers with development tokens on."""
    now = datetime.now(UTC)
    claims = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": uid,
        "iat": now,
        "exp": now + ttl,
        "roles": sorted(role.value for role in roles),
        "hospitalIds": sorted(hospital_ids),
        "schoolIds": sorted(school_ids),
        "stationIds": sorted(station_ids),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def _is_dev_token(token: str) -> bool:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return header.get("alg") == "HS256" and claims.get("iss") == DEV_ISSUER


@dataclass(frozen=True, slots=True)
class _Verified:
    development: bool
    claims: dict[str, Any]
    expires: float


class VerifiedTokens:
    """The claims of tokens this process verified, each kept until its own ``exp``.

    A client sends the same ID token with every request for up to an hour, and checking its
    signature again each time (in a thread, for Firebase) was the larger part of sign-in's CPU.
    A verified token stays valid until it expires whatever happens, so nothing is lost by
    remembering the answer; a token is never taken from here at or after its ``exp``. Tokens
    are keyed by their SHA-256, not kept. With ``firebase_check_revoked`` on, Firebase tokens
    are not kept (revocation is checked with Firebase each time). Bounded: the oldest go first.
    """

    def __init__(self, capacity: int = 4096, clock: Callable[[], float] = time.time) -> None:
        self.capacity = capacity
        self._clock = clock
        self._entries: dict[bytes, _Verified] = {}

    @staticmethod
    def key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, key: bytes) -> _Verified | None:
        found = self._entries.get(key)
        if found is not None and self._clock() >= found.expires:
            del self._entries[key]
            return None
        return found

    def put(self, key: bytes, claims: dict[str, Any], *, development: bool) -> None:
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or isinstance(expires, bool):
            return
        while len(self._entries) >= self.capacity:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = _Verified(development, claims, float(expires))


def _auth_time(claims: dict[str, Any]) -> datetime | None:
    """When the user signed in (seconds since the epoch in ``auth_time``), if the token says."""
    value = claims.get("auth_time")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


@dataclass(frozen=True, slots=True)
class SignIn:
    """Who signed in, and until when their token is valid (None: anonymous)."""

    principal: Principal
    expires_at: datetime | None


def _expiry(claims: dict[str, Any]) -> datetime | None:
    exp = claims.get("exp")
    return datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None


class Authenticator:
    def __init__(
        self,
        settings: Settings,
        firebase_app: firebase_admin.App,
        grants: GrantList | None = None,
    ) -> None:
        """``grants``: the process's copy of the grants, read instead of MongoDB while its
        change feed keeps it current (domains/accounts/grant_list.py)."""
        self.settings = settings
        self.firebase_app = firebase_app
        self.grants = grants
        self.verified = VerifiedTokens()

    async def authenticate(self, authorization: str | None, db: Database) -> Principal:
        """The principal for an Authorization header value; no header means anonymous."""
        return (await self.sign_in(authorization, db)).principal

    async def sign_in(self, authorization: str | None, db: Database) -> SignIn:
        """``authenticate``, with the token's expiry (a websocket is closed then)."""
        if authorization is None or not authorization.strip():
            return SignIn(ANONYMOUS, None)
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationFailed(
                "The Authorization header must be `Bearer <Firebase ID token>`."
            )
        key = VerifiedTokens.key(token)
        known = self.verified.get(key)
        if known is not None:
            development, claims = known.development, known.claims
        else:
            development = _is_dev_token(token)
            claims = self._dev_claims(token) if development else await self._verify_firebase(token)
            if development or not self.settings.firebase_check_revoked:
                self.verified.put(key, claims, development=development)
        if development:
            return await self._dev_principal(claims, db)
        principal = await load_principal(db=db, uid=str(claims["uid"]), grants=self.grants)
        firebase = claims.get("firebase")
        provider = firebase.get("sign_in_provider") if isinstance(firebase, dict) else None
        principal = dataclasses.replace(
            principal, signed_in_at=_auth_time(claims), anonymous=provider == "anonymous"
        )
        return SignIn(principal, _expiry(claims))

    async def _verify_firebase(self, token: str) -> dict[str, Any]:
        try:
            # verify_id_token is synchronous (it may fetch certificates): keep it off the loop.
            claims = await asyncio.to_thread(
                firebase_auth.verify_id_token,
                token,
                app=self.firebase_app,
                check_revoked=self.settings.firebase_check_revoked,
            )
        except (firebase_auth.RevokedIdTokenError, firebase_auth.UserDisabledError) as error:
            raise AuthenticationFailed("This sign-in was revoked: sign in again.") from error
        except firebase_auth.ExpiredIdTokenError as error:
            raise AuthenticationFailed("The ID token has expired: refresh it and retry.") from error
        except firebase_auth.CertificateFetchError as error:
            logger.warning("could not fetch token certificates", extra={"error": str(error)})
            raise AuthUnavailable() from error
        except (firebase_auth.InvalidIdTokenError, ValueError) as error:
            logger.info("rejected ID token", extra={"reason": type(error).__name__})
            raise AuthenticationFailed("The ID token is not valid for this project.") from error
        return dict(claims)

    def _dev_claims(self, token: str) -> dict[str, Any]:
        if not self.settings.dev_tokens_active:
            raise AuthenticationFailed("Development tokens are not accepted by this server.")
        try:
            claims = jwt.decode(
                token,
                self.settings.dev_secret,
                algorithms=["HS256"],
                audience=DEV_AUDIENCE,
                issuer=DEV_ISSUER,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise AuthenticationFailed("The development token has expired.") from error
        except jwt.PyJWTError as error:
            raise AuthenticationFailed(
                "The development token is not valid for this server (was it made with "
                "`xuthanh dev-token` against the same var/ folder?)."
            ) from error
        return dict(claims)

    async def _dev_principal(self, claims: dict[str, Any], db: Database) -> SignIn:
        granted = await load_principal(db=db, uid=str(claims["sub"]), grants=self.grants)
        known = {role.value: role for role in Role}
        principal = Principal(
            uid=granted.uid,
            roles=granted.roles | {known[r] for r in claims.get("roles", []) if r in known},
            hospital_ids=granted.hospital_ids | set(claims.get("hospitalIds", [])),
            school_ids=granted.school_ids | set(claims.get("schoolIds", [])),
            signed_in_at=_auth_time({"auth_time": claims.get("auth_time", claims.get("iat"))}),
            station_ids=granted.station_ids | set(claims.get("stationIds", [])),
        )
        return SignIn(principal, _expiry(claims))


class RouteSignIn:
    """The sign-in of plain HTTP endpoints (``domains.kernel.http.ROUTE_SIGN_IN``)."""

    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator

    async def principal(self, authorization: str | None, db: Database) -> Principal | None:
        try:
            return await self.authenticator.authenticate(authorization, db)
        except (AuthenticationFailed, AuthUnavailable):
            return None
