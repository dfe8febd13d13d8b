"""Booking under contention, through /graphql on a real uvicorn process against SecantusDB.

    .venv/bin/python -m bench.health_booking [--patients 200] [--capacity 20] [--rounds 3]

Each round: `patients` different patients send bookAppointment at once for ONE slot with
`capacity` places (the issue's race). Then an uncontended run: the same number of patients, each
booking a different slot. Prints successful bookings/s, request throughput and latency percentiles,
and checks the invariant after every round (exactly `capacity` bookings, queue numbers 1..capacity).
"""

import argparse
import asyncio
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.auth import mint_dev_token
from bench.harness import Result, Stack, print_table
from domains.health.profiles import ProfileFields, create_patient_profile
from domains.health.repositories import HealthStore
from domains.health.schedule import local_date
from domains.health.seed import hospital_document
from domains.health.slots import SlotTemplate, publish_slots
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources

SECRET = "bench-only-secret-0123456789abcdef"  # noqa: S105 - the bench server's own dev secret
HOSPITAL = "bv-bench"
ADMIN = Principal(uid="bench-admin", roles=frozenset({Role.ADMIN}))
BOOK = """mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) {
  __typename ... on Appointment { queueNumber } ... on UserError { code } } }"""


async def prepare(
    uri: str, database: str, *, patients: int, rounds: int, capacity: int
) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    db = client[database]
    raw = {
        "id": HOSPITAL,
        "name": {"vi": "Bệnh viện đo tải"},
        "level": "provincial",
        "address": "TP Thanh Hóa",
        "district": "TP Thanh Hóa",
        "lat": 19.80,
        "lng": 105.78,
        "phone": None,
        "departments": [
            {
                "id": "noi",
                "specialty": "internal-medicine",
                "name": {"vi": "Khám Nội"},
                "room": "P.1",
            }
        ],
        "doctors": [],
        "bookingPolicy": {
            "daysAhead": 30,
            "cutoff": "16:00",
            "cancelBeforeHours": 2,
            "maxActiveBookings": 50,
            "holdMinutes": 15,
        },
    }
    store = HealthStore.of(Resources(db=db))
    await store.hospitals.upsert(hospital_document(raw))
    day = local_date(utcnow()) + timedelta(days=3)
    # Contended slots: one per round, from 06:00. Uncontended: one slot per patient, from 07:00.
    for start, count, places in (("06:00", rounds, capacity), ("07:00", patients, 1)):
        template = SlotTemplate(
            hospital_id=HOSPITAL,
            department_id="noi",
            doctor_id=None,
            from_date=day,
            to_date=day,
            weekdays=[1, 2, 3, 4, 5, 6, 7],
            periods=[(start, _end(start, 5 * count))],
            slot_minutes=5,
            capacity=places,
            fee=0,
            bhyt_covered=0,
        )
        await publish_slots(caller=Caller(store, ADMIN), template=template)
    slots = (
        await db["health_slots"].find({"hospitalId": HOSPITAL}, sort=[("start", 1)]).to_list(None)
    )
    contended = [str(s["_id"]) for s in slots[:rounds]]
    free = [str(s["_id"]) for s in slots[rounds : rounds + patients]]
    people = []
    for n in range(patients):
        uid = f"bench-patient-{n}"
        profile = await create_patient_profile(
            caller=Caller(store, Principal(uid=uid, roles=frozenset({Role.CITIZEN}))),
            fields=ProfileFields(
                f"Bệnh nhân {n}", day - timedelta(days=12000), "0912345678", None, "bench", True
            ),
        )
        token = mint_dev_token(secret=SECRET, uid=uid, roles=[Role.CITIZEN])
        people.append((token, str(profile["_id"])))
    await client.close()
    return {"contended": contended, "free": free, "people": people}


def _end(start: str, minutes: int) -> str:
    total = int(start[:2]) * 60 + int(start[3:]) + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


async def burst(url: str, jobs: list[tuple[str, str, str]]) -> tuple[Result, list[dict[str, Any]]]:
    """All jobs (token, slot, profile) sent at once, one connection each."""
    limits = httpx.Limits(max_connections=len(jobs))
    async with httpx.AsyncClient(limits=limits, timeout=300) as client:

        async def one(token: str, slot: str, profile: str) -> tuple[float, dict[str, Any] | None]:
            started = time.perf_counter()
            try:
                response = await client.post(
                    url,
                    json={
                        "query": BOOK,
                        "variables": {
                            "i": {
                                "slotId": slot,
                                "patientProfileId": profile,
                                "idempotencyKey": uuid.uuid4().hex,
                            }
                        },
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
                answer = response.json()["data"]["bookAppointment"]
            except (httpx.HTTPError, KeyError, TypeError):
                answer = None
            return (time.perf_counter() - started) * 1000, answer

        started = time.perf_counter()
        results = await asyncio.gather(*(one(*job) for job in jobs))
        elapsed = time.perf_counter() - started
    answers = [a for _, a in results if a is not None]
    errors = len(results) - len(answers)
    return Result(len(results), errors, elapsed, [ms for ms, _ in results]), answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200, help="at most 200")
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with Stack(env={"DEV_TOKEN_SECRET": SECRET}) as stack:
        print(f"preparing {args.patients} patients and slots ...", file=sys.stderr)
        data = stack.run_async(
            prepare(
                stack.mongo_uri,
                stack.database,
                patients=args.patients,
                rounds=args.rounds,
                capacity=args.capacity,
            )
        )
        rows: list[tuple[str, Result]] = []
        booked_per_s: list[str] = []
        for round_ in range(args.rounds):
            print(
                f"round {round_ + 1}/{args.rounds}: {args.patients} patients, 1 slot of "
                f"{args.capacity}",
                file=sys.stderr,
            )
            slot = data["contended"][round_]
            result, answers = asyncio.run(
                burst(stack.graphql_url, [(t, slot, p) for t, p in data["people"]])
            )
            won = sorted(a["queueNumber"] for a in answers if a["__typename"] == "Appointment")
            full = sum(1 for a in answers if a["__typename"] == "SlotFull")
            if won != list(range(1, args.capacity + 1)) or full != args.patients - args.capacity:
                raise SystemExit(f"INVARIANT BROKEN: queue numbers {won}, {full} SlotFull")
            rows.append((f"contended, round {round_ + 1}", result))
            booked_per_s.append(f"{len(won) / result.seconds:.1f}")
        print("uncontended: each patient books their own slot", file=sys.stderr)
        result, answers = asyncio.run(
            burst(
                stack.graphql_url,
                [(t, s, p) for (t, p), s in zip(data["people"], data["free"], strict=True)],
            )
        )
        if not all(a["__typename"] == "Appointment" for a in answers):
            raise SystemExit(f"uncontended bookings failed: {answers[:3]}")
        rows.append(("uncontended", result))
        print_table(
            rows,
            title=f"bookAppointment: {args.patients} concurrent patients "
            f"(contended slot capacity {args.capacity})",
        )
        print(f"successful bookings/s under contention, per round: {', '.join(booked_per_s)}")
        print(f"successful bookings/s uncontended: {len(answers) / result.seconds:.1f}")


if __name__ == "__main__":
    main()
