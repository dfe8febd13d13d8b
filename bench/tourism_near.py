"""Tourism benchmark: the catalogue's hot reads through /graphql, served by the in-process read
side (domains/tourism/catalogues.py), over 10,000 generated attractions or the province-scale
data (the demo's 35 attractions and 10 events plus 500 and 200 synthetic ones).

    .venv/bin/python -m bench.tourism_near [--clients 16] [--seconds 10] [--count 10000]
        [--province] [--read near|search|events-near|events-search] [--old-path]

Each request asks around a different point of the province (a fixed sequence), 10 km radius,
20 per page with distance and rating; searches cycle through names as people type them.
`--old-path` also drives a plain Starlette JSON endpoint running the `$geoNear` pipeline the API
ran before the read side (whole collection per request; on SecantusDB, seconds at 10,000 points).
The API is driven once its read side holds every record loaded (polled, not slept).
"""

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from pymongo import MongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bench.harness import Stack, drive, plain_database, print_table

# Thanh Hóa, roughly: where the generated attractions and the query points fall.
LAT, LNG = (19.40, 20.40), (105.00, 106.00)
RADIUS_KM = 10.0
# Names as people type them (no accents, either language, a word missing).
TYPED = [
    "sam son",
    "thanh nha ho",
    "ho citadel",
    "pu luong",
    "lam kinh",
    "den ba trieu",
    "hai tien beach",
    "suoi ca cam luong",
    "ben en",
    "hang con moong",
    "le hoi",
    "festival",
]
SEARCH_QUERY = """query Search($search: String!) {
  attractions(search: $search, first: 20) {
    edges { cursor node { id name category location { lat lng } rating { average count } } }
    pageInfo { hasNextPage endCursor } } }"""
EVENTS_QUERY = """query Events($near: NearInput, $search: String) {
  events(near: $near, search: $search, from: "2020-01-01T00:00:00+07:00", first: 20) {
    edges { cursor node { id name startsAt distanceKm } }
    pageInfo { hasNextPage endCursor } } }"""
QUERY = """query Near($near: NearInput!) {
  attractions(near: $near, first: 20) {
    edges { cursor node { id name category distanceKm location { lat lng }
                          rating { average count } } }
    pageInfo { hasNextPage endCursor } } }"""


def centre(i: int) -> tuple[float, float]:
    rng = random.Random(i)
    return round(rng.uniform(*LAT), 4), round(rng.uniform(*LNG), 4)


def plain_app() -> Starlette:
    """The same read as the GraphQL query, written by hand."""

    async def near(request: Request) -> JSONResponse:
        point = await request.json()
        lat, lng = float(point["lat"]), float(point["lng"])
        pipeline = [
            {
                "$geoNear": {
                    "near": {"type": "Point", "coordinates": [lng, lat]},
                    "distanceField": "distanceMeters",
                    "maxDistance": RADIUS_KM * 1000,
                    "spherical": True,
                    "key": "location",
                    "query": {},
                }
            },
            {"$sort": {"distanceMeters": 1, "_id": 1}},
            {"$limit": 21},
        ]
        rows = await (await request.app.state.db.tourism_attractions.aggregate(pipeline)).to_list()
        items = []
        for row in rows[:20]:
            count = row["rating"]["count"]
            items.append(
                {
                    "id": str(row["_id"]),
                    "name": row["name"]["vi"],
                    "category": row["category"].upper(),
                    "distanceKm": round(row["distanceMeters"] / 1000, 3),
                    "location": {
                        "lat": row["location"]["coordinates"][1],
                        "lng": row["location"]["coordinates"][0],
                    },
                    "rating": {
                        "average": round(row["rating"]["sum"] / count, 2) if count else None,
                        "count": count,
                    },
                }
            )
        return JSONResponse({"items": items, "hasNextPage": len(rows) > 20})

    async def root(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/", root), Route("/near", near, methods=["POST"])], lifespan=plain_database
    )


