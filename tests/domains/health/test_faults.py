"""Faults injected at the wire into booking, cancellation, waitlist offers and the outbox's
enqueue: nothing acknowledged is lost, nothing is done twice.

The app talks to the database through ``MongoFaultProxy`` (tests/support): each test makes one
chosen command on one chosen collection answer as a failing server would."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from bson import ObjectId
from pymongo.uri_parser import parse_uri

from api.settings import Settings
from tests.conftest import GraphQLClient, TokenIssuer, database_name, make_settings
from tests.domains.health.support import (
    BOOK,
    CANCEL,
    accept,
    add_hospital,
    book,
    future_day,
    join,
    my_waitlist,
    profile,
    publish,
    slot_ids,
    staff,
)
from tests.support.mongo_fault_proxy import MongoFaultProxy, transient

H = "bv-test-faults"


@pytest.fixture(scope="module")
def proxy(mongo_uri: str) -> Iterator[MongoFaultProxy]:
    host, port = parse_uri(mongo_uri)["nodelist"][0]
    with MongoFaultProxy(host, port).running() as running:
        yield running


@pytest.fixture(scope="module")
def settings(
    request: pytest.FixtureRequest, proxy: MongoFaultProxy, token_issuer: TokenIssuer
) -> Settings:
    return make_settings(proxy.uri, token_issuer.cert_url, database_name(request))


def refused(code: int = 2, name: str = "BadValue") -> dict[str, Any]:
    """The server refuses the command (no label: not worth retrying)."""
    return {"ok": 0.0, "errmsg": "injected by the fault proxy", "code": code, "codeName": name}


@pytest.fixture(autouse=True)
def no_faults_left(proxy: MongoFaultProxy) -> Iterator[None]:
    proxy.clear()
    yield
    proxy.clear()


async def _slot(gql: GraphQLClient, db: Any, dev_token: Any, capacity: int) -> str:
    await add_hospital(db, H, maxActiveBookings=5)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, capacity=capacity)
    return (await slot_ids(gql, H, day))[0]


async def _state(db: Any, slot: str) -> tuple[int, list[int]]:
    """The slot's booked count and the queue numbers of its active appointments."""
    stored = await db["health_slots"].find_one({"_id": ObjectId(slot)})
    active = db["health_appointments"].find({"slotId": ObjectId(slot), "active": True})
    numbers = sorted([a["queueNumber"] async for a in active])
    return stored["booked"], numbers


async def _pushes(db: Any, key: str) -> int:
    return await db["notifications"].count_documents({"dedupeKey": key})


async def test_a_booking_through_transient_errors_and_a_lost_commit_answer_books_once(
    gql: GraphQLClient, db: Any, dev_token: Any, proxy: MongoFaultProxy
) -> None:
    slot = await _slot(gql, db, dev_token, capacity=3)
    token = dev_token("patient-transient")
    patient = await profile(gql, token)
    faults = [
        proxy.fail("insert", "health_appointments", reply=transient()),
        proxy.fail("findAndModify", "notifications", reply=transient()),
        # The commit is applied, then the connection drops before the answer.
        proxy.fail("commitTransaction", forward=True, close=True),
    ]
    booked = await book(gql, token, slot, patient)
    assert booked["__typename"] == "Appointment" and booked["queueNumber"] == 1
    assert [fault.hits for fault in faults] == [1, 1, 1]
    assert await _state(db, slot) == (1, [1])
    assert await _pushes(db, f"health:appointment:{booked['id']}:booked") == 1


async def test_a_refused_outbox_write_books_nothing_and_the_retry_books_once(
    gql: GraphQLClient, db: Any, dev_token: Any, proxy: MongoFaultProxy
) -> None:
    slot = await _slot(gql, db, dev_token, capacity=3)
    token = dev_token("patient-refused")
    patient = await profile(gql, token)
    key = uuid.uuid4().hex
    variables = {"input": {"slotId": slot, "patientProfileId": patient, "idempotencyKey": key}}
    fault = proxy.fail("findAndModify", "notifications", reply=refused())
    body = await gql(BOOK, variables, token=token)
    assert fault.hits == 1
    assert body["data"] is None or body["data"]["bookAppointment"] is None, body
    assert "injected" not in str(body)  # masked
    assert await _state(db, slot) == (0, [])
    again = await book(gql, token, slot, patient, key=key)
    assert again["__typename"] == "Appointment" and again["queueNumber"] == 1, again
    assert await book(gql, token, slot, patient, key=key) == again
    assert await _state(db, slot) == (1, [1])
    assert await _pushes(db, f"health:appointment:{again['id']}:booked") == 1


