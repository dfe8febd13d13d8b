"""Procedure search with 5,000 procedures: through /graphql and called directly on the service.

    .venv/bin/python -m bench.procedures_search [--procedures 5000] [--clients 8] [--seconds 10]

The catalogue is the demo data plus generated variants of it (the same names with the qualifiers
real catalogues carry: another level, foreign element, re-issuance, ...), written through the
importer as `xuthanh import-procedures` would, from this process: the API's search index picks
them up through its change feed (the bench waits until the last one is found). Searches rotate
through what people type. The in-process search engine ranks (domains/procedures/search_index.py);
the former MongoDB ranking is gone, its figures are in the README.
"""

import argparse
import asyncio
import copy
import json
import time
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.harness import Result, Stack, drive, print_table
from domains.kernel.auth import ANONYMOUS
from domains.kernel.caller import Caller
from domains.kernel.resources import Resources
from domains.procedures.records import Problem
from domains.procedures.repository import ProcedureStore
from domains.procedures.search_index import ProcedureSearch
from domains.procedures.seed import DATA_PATH
from domains.procedures.service import import_records, search_procedures

SEARCHES = [
    "khai sinh",
    "giay phep lai xe",
    "cấp đổi CCCD",
    "so do",
    "dang ky tam tru",
    "ho kinh doanh",
    "chung thuc ban sao",
    "1.001193",
    "vao lop 10",
    "tro cap xa hoi",
]
CALL_TIMEOUT = 30.0
QUERY = """query($q: String) { procedures(search: $q, first: 10) {
  totalCount edges { cursor node { code name field agency level onlineLevel } }
  pageInfo { hasNextPage endCursor } } }"""

# (Vietnamese, English) qualifiers found in real procedure names.
QUALIFIERS = [
    ("có yếu tố nước ngoài", "with a foreign element"),
    ("cho người Việt Nam định cư ở nước ngoài", "for overseas Vietnamese"),
    ("tại cơ quan đại diện", "at a diplomatic mission"),
    ("trường hợp bị mất, hư hỏng", "when lost or damaged"),
    ("lần đầu", "first time"),
    ("thực hiện tại cấp tỉnh", "provincial level"),
    ("thực hiện tại cấp xã", "commune level"),
    ("liên thông", "linked"),
    ("đối với hộ gia đình, cá nhân", "for households and individuals"),
    ("đối với tổ chức", "for organisations"),
    ("trên môi trường điện tử", "online"),
    ("cấp lại", "re-issuance"),
]
LEVELS = ["commune", "province", "central"]


def catalogue(size: int) -> list[dict[str, Any]]:
    """The demo records followed by generated variants, ``size`` records in all."""
    base = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    records = list(base)
    n = 0
    while len(records) < size:
        source = base[n % len(base)]
        vi, en = QUALIFIERS[(n // len(base)) % len(QUALIFIERS)]
        variant = copy.deepcopy(source)
        variant["code"] = f"4.{n:06d}"
        variant["name"] = {
            "vi": f"{source['name']['vi']} ({vi}) - mẫu {n // (len(base) * len(QUALIFIERS))}",
            "en": f"{source['name'].get('en', '')} ({en})",
        }
        variant["level"] = LEVELS[n % len(LEVELS)]
        records.append(variant)
        n += 1
    return records


async def load(uri: str, database: str, size: int) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    records = catalogue(size)
    rows: list[tuple[int, dict[str, Any] | None, list[Problem]]] = [
        (i, record, []) for i, record in enumerate(records, start=1)
    ]
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 2 or done == total:
            last[0] = time.monotonic()
            print(f"  loading {done}/{total}", flush=True)

    report = await import_records(db=client[database], rows=rows, by="bench", progress=progress)
    await client.close()
    if report.rejected:
        raise SystemExit(f"generated rows were rejected: {report.rejected[:3]}")
    print(f"  {report.accepted} procedures loaded", flush=True)


async def direct(uri: str, database: str, *, clients: int, seconds: float) -> Result:
    """The same searches on the service in this process (no HTTP, no GraphQL)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    db = client[database]
    index = ProcedureSearch(db)
    caller = Caller(ProcedureStore.of(Resources(db)), ANONYMOUS)
    started = time.perf_counter()
    await index.start()
    await index.wait_built()
    print(f"  index of {len(index.index)} built in {time.perf_counter() - started:.2f} s")
    latencies: list[float] = []
    counter = errors = 0

    async def search(text: str) -> None:
        page = await search_procedures(caller=caller, index=index, search=text, first=10)
        await page.count_total()

    async def worker(stop_at: float, record: bool) -> None:
        nonlocal counter, errors
        while time.perf_counter() < stop_at:
            counter += 1
            started = time.perf_counter()
            try:
                # The same 30 s limit as the HTTP clients of the harness.
                await asyncio.wait_for(search(SEARCHES[counter % len(SEARCHES)]), CALL_TIMEOUT)
                failed = False
            except TimeoutError:
                failed = True
            if record:
                latencies.append((time.perf_counter() - started) * 1000)
                errors += failed

    warm = time.perf_counter() + 2
    await asyncio.gather(*(worker(warm, False) for _ in range(clients)))
    started = time.perf_counter()
    await asyncio.gather(*(worker(started + seconds, True) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    await index.stop()
    await client.close()
    return Result(len(latencies), errors, elapsed, latencies)


def wait_until_indexed(url: str, last: dict[str, Any], seconds: float = 120.0) -> None:
    """Poll the API's search until the last record written is its top hit for its own name."""
    started = time.monotonic()
    query = "query($q: String) { procedures(search: $q, first: 1) { edges { node { code } } } }"
    with httpx.Client(timeout=CALL_TIMEOUT) as http:
        while time.monotonic() - started < seconds:
            body = http.post(url, json={"query": query, "variables": {"q": last["name"]["vi"]}})
            edges = body.json()["data"]["procedures"]["edges"]
            if edges and edges[0]["node"]["code"] == last["code"]:
                print(f"  indexed by the API {time.monotonic() - started:.1f} s after the load")
                return
            time.sleep(0.1)
    raise SystemExit(f"the API's index did not catch up within {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with Stack(database="bench_procedures") as stack:
        print(f"Loading {args.procedures} procedures ...", flush=True)
        stack.run_async(load(stack.mongo_uri, stack.database, args.procedures))
        wait_until_indexed(stack.graphql_url, catalogue(args.procedures)[-1])

        def ok(response: Any) -> bool:
            body = response.json()
            return "errors" not in body and body["data"]["procedures"]["totalCount"] > 0

        print(f"GraphQL: {args.clients} clients for {args.seconds:.0f}s ...", flush=True)
        graphql = drive(
            stack.graphql_url,
            json_body=lambda i: {"query": QUERY, "variables": {"q": SEARCHES[i % len(SEARCHES)]}},
            clients=args.clients,
            seconds=args.seconds,
            server_pid=stack.api.pid,
            check=ok,
        )
        title = f"Procedure search, {args.procedures} procedures, {args.clients} clients"
        print_table([("search via /graphql", graphql)], title=title)
        print(f"Service: {args.clients} tasks for {args.seconds:.0f}s ...", flush=True)
        service = stack.run_async(
            direct(stack.mongo_uri, stack.database, clients=args.clients, seconds=args.seconds)
        )
    print_table([("search via /graphql", graphql), ("search on the service", service)], title=title)


if __name__ == "__main__":
    main()
