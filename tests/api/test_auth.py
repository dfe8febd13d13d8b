"""Sign-in through the real firebase-admin verification path, and development tokens."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from api.app import create_app
from api.auth import VerifiedTokens
from api.settings import Settings
from domains.accounts.service import bootstrap_grant
from domains.kernel.auth import Role
from tests.conftest import GraphQLClient
from tests.support.firebase_tokens import SigningKey, TokenIssuer

ME = "{ me { uid isAnonymous roles hospitalIds } }"


async def test_no_token_is_an_anonymous_visitor(gql: GraphQLClient) -> None:
    body = await gql(ME)
    assert body["data"]["me"] == {"uid": None, "isAnonymous": True, "roles": [], "hospitalIds": []}


async def test_valid_firebase_token_signs_the_user_in(
    gql: GraphQLClient, token_issuer: TokenIssuer
) -> None:
    body = await gql(ME, token=token_issuer.token("citizen-a"))
    assert body["data"]["me"] == {
        "uid": "citizen-a",
        "isAnonymous": False,
        "roles": ["CITIZEN"],
        "hospitalIds": [],
    }


async def test_roles_granted_in_the_database_apply(
    gql: GraphQLClient, db, token_issuer: TokenIssuer
) -> None:
    # Written as `xuthanh grant` does, from another process: the app's change feed brings it.
    await bootstrap_grant(db=db, uid="nurse-1", role=Role.HOSPITAL_STAFF, hospital_id="h-1")
    token = token_issuer.token("nurse-1")
    deadline = asyncio.get_running_loop().time() + 20  # a guard, not a wait
    while (me := (await gql(ME, token=token))["data"]["me"])["roles"] == ["CITIZEN"]:
        assert asyncio.get_running_loop().time() < deadline, "the grant never applied"
        await asyncio.sleep(0.02)
    assert me["roles"] == ["CITIZEN", "HOSPITAL_STAFF"]
    assert me["hospitalIds"] == ["h-1"]


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"expires_in": timedelta(seconds=-30)}, id="expired"),
        pytest.param({"audience": "some-other-project"}, id="wrong-audience"),
        pytest.param(
            {"issuer": "https://securetoken.google.com/some-other-project"}, id="wrong-issuer"
        ),
        pytest.param({"kid": "no-such-key-id"}, id="unknown-key-id"),
        pytest.param({"sign_with": "other"}, id="bad-signature"),
    ],
)
async def test_invalid_tokens_are_rejected_not_downgraded(
    gql: GraphQLClient, token_issuer: TokenIssuer, broken: dict
) -> None:
    if broken.get("sign_with") == "other":
        broken = {"sign_with": token_issuer.other_key}
    response = await gql.post(ME, token=token_issuer.token("mallory", **broken))
    assert response.status_code == 401
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "token"])
async def test_malformed_authorization_headers_are_rejected(
    gql: GraphQLClient, header: str
) -> None:
    response = await gql.post(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_development_token_carries_roles(gql: GraphQLClient, dev_token) -> None:
    token = dev_token("staff-7", Role.HOSPITAL_STAFF, hospitals=("h-9",))
    body = await gql(ME, token=token)
    assert body["data"]["me"] == {
        "uid": "staff-7",
        "isAnonymous": False,
        "roles": ["CITIZEN", "HOSPITAL_STAFF"],
        "hospitalIds": ["h-9"],
    }


async def test_development_token_signed_with_another_secret_is_rejected(gql: GraphQLClient) -> None:
    from api.auth import mint_dev_token

    token = mint_dev_token(
        secret="someone-elses-secret-0123456789abcdef", uid="x", roles=[Role.ADMIN]
    )
    response = await gql.post(ME, token=token)
    assert response.status_code == 401


async def test_server_without_dev_tokens_refuses_them(settings, dev_token) -> None:
    import httpx

    strict = create_app(settings.model_copy(update={"dev_tokens_enabled": False}))
    async with strict.router.lifespan_context(strict):
        transport = httpx.ASGITransport(app=strict)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.post(
                "/graphql",
                json={"query": ME},
                headers={"Authorization": f"Bearer {dev_token('admin-1', Role.ADMIN)}"},
            )
    assert response.status_code == 401
    assert "not accepted" in response.json()["errors"][0]["message"]


def test_signing_keys_differ() -> None:
    # Guards the bad-signature case above: it is only meaningful with two distinct keys.
    first, second = SigningKey.generate(), SigningKey.generate()
    assert first.certificate_pem != second.certificate_pem


async def test_revoked_tokens_are_refused_when_revocation_is_checked(
    settings: Settings, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FIREBASE_CHECK_REVOKED asks Firebase about each token; a revoked one is a 401."""
    from firebase_admin import auth as firebase_auth

    from api.auth import AuthenticationFailed, Authenticator

    asked: list[bool] = []

    def verify(token: str, app: Any = None, check_revoked: bool = False, **_: Any) -> Any:
        asked.append(check_revoked)
        raise firebase_auth.RevokedIdTokenError("The Firebase ID token has been revoked.")

    monkeypatch.setattr(firebase_auth, "verify_id_token", verify)
    checking = Authenticator(settings.model_copy(update={"firebase_check_revoked": True}), None)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        await checking.authenticate("Bearer some.firebase.token", db)
    assert asked == [True]


async def test_a_token_is_checked_once_and_not_remembered_past_its_expiry(
    gql: GraphQLClient, token_issuer: TokenIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from firebase_admin import auth as firebase_auth

    checked: list[str] = []
    verify = firebase_auth.verify_id_token

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        checked.append(token)
        return verify(token, *args, **kwargs)

    monkeypatch.setattr(firebase_auth, "verify_id_token", counted)
    token = token_issuer.token("citizen-c")
    for _ in range(3):
        assert (await gql(ME, token=token))["data"]["me"]["uid"] == "citizen-c"
    assert checked == [token]

    now = [1_000.0]
    remembered = VerifiedTokens(capacity=2, clock=lambda: now[0])
    for name in ("a", "b", "c"):
        remembered.put(VerifiedTokens.key(name), {"uid": name, "exp": 1_010}, development=False)
    remembered.put(VerifiedTokens.key("d"), {"uid": "d"}, development=False)  # no exp: not kept
    assert remembered.get(VerifiedTokens.key("a")) is None  # the oldest went first
    found = remembered.get(VerifiedTokens.key("c"))
    assert found is not None and found.claims["uid"] == "c"
    assert remembered.get(VerifiedTokens.key("d")) is None
    now[0] = 1_010.0  # its exp: no longer valid, so no longer remembered
    assert remembered.get(VerifiedTokens.key("c")) is None
