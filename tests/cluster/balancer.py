"""A minimal HTTP/1.1 load balancer for the replica test, with nginx's default semantics.

- Round robin over the API processes, one request per connection on both sides
  (``Connection: close``), ``X-Forwarded-For``/``-Proto`` added (the APIs trust 127.0.0.1).
- A replica that refuses the connection (killed, or stopped and no longer listening) is skipped:
  the request goes to the next one, whatever its method (nothing was sent).
- A replica that fails *after* the request was sent (reset, closed before answering) is retried
  on another one for reads only (GET/HEAD/OPTIONS, nginx's ``proxy_next_upstream`` without
  ``non_idempotent``); a POST gets 502 and the client retries it with its idempotency key.
- ``Upgrade: websocket`` requests are piped both ways once forwarded (live updates).

It runs its own event loop in a thread, so test code and subprocesses can use it alike.
"""

import asyncio
import contextlib
import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field

READS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_HEAD = 64 * 1024


class BadRequest(Exception):
    pass


@dataclass
class Request:
    method: str
    head: list[bytes]  # request line and header lines, without CRLF
    body: bytes
    upgrade: bool


@dataclass
class Balancer:
    backends: list[tuple[str, int]]
    port: int = 0
    served: Counter[int] = field(default_factory=Counter)  # backend port -> answers relayed
    refused: Counter[int] = field(default_factory=Counter)  # backend port -> connects refused
    failed_after_send: int = 0
    retried_reads: int = 0
    answered_502: int = 0
    active: Counter[int] = field(default_factory=Counter)  # backend port -> requests in flight
    drained: set[int] = field(default_factory=set)  # ports sent nothing new (preStop)
    upgraded: Counter[int] = field(default_factory=Counter)  # backend port -> websockets
    connecting: Counter[int] = field(default_factory=Counter)  # backend port -> connects begun

    def __post_init__(self) -> None:
        self._next = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="balancer", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Balancer":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the load balancer did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(
            self._client, "127.0.0.1", self.port, backlog=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._server.serve_forever()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")[0]
        try:
            try:
                request = await _read_request(reader, peer)
                await self._forward(request, reader, writer)
            except BadRequest:
                writer.write(_status(400, "Bad Request"))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()  # no await here: a coroutine closed at shutdown must not wait

    async def _forward(
        self, request: Request, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        start = next(self._next)
        for attempt in range(len(self.backends)):
            host, port = self.backends[(start + attempt) % len(self.backends)]
            if port in self.drained:
                continue
            self.connecting[port] += 1
            try:
                upstream_reader, upstream = await asyncio.open_connection(host, port)
            except OSError:
                self.refused[port] += 1
                continue
            else:
                self.active[port] += 1
            finally:
                self.connecting[port] -= 1
            try:
                await self._exchange(
                    request, port, client_reader, client, upstream_reader, upstream
                )
                return
            except _Failed:
                self.failed_after_send += 1
                if request.method in READS:
                    self.retried_reads += 1
                    continue
                break
            finally:
                self.active[port] -= 1
                upstream.close()
        self.answered_502 += 1
        client.write(_status(502, "Bad Gateway"))

    async def _exchange(
        self,
        request: Request,
        port: int,
        client_reader: asyncio.StreamReader,
        client: asyncio.StreamWriter,
        upstream_reader: asyncio.StreamReader,
        upstream: asyncio.StreamWriter,
    ) -> None:
        """Send the request; relay the answer. _Failed: nothing of an answer came back."""
        try:
            upstream.write(b"\r\n".join(request.head) + b"\r\n\r\n" + request.body)
            await upstream.drain()
            head = await upstream_reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            raise _Failed from error
        self.served[port] += 1
        client.write(_close_connection(head, keep_upgrade=request.upgrade))
        if request.upgrade:
            self.upgraded[port] += 1
            await _pipe_both(client_reader, client, upstream_reader, upstream)
        else:
            await _copy(upstream_reader, client)


class _Failed(Exception):
    """The upstream took the request (or may have) and gave no answer."""


async def _read_request(reader: asyncio.StreamReader, peer: str) -> Request:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as error:
        raise BadRequest from error
    if len(raw) > MAX_HEAD:
        raise BadRequest
    lines = raw[:-4].split(b"\r\n")
    method = lines[0].split(b" ", 1)[0].decode("ascii", "replace")
    head = [lines[0]]
    length = 0
    upgrade = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"content-length":
            length = int(value.strip())
        elif key == b"transfer-encoding":
            raise BadRequest  # clients here always send a length
        elif key == b"upgrade" and value.strip().lower() == b"websocket":
            upgrade = True
        if key in (b"connection", b"keep-alive", b"x-forwarded-for", b"x-forwarded-proto"):
            continue
        head.append(line)
    head.append(b"Connection: " + (b"Upgrade" if upgrade else b"close"))
    head.append(b"X-Forwarded-For: " + peer.encode())
    head.append(b"X-Forwarded-Proto: http")
    body = await reader.readexactly(length) if length else b""
    return Request(method=method, head=head, body=body, upgrade=upgrade)


def _close_connection(head: bytes, *, keep_upgrade: bool) -> bytes:
    """The upstream's response head, telling the client the connection ends with the answer."""
    if keep_upgrade and head.startswith(b"HTTP/1.1 101"):
        return head
    lines = [
        line
        for line in head[:-4].split(b"\r\n")
        if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while chunk := await reader.read(65536):
        writer.write(chunk)
        await writer.drain()


async def _pipe_both(
    client_reader: asyncio.StreamReader,
    client: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream: asyncio.StreamWriter,
) -> None:
    async def one_way(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _copy(reader, writer)
        except ConnectionError:
            pass
        finally:
            if writer.can_write_eof():
                with contextlib.suppress(OSError):
                    writer.write_eof()

    await asyncio.gather(one_way(client_reader, upstream), one_way(upstream_reader, client))


def _status(code: int, reason: str) -> bytes:
    body = f"{code} {reason}\n".encode()
    return (
        f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
