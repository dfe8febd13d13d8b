"""Where the API's CPU goes for one request through /graphql: the app in this process, no network.

    .venv/bin/python -m bench.graphql_profile [--operation search|grants|typename]
        [--signed-in] [--requests 2000] [--profile] [--top 40] [--mongodb-uri URI]

Starts SecantusDB, loads the demo data (`xuthanh seed`; for `grants`, 1,000 grants as
bench/foundation.py does), builds the app with `create_app` and runs its lifespan here, then sends
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
import json
import os
import pstats
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.foundation import QUERY as GRANTS_QUERY
from bench.foundation import load_grants
from bench.harness import ROOT, mongo_server

SEARCH_QUERY = """query($q: String) { procedures(search: $q, first: 10) {
  totalCount edges { cursor node { code name field agency level onlineLevel } }
  pageInfo { hasNextPage endCursor } } }"""
SECRET = "bench-only-secret-0123456789abcdef"  # noqa: S105 (local bench server)


def _environment(uri: str) -> dict[str, str]:
    return {
        "APP_ENV": "development",
        "MONGODB_URI": uri,
        "MONGODB_DATABASE": "bench",
        "DEV_TOKEN_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }


def _request(
    operation: str, environment: dict[str, str], signed_in: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    if operation == "search" and not signed_in:
        return {"query": SEARCH_QUERY, "variables": {"q": "khai sinh"}}, {}
    if operation == "typename" and not signed_in:
        return {"query": "{ __typename }"}, {}
    token = subprocess.run(
        [str(ROOT / ".venv/bin/xuthanh"), "dev-token", "--uid", "bench-admin", "--role", "admin"],
        env={**os.environ, **environment},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    queries = {"search": SEARCH_QUERY, "grants": GRANTS_QUERY, "typename": "{ __typename }"}
    body: dict[str, Any] = {"query": queries[operation]}
    if operation == "search":
        body["variables"] = {"q": "khai sinh"}
    return body, {"Authorization": f"Bearer {token}"}


async def measure(args: argparse.Namespace, environment: dict[str, str]) -> None:
    os.environ.update(environment)
    from api.app import create_app  # after the environment is set (Settings reads it)

    body, headers = _request(args.operation, environment, args.signed_in)
    app = create_app()
    raw = json.dumps(body).encode()
    scope_headers = [(b"content-type", b"application/json"), (b"host", b"api")] + [
        (key.lower().encode(), value.encode()) for key, value in headers.items()
    ]
    async with app.router.lifespan_context(app):

        async def once() -> None:
            """One POST through the whole ASGI app, driven by hand (no client library cost)."""
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

        for _ in range(200):  # warm the caches (parser, validation, index reader)
            await once()
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            await once()
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{args.operation}{' (signed in)' if args.signed_in else ''}: {args.requests} requests, "
        f"CPU {cpu / args.requests * 1000:.2f} ms "
        f"per request (wall {wall / args.requests * 1000:.2f} ms)"
        + (" under cProfile" if profiler else "")
    )
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
    parser.add_argument("--operation", choices=("search", "grants", "typename"), default="search")
    parser.add_argument(
        "--signed-in", action="store_true", help="send an admin's token (grants always does)"
    )
    parser.add_argument("--requests", type=int, default=2000)
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
        environment = _environment(mongo_server.uri_for(port))
        if args.operation != "grants":
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
