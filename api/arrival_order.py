"""Requests read in the same turn of the event loop start in the order they waited.

Under load the event loop reads, in one turn, every connection that has a request waiting, and
runs those requests in the order the kernel listed the connections. The kernel's list is not
the order the requests arrived in: a level-triggered epoll puts the connections it listed last
time back at its head, so a connection whose next request arrived just too late for one turn is
listed behind all the others in the next. That request waits two whole turns while every other
waits one. With 16 busy connections it is one request in sixteen: the whole 95th-percentile tail
of the 16-client benchmarks, at twice the median (README, "Province scale").

The connection that finished its previous request longest ago has been waiting longest, so the
requests of a turn start in that order. A connection not seen before, or one the scope does not
name, comes after the known ones (its request cannot be older than the turn that read it). The
cost is one extra pass through the event loop per request; the work itself is unchanged.
`xuthanh serve` puts this outermost, before the peer is rewritten into a forwarded address.
"""

import asyncio
import heapq
import itertools
from collections import OrderedDict
from collections.abc import Hashable

from starlette.types import ASGIApp, Receive, Scope, Send

# Connections remembered, the least recently finished forgotten first: far more than one process
# keeps open at once (a forgotten connection only goes after the known ones once).
REMEMBERED_CONNECTIONS = 4096
# A request waiting for its turn: when its connection last finished, when it came, its turn.
Waiting = tuple[int, int, asyncio.Future[None]]


class ArrivalOrder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Per connection, the rank of its last finished request (earlier finish, lower rank).
        self._finished: OrderedDict[Hashable, int] = OrderedDict()
        self._ranks = itertools.count()
        # Per event loop, the requests read in its current turn; a list here means a release is
        # scheduled on that loop. (Per loop: requests queued on a loop that stopped before its
        # release ran must not hold up those of the next one.)
        self._waiting: dict[asyncio.AbstractEventLoop, list[Waiting]] = {}
        self._arrivals = itertools.count()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        connection = _connection(scope)
        rank = None if connection is None else self._finished.get(connection)
        turn: asyncio.Future[None] = loop.create_future()
        waited = next(self._ranks) if rank is None else rank
        waiting = self._waiting.get(loop)
        if waiting is None:
            for stopped in [other for other in self._waiting if other.is_closed()]:
                del self._waiting[stopped]
            waiting = self._waiting[loop] = []
            # Runs after every request read in this turn has queued itself.
            loop.call_soon(self._release, loop)
        heapq.heappush(waiting, (waited, next(self._arrivals), turn))
        await turn
        try:
            await self.app(scope, receive, send)
        finally:
            if connection is not None:
                self._remember(connection)

    def _remember(self, connection: Hashable) -> None:
        self._finished[connection] = next(self._ranks)
        self._finished.move_to_end(connection)
        if len(self._finished) > REMEMBERED_CONNECTIONS:
            self._finished.popitem(last=False)

    def _release(self, loop: asyncio.AbstractEventLoop) -> None:
        waiting = self._waiting.pop(loop, [])
        while waiting:
            _, _, turn = heapq.heappop(waiting)
            if not turn.done():  # a request cancelled while it waited has gone
                turn.set_result(None)


def _connection(scope: Scope) -> Hashable | None:
    """The TCP connection a request came on, when the scope tells it: behind a trusted proxy the
    server replaces the peer with the forwarded client address and port 0, which names no
    connection, so such requests keep the order they were read in."""
    client, server = scope.get("client"), scope.get("server")
    if not client or not client[1]:
        return None
    return (tuple(client), tuple(server) if server else None)
