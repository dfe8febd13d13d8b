"""Education benchmark: catchment look-ups, directory search and rounds with documents.

.venv/bin/python -m bench.education [--clients 16] [--seconds 8]
"""

import argparse
import itertools

from pymongo import AsyncMongoClient

from bench.harness import Stack, drive, print_table

POINTS = [(19.805, 105.765), (19.80, 105.777), (19.842, 105.793), (19.748, 105.9), (19.935, 105.49)]
LOCATION = """query($lat: Float!, $lng: Float!) { schoolsForLocation(lat: $lat, lng: $lng) {
  commune { code } schools { school { id name } matchedBy distanceKm } } }"""
SEARCH = """{ schools(search: "thpt thanh hoa", first: 20) { nodes { id name lat lng } } }"""
ROUNDS = """{ admissionRounds(schoolYear: "2027-2028", first: 20) { nodes { id name status
  procedure { code name } requiredDocuments { name source } schools { id name } } } }"""


async def seed(uri: str, database: str) -> None:
    from domains.education.repository import (
        AdmissionRoundRepository,
        AnnouncementRepository,
        CommuneRepository,
        SchoolRepository,
    )
    from domains.education.seed import seed_demo
    from domains.procedures.repository import ProcedureRepository
    from domains.procedures.seed import seed_demo as seed_procedures

    client = AsyncMongoClient(uri)
    db = client[database]
    for repo in (
        ProcedureRepository,
        CommuneRepository,
        SchoolRepository,
        AdmissionRoundRepository,
        AnnouncementRepository,
    ):
        await repo.create_indexes(db)
    await seed_procedures(db=db, progress=lambda d, t: None)
    await seed_demo(db=db, progress=lambda d, t: None)
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    cycle = itertools.cycle(POINTS)
    with Stack() as stack:
        stack.run_async(seed(stack.mongo_uri, stack.database))
        rows = []
        bodies = {
            "schoolsForLocation": lambda _: {
                "query": LOCATION,
                "variables": dict(zip(("lat", "lng"), next(cycle), strict=True)),
            },
            "schools(search)": lambda _: {"query": SEARCH},
            "admissionRounds(first: 20) + documents": lambda _: {"query": ROUNDS},
        }
        for label, make in bodies.items():
            result = drive(
                stack.graphql_url,
                json_body=make,
                clients=args.clients,
                seconds=args.seconds,
                server_pid=stack.api.pid,
                check=lambda r: "errors" not in r.json(),
            )
            rows.append((label, result))
    print_table(rows, title=f"{args.clients} clients, {args.seconds:g} s each, demo data")


if __name__ == "__main__":
    main()
