"""Tourism benchmark: `attractions(near:, first: 20)` through /graphql against a plain Starlette
JSON endpoint running the same `$geoNear` pipeline, over 10,000 generated attractions.

    .venv/bin/python -m bench.tourism_near [--clients 16] [--seconds 10] [--count 10000]

Both servers answer anonymous requests; each request asks around a different point of the
province (a fixed sequence, the same for both), 10 km radius, 20 nearest with distance and rating.
"""

import argparse
import random
import sys
from datetime import UTC, datetime
from typing import Any

from pymongo import MongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bench.harness import Stack, drive, plain_database, print_table

# Thanh Hóa, roughly: where the generated attractions and the query points fall.
LAT, LNG = (19.40, 20.40), (105.00, 106.00)
RADIUS_KM = 10.0
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    with Stack(plain_app="bench.tourism_near:plain_app") as stack:
        load_attractions(stack.mongo_uri, stack.database, args.count)

        def graphql_body(i: int) -> dict[str, Any]:
            lat, lng = centre(i)
            return {
                "query": QUERY,
                "variables": {"near": {"lat": lat, "lng": lng, "radiusKm": RADIUS_KM}},
            }

        print("driving GraphQL ...", file=sys.stderr)
        graphql = drive(
            stack.graphql_url,
            json_body=graphql_body,
            clients=args.clients,
            seconds=args.seconds,
            server_pid=stack.api.pid,
            check=lambda r: "errors" not in r.json(),
        )
        print("driving plain JSON ...", file=sys.stderr)
        plain = drive(
            stack.plain_url + "/near",
            json_body=lambda i: dict(zip(("lat", "lng"), centre(i), strict=True)),
            clients=args.clients,
            seconds=args.seconds,
            server_pid=stack.plain.pid,
            check=lambda r: "items" in r.json(),
        )
    print_table(
        [("GraphQL attractions(near:)", graphql), ("plain JSON /near", plain)],
        title=f"{args.clients} clients, {args.seconds:g} s each, {args.count:,} attractions, "
        f"{RADIUS_KM:g} km radius, 20 per page",
    )
    # The table rounds req/s to whole numbers; on SecantusDB these are fractions.
    print(
        f"exact: GraphQL {graphql.requests} requests in {graphql.seconds:.1f} s "
        f"({graphql.rps:.2f} req/s); plain {plain.requests} in {plain.seconds:.1f} s "
        f"({plain.rps:.2f} req/s)"
    )


if __name__ == "__main__":
    main()
