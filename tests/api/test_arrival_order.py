"""Requests read together start with the connection that has waited longest."""

import asyncio
from typing import Any

import pytest

from api import arrival_order
from api.arrival_order import ArrivalOrder


class Recorder:
    """An app that notes which connection each request came from, in the order they started."""

    def __init__(self) -> None:
        self.started: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.started.append(scope["client"][0])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def scope(connection: str, port: int = 50000) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "client": [connection, port],
        "server": ["127.0.0.1", 8000],
        "headers": [],
    }


async def request(app: ArrivalOrder, connection: str, port: int = 50000) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope(connection, port), receive, send)
    return sent


async def read_together(app: ArrivalOrder, *connections: str) -> None:
    """Requests that the event loop read in one turn, listed in this order."""
    await asyncio.gather(*(asyncio.create_task(request(app, c)) for c in connections))


async def test_the_connection_that_waited_longest_starts_first() -> None:
    recorder = Recorder()
    app = ArrivalOrder(recorder)
    for connection in ("c", "a", "b"):  # c finished first, so it has waited longest
        await request(app, connection)
    recorder.started.clear()

    await read_together(app, "b", "a", "c")

    assert recorder.started == ["c", "a", "b"]


async def test_every_request_is_answered() -> None:
    app = ArrivalOrder(Recorder())
    await request(app, "a")
    answers = await asyncio.gather(*(request(app, c) for c in ("z", "a", "y")))
    assert [[m["type"] for m in sent] for sent in answers] == [
        ["http.response.start", "http.response.body"]
    ] * 3


async def test_a_new_connection_goes_after_those_waiting_since_their_last_answer() -> None:
    recorder = Recorder()
    app = ArrivalOrder(recorder)
    await request(app, "known")
    recorder.started.clear()

    await read_together(app, "new", "known")

    assert recorder.started == ["known", "new"]


async def test_a_forgotten_connection_counts_as_new(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrival_order, "REMEMBERED_CONNECTIONS", 2)
    recorder = Recorder()
    app = ArrivalOrder(recorder)
    for connection in ("oldest", "b", "c"):  # remembering two, "oldest" is forgotten
        await request(app, connection)
    recorder.started.clear()

    await read_together(app, "oldest", "c", "b")

    assert recorder.started == ["b", "c", "oldest"]


async def test_a_request_cancelled_while_it_waits_never_starts_and_holds_no_one_up() -> None:
    recorder = Recorder()
    app = ArrivalOrder(recorder)
    for connection in ("gone", "a"):
        await request(app, connection)
    recorder.started.clear()

    gone = asyncio.create_task(request(app, "gone"))
    staying = asyncio.create_task(request(app, "a"))
    await asyncio.sleep(0)  # both are queued for their turn
    gone.cancel()
    await staying

    assert recorder.started == ["a"]
    with pytest.raises(asyncio.CancelledError):
        await gone


async def test_other_connections_are_passed_through_untouched() -> None:
    seen: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    app = ArrivalOrder(inner)
    await app({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    await app({"type": "websocket", "client": ["a", 1]}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan", "websocket"]


async def test_requests_whose_connection_is_not_known_keep_the_order_they_were_read_in() -> None:
    """Behind a trusted proxy the peer is the forwarded client address with port 0."""
    recorder = Recorder()
    app = ArrivalOrder(recorder)

    for address in ("c", "a", "b"):
        await request(app, address, port=0)
    recorder.started.clear()

    await asyncio.gather(*(asyncio.create_task(request(app, a, port=0)) for a in ("b", "a", "c")))

    assert recorder.started == ["b", "a", "c"]


def test_requests_on_a_new_event_loop_are_not_held_up_by_one_that_stopped() -> None:
    recorder = Recorder()
    app = ArrivalOrder(recorder)
    stopped = asyncio.new_event_loop()
    queued = stopped.create_task(request(app, "a"))
    stopped.call_soon(stopped.stop)
    stopped.run_forever()  # the request queued itself; the loop stopped before its release ran
    assert not queued.done() and recorder.started == []

    asyncio.run(asyncio.wait_for(request(app, "b"), timeout=60))  # the guard only bounds a failure
    assert recorder.started == ["b"]
    queued.cancel()
    stopped.run_until_complete(asyncio.gather(queued, return_exceptions=True))
    stopped.close()
