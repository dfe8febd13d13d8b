"""Websocket connections of /graphql (graphql-transport-ws): sign-in on ``connection_init``, a
cap on connections per user, and the connection closed when the sign-in token expires.

A client opens the websocket with the subprotocol ``graphql-transport-ws`` and sends
``{"type": "connection_init", "payload": {"Authorization": "Bearer <Firebase ID token>"}}``
(no payload: anonymous, for public subscriptions such as ``slotAvailability``). An invalid token
closes the socket with 4403; an expired one, later, with 4401 (refresh it and reconnect).
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from domains.kernel.clock import Clock
from domains.kernel.context import RequestContext

logger = logging.getLogger("xuthanh.live")

CLOSE_TOKEN_EXPIRED = 4401
EXPIRED_REASON = "Token expired: refresh it and reconnect."


class ConnectionCounts:
    """Open websocket connections of this process by user (or by address when anonymous)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}

    def acquire(self, key: str) -> bool:
        count = self._open.get(key, 0)
        if count >= self.limit:
            return False
        self._open[key] = count + 1
        return True

    def release(self, key: str) -> None:
        count = self._open.get(key, 0) - 1
        if count > 0:
            self._open[key] = count
        else:
            self._open.pop(key, None)

    def of(self, key: str) -> int:
        return self._open.get(key, 0)


@dataclass(eq=False)
class LiveConnection:
    """One websocket: who it counts against, and the task that closes it at the token's expiry."""

    websocket: WebSocket | None = None
    counted_as: str | None = None
    expiry: "asyncio.Task[None] | None" = None

    def close_at(self, moment: datetime, clock: Clock) -> None:
        self.expiry = asyncio.create_task(self._close_at(moment, clock), name="token expiry")

    async def _close_at(self, moment: datetime, clock: Clock) -> None:
        await clock.sleep_until(moment)
        websocket = self.websocket
        if websocket is not None and websocket.application_state == WebSocketState.CONNECTED:
            logger.info("websocket closed: token expired")
            with contextlib.suppress(RuntimeError):
                await websocket.close(code=CLOSE_TOKEN_EXPIRED, reason=EXPIRED_REASON)

    async def end(self, counts: ConnectionCounts) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.expiry
        if self.counted_as is not None:
            counts.release(self.counted_as)
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
