"""Where the API's CPU goes for one request through /graphql: the app in this process, no network.

    .venv/bin/python -m bench.graphql_profile [--operation search|grants|typename|
        hospitals-near|slots|slots-near] [--signed-in] [--requests 2000] [--concurrency 1]
        [--profile] [--top 40] [--mongodb-uri URI]

Starts SecantusDB, loads the demo data (`xuthanh seed`; for `grants`, 1,000 grants as
bench/foundation.py does; for the health reads, the province's 700 facilities and 60,000 slots
as bench/health_province.py does, about a minute: `--mongodb-uri` reuses a database it loaded
into `bench`), builds the app with `create_app` and runs its lifespan here, then sends
the same request through the whole ASGI stack (middleware, sign-in, Strawberry) with ASGI
messages driven by hand. Prints the CPU time per request (`time.process_time`; everything but
uvicorn's HTTP parsing) and, with `--profile`, cProfile's top functions by
cumulative and by own time. `typename` sends `{ __typename }`: the cost of the stack alone
(`--signed-in`: and of sign-in with an admin's development token). Compare with the server CPU
column of bench/procedures_search.py, which measures a real uvicorn process.
"""

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench import health_province
from bench.foundation import QUERY as GRANTS_QUERY
from bench.foundation import load_grants
from bench.harness import ROOT, mongo_server

SEARCH_QUERY = """query($q: String) { procedures(search: $q, first: 10) {
  totalCount edges { cursor node { code name field agency level onlineLevel } }
  pageInfo { hasNextPage endCursor } } }"""
SECRET = "bench-only-secret-0123456789abcdef"  # noqa: S105 (local bench server)
# The health reads of bench/health_province.py, on its data (NAME there: near, slots, slots-near).
HEALTH = {"hospitals-near": "near", "slots": "slots", "slots-near": "slots-near"}
Body = Callable[[int], dict[str, Any]]


