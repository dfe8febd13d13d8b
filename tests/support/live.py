"""Live updates in tests: the app served by uvicorn on 127.0.0.1, a graphql-transport-ws client
over a real websocket, and a clock the test moves by hand."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from domains.kernel.clock import Clock, utcnow

# A guard against a hang, never a wait the test relies on: every wait is for a message.
GUARD_SECONDS = 30.0


class ManualClock(Clock):
    """Now is what the test says; ``advance`` wakes whatever waits for a later moment."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or utcnow()
        self._moved = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def sleep_until(self, moment: datetime) -> None:
        while self._now < moment:
            await self._moved.wait()


@asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[str]:
    """Serve an app whose lifespan already runs; yields its websocket URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(GUARD_SECONDS):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


async def until(read: Callable[[], Awaitable[Any]], expected: Any) -> None:
    """Wait until ``read()`` gives ``expected`` (a condition, never a duration)."""
    async with asyncio.timeout(GUARD_SECONDS):
        while True:
            if await read() == expected:
                return
            await asyncio.sleep(0.05)


class LiveClient:
    """One graphql-transport-ws connection, as Apollo and urql speak it."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket
        self._ids = 0
        self.pings = 0

    @classmethod
    @asynccontextmanager
    async def connect(
        cls, url: str, token: str | None = None, *, acknowledged: bool = True
    ) -> AsyncIterator["LiveClient"]:
        async with connect(url, subprotocols=["graphql-transport-ws"]) as websocket:  # type: ignore[list-item]
            client = cls(websocket)
            payload = {"Authorization": f"Bearer {token}"} if token else {}
            await client.send({"type": "connection_init", "payload": payload})
            if acknowledged:
                assert (await client.receive())["type"] == "connection_ack"
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.websocket.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        """The next message; the server's pings are answered (pong) and counted, as clients do."""
        while True:
            async with asyncio.timeout(GUARD_SECONDS):
                message: dict[str, Any] = json.loads(await self.websocket.recv())
            if message.get("type") != "ping":
                return message
            self.pings += 1
            await self.send({"type": "pong"})

    async def ping_received(self) -> None:
        """Wait for the server's ping (answered); other messages must not come meanwhile."""
        pings = self.pings
        while self.pings == pings:
            async with asyncio.timeout(GUARD_SECONDS):
                message: dict[str, Any] = json.loads(await self.websocket.recv())
            assert message.get("type") == "ping", message
            self.pings += 1
            await self.send({"type": "pong"})

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._ids += 1
        operation = str(self._ids)
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation, "type": "subscribe", "payload": payload})
        return operation

    async def next_until(
        self, operation: str, accept: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """The data of the first ``next`` of ``operation`` that ``accept``s (earlier states of a
        changing value are skipped: updates coalesce)."""
        while True:
            message = await self.receive()
            assert message.get("id") == operation, message
            assert message["type"] == "next", message
            assert not message["payload"].get("errors"), message
            data: dict[str, Any] = message["payload"]["data"]
            if accept(data):
                return data

    async def closed(self) -> int:
        """Wait for the server to close the connection; its close code."""
        async with asyncio.timeout(GUARD_SECONDS):
            await self.websocket.wait_closed()
        assert self.websocket.close_code is not None
        return self.websocket.close_code
