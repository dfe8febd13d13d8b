"""Foundation benchmark: a GraphQL list query against a plain Starlette JSON endpoint doing the
same work (verify the bearer token, load the caller's grant, read 20 documents).

    .venv/bin/python -m bench.foundation [--clients 16] [--seconds 10]
"""

import argparse
import os
from datetime import UTC, datetime

import jwt
from pymongo import MongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bench.harness import Stack, drive, plain_database, print_table

QUERY = """query Grants { grants(first: 20) {
  edges { cursor node { uid roles hospitalIds schoolIds updatedAt updatedBy } }
  pageInfo { hasNextPage endCursor } } }"""


def plain_app() -> Starlette:
    """The same read as the GraphQL query, as a hand-written JSON endpoint."""

    async def grants(request: Request) -> JSONResponse:
        token = request.headers["authorization"].removeprefix("Bearer ")
        claims = jwt.decode(
            token,
            os.environ["DEV_TOKEN_SECRET"],
            algorithms=["HS256"],
            audience="xuthanh-development",
        )
        db = request.app.state.db
        await db.grants.find_one({"_id": claims["sub"]})
        rows = await db.grants.find({"roles": {"$ne": []}}, sort=[("_id", 1)], limit=21).to_list()
        return JSONResponse(
            {
                "items": [
                    {
                        "uid": r["_id"],
                        "roles": r["roles"],
                        "hospitalIds": r["hospitalIds"],
                        "schoolIds": r["schoolIds"],
                        "updatedAt": r["updatedAt"].isoformat(),
                        "updatedBy": r["updatedBy"],
                    }
                    for r in rows[:20]
                ],
                "hasNextPage": len(rows) > 20,
            }
        )

    async def root(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/", root), Route("/grants", grants)], lifespan=plain_database)


def load_grants(uri: str, database: str, count: int) -> None:
    now = datetime.now(UTC)
    with MongoClient(uri) as client:
        client[database].grants.insert_many(
            [
                {
                    "_id": f"staff-{i:05d}",
                    "roles": ["hospital_staff"],
                    "hospitalIds": [f"h-{i % 40}"],
                    "schoolIds": [],
                    "updatedAt": now,
                    "updatedBy": "bench",
                }
                for i in range(count)
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with Stack(plain_app="bench.foundation:plain_app") as stack:
        load_grants(stack.mongo_uri, stack.database, 1000)
        token = stack.dev_token("bench-admin", "admin")
        headers = {"Authorization": f"Bearer {token}"}
        graphql = drive(
            stack.graphql_url,
            json_body=lambda _: {"query": QUERY},
            headers=headers,
            clients=args.clients,
            seconds=args.seconds,
            server_pid=stack.api.pid,
            check=lambda r: "errors" not in r.json(),
        )
        plain = drive(
            stack.plain_url + "/grants",
            method="GET",
            headers=headers,
            clients=args.clients,
            seconds=args.seconds,
            server_pid=stack.plain.pid,
        )
    print_table(
        [("GraphQL grants(first: 20)", graphql), ("plain JSON /grants", plain)],
        title=f"{args.clients} clients, {args.seconds:g} s each, 1,000 documents",
    )


if __name__ == "__main__":
    main()
