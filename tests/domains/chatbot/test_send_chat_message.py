"""sendChatMessage through /graphql, with a local server speaking Rasa's REST-channel protocol.

These tests look at what leaves the API (masked text, hashed sender ids) and at how it behaves
when the assistant is down or slow; tests/domains/chatbot/test_assistant_e2e.py runs the real
Rasa server and action server.
"""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from bson import ObjectId
from starlette.applications import Starlette

from domains.chatbot.module import MODULE as CHATBOT
from domains.chatbot.ports import PLACE_NAMES
from domains.kernel.resources import Resources
from domains.tourism.catalogues import ATTRACTION_INDEX
from tests.conftest import GraphQLClient

SEND = """
mutation Send($input: SendChatMessageInput!) {
  sendChatMessage(input: $input) {
    __typename
    ... on ChatReply {
      sessionId degraded
      messages { text buttons { title payload } links { title url } }
    }
    ... on ChatRateLimited { message code retryAfterSeconds }
    ... on ValidationFailed { message code field }
  }
}
"""


class FakeRasa:
    """Answers like Rasa's /webhooks/rest/webhook and records every request it got."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0
        self.status = 200
        # Cleared: requests wait until it is set again (an assistant that does not answer).
        self.answering = threading.Event()
        self.answering.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, **body})
                outer.answering.wait()
                time.sleep(outer.delay)
                reply = [
                    {
                        "recipient_id": body["sender"],
                        "text": f"echo: {body['message']}",
                        "buttons": [{"title": "Lệ phí", "payload": "/ask_procedure_fee"}],
                    },
                    {
                        "recipient_id": body["sender"],
                        "custom": {
                            "links": [
                                {"title": "Portal", "url": "https://dichvucong.gov.vn"},
                                {"title": "bad", "url": "javascript:alert(1)"},
                            ],
                            "fallback_stage": 1,
                        },
                    },
                ]
                data = json.dumps(reply).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeRasa":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.answering.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa() as server:
        yield server


def restart_with_env(resources: Resources) -> None:
    """The relay reads its settings once per process: read them again, as a restart would."""
    assert CHATBOT.wire is not None
    CHATBOT.wire(resources)


@pytest.fixture(autouse=True)
def chat_env(
    monkeypatch: pytest.MonkeyPatch, rasa: FakeRasa, resources: Resources
) -> Iterator[FakeRasa]:
    rasa.requests.clear()
    rasa.delay = 0.0
    rasa.status = 200
    monkeypatch.setenv("RASA_URL", rasa.url)
    # Generous: a loaded machine must not turn a normal answer into a timeout.
    monkeypatch.setenv("CHAT_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("CHAT_SESSION_SECRET", "test-chat-secret-0123456789abcdef")
    monkeypatch.setenv("CHAT_MESSAGES_PER_MINUTE_IP", "1000")
    restart_with_env(resources)
    yield rasa


async def send(gql: GraphQLClient, text: str, **extra: Any) -> dict[str, Any]:
    token = extra.pop("token", None)
    body = await gql(SEND, {"input": {"text": text, **extra}}, token=token)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["sendChatMessage"]
    return result


async def test_reply_carries_text_buttons_and_safe_links(gql: GraphQLClient) -> None:
    reply = await send(gql, "lệ phí đổi bằng lái xe", lang="VI")
    assert reply["__typename"] == "ChatReply"
    assert reply["degraded"] is False
    [message] = reply["messages"]
    assert message["text"] == "echo: lệ phí đổi bằng lái xe"
    assert message["buttons"] == [{"title": "Lệ phí", "payload": "/ask_procedure_fee"}]
    # Only web links reach the app.
    assert message["links"] == [{"title": "Portal", "url": "https://dichvucong.gov.vn"}]


async def test_personal_numbers_are_masked_before_reaching_the_assistant(
    gql: GraphQLClient, chat_env: FakeRasa
) -> None:
    text = "tôi là 0912345678, cccd 038123456789, bhyt DN4012345678901, hỏi thủ tục 1.001193"
    await send(gql, text)
    sent = chat_env.requests[-1]
    assert sent["path"] == "/webhooks/rest/webhook"
    for secret in ("0912345678", "038123456789", "DN4012345678901"):
        assert secret not in json.dumps(sent)
    assert "<phone>" in sent["message"] and "1.001193" in sent["message"]


async def test_a_place_the_tourism_catalogue_holds_is_not_masked_as_a_name(
    gql: GraphQLClient, chat_env: FakeRasa, resources: Resources
) -> None:
    # "Cô" + a capitalised word is a person ("Cô Lan"), unless the catalogue holds it as a
    # place's name ("lên Cô Tiên": the temple *Đền Cô Tiên*, dev5 g091).
    index = resources.get(ATTRACTION_INDEX)
    await index.wait_built()
    temple = {"_id": ObjectId(), "name": {"vi": "Đền Cô Tiên", "en": "Cô Tiên Temple"}}
    await index.written([temple])
    resources.get(PLACE_NAMES).refresh()
    await send(gql, "lên Cô Tiên mở đến mấy giờ, Cô Lan hỏi")
    assert chat_env.requests[-1]["message"] == "lên Cô Tiên mở đến mấy giờ, Cô <name> hỏi"


async def test_anonymous_conversation_continues_only_with_the_issued_session(
    gql: GraphQLClient, chat_env: FakeRasa
) -> None:
    first = await send(gql, "xin chào")
    session = first["sessionId"]
    assert session
    second = await send(gql, "còn lệ phí thì sao", sessionId=session)
    assert second["sessionId"] == session
    assert chat_env.requests[0]["sender"] == chat_env.requests[1]["sender"]
    # A made-up session id does not reach anyone's conversation: it starts a new one.
    forged = await send(gql, "xin chào", sessionId=chat_env.requests[0]["sender"])
    assert forged["sessionId"] != chat_env.requests[0]["sender"]
    assert chat_env.requests[2]["sender"] != chat_env.requests[0]["sender"]


async def test_signed_in_user_is_sent_as_a_hash_of_the_uid(
    gql: GraphQLClient, chat_env: FakeRasa, dev_token: Any
) -> None:
    reply = await send(gql, "xin chào", token=dev_token("citizen-uid-42"))
    assert reply["sessionId"] is None
    sender = chat_env.requests[-1]["sender"]
    assert "citizen-uid-42" not in sender
    await send(gql, "xin chào", token=dev_token("citizen-uid-42"), sessionId="whatever")
    assert chat_env.requests[-1]["sender"] == sender


async def test_language_is_passed_to_the_assistant(gql: GraphQLClient, chat_env: FakeRasa) -> None:
    await send(gql, "what to see in Sam Son", lang="EN")
    assert chat_env.requests[-1]["metadata"] == {"lang": "en", "clientLang": "en"}
    # No `lang`: the assistant answers in the question's language; Accept-Language is only
    # its default when the words cannot tell.
    await gql(SEND, {"input": {"text": "xin chào"}}, headers={"Accept-Language": "en-GB"})
    assert chat_env.requests[-1]["metadata"] == {"lang": None, "clientLang": "en"}


@pytest.mark.parametrize(
    ("text", "fragment"), [("   ", "empty"), ("a" * 501, "longer than 500 characters")]
)
async def test_bad_text_is_refused_with_a_reason(
    gql: GraphQLClient, chat_env: FakeRasa, text: str, fragment: str
) -> None:
    reply = await send(gql, text)
    assert reply["__typename"] == "ValidationFailed"
    assert reply["field"] == "text"
    assert fragment in reply["message"]
    assert chat_env.requests == []


async def test_assistant_down_gives_a_degraded_reply_and_the_api_stays_healthy(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    resources: Resources,
) -> None:
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("CHAT_HOTLINE", "0237 3 999 999")
    restart_with_env(resources)
    reply = await send(gql, "lệ phí làm hộ chiếu", lang="VI")
    assert reply["degraded"] is True
    [message] = reply["messages"]
    assert "0237 3 999 999" in message["text"]
    assert message["links"][0]["url"].startswith("https://")
    assert (await http.get("/healthz")).status_code == 200


async def test_an_assistant_that_does_not_answer_times_out(
    gql: GraphQLClient, chat_env: FakeRasa, monkeypatch: pytest.MonkeyPatch, resources: Resources
) -> None:
    monkeypatch.setenv("CHAT_TIMEOUT_SECONDS", "0.5")
    restart_with_env(resources)
    chat_env.answering.clear()
    try:
        reply = await send(gql, "lệ phí làm hộ chiếu", lang="EN")
    finally:
        chat_env.answering.set()
    assert reply["degraded"] is True
    assert "temporarily unavailable" in reply["messages"][0]["text"]


async def test_a_slow_assistant_holds_up_only_its_own_conversation(
    gql: GraphQLClient, http: httpx.AsyncClient, chat_env: FakeRasa
) -> None:
    """While one message waits on an assistant that takes its time (5 s and more), the rest of
    the API answers at once: the relay waits without blocking anyone else."""
    chat_env.answering.clear()  # the assistant takes as long as this test says
    try:
        waiting = asyncio.create_task(send(gql, "xin chào", lang="VI"))
        for _ in range(600):  # until the message reached the assistant
            if chat_env.requests:
                break
            await asyncio.sleep(0.05)
        assert chat_env.requests
        assert (await http.get("/healthz")).status_code == 200
        body = await gql("{ __typename }")
        assert body == {"data": {"__typename": "Query"}}
        assert not waiting.done()  # answered while the chat still waits
    finally:
        chat_env.answering.set()
    reply = await waiting
    assert reply["degraded"] is False


async def test_assistant_errors_are_degraded_too(gql: GraphQLClient, chat_env: FakeRasa) -> None:
    chat_env.status = 500
    reply = await send(gql, "xin chào")
    assert reply["degraded"] is True


async def test_each_user_is_rate_limited(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, resources: Resources, dev_token: Any
) -> None:
    monkeypatch.setenv("CHAT_MESSAGES_PER_MINUTE_USER", "3")
    restart_with_env(resources)
    token = dev_token("chatty-user")
    results = [await send(gql, f"câu hỏi {i}", token=token) for i in range(4)]
    # Windows are per minute: the 4th message may fall into a new minute on a slow machine.
    limited = [r for r in results if r["__typename"] == "ChatRateLimited"]
    if not limited:
        pytest.skip("the minute changed during the test; rerun")
    assert limited[0]["code"] == "RATE_LIMITED"
    assert 1 <= limited[0]["retryAfterSeconds"] <= 60
    # Another user is not affected.
    other = await send(gql, "xin chào", token=dev_token("quiet-user"))
    assert other["__typename"] == "ChatReply"


async def test_anonymous_visitors_are_limited_per_address(
    app: Starlette, monkeypatch: pytest.MonkeyPatch, resources: Resources
) -> None:
    monkeypatch.setenv("CHAT_MESSAGES_PER_MINUTE_IP", "2")
    restart_with_env(resources)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gql = GraphQLClient(client)
        results = [(await send(gql, "xin chào"))["__typename"] for _ in range(3)]
    assert results.count("ChatReply") >= 2
    if "ChatRateLimited" not in results:
        pytest.skip("the minute changed during the test; rerun")


async def test_a_bad_chat_setting_degrades_instead_of_failing(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, resources: Resources, chat_env: FakeRasa
) -> None:
    monkeypatch.setenv("CHAT_TIMEOUT_SECONDS", "soon")
    restart_with_env(resources)
    reply = await send(gql, "xin chào")
    assert reply["degraded"] is True
    assert chat_env.requests == []
