"""Benchmark harness: real processes on loopback, N concurrent clients, latency percentiles.

    from bench.harness import Stack, drive, print_table

    with Stack(plain_app="bench.foundation:plain_app") as stack:   # SecantusDB + API (+ plain app)
        stack.run_async(load_data(stack.mongo_uri, stack.database))  # your fixture data
        graphql = drive(stack.graphql_url, json_body=lambda i: {...}, headers=..., clients=16,
                        seconds=10)
        plain = drive(stack.plain_url + "/items", method="GET", clients=16, seconds=10)
        print_table([("GraphQL", graphql), ("plain JSON", plain)])

Each server is its own uvicorn process with one worker, as in production per replica. The load
generator runs on the same 2-core machine. By default it is a lean HTTP/1.1 client (pre-encoded
requests on keep-alive connections, ~0.1 ms of its CPU per request): the httpx client it replaced
spent ~1 ms per request on the cores the server needs, and its single event loop, handing 16
responses in turn to their callers, added its own queueing to every latency it recorded (a
procedure search p95 of 80 ms with httpx was 47 ms with the lean client, same server, same CPU
per request). `BENCH_CLIENT=httpx` drives with httpx as before, to compare. `cpu_ms_per_request`
is the server process's own CPU time per request (from /proc), which does not depend on the client.
"""

import asyncio
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import mongo_server  # noqa: E402


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    cpu_ms_per_request: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


