"""Rasa's calls to the action server share kept-alive connections (bots/rasa_speedups.py).

Run in the Rasa environment, as the server runs them: a small HTTP server on 127.0.0.1 stands
in for the action server and notes the connection each request came on.
"""

import json

from tests.bots.test_rasa_log_privacy import pytestmark, rasa_log_of

__all__ = ["pytestmark"]

SCRIPT = """
import asyncio, json
from aiohttp import web
import rasa_speedups
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

assert rasa_speedups.apply()
peers, bodies = set(), []

async def webhook(request):
    peers.add(request.transport.get_extra_info("peername"))
    bodies.append((await request.json(), request.headers.get("Authorization")))
    return web.json_response({"events": [], "responses": [{"text": "ok"}]})

async def main():
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(
        f"http://127.0.0.1:{port}/webhook", basic_auth={"username": "u", "password": "p"}
    )
    replies = [await endpoint.request(json={"n": n}, method="post") for n in range(3)]
    missing = EndpointConfig(f"http://127.0.0.1:{port}/nowhere")
    try:
        await missing.request(json={}, method="post")
        status = None
    except ClientResponseError as error:
        status = error.status
    await runner.cleanup()
    print("RESULT", json.dumps({
        "replies": replies, "connections": len(peers), "status": status,
        "bodies": [body for body, _ in bodies], "auth": sorted({a for _, a in bodies}),
    }))

asyncio.run(main())
"""


def test_action_calls_reuse_one_connection_and_answer_as_before() -> None:
    log = rasa_log_of(SCRIPT)
    result = json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
    assert result["replies"] == [{"events": [], "responses": [{"text": "ok"}]}] * 3
    assert result["bodies"] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert result["connections"] == 1  # one kept-alive connection, not one per call
    assert result["auth"] == ["Basic dTpw"]  # the endpoint's credentials on every call
    assert result["status"] == 404  # an error status still raises Rasa's error