def _environment(uri: str) -> dict[str, str]:
    return {
        "APP_ENV": "development",
        "MONGODB_URI": uri,
        "MONGODB_DATABASE": "bench",
        "DEV_TOKEN_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }


async def _health_body(operation: str, uri: str) -> Body:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        biggest = await health_province.busiest(client["bench"])
    finally:
        await client.close()
    return health_province.bodies("", biggest, "")[HEALTH[operation]]


def _request(
    operation: str, environment: dict[str, str], signed_in: bool
) -> tuple[Body, dict[str, str]]:
    """The request's body (the ``i``th request's) and headers."""
    queries = {"search": SEARCH_QUERY, "grants": GRANTS_QUERY, "typename": "{ __typename }"}
    body: dict[str, Any] = {"query": queries[operation]}
    if operation == "search":
        body["variables"] = {"q": "khai sinh"}
    if operation != "grants" and not signed_in:
        return lambda i: body, {}
    token = subprocess.run(
        [str(ROOT / ".venv/bin/xuthanh"), "dev-token", "--uid", "bench-admin", "--role", "admin"],
        env={**os.environ, **environment},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return lambda i: body, {"Authorization": f"Bearer {token}"}


class Pauses:
    """What held the event loop while requests ran: every garbage collection (``gc.callbacks``)
    by generation, timed in this thread's CPU time (what a busy machine does not stretch), and
    the loop's lag (how late a 5 ms sleep wakes up: wall time)."""

    TICK = 0.005

    def __init__(self) -> None:
        self.collections: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.lags: list[float] = []
        self._began = 0.0
        self._ticker: asyncio.Task[None] | None = None

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.thread_time()
        else:
            self.collections[info["generation"]].append(time.thread_time() - self._began)

    async def _tick(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(self.TICK)
            self.lags.append(time.perf_counter() - asked - self.TICK)

    def __enter__(self) -> "Pauses":
        gc.callbacks.append(self._on_gc)
        self._ticker = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)
        if self._ticker is not None:
            self._ticker.cancel()

    def report(self, requests: int) -> str:
        per = 1000 / requests
        frozen = gc.get_freeze_count()
        lines = [f"  garbage collection per 1,000 requests (frozen objects: {frozen}):"]
        for generation, pauses in self.collections.items():
            longest = max(pauses, default=0.0) * 1000
            lines.append(
                f"    gen {generation}: {len(pauses) * per:7.1f} collections, "
                f"{sum(pauses) * 1000 * per:8.1f} ms CPU in all, longest {longest:.1f} ms"
            )
        lags = sorted(self.lags) or [0.0]
        lines.append(
            f"  event-loop lag ({len(lags)} ticks): p50 {_pct(lags, 50) * 1000:.1f} ms, "
            f"p99 {_pct(lags, 99) * 1000:.1f} ms, longest {lags[-1] * 1000:.1f} ms"
        )
        return "\n".join(lines)


def _pct(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _asgi(app: Any, headers: dict[str, str]) -> Callable[[bytes], Awaitable[None]]:
    """One POST of ``raw`` through the whole ASGI app, driven by hand (no client library)."""
    scope_headers = [(b"content-type", b"application/json"), (b"host", b"api")] + [
        (key.lower().encode(), value.encode()) for key, value in headers.items()
    ]

    async def once(raw: bytes) -> None:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "root_path": "",
            "query_string": b"",
            "headers": scope_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "app": app,
        }
        await app(scope, receive, send)
        status = sent[0]["status"]
        payload = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
        if status != 200 or payload.get("errors"):
            raise SystemExit(f"request failed: {status} {payload}")

    return once


async def _run(
    once: Callable[[bytes], Awaitable[None]], raws: list[bytes], concurrency: int
) -> list[float]:
    """Every body once, from ``concurrency`` tasks; each request's latency in seconds."""
    latencies: list[float] = []
    queue = iter(raws)

    async def worker() -> None:
        for raw in queue:
            began = time.perf_counter()
            await once(raw)
            latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def measure(args: argparse.Namespace, environment: dict[str, str]) -> None:
    os.environ.update(environment)
    from api.app import create_app  # after the environment is set (Settings reads it)

    headers: dict[str, str] = {}
    if args.operation in HEALTH:
        body = await _health_body(args.operation, environment["MONGODB_URI"])
    else:
        body, headers = _request(args.operation, environment, args.signed_in)
    raws = [json.dumps(body(i)).encode() for i in range(args.requests)]
    app = create_app(settle_heap=True)  # as `xuthanh serve` does
    async with app.router.lifespan_context(app):
        await app.state.runtime.resources.readiness.settle(120)  # every read side built
        once = _asgi(app, headers)
        # Warm the caches (parser, validation, index reader).
        await _run(once, [json.dumps(body(-i)).encode() for i in range(1, 201)], 1)
        profiler = cProfile.Profile() if args.profile else None
        with Pauses() as pauses:
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            latencies = sorted(await _run(once, raws, args.concurrency))
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{args.operation}{' (signed in)' if args.signed_in else ''}: {args.requests} requests, "
        f"CPU {cpu / args.requests * 1000:.2f} ms "
        f"per request (wall {wall / args.requests * 1000:.2f} ms)"
        + (" under cProfile" if profiler else "")
    )
    print(
        f"  latency at {args.concurrency} concurrent: p50 {_pct(latencies, 50) * 1000:.1f} ms, "
        f"p95 {_pct(latencies, 95) * 1000:.1f}, p99 {_pct(latencies, 99) * 1000:.1f}, "
        f"longest {latencies[-1] * 1000:.1f}"
    )
    print(pauses.report(args.requests))
    if profiler:
        stats = pstats.Stats(profiler)
        _by_package(stats)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


def _package(filename: str) -> str:
    """A profile entry's package: site-packages' top folder, the project's folder, or builtins."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if filename.startswith(str(ROOT)):
        return "/".join(Path(filename).relative_to(ROOT).parts[:2])
    if filename == "~":
        return "builtins (C)"
    return "stdlib"


def _by_package(stats: pstats.Stats) -> None:
    """Own time summed per package: where the CPU goes without reading 200 lines."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        totals[_package(filename)] = totals.get(_package(filename), 0.0) + row[2]
    whole = sum(totals.values())
    for package, seconds in sorted(totals.items(), key=lambda item: -item[1])[:20]:
        print(f"  {package:<40} {seconds / whole:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--operation", choices=("search", "grants", "typename", *HEALTH), default="search"
    )
    parser.add_argument(
        "--signed-in", action="store_true", help="send an admin's token (grants always does)"
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="requests in flight at once (latency figures)"
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--mongodb-uri", help="use this database (already loaded) instead of starting one"
    )
    args = parser.parse_args()
    if args.mongodb_uri:
        asyncio.run(measure(args, _environment(args.mongodb_uri)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="xuthanh-profile-"))
    port = mongo_server.free_port()
    process = mongo_server.start(
        port=port, storage=str(workdir / "mongo"), log_path=workdir / "mongo.log"
    )
    try:
        environment = _environment(mongo_server.uri_for(port, retry_writes=False))
        if args.operation in HEALTH:
            asyncio.run(health_province.load(environment["MONGODB_URI"], "bench"))
        elif args.operation != "grants":
            subprocess.run(
                [str(ROOT / ".venv/bin/xuthanh"), "seed"],
                env={**os.environ, **environment},
                check=True,
                capture_output=True,
            )
        else:
            load_grants(environment["MONGODB_URI"], "bench", 1000)
        asyncio.run(measure(args, environment))
    finally:
        mongo_server.stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
