"""Health at province scale: the hot reads through /graphql over 700 facilities and 60,000 slots.

    .venv/bin/python -m bench.health_province [--clients 16] [--seconds 10] [--only NAME ...]

Loads the demo data and the synthetic province (``domains/health/province.py``), plus synthetic
appointments at the provincial general hospital (every place of one busy day, 504, and two per
slot on its other days), then drives each read in turn (NAME: search, near, slots, slots-near,
appointments):

- ``hospitals(search:)`` with what people type ("Nhi", "benh vien mat", "tram y te quang", ...);
- ``hospitals(near:)`` around a different point of the province each time, 10 km, 20 per page;
- ``availableSlots(hospitalId, from, to)`` at the facility with most slots, 20 per page, ``from``
  moving over the 30 days;
- ``availableSlots(near:)``, 10 km, 20 per page;
- ``hospitalAppointments`` of the busy day (staff token), 50 per page: pages one and two in
  turn (page two follows a cursor, which the old path answered with a collection scan).
"""

import argparse
import asyncio
import random
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient

from bench.harness import Result, Stack, drive, print_table
from domains.health.placement import new_booking_code
from domains.health.province import seed_province
from domains.health.schedule import day_bounds, local_date
from domains.health.seed import seed_demo
from domains.kernel.pagination import encode_cursor

LAT, LNG = (19.40, 20.40), (105.00, 106.00)
RADIUS_KM = 10.0
BUSY = "bv-da-khoa-tinh-thanh-hoa"
SEARCHES = (
    "Nhi",
    "benh vien mat",
    "tram y te quang",
    "Phụ sản",
    "da khoa ngoc lac",
    "ung buou",
    "y hoc co truyen",
    "hop luc",
)
HOSPITALS_SEARCH = """query($s: String!) { hospitals(search: $s, first: 20) {
  nodes { id name level } pageInfo { hasNextPage endCursor } } }"""
HOSPITALS_NEAR = """query($near: NearInput!) { hospitals(near: $near, first: 20) {
  nodes { id name level } pageInfo { hasNextPage endCursor } } }"""
SLOTS = """query($h: String, $from: DateTime, $to: DateTime, $near: NearInput) {
  availableSlots(hospitalId: $h, from: $from, to: $to, near: $near, first: 20) {
    nodes { id hospitalId start remaining fee } pageInfo { hasNextPage endCursor } } }"""
APPOINTMENTS = """query($h: String!, $d: Date!, $after: String) {
  hospitalAppointments(hospitalId: $h, date: $d, first: 50, after: $after) {
    nodes { id queueNumber start status } pageInfo { hasNextPage endCursor } } }"""


def centre(i: int) -> dict[str, float]:
    rng = random.Random(i)
    return {"lat": round(rng.uniform(*LAT), 4), "lng": round(rng.uniform(*LNG), 4)}


