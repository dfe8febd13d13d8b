"""A local HTTP server that answers as FCM's HTTP v1 API does, and records what it accepted.

firebase-admin has no emulator for messaging; pointed at this server (``push.redirect``) the real
SDK sends real HTTP requests and parses real FCM answers into its own exception types:

- success: 200 ``{"name": "projects/<p>/messages/<id>"}``
- errors: the ``google.rpc.Status`` JSON FCM uses, with an ``FcmError`` detail, and FCM's HTTP
  status: UNREGISTERED 404, INVALID_ARGUMENT 400, QUOTA_EXCEEDED 429 (with ``Retry-After``),
  UNAVAILABLE 503, INTERNAL 500.

Behaviour is scripted per token (a list of outcomes used in turn, then success). With ``delay``
the server holds each answer; a request whose client went away meanwhile is dropped as FCM drops
a cancelled call, so it is counted as aborted, not accepted.

Runs its own event loop in a thread so a worker in another process can use it too.
"""

import asyncio
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PROJECT_ID = "xuthanh-test"

ERRORS: dict[str, tuple[int, str, str]] = {
    "UNREGISTERED": (404, "NOT_FOUND", "Requested entity was not found."),
    "INVALID_ARGUMENT": (
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED", "Quota exceeded for sending messages."),
    "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "Internal error encountered."),
}
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Received:
    token: str
    message: dict[str, Any]
    at: float
    outcome: str


@dataclass
class FcmServer:
    project_id: str = PROJECT_ID
    retry_after: int = 1
    delay: float = 0.0
    plans: dict[str, list[str]] = field(default_factory=dict)
    accepted: list[Received] = field(default_factory=list)  # messages FCM took (200)
    attempts: list[Received] = field(default_factory=list)  # every answered request
    aborted: int = 0
    port: int = 0
    # Accept this many messages, then hold every further request until its client goes away
    # (or ``hold_after`` is cleared): a worker can be killed with a batch in flight.
    hold_after: int | None = None
    held: int = 0
    # An outage: while this answers an error name (QUOTA_EXCEEDED, UNAVAILABLE), every request
    # gets it, with ``Retry-After``; None answers as usual.
    outage: Callable[[], str | None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    # -- test API --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plan(self, token: str, *outcomes: str) -> None:
        """Answer the next requests for ``token`` with these outcomes, then with success."""
        with self._lock:
            self.plans[token] = list(outcomes)

    def accepted_tokens(self) -> Counter[str]:
        with self._lock:
            return Counter(r.token for r in self.accepted)

    def attempts_for(self, token: str) -> list[Received]:
        with self._lock:
            return [r for r in self.attempts if r.token == token]

    def reset(self) -> None:
        with self._lock:
            self.plans.clear()
            self.accepted.clear()
            self.attempts.clear()
            self.aborted = 0
            self.delay = 0.0
            self.hold_after = None
            self.outage = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "FcmServer":
        self._thread = threading.Thread(target=self._serve, name="fcm-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the local FCM server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> "FcmServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", self.port, backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()

    # -- HTTP/1.1 ----------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, payload, extra = await self._answer(method, path, headers, body, reader)
                if status == 0:
                    return  # the client went away before the answer: nothing to send
                data = json.dumps(payload).encode()
                response = [
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
                    "Content-Type: application/json; charset=UTF-8",
                    f"Content-Length: {len(data)}",
                    *(f"{k}: {v}" for k, v in extra.items()),
                    "",
                    "",
                ]
                writer.write("\r\n".join(response).encode() + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _answer(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        reader: asyncio.StreamReader,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if path == "/_stats":  # for benchmarks running the server in another process
            counts: dict[str, Any] = {
                "accepted": len(self.accepted),
                "attempts": len(self.attempts),
            }
            if self.accepted:  # time.monotonic() (system-wide): comparable in another process
                counts |= {"first_at": self.accepted[0].at, "last_at": self.accepted[-1].at}
            if method == "POST":
                self.reset()
            return 200, counts, {}
        expected = f"/v1/projects/{self.project_id}/messages:send"
        if method != "POST" or path != expected:
            return 404, _status(404, "NOT_FOUND", f"No route {method} {path}"), {}
        if not headers.get("authorization", "").startswith("Bearer "):
            return 401, _status(401, "UNAUTHENTICATED", "Request is missing credentials."), {}
        try:
            message = json.loads(body)["message"]
        except (ValueError, KeyError):
            return 400, _status(400, "INVALID_ARGUMENT", "Invalid JSON payload."), {}
        token = message.get("token") or message.get("fid") or ""
        if self.hold_after is not None and len(self.accepted) >= self.hold_after:
            self.held += 1
            try:
                while self.hold_after is not None:
                    await asyncio.sleep(0.02)
                    if reader.at_eof():
                        with self._lock:
                            self.aborted += 1
                        return 0, {}, {}
            finally:
                self.held -= 1
        if self.delay:
            await asyncio.sleep(self.delay)
            if reader.at_eof():
                with self._lock:
                    self.aborted += 1
                return 0, {}, {}
        down = self.outage() if self.outage is not None else None
        with self._lock:
            plan = self.plans.get(token)
            outcome = down or (plan.pop(0) if plan else "OK")
            record = Received(token=token, message=message, at=time.monotonic(), outcome=outcome)
            self.attempts.append(record)
            if outcome == "OK":
                self.accepted.append(record)
        if outcome == "OK":
            return 200, {"name": f"projects/{self.project_id}/messages/{next(self._ids)}"}, {}
        http_status, status, text = ERRORS[outcome]
        payload = _status(http_status, status, text)
        payload["error"]["details"] = [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": outcome}
        ]
        waits = outcome == "QUOTA_EXCEEDED" or down is not None
        extra = {"Retry-After": str(self.retry_after)} if waits else {}
        return http_status, payload, extra


def _status(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}