async def _full_slot_with_waiter(
    gql: GraphQLClient, db: Any, dev_token: Any, prefix: str
) -> tuple[str, str, str, str, str]:
    """A slot of one place, booked, and one patient waiting: (slot, holder token, appointment,
    waiter token, waitlist entry)."""
    slot = await _slot(gql, db, dev_token, capacity=1)
    holder = dev_token(f"{prefix}-holder")
    appointment = await book(gql, holder, slot, await profile(gql, holder))
    waiter = dev_token(f"{prefix}-waiter")
    entry = await join(gql, waiter, await profile(gql, waiter), slot_id=slot)
    assert entry["status"] == "WAITING", entry
    return slot, holder, appointment["id"], waiter, entry["id"]


async def test_a_cancellation_and_its_waitlist_offer_through_faults_happen_once(
    gql: GraphQLClient, db: Any, dev_token: Any, proxy: MongoFaultProxy
) -> None:
    slot, holder, appointment, waiter, entry = await _full_slot_with_waiter(
        gql, db, dev_token, "offer"
    )
    faults = [
        proxy.fail("findAndModify", "health_waitlist", reply=transient()),
        proxy.fail("update", "notifications", reply=transient()),
        proxy.fail("commitTransaction", forward=True, close=True),
    ]
    body = await gql(CANCEL, {"id": appointment}, token=holder)
    assert body["data"]["cancelAppointment"]["status"] == "CANCELLED", body
    assert [fault.hits for fault in faults] == [1, 1, 1]
    assert (await my_waitlist(gql, waiter))[entry]["status"] == "OFFERED"
    assert await _pushes(db, f"health:waitlist:{entry}:offered") == 1
    assert await _state(db, slot) == (1, [])  # the place is held for the waiter

    faults = [
        proxy.fail("insert", "health_appointments", reply=transient()),
        proxy.fail("commitTransaction", forward=True, close=True),
    ]
    key = uuid.uuid4().hex
    taken = await accept(gql, waiter, entry, key=key)
    assert taken["__typename"] == "Appointment" and taken["queueNumber"] == 1, taken
    assert [fault.hits for fault in faults] == [1, 1]
    assert await accept(gql, waiter, entry, key=key) == taken
    assert await _state(db, slot) == (1, [1])
    assert (await my_waitlist(gql, waiter))[entry]["status"] == "BOOKED"
    assert await _pushes(db, f"health:appointment:{taken['id']}:booked") == 1


async def test_a_refused_waitlist_write_keeps_the_booking_and_the_retry_cancels_once(
    gql: GraphQLClient, db: Any, dev_token: Any, proxy: MongoFaultProxy
) -> None:
    slot, holder, appointment, waiter, entry = await _full_slot_with_waiter(
        gql, db, dev_token, "refused"
    )
    fault = proxy.fail("findAndModify", "health_waitlist", reply=refused())
    body = await gql(CANCEL, {"id": appointment}, token=holder)
    assert fault.hits == 1
    assert body["data"] is None or body["data"]["cancelAppointment"] is None, body
    assert await _state(db, slot) == (1, [1])  # still booked
    assert (await my_waitlist(gql, waiter))[entry]["status"] == "WAITING"
    assert await _pushes(db, f"health:waitlist:{entry}:offered") == 0

    body = await gql(CANCEL, {"id": appointment}, token=holder)
    assert body["data"]["cancelAppointment"]["status"] == "CANCELLED", body
    assert (await my_waitlist(gql, waiter))[entry]["status"] == "OFFERED"
    assert await _pushes(db, f"health:waitlist:{entry}:offered") == 1
    assert await _pushes(db, f"health:appointment:{appointment}:cancelled") == 1
