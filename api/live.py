"""Websocket connections of /graphql (graphql-transport-ws, and the legacy graphql-ws): sign-in
on ``connection_init``, a cap on connections per user, and the connection closed when the
sign-in token expires.

A client opens the websocket with the subprotocol ``graphql-transport-ws`` (or ``graphql-ws``,
where a refused sign-in is a ``connection_error`` and close 1011) and sends
``{"type": "connection_init", "payload": {"Authorization": "Bearer <Firebase ID token>"}}``
(no payload: anonymous, for public subscriptions such as ``slotAvailability``). An invalid token
closes the socket with 4403; an expired one, later, with 4401 (refresh it and reconnect).
"""

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo import IndexModel
from pymongo.errors import PyMongoError
from starlette.websockets import WebSocket, WebSocketState
from strawberry.subscriptions import GRAPHQL_WS_PROTOCOL

from domains.kernel.clock import Clock, utcnow
from domains.kernel.context import RequestContext
from domains.kernel.repository import Repository
from domains.kernel.types import Database

logger = logging.getLogger("xuthanh.live")

CLOSE_TOKEN_EXPIRED = 4401
EXPIRED_REASON = "Token expired: refresh it and reconnect."
KEEP_ALIVE = timedelta(seconds=20)


class LiveConnectionRepository(Repository):
    """``live_connections``: the open websockets of every replica, one document each."""

    collection_name = "live_connections"
    indexes = (
        # the cap: a user's connections still held by a live process
        IndexModel([("key", 1), ("expiresAt", 1)], name="key_expires"),
        # a process that died without closing its connections: gone after the lease
        IndexModel([("expiresAt", 1)], expireAfterSeconds=0, name="expires_ttl"),
    )


class ConnectionCounts:
    """Open websocket connections by user (or by address when anonymous), across replicas: each
    connection is a document that its process renews (one update for all of them) while open."""

    def __init__(self, db: Database, limit: int, lease: timedelta = timedelta(seconds=90)) -> None:
        self.limit = limit
        self.lease = lease
        self.process = uuid.uuid4().hex
        self.repository = LiveConnectionRepository(db)
        self._renewal: asyncio.Task[None] | None = None

    def new_id(self) -> str:
        """A connection's id, known to its ``LiveConnection`` before ``acquire`` writes it, so
        that ``end`` releases it whatever happens meanwhile (an error, a cancellation)."""
        return f"{self.process}:{uuid.uuid4().hex}"

    async def acquire(self, key: str, connection_id: str) -> bool:
        """Count ``connection_id`` against ``key``; False when ``key`` already holds ``limit``."""
        collection = self.repository.collection
        now = utcnow()
        document = {"_id": connection_id, "key": key, "process": self.process}
        await collection.insert_one({**document, "expiresAt": now + self.lease})
        held = await collection.count_documents({"key": key, "expiresAt": {"$gt": now}})
        if held > self.limit:
            await collection.delete_one({"_id": connection_id})
            return False
        if self._renewal is None or self._renewal.done():
            self._renewal = asyncio.create_task(self._renew(), name="live connections lease")
        return True

    async def release(self, connection_id: str) -> None:
        await self.repository.collection.delete_one({"_id": connection_id})

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await self.repository.collection.update_many(
                    {"process": self.process}, {"$set": {"expiresAt": utcnow() + self.lease}}
                )
            except PyMongoError as error:
                logger.warning("could not renew the websocket leases: %s", error)

    async def stop(self) -> None:
        """When the process ends: its connections no longer count."""
        task, self._renewal = self._renewal, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(PyMongoError):
            await self.repository.collection.delete_many({"process": self.process})


# graphql-transport-ws pings (the client answers pong); the legacy graphql-ws sends "ka".
KEEP_ALIVE_MESSAGES = {GRAPHQL_WS_PROTOCOL: "ka"}


@dataclass(eq=False)
class LiveConnection:
    """One websocket: who it counts against, the task that closes it at the token's expiry, and
    the one that pings it (``graphql-transport-ws`` ping; the client answers pong), so proxies
    and mobile networks do not drop a quiet socket. A socket counts once (a second
    ``connection_init`` is refused, ``api/live_protocols.py``); ``end`` releases it all."""

    websocket: WebSocket | None = None
    counted_as: str | None = None
    expiry: "asyncio.Task[None] | None" = None
    pings: "asyncio.Task[None] | None" = None
    protocol: str | None = None  # the subprotocol accepted at the handshake

    def close_at(self, moment: datetime, clock: Clock) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        self.expiry = asyncio.create_task(self._close_at(moment, clock), name="token expiry")

    def keep_alive(self, clock: Clock) -> None:
        if self.pings is not None:
            self.pings.cancel()
        self.pings = asyncio.create_task(self._ping(clock), name="websocket keep-alive")

    async def _ping(self, clock: Clock) -> None:
        while True:
            await clock.sleep_until(clock.now() + KEEP_ALIVE)
            websocket = self.websocket
            if websocket is None or websocket.application_state != WebSocketState.CONNECTED:
                return
            try:
                await websocket.send_json(
                    {"type": KEEP_ALIVE_MESSAGES.get(self.protocol or "", "ping")}
                )
            except (RuntimeError, OSError):
                return

    async def _close_at(self, moment: datetime, clock: Clock) -> None:
        await clock.sleep_until(moment)
        websocket = self.websocket
        if websocket is not None and websocket.application_state == WebSocketState.CONNECTED:
            logger.info("websocket closed: token expired")
            with contextlib.suppress(RuntimeError):
                await websocket.close(code=CLOSE_TOKEN_EXPIRED, reason=EXPIRED_REASON)

    async def end(self, counts: ConnectionCounts) -> None:
        for task in (self.expiry, self.pings):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.counted_as is not None:
            with contextlib.suppress(PyMongoError):
                await counts.release(self.counted_as)
            self.counted_as = None


@dataclass(slots=True)
class LiveContext(RequestContext):
    """The context of one websocket connection (shared by its subscriptions)."""

    live: LiveConnection = field(default_factory=LiveConnection)
    connection_params: dict[str, Any] | None = None


def authorization_of(context: LiveContext, websocket_header: str | None) -> str | None:
    """The bearer token of ``connection_init`` (``Authorization``), else the handshake's."""
    params = context.connection_params or {}
    for name in ("Authorization", "authorization"):
        value = params.get(name)
        if isinstance(value, str):
            return value
    return websocket_header
