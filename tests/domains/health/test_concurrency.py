"""No double booking under concurrency, proven through /graphql with interleaved requests."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from bson import ObjectId

from domains.health.booking import book_appointment
from domains.health.errors import BookingRefused, Refusal
from domains.health.repositories import HealthStore, SlotRepository
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.resources import Resources
from domains.kernel.transactions import NoLocks
from tests.conftest import GraphQLClient
from tests.domains.health.support import (
    CANCEL,
    add_hospital,
    book,
    future_day,
    profile,
    publish,
    slot_ids,
    staff,
)

H = "bv-test-concurrency"


class InFlight:
    """An ASGI wrapper counting requests in progress: proves the requests really overlap."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.current = 0
        self.peak = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.current += 1
        self.peak = max(self.peak, self.current)
        try:
            await self.app(scope, receive, send)
        finally:
            self.current -= 1


@pytest.fixture(scope="module")
def in_flight(app: Any) -> InFlight:
    return InFlight(app)


@pytest.fixture(scope="module")
async def client(in_flight: InFlight) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=in_flight, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", timeout=120
    ) as http:
        yield GraphQLClient(http)


async def _patients(
    gql: GraphQLClient, dev_token: Any, prefix: str, n: int
) -> list[tuple[str, str]]:
    tokens = [dev_token(f"{prefix}-{i}") for i in range(n)]
    ids = await asyncio.gather(
        *(profile(gql, t, name=f"Bệnh nhân {i}") for i, t in enumerate(tokens))
    )
    return list(zip(tokens, ids, strict=True))


async def _slot(gql: GraphQLClient, db: Any, dev_token: Any, capacity: int) -> str:
    await add_hospital(db, H, maxActiveBookings=5)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, capacity=capacity)
    return (await slot_ids(gql, H, day))[0]


async def _check_slot(db: Any, slot: str, capacity: int) -> list[int]:
    stored = await SlotRepository(db).find(ObjectId(slot))
    active = (
        await db["health_appointments"]
        .find({"slotId": ObjectId(slot), "active": True})
        .to_list(None)
    )
    numbers = sorted(a["queueNumber"] for a in active)
    assert stored is not None
    assert stored["booked"] == len(active) <= capacity
    assert stored["remaining"] == capacity - len(active)
    assert sorted(stored["freeNumbers"] + numbers) == list(range(1, capacity + 1))
    return numbers


async def test_200_patients_race_for_20_places(
    client: GraphQLClient, db, dev_token, in_flight: InFlight
) -> None:
    slot = await _slot(client, db, dev_token, capacity=20)
    patients = await _patients(client, dev_token, "race", 200)
    in_flight.peak = 0
    results = await asyncio.gather(*(book(client, t, slot, p) for t, p in patients))
    assert in_flight.peak > 20, f"requests did not interleave (peak {in_flight.peak})"
    kinds = [r["__typename"] for r in results]
    assert kinds.count("Appointment") == 20
    assert kinds.count("SlotFull") == 180
    numbers = sorted(r["queueNumber"] for r in results if r["__typename"] == "Appointment")
    assert numbers == list(range(1, 21))
    assert await _check_slot(db, slot, 20) == list(range(1, 21))
    assert await db["health_appointments"].count_documents({"slotId": ObjectId(slot)}) == 20


async def test_transactions_alone_prevent_double_booking(
    client: GraphQLClient, db, dev_token, resources: Resources
) -> None:
    """Other API processes do not share this process's key locks: without them, the database
    transaction must still give each place once."""
    unqueued = HealthStore.of(Resources(db=db, locks=NoLocks(), components=resources.components))
    slot = await _slot(client, db, dev_token, capacity=4)
    patients = await _patients(client, dev_token, "unqueued", 16)

    async def attempt(n: int, profile_id: str) -> str:
        try:
            await book_appointment(
                caller=Caller(
                    unqueued, Principal(uid=f"unqueued-{n}", roles=frozenset({Role.CITIZEN}))
                ),
                slot_id=slot,
                patient_profile_id=profile_id,
                reason=None,
                idempotency_key=uuid.uuid4().hex,
            )
        except BookingRefused as refused:
            return refused.refusal.value
        return "Appointment"

    results = await asyncio.gather(*(attempt(n, p) for n, (_, p) in enumerate(patients)))
    assert results.count("Appointment") == 4
    assert results.count(Refusal.SLOT_FULL.value) == 12
    assert await _check_slot(db, slot, 4) == [1, 2, 3, 4]


async def test_same_key_ten_times_at_once_books_once(
    client: GraphQLClient, db, dev_token, in_flight: InFlight
) -> None:
    slot = await _slot(client, db, dev_token, capacity=6)
    ((token, patient),) = await _patients(client, dev_token, "retry", 1)
    key = uuid.uuid4().hex
    in_flight.peak = 0
    results = await asyncio.gather(
        *(book(client, token, slot, patient, key=key, reason="ho kéo dài") for _ in range(10))
    )
    assert in_flight.peak > 1
    assert all(r == results[0] for r in results), results
    assert results[0]["__typename"] == "Appointment"
    assert await db["health_appointments"].count_documents({"slotId": ObjectId(slot)}) == 1
    assert await _check_slot(db, slot, 6) == [1]
    confirmations = await db["notifications"].count_documents(
        {"dedupeKey": f"health:appointment:{results[0]['id']}:booked"}
    )
    assert confirmations == 1


async def test_one_patient_two_devices_at_once(client: GraphQLClient, db, dev_token) -> None:
    slot = await _slot(client, db, dev_token, capacity=6)
    ((token, patient),) = await _patients(client, dev_token, "devices", 1)
    results = await asyncio.gather(*(book(client, token, slot, patient) for _ in range(2)))
    assert sorted(r["__typename"] for r in results) == ["AlreadyBooked", "Appointment"]
    assert await _check_slot(db, slot, 6) == [1]


async def test_cancel_and_book_race_on_a_full_slot(client: GraphQLClient, db, dev_token) -> None:
    capacity = 5
    slot = await _slot(client, db, dev_token, capacity=capacity)
    holders = await _patients(client, dev_token, "holder", capacity)
    booked = [await book(client, t, slot, p) for t, p in holders]
    assert all(b["__typename"] == "Appointment" for b in booked)
    waiting = await _patients(client, dev_token, "waiting", 15)

    async def cancel(token: str, appointment_id: str) -> dict[str, Any]:
        body = await client(CANCEL, {"id": appointment_id}, token=token)
        return body["data"]["cancelAppointment"]

    jobs = [cancel(t, b["id"]) for (t, _), b in zip(holders[:3], booked[:3], strict=True)]
    jobs += [book(client, t, slot, p) for t, p in waiting]
    results = await asyncio.gather(*jobs)
    assert all(r["__typename"] == "Appointment" for r in results[:3])
    won = [r for r in results[3:] if r["__typename"] == "Appointment"]
    assert len(won) <= 3
    assert all(r["__typename"] in ("Appointment", "SlotFull") for r in results[3:])
    numbers = await _check_slot(db, slot, capacity)
    assert len(numbers) == 2 + len(won) and len(set(numbers)) == len(numbers)