class Stack:
    """SecantusDB, the API (`xuthanh serve`) and optionally a plain Starlette app, on loopback."""

    def __init__(
        self,
        *,
        plain_app: str | None = None,
        env: dict[str, str] | None = None,
        database: str = "bench",
        database_cache: str = mongo_server.CACHE_SIZE,
        database_options: dict[str, Any] | None = None,  # more of mongo_server.start's
    ) -> None:
        self.plain_app = plain_app
        self.database_cache = database_cache
        self.database_options = database_options or {}
        self.extra_env = env or {}
        self.database = database
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="xuthanh-bench-"))
        self.mongo: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Stack":
        try:
            return self._start()
        except BaseException:
            # __exit__ does not run when __enter__ fails: stop what did start.
            self.__exit__()
            raise

    def _start(self) -> "Stack":
        mongo_port = mongo_server.free_port()
        self.mongo = mongo_server.start(
            port=mongo_port,
            storage=str(self.workdir / "mongo"),
            log_path=self.workdir / "mongo.log",
            cache_size=self.database_cache,
            **self.database_options,
        )
        self.mongo_uri = mongo_server.uri_for(mongo_port, retry_writes=False)
        self.env = {
            **os.environ,
            "APP_ENV": "development",
            "MONGODB_URI": self.mongo_uri,
            "MONGODB_DATABASE": self.database,
            "DEV_TOKEN_SECRET": "bench-only-secret-0123456789abcdef",
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        api_port = mongo_server.free_port()
        self.api = self._spawn(
            [str(ROOT / ".venv/bin/xuthanh"), "serve", "--port", str(api_port)], "api.log"
        )
        self.graphql_url = f"http://127.0.0.1:{api_port}/graphql"
        _wait_http(f"http://127.0.0.1:{api_port}/healthz", self.api)
        if self.plain_app:
            plain_port = mongo_server.free_port()
            self.plain = self._spawn(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    self.plain_app,
                    "--factory",
                    "--port",
                    str(plain_port),
                    "--host",
                    "127.0.0.1",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                "plain.log",
            )
            self.plain_url = f"http://127.0.0.1:{plain_port}"
            _wait_http(self.plain_url + "/", self.plain)
        return self

    def _spawn(
        self,
        argv: list[str],
        log_name: str,
        *,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
    ) -> subprocess.Popen[bytes]:
        log = (self.workdir / log_name).open("ab")
        process = subprocess.Popen(
            argv,
            env={**self.env, **(env or {})},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def dev_token(
        self, uid: str, *roles: str, hospitals: tuple[str, ...] = (), schools: tuple[str, ...] = ()
    ) -> str:
        argv = [str(ROOT / ".venv/bin/xuthanh"), "dev-token", "--uid", uid]
        for role in roles:
            argv += ["--role", role]
        for hospital in hospitals:
            argv += ["--hospital", hospital]
        for school in schools:
            argv += ["--school", school]
        return subprocess.run(
            argv,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def run_async(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run(coroutine)

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.mongo is not None:
            mongo_server.stop(self.mongo)
        # Logs and data are kept only while the stack runs (set BENCH_KEEP=1 to keep them).
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass
class Reply:
    """A response as the lean client read it: what the benches' checks look at."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode()


class LeanConnection:
    """One keep-alive HTTP/1.1 connection: writes a request, reads its response, nothing else."""

    def __init__(self, url: str, method: str, headers: dict[str, str] | None) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        fixed = {"host": f"{self.host}:{self.port}", **(headers or {})}
        self.head = f"{method} {target} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in fixed.items()
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, body: Any) -> Reply:
        if body is None:
            payload = (self.head + "content-length: 0\r\n\r\n").encode()
        else:
            data = json.dumps(body).encode()
            payload = (
                self.head + f"content-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
            ).encode() + data
        reused = self.writer is not None
        try:
            return await self._exchange(payload)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            # A kept-alive connection the server closed while it was idle: once more on a new
            # one, as an HTTP client does (a response that had begun is not retried).
            started = isinstance(error, asyncio.IncompleteReadError) and bool(error.partial)
            await self.close()
            if not reused or started:
                raise
            return await self._exchange(payload)

    async def _exchange(self, payload: bytes) -> Reply:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        writer.write(payload)
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            if not 100 <= status < 200:
                break  # an interim response (100 Continue) is followed by the real one
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            content = await self._chunked(reader)
        elif "content-length" in fields:
            content = await reader.readexactly(int(fields["content-length"]))
        else:
            content = await reader.read()  # the body ends when the server closes
            await self.close()
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, content)

    @staticmethod
    async def _chunked(reader: asyncio.StreamReader) -> bytes:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailer fields, up to the empty line
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def _closed_loop(
    senders: list[Callable[[Any], Awaitable[bool]]],
    *,
    json_body: Callable[[int], Any] | None,
    seconds: float,
    warmup: float,
    server_pid: int | None,
) -> Result:
    """One client per sender, each sending its next request as soon as the last one answered
    (``sender(body)``: True when the answer was right); warm-up first, then the measured run."""
    latencies: list[float] = []
    errors = 0
    counter = 0

    async def worker(send: Callable[[Any], Awaitable[bool]], stop_at: float, record: bool) -> None:
        nonlocal errors, counter
        while time.perf_counter() < stop_at:
            counter += 1
            body = json_body(counter) if json_body else None
            started = time.perf_counter()
            ok = await send(body)
            elapsed = (time.perf_counter() - started) * 1000
            if record:
                latencies.append(elapsed)
                errors += 0 if ok else 1

    warm_until = time.perf_counter() + warmup
    await asyncio.gather(*(worker(send, warm_until, False) for send in senders))
    cpu_before = _cpu_seconds(server_pid) if server_pid else 0.0
    started = time.perf_counter()
    await asyncio.gather(*(worker(send, started + seconds, True) for send in senders))
    elapsed = time.perf_counter() - started
    cpu_ms = None
    if server_pid and latencies:
        cpu_ms = (_cpu_seconds(server_pid) - cpu_before) * 1000 / len(latencies)
    return Result(len(latencies), errors, elapsed, latencies, cpu_ms)


async def _drive_lean(
    url: str,
    *,
    method: str,
    json_body: Callable[[int], Any] | None,
    headers: dict[str, str] | None,
    clients: int,
    seconds: float,
    warmup: float,
    check: Callable[[Any], bool] | None,
    server_pid: int | None,
) -> Result:
    connections = [LeanConnection(url, method, headers) for _ in range(clients)]

    def sender(connection: LeanConnection) -> Callable[[Any], Awaitable[bool]]:
        async def send(body: Any) -> bool:
            try:
                async with asyncio.timeout(30.0):
                    reply = await connection.request(body)
                return reply.status_code == 200 and (check is None or check(reply))
            except (
                OSError,
                ValueError,
                IndexError,
                TimeoutError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
            ):
                await connection.close()
                return False

        return send

    try:
        return await _closed_loop(
            [sender(connection) for connection in connections],
            json_body=json_body,
            seconds=seconds,
            warmup=warmup,
            server_pid=server_pid,
        )
    finally:
        for connection in connections:
            await connection.close()


async def _drive(
    url: str,
    *,
    method: str,
    json_body: Callable[[int], Any] | None,
    headers: dict[str, str] | None,
    clients: int,
    seconds: float,
    warmup: float,
    check: Callable[[httpx.Response], bool] | None,
    server_pid: int | None,
) -> Result:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30.0, headers=headers) as client:

        async def send(body: Any) -> bool:
            try:
                response = await client.request(method, url, json=body)
            except httpx.HTTPError:
                return False
            return response.status_code == 200 and (check is None or check(response))

        return await _closed_loop(
            [send] * clients,
            json_body=json_body,
            seconds=seconds,
            warmup=warmup,
            server_pid=server_pid,
        )


def drive(
    url: str,
    *,
    method: str = "POST",
    json_body: Callable[[int], Any] | None = None,
    headers: dict[str, str] | None = None,
    clients: int = 16,
    seconds: float = 10.0,
    warmup: float = 2.0,
    server_pid: int | None = None,
    check: Callable[[Any], bool] | None = None,
) -> Result:
    """Send requests from ``clients`` concurrent connections for ``seconds`` and measure them.

    ``check`` gets the response (``status_code``, ``json()``, ``text``) and says if it is right.

    The load generator's own garbage collector is kept out of the figures: what this process
    loaded before (fixtures, an index) is frozen and young collections are rarer while it
    drives, so its pauses do not show up as the server's latency."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, *threshold[1:])
    lean = os.environ.get("BENCH_CLIENT", "lean") != "httpx"
    try:
        return asyncio.run(
            (_drive_lean if lean else _drive)(
                url,
                method=method,
                json_body=json_body,
                headers=headers,
                clients=clients,
                seconds=seconds,
                warmup=warmup,
                check=check,
                server_pid=server_pid,
            )
        )
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def print_table(rows: list[tuple[str, Result]], title: str = "") -> None:
    if title:
        print(f"\n{title}")
    header = (
        f"{'':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'cpu ms/req':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, r in rows:
        cpu = f"{r.cpu_ms_per_request:.2f}" if r.cpu_ms_per_request is not None else "-"
        print(
            f"{name:<28}{r.rps:>9.0f}{r.percentile(50):>9.1f}{r.percentile(95):>9.1f}"
            f"{r.percentile(99):>9.1f}{r.errors:>8}{cpu:>12}"
        )
    if len(rows) >= 2 and rows[1][1].rps:
        print(f"ratio {rows[0][0]} / {rows[1][0]} (req/s): {rows[0][1].rps / rows[1][1].rps:.2f}")


@asynccontextmanager
async def plain_database(app: Any) -> AsyncIterator[None]:
    """Lifespan of a plain comparison app: ``app.state.db`` from MONGODB_URI/MONGODB_DATABASE."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        os.environ["MONGODB_URI"], tz_aware=True
    )
    app.state.db = client[os.environ["MONGODB_DATABASE"]]
    yield
    await client.close()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