def load_attractions(uri: str, database: str, count: int) -> None:
    """Generated attractions in the stored shape, inserted in batches with progress."""
    rng = random.Random(42)
    now = datetime.now(UTC)
    categories = ["beach", "heritage", "nature", "cave", "spiritual", "museum", "cuisine"]
    batch: list[dict[str, Any]] = []
    with MongoClient(uri) as client:
        collection = client[database].tourism_attractions
        for i in range(count):
            lat, lng = rng.uniform(*LAT), rng.uniform(*LNG)
            ratings = rng.randint(0, 40)
            batch.append(
                {
                    "slug": f"bench-{i:05d}",
                    "name": {"vi": f"Điểm tham quan {i}", "en": f"Attraction {i}"},
                    "description": {"vi": "Mô tả ngắn.", "en": "A short description."},
                    "category": categories[i % len(categories)],
                    "location": {"type": "Point", "coordinates": [lng, lat]},
                    "address": "Thanh Hóa",
                    "district": "Thanh Hóa",
                    "districtKey": "thanh hoa",
                    "nameKey": f"diem tham quan {i:05d}",
                    "openingHours": [
                        {"weekday": d, "opens": "07:00", "closes": "17:00"} for d in range(7)
                    ],
                    "specialDays": [],
                    "tickets": {"free": True},
                    "accessibility": {},
                    "contacts": {},
                    "images": [],
                    "tags": [],
                    "rating": {"sum": ratings * rng.randint(1, 5), "count": ratings},
                    "searchPrimary": ["diem", "tham", "quan", str(i)],
                    "searchTerms": ["diem", "tham", "quan", str(i)],
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
            if len(batch) == 1000 or i == count - 1:
                collection.insert_many(batch)
                batch = []
                print(f"\rloading attractions {i + 1}/{count}", end="", file=sys.stderr)
        print(file=sys.stderr)


def load_province(uri: str, database: str) -> int:
    """The tourism demo data and the province-scale synthetic records; returns the attractions."""
    from pymongo import AsyncMongoClient

    from domains.tourism.province import ATTRACTIONS, seed_province
    from domains.tourism.seed import load, seed_demo

    async def seed() -> None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
        try:
            db = client[database]

            def progress(done: int, total: int) -> None:
                print(f"\rseeding {done}/{total}", end="", file=sys.stderr)

            await seed_demo(db=db, progress=progress)
            await seed_province(db=db, progress=progress)
            print(file=sys.stderr)
        finally:
            await client.close()

    asyncio.run(seed())
    return len(load("attractions.json")) + ATTRACTIONS


def wait_for_read_side(url: str, attractions: int, timeout: float = 300.0) -> float:
    """Seconds until the API's read side holds every attraction loaded (polled)."""
    started = time.monotonic()
    query = "{ attractions(near: {lat: 19.9, lng: 105.4, radiusKm: 300}, first: 1) { totalCount } }"
    while time.monotonic() - started < timeout:
        try:
            body = httpx.post(url, json={"query": query}, timeout=30).json()
            if body.get("data") and body["data"]["attractions"]["totalCount"] >= attractions:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the read side did not reach {attractions} attractions in {timeout:g} s")


def graphql_body(read: str, generated: bool) -> Callable[[int], dict[str, Any]]:
    """The request body of the ``i``-th request of one read."""
    words = [f"diem tham quan {n}" for n in range(50)] if generated else TYPED

    def body(i: int) -> dict[str, Any]:
        lat, lng = centre(i)
        near = {"lat": lat, "lng": lng, "radiusKm": RADIUS_KM}
        if read == "near":
            return {"query": QUERY, "variables": {"near": near}}
        if read == "search":
            return {"query": SEARCH_QUERY, "variables": {"search": words[i % len(words)]}}
        if read == "events-near":
            return {"query": EVENTS_QUERY, "variables": {"near": near, "search": None}}
        return {"query": EVENTS_QUERY, "variables": {"near": None, "search": TYPED[i % 12]}}

    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--province", action="store_true", help="province data, not generated")
    parser.add_argument(
        "--read", choices=("near", "search", "events-near", "events-search"), default="near"
    )
    parser.add_argument("--old-path", action="store_true", help="also drive the $geoNear path")
    args = parser.parse_args()
    with Stack(plain_app="bench.tourism_near:plain_app" if args.old_path else None) as stack:
        if args.province:
            count = load_province(stack.mongo_uri, stack.database)
        else:
            load_attractions(stack.mongo_uri, stack.database, args.count)
            count = args.count
        caught_up = wait_for_read_side(stack.graphql_url, count)
        print(f"read side caught up {caught_up:.1f} s after the load", file=sys.stderr)
        print(f"driving GraphQL {args.read} ...", file=sys.stderr)
        graphql = drive(
            stack.graphql_url,
            json_body=graphql_body(args.read, not args.province),
            clients=args.clients,
            seconds=args.seconds,
            server_pid=stack.api.pid,
            check=lambda r: "errors" not in r.json(),
        )
        rows = [(f"GraphQL {args.read}", graphql)]
        if args.old_path:
            print("driving plain JSON $geoNear (the old path) ...", file=sys.stderr)
            plain = drive(
                stack.plain_url + "/near",
                json_body=lambda i: dict(zip(("lat", "lng"), centre(i), strict=True)),
                clients=args.clients,
                seconds=args.seconds,
                server_pid=stack.plain.pid,
                check=lambda r: "items" in r.json(),
            )
            rows.append(("plain JSON $geoNear (old path)", plain))
    data = "province data" if args.province else f"{args.count:,} generated attractions"
    print_table(
        rows,
        title=f"{args.clients} clients, {args.seconds:g} s each, {data}, "
        f"{RADIUS_KM:g} km radius, 20 per page; machine shared",
    )
    print(
        "exact: "
        + "; ".join(f"{name} {r.requests} requests in {r.seconds:.1f} s" for name, r in rows)
    )


if __name__ == "__main__":
    main()
