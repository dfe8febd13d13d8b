"""Notifications and accounts at the province's size: the inbox, the grants page and the fan-out's
device read, on the synthetic province data (100,000 devices, 5,000 inbox entries for
demo-visitor-1, 1,000 grants; ``domains/*/province.py``).

    .venv/bin/python -m bench.notifications_scale [--clients 16] [--seconds 10] [--old-path]

Through /graphql: the user's inbox first page (all, and unread only) and ``grants(first: 20)``.
``--old-path`` also drives a plain Starlette JSON endpoint running the queries the API ran before
(one sorted ``find`` with ``limit`` over the user's whole inbox / every grant). The fan-out's
read of every signed-in device is timed in this process: the former single sorted cursor against
the bucket walk (``fanout.read_audience`` with the "every citizen" audience).
"""

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bench.harness import Result, Stack, drive, plain_database, print_table
from domains.accounts.province import seed_province as seed_grants
from domains.kernel.resources import Resources
from domains.notifications.fanout import read_audience
from domains.notifications.province import INBOX_USER
from domains.notifications.province import seed_province as seed_notifications
from domains.notifications.repository import TOKEN_LIFETIME
from domains.notifications.store import NotificationsStore

INBOX = """query Inbox($unread: Boolean!) { notifications(first: 20, unreadOnly: $unread) {
  edges { cursor node { id category title body createdAt read } }
  pageInfo { hasNextPage endCursor } } }"""
GRANTS = """query Grants { grants(first: 20) {
  edges { cursor node { uid roles hospitalIds schoolIds updatedAt updatedBy } }
  pageInfo { hasNextPage endCursor } } }"""


def plain_app() -> Starlette:
    """The queries the API ran before, as plain JSON endpoints (no token check)."""

    async def inbox(request: Request) -> JSONResponse:
        query: dict[str, Any] = {"userId": INBOX_USER}
        if request.query_params.get("unread"):
            query["readAt"] = None
        rows = await request.app.state.db.inbox.find(
            query, sort=[("createdAt", -1), ("_id", -1)], limit=21
        ).to_list()
        return JSONResponse({"ids": [row["_id"] for row in rows[:20]]})

    async def grants(request: Request) -> JSONResponse:
        rows = await request.app.state.db.grants.find(
            {"roles": {"$ne": []}}, sort=[("_id", 1)], limit=21
        ).to_list()
        return JSONResponse({"ids": [row["_id"] for row in rows[:20]]})

    async def root(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    routes = [Route("/", root), Route("/inbox", inbox), Route("/grants", grants)]
    return Starlette(routes=routes, lifespan=plain_database)


async def seed(uri: str, database: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    started = time.perf_counter()
    for name, seeder in (("notifications", seed_notifications), ("accounts", seed_grants)):
        written = await seeder(db=client[database], progress=lambda done, total: None)
        print(f"  {name}: {written} synthetic records", flush=True)
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    await client.close()


async def device_reads(uri: str, database: str) -> None:
    """The fan-out's read of every signed-in device: one sorted cursor, then by buckets."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    db = client[database]
    now = datetime.now(UTC)
    started = time.perf_counter()
    cursor = db.devices.find(
        {"userId": {"$ne": None}, "lastSeenAt": {"$gte": now - TOKEN_LIFETIME}},
        sort=[("_id", 1)],
        batch_size=500,
    )
    first_chunk, count = None, 0
    while batch := await cursor.to_list(500):
        first_chunk = first_chunk or time.perf_counter() - started
        count += len(batch)
    print(
        f"  single sorted cursor: {count} devices, first chunk {first_chunk or 0:.2f} s, "
        f"all {time.perf_counter() - started:.2f} s",
        flush=True,
    )
    store = NotificationsStore.of(Resources(db))
    started = time.perf_counter()
    first_chunk, count = None, 0
    chunks = await read_audience(store, {"role": "citizen"}, None, size=500, now=now)
    async for devices, _users, _after in chunks:
        first_chunk = first_chunk or time.perf_counter() - started
        count += len(devices)
    print(
        f"  bucket walk:          {count} devices, first chunk {first_chunk or 0:.2f} s, "
        f"all {time.perf_counter() - started:.2f} s",
        flush=True,
    )
    await client.close()


def constant(body: dict[str, Any]) -> Callable[[int], dict[str, Any]]:
    return lambda _: body


def wait_for_grants(url: str, token: str) -> None:
    """Until the API's grants page holds every synthetic grant (read in the background)."""
    query = {"query": "{ grants { totalCount } }"}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = httpx.post(url, json=query, headers={"Authorization": f"Bearer {token}"}).json()
        if (body.get("data") or {}).get("grants", {}).get("totalCount", 0) >= 1000:
            return
        time.sleep(0.5)
    raise SystemExit("the API never listed the 1,000 grants")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--old-path", action="store_true")
    args = parser.parse_args()
    plain = "bench.notifications_scale:plain_app" if args.old_path else None
    rows: list[tuple[str, Result]] = []
    with Stack(plain_app=plain) as stack:
        asyncio.run(seed(stack.mongo_uri, stack.database))
        asyncio.run(device_reads(stack.mongo_uri, stack.database))
        user = {"Authorization": f"Bearer {stack.dev_token(INBOX_USER)}"}
        admin_token = stack.dev_token("bench-admin", "admin")
        wait_for_grants(stack.graphql_url, admin_token)
        admin = {"Authorization": f"Bearer {admin_token}"}
        for name, body, headers in (
            ("GraphQL inbox", {"query": INBOX, "variables": {"unread": False}}, user),
            ("GraphQL inbox unread", {"query": INBOX, "variables": {"unread": True}}, user),
            ("GraphQL grants(first: 20)", {"query": GRANTS}, admin),
        ):
            result = drive(
                stack.graphql_url,
                json_body=constant(body),
                headers=headers,
                clients=args.clients,
                seconds=args.seconds,
                server_pid=stack.api.pid,
                check=lambda response: "errors" not in response.json(),
            )
            rows.append((name, result))
        if args.old_path:
            for name, path in (
                ("old query: inbox", "/inbox"),
                ("old query: inbox unread", "/inbox?unread=1"),
                ("old query: grants", "/grants"),
            ):
                result = drive(
                    stack.plain_url + path,
                    method="GET",
                    clients=args.clients,
                    seconds=args.seconds,
                    server_pid=stack.plain.pid,
                )
                rows.append((name, result))
    print_table(rows, title=f"{args.clients} clients, {args.seconds:g} s each, province data")


if __name__ == "__main__":
    main()
