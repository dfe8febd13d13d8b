"""Behind a load balancer, the anonymous chat limit counts each visitor's own address (from
X-Forwarded-For, believed only from FORWARDED_ALLOW_IPS), not the balancer's for everyone."""

import argparse
import time
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import cli
from api.settings import Settings
from domains.kernel.resources import Resources
from tests.conftest import GraphQLClient
from tests.domains.chatbot.test_send_chat_message import SEND, FakeRasa, restart_with_env

BALANCER = "10.0.0.7"


@pytest.fixture(scope="module")
def rasa() -> Any:
    with FakeRasa() as server:
        yield server


async def second_visitor_answer(app: Starlette, trusted: str) -> str:
    """Visitor 1 uses up the per-address limit (2 a minute); what visitor 2 then gets."""
    wrapped = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # as `xuthanh serve` runs it
    transport = httpx.ASGITransport(app=wrapped, client=(BALANCER, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gql = GraphQLClient(client)

        async def say(visitor: str) -> str:
            body = await gql(
                SEND, {"input": {"text": "xin chào"}}, headers={"X-Forwarded-For": visitor}
            )
            return str(body["data"]["sendChatMessage"]["__typename"])

        for _ in range(2):
            assert await say("203.0.113.1") == "ChatReply"
        return await say("198.51.100.2")


@pytest.mark.parametrize(
    ("trusted", "expected"), [("10.0.0.0/8", "ChatReply"), ("127.0.0.1", "ChatRateLimited")]
)
async def test_the_chat_limit_counts_visitors_behind_a_trusted_proxy(
    app: Starlette,
    monkeypatch: pytest.MonkeyPatch,
    resources: Resources,
    rasa: FakeRasa,
    trusted: str,
    expected: str,
) -> None:
    monkeypatch.setenv("RASA_URL", rasa.url)
    monkeypatch.setenv("CHAT_SESSION_SECRET", "test-chat-secret-0123456789abcdef")
    monkeypatch.setenv("CHAT_MESSAGES_PER_MINUTE_IP", "2")
    for _ in range(3):  # a window is a minute: try again if one ended during the attempt
        await resources.db["chat_rate_limits"].delete_many({})
        minute = int(time.time() // 60)
        restart_with_env(resources)
        answer = await second_visitor_answer(app, trusted)
        if int(time.time() // 60) == minute:
            break
    assert answer == expected


async def test_serve_believes_forwarded_addresses_only_from_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: dict[str, Any] = {}
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(app=app, **options))
    monkeypatch.setattr("api.app.create_app", lambda settings, **options: app)
    settings = Settings(app_env="test", forwarded_allow_ips="10.0.0.0/8")
    cli.cmd_serve(settings, argparse.Namespace(host=None, port=None))
    assert served["proxy_headers"] is False  # rewritten inside the served stack instead

    for peer in (BALANCER, "192.168.1.9"):
        transport = httpx.ASGITransport(app=served["app"], client=(peer, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert [tuple(client) for client in seen] == [("203.0.113.9", 0), ("192.168.1.9", 4000)]
