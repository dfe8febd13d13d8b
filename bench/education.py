"""Education benchmark: the hot reads of the school directory, on the demo data or at the
province's size (2,130 schools, about 1,550 admission rounds: ``--scale province`` loads the
synthetic records of ``domains/education/province.py`` on top of the demo data).

.venv/bin/python -m bench.education [--scale province] [--clients 16] [--seconds 10] [--only near]

Each read is driven on its own; "near" queries rotate over points around the province's
towns, searches over what parents type.
"""

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.harness import Result, Stack, drive, print_table

POINTS = [
    (19.805, 105.765),
    (19.80, 105.777),
    (19.842, 105.793),
    (19.748, 105.9),
    (19.935, 105.49),
    (20.09, 105.88),
    (19.41, 105.78),
]
SEARCHES = [
    "thpt dao duy tu",
    "truong tieu hoc sam son",
    "mầm non Hoằng Hóa",
    "thcs tran mai ninh",
    "cao dang y te",
    "trường THPT Lê Lợi",
]
LOCATION = """query($lat: Float!, $lng: Float!) { schoolsForLocation(lat: $lat, lng: $lng) {
  commune { code } schools { school { id name } matchedBy distanceKm } } }"""
NEAR = """query($lat: Float!, $lng: Float!) {
  schools(near: {lat: $lat, lng: $lng, radiusKm: 5}, level: PRIMARY, first: 20) {
    nodes { id name lat lng ownership } pageInfo { hasNextPage endCursor } } }"""
SEARCH = """query($q: String) { schools(search: $q, first: 20) { nodes { id name address } } }"""
LIST = """{ schools(first: 20, level: UPPER_SECONDARY) {
  nodes { id name admissionRounds { id name status } } pageInfo { endCursor } } }"""
ROUNDS = """{ admissionRounds(schoolYear: "2027-2028", first: 20) { nodes { id name status
  procedure { code name } requiredDocuments { name source } schools { id name } } } }"""


async def seed(uri: str, database: str, scale: str) -> None:
    from domains.education.module import MODULE
    from domains.education.province import seed_province
    from domains.education.seed import seed_demo
    from domains.procedures.repository import ProcedureRepository
    from domains.procedures.seed import seed_demo as seed_procedures

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    db = client[database]
    for repo in (ProcedureRepository, *MODULE.repositories):
        await repo.create_indexes(db)
    await seed_procedures(db=db, progress=lambda d, t: None)
    await seed_demo(db=db, progress=lambda d, t: None)
    if scale == "province":
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            print(f"\rloading synthetic schools and rounds {done}/{total}", end="", file=sys.stderr)

        await seed_province(db=db, progress=progress)
        print(f" ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    await client.close()


def wait_caught_up(url: str, expected: int, timeout: float = 120.0) -> None:
    """Until the API's directory lists every school (its read side follows the writes)."""
    deadline = time.monotonic() + timeout
    query = {"query": "{ schools(first: 1) { totalCount } }"}
    while time.monotonic() < deadline:
        body = httpx.post(url, json=query, timeout=30).json()
        if (body.get("data") or {}).get("schools", {}).get("totalCount") == expected:
            return
        time.sleep(0.5)
    raise RuntimeError("the API did not list every school in time")


def bodies() -> dict[str, Callable[[int], dict[str, Any]]]:
    points, searches = itertools.cycle(POINTS), itertools.cycle(SEARCHES)

    def located(query: str) -> Callable[[int], dict[str, Any]]:
        return lambda _: {
            "query": query,
            "variables": dict(zip(("lat", "lng"), next(points), strict=True)),
        }

    return {
        "near": located(NEAR),
        "location": located(LOCATION),
        "search": lambda _: {"query": SEARCH, "variables": {"q": next(searches)}},
        "list": lambda _: {"query": LIST},
        "rounds": lambda _: {"query": ROUNDS},
    }


LABELS = {
    "near": "schools(near 5 km, level)",
    "location": "schoolsForLocation",
    "search": "schools(search)",
    "list": "schools + admissionRounds",
    "rounds": "admissionRounds + schools",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=("demo", "province"), default="demo")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", action="append", choices=sorted(LABELS), default=None)
    args = parser.parse_args()
    with Stack() as stack:
        stack.run_async(seed(stack.mongo_uri, stack.database, args.scale))
        wait_caught_up(stack.graphql_url, 2130 if args.scale == "province" else 30)
        rows: list[tuple[str, Result]] = []
        for name, make in bodies().items():
            if args.only and name not in args.only:
                continue
            print(f"driving {LABELS[name]} ...", file=sys.stderr)
            result = drive(
                stack.graphql_url,
                json_body=make,
                clients=args.clients,
                seconds=args.seconds,
                server_pid=stack.api.pid,
                check=lambda r: "errors" not in r.json(),
            )
            rows.append((LABELS[name], result))
    print_table(rows, title=f"{args.clients} clients, {args.seconds:g} s each, {args.scale} data")
    for label, result in rows:  # the table rounds req/s to whole numbers
        print(f"{label}: {result.requests} requests in {result.seconds:.1f} s")


if __name__ == "__main__":
    main()
