"""A MongoDB wire-protocol proxy for fault tests: answers chosen commands with server errors.

SecantusDB's ``failCommand`` fail point matches commands by name only (its ``namespace`` filter is
ignored), so it cannot fail "the insert into ``notifications``" without failing every other insert
of the same request. This proxy sits between the driver and the server, reads each OP_MSG's
command name and collection, and for a matching rule either answers in the server's place (the
server never sees the command) or forwards it and then replaces the answer or drops the
connection (the command took effect, the driver cannot know). The driver sees the real protocol:
error documents with ``code``, ``codeName`` and ``errorLabels``, ``writeErrors``, a closed socket.

Everything else, including the legacy OP_QUERY handshake, is passed through untouched. It runs on
its own thread and event loop, so it works whatever loop the test uses.
"""

import asyncio
import contextlib
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import bson

OP_MSG = 2013
_HEADER = struct.Struct("<iiii")  # messageLength, requestID, responseTo, opCode
_MORE_TO_COME = 1 << 1


@dataclass
class Rule:
    command: str
    collection: str | None
    times: int
    reply: dict[str, Any] | None  # answered instead of (or after) the server
    forward: bool  # the server runs the command first
    close: bool  # then the connection is dropped instead of answering
    hits: int = 0


def transient(code: int = 112, name: str = "WriteConflict") -> dict[str, Any]:
    """A failed command the driver may retry with the whole transaction."""
    return {
        "ok": 0.0,
        "errmsg": "injected by the fault proxy",
        "code": code,
        "codeName": name,
        "errorLabels": ["TransientTransactionError"],
    }


def unknown_commit() -> dict[str, Any]:
    """commitTransaction's outcome is unknown (the driver retries the commit itself)."""
    return {
        "ok": 0.0,
        "errmsg": "injected by the fault proxy",
        "code": 262,
        "codeName": "ExceededTimeLimit",
        "errorLabels": ["UnknownTransactionCommitResult"],
    }


def write_error(code: int = 2, name: str = "BadValue") -> dict[str, Any]:
    """A write the server refused (a write error, not a failed command)."""
    return {
        "ok": 1.0,
        "n": 0,
        "writeErrors": [{"index": 0, "code": code, "codeName": name, "errmsg": "injected"}],
    }


@dataclass
class MongoFaultProxy:
    upstream_host: str
    upstream_port: int
    rules: list[Rule] = field(default_factory=list)
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    record: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: set["asyncio.Task[None]"] = field(default_factory=set)
    port: int = 0

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def fail(
        self,
        command: str,
        collection: str | None = None,
        *,
        reply: dict[str, Any] | None = None,
        times: int = 1,
        forward: bool = False,
        close: bool = False,
    ) -> Rule:
        """The next ``times`` ``command`` s (on ``collection``) get ``reply`` (or a dropped
        connection with ``close``); with ``forward`` the server runs each of them first."""
        rule = Rule(command, collection, times, reply, forward, close)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def _match(self, command: str, collection: str | None) -> Rule | None:
        with self._lock:
            if self.record:
                self.seen.append((command, collection))
            for rule in self.rules:
                if rule.command != command or rule.hits >= rule.times:
                    continue
                if rule.collection is not None and rule.collection != collection:
                    continue
                rule.hits += 1
                return rule
        return None

    # -- running -------------------------------------------------------------------------------

    def start(self) -> "MongoFaultProxy":
        ready = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._serve(ready)), name="mongo fault proxy", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        await self._stop.wait()
        server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    @contextlib.contextmanager
    def running(self) -> Iterator["MongoFaultProxy"]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._relay(reader, writer)
        except asyncio.CancelledError:
            pass  # the proxy stops: end quietly (asyncio logs a cancelled connection task)
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port
            )
        except OSError:
            return
        try:
            while True:
                request = await _read_message(reader)
                if request is None:
                    return
                if not await self._exchange(request, writer, up_reader, up_writer):
                    return
        except (OSError, asyncio.IncompleteReadError):
            return
        finally:
            up_writer.close()

    async def _exchange(
        self,
        request: bytes,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> bool:
        """One request and its answer; False when the connection is to be dropped."""
        _, request_id, _, opcode = _HEADER.unpack_from(request)
        rule = None
        flags = 0
        if opcode == OP_MSG:
            flags = struct.unpack_from("<I", request, 16)[0]
            command, collection = _command_of(request)
            rule = self._match(command, collection)
        if rule is None or rule.forward:
            up_writer.write(request)
            await up_writer.drain()
            if flags & _MORE_TO_COME:
                return True  # no answer expected
            while True:
                answer = await _read_message(up_reader)
                if answer is None:
                    return False
                if rule is None:
                    writer.write(answer)
                    await writer.drain()
                more = opcode == OP_MSG and struct.unpack_from("<I", answer, 16)[0] & _MORE_TO_COME
                if not more:
                    break
        if rule is None:
            return True
        if rule.close:
            return False
        writer.write(_reply(request_id, rule.reply or transient()))
        await writer.drain()
        return True


async def _read_message(reader: asyncio.StreamReader) -> bytes | None:
    try:
        header = await reader.readexactly(_HEADER.size)
    except asyncio.IncompleteReadError:
        return None
    length = _HEADER.unpack(header)[0]
    return header + await reader.readexactly(length - _HEADER.size)


def _command_of(message: bytes) -> tuple[str, str | None]:
    """The command name and its collection, from an OP_MSG's body section."""
    position = 20  # header, flag bits
    while position < len(message):
        kind = message[position]
        position += 1
        size = struct.unpack_from("<i", message, position)[0]
        if kind == 0:
            body = bson.decode(message[position : position + size])
            name = next(iter(body))
            target = body[name]
            return name, target if isinstance(target, str) else None
        position += size
    return "", None


def _reply(response_to: int, document: dict[str, Any]) -> bytes:
    payload = struct.pack("<I", 0) + b"\x00" + bson.encode(document)
    return _HEADER.pack(_HEADER.size + len(payload), 0, response_to, OP_MSG) + payload