def _progress(name: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        print(f"\rloading {name} {done}/{total}", end="", file=sys.stderr)

    return report


async def _appointments(db: Any, day: datetime) -> int:
    """Synthetic bookings at BUSY: every place on ``day``, two per slot on the other days."""
    slots = await db.health_slots.find({"hospitalId": BUSY}, sort=[("start", 1)]).to_list(None)
    busy_from, busy_to = day_bounds(local_date(day))
    documents: list[dict[str, Any]] = []
    for slot in slots:
        on_busy_day = busy_from <= slot["start"] < busy_to
        places = slot["capacity"] if on_busy_day else 2
        for number in range(1, places + 1):
            documents.append(
                {
                    "_id": ObjectId(),
                    "slotId": slot["_id"],
                    "hospitalId": BUSY,
                    "departmentId": slot["departmentId"],
                    "doctorId": slot["doctorId"],
                    "start": slot["start"],
                    "end": slot["end"],
                    "patientProfileId": ObjectId(),
                    "userId": f"bench-patient-{len(documents)}",
                    "queueNumber": number,
                    "bookingCode": new_booking_code(),
                    "status": "booked",
                    "active": True,
                    "createdAt": datetime.now(UTC),
                    "changedAt": datetime.now(UTC),
                    "synthetic": True,
                }
            )
    for start in range(0, len(documents), 2_000):
        await db.health_appointments.insert_many(documents[start : start + 2_000], ordered=False)
    return len(documents)


async def _second_page(db: Any, day: datetime) -> str:
    """The cursor after the 50th appointment of the busy day (``find_page``'s format)."""
    day_from, day_to = day_bounds(local_date(day))
    rows = await db.health_appointments.find(
        {"hospitalId": BUSY, "start": {"$gte": day_from, "$lt": day_to}},
        sort=[("start", 1), ("queueNumber", 1), ("_id", 1)],
    ).to_list(None)
    row = rows[49]
    return encode_cursor([row["start"], row["queueNumber"], row["_id"]])


async def load(uri: str, database: str) -> tuple[str, str, str]:
    """Demo + province data; returns (busy day as YYYY-MM-DD, facility with most slots, the
    cursor of the busy day's second page)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        db = client[database]
        await seed_demo(db=db, progress=_progress("health demo"))
        print(file=sys.stderr)
        await seed_province(db=db, progress=_progress("health province"))
        print(file=sys.stderr)
        busy_day = local_date(datetime.now(UTC)) + timedelta(days=3)
        if busy_day.isoweekday() == 7:
            busy_day += timedelta(days=1)
        start, _ = day_bounds(busy_day)
        count = await _appointments(db, start)
        print(f"{count} synthetic appointments at {BUSY}", file=sys.stderr)
        biggest = await busiest(db)
        total = await db.health_slots.count_documents({})
        facilities = await db.health_hospitals.count_documents({})
        print(f"{facilities} facilities, {total} slots", file=sys.stderr)
        return busy_day.isoformat(), biggest, await _second_page(db, start)
    finally:
        await client.close()


async def busiest(db: Any) -> str:
    """The facility with most slots (what ``availableSlots(hospitalId)`` is driven at)."""
    counts = await db.health_slots.aggregate(
        [{"$group": {"_id": "$hospitalId", "n": {"$sum": 1}}}, {"$sort": {"n": -1}}]
    )
    biggest = (await counts.to_list(1))[0]
    print(f"most slots: {biggest['_id']} ({biggest['n']})", file=sys.stderr)
    return str(biggest["_id"])


def bodies(
    busy_day: str, biggest: str, second_page: str
) -> dict[str, Callable[[int], dict[str, Any]]]:
    now = datetime.now(UTC)

    def slots(i: int) -> dict[str, Any]:
        start = now + timedelta(days=i % 20, hours=i % 7)
        return {
            "query": SLOTS,
            "variables": {
                "h": biggest,
                "from": start.isoformat(),
                "to": (start + timedelta(days=10)).isoformat(),
            },
        }

    def with_near(query: str) -> Callable[[int], dict[str, Any]]:
        return lambda i: {
            "query": query,
            "variables": {"near": {**centre(i), "radiusKm": RADIUS_KM}},
        }

    return {
        "search": lambda i: {"query": HOSPITALS_SEARCH, "variables": {"s": SEARCHES[i % 8]}},
        "near": with_near(HOSPITALS_NEAR),
        "slots": slots,
        "slots-near": with_near(SLOTS),
        "appointments": lambda i: {
            "query": APPOINTMENTS,
            "variables": {"h": BUSY, "d": busy_day, "after": second_page if i % 2 else None},
        },
    }


LABELS = {
    "search": "hospitals(search:)",
    "near": "hospitals(near:)",
    "slots": "availableSlots(hospitalId)",
    "slots-near": "availableSlots(near:)",
    "appointments": "hospitalAppointments",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", nargs="*", choices=sorted(LABELS), default=None)
    args = parser.parse_args()
    rows: list[tuple[str, Result]] = []
    with Stack() as stack:
        busy_day, biggest, second_page = asyncio.run(load(stack.mongo_uri, stack.database))
        staff = stack.dev_token("bench-staff", "hospital_staff", hospitals=(BUSY,))
        for name, body in bodies(busy_day, biggest, second_page).items():
            if args.only and name not in args.only:
                continue
            print(f"driving {LABELS[name]} ...", file=sys.stderr)
            result = drive(
                stack.graphql_url,
                json_body=body,
                headers={"Authorization": f"Bearer {staff}"} if name == "appointments" else None,
                clients=args.clients,
                seconds=args.seconds,
                server_pid=stack.api.pid,
                check=lambda r: "errors" not in r.json(),
            )
            rows.append((LABELS[name], result))
    title = (
        f"{args.clients} clients, {args.seconds:g} s each, 700 facilities, "
        "60,000 synthetic slots (+ demo), 2,352 appointments at one hospital"
    )
    # One table per read: the harness's ratio line compares two rows, meaningless here.
    for position, row in enumerate(rows):
        print_table([row], title=title if position == 0 else "")


if __name__ == "__main__":
    main()
