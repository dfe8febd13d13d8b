"""The waitlist: FIFO holds on freed places, accepting, declining, expiry; through /graphql."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from domains.health.placement import expire_waitlist_holds
from domains.health.repositories import HealthStore, SlotRepository
from domains.kernel.clock import PROVINCE_TZ, as_utc, utcnow
from tests.conftest import GraphQLClient
from tests.domains.health.support import (
    CANCEL,
    DECLINE,
    LEAVE,
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

H = "bv-test-waitlist"


async def _full_slot(
    gql: GraphQLClient, db: Any, dev_token: Any, prefix: str, capacity: int
) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """A fresh slot, filled by ``capacity`` patients: (slot id, [(token, appointment)])."""
    await add_hospital(db, H, maxActiveBookings=5)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, capacity=capacity)
    slot = (await slot_ids(gql, H, day))[0]
    holders = []
    for n in range(capacity):
        token = dev_token(f"{prefix}-holder-{n}")
        appointment = await book(gql, token, slot, await profile(gql, token))
        assert appointment["__typename"] == "Appointment"
        holders.append((token, appointment))
    return slot, holders


async def _waiters(
    gql: GraphQLClient, dev_token: Any, prefix: str, slot: str, n: int
) -> list[tuple[str, str, str]]:
    """``n`` patients joining the slot's waitlist one after the other: (token, profile, entry)."""
    out = []
    for i in range(n):
        token = dev_token(f"{prefix}-waiter-{i}")
        patient = await profile(gql, token)
        entry = await join(gql, token, patient, slot_id=slot)
        assert entry["__typename"] == "WaitlistEntry" and entry["status"] == "WAITING", entry
        out.append((token, patient, entry["id"]))
    return out


async def _cancel(gql: GraphQLClient, token: str, appointment_id: str) -> dict[str, Any]:
    body = await gql(CANCEL, {"id": appointment_id}, token=token)
    result: dict[str, Any] = body["data"]["cancelAppointment"]
    return result


async def _entry(db: Any, entry_id: str) -> dict[str, Any]:
    document = await db["health_waitlist"].find_one({"_id": ObjectId(entry_id)})
    assert document is not None
    return dict(document)


async def _check(db: Any, slot: str) -> list[int]:
    """Capacity holds: booked = active appointments + held places, numbers unique 1..capacity."""
    stored = await SlotRepository(db).find(ObjectId(slot))
    assert stored is not None
    active = (
        await db["health_appointments"]
        .find({"slotId": ObjectId(slot), "active": True})
        .to_list(None)
    )
    held = (
        await db["health_waitlist"]
        .find({"slotId": ObjectId(slot), "status": "offered"})
        .to_list(None)
    )
    numbers = [a["queueNumber"] for a in active]
    held_numbers = [e["heldNumber"] for e in held]
    capacity = stored["capacity"]
    assert stored["booked"] == len(active) + len(held) <= capacity
    assert stored["remaining"] == capacity - stored["booked"]
    taken = sorted(stored["freeNumbers"] + numbers + held_numbers)
    assert taken == list(range(1, capacity + 1)), taken
    return sorted(numbers)


async def test_join_rules(gql: GraphQLClient, db, dev_token) -> None:
    await add_hospital(db, H, maxActiveBookings=5)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, periods=[("07:30", "08:30")], capacity=1)
    full, free = await slot_ids(gql, H, day)
    holder = dev_token("join-holder")
    holder_profile = await profile(gql, holder)
    await book(gql, holder, full, holder_profile)
    token = dev_token("join-citizen")
    patient = await profile(gql, token)

    has_places = await join(gql, token, patient, slot_id=free)
    assert (
        has_places["__typename"] == "SlotHasPlaces" and "bookAppointment" in has_places["message"]
    )
    day_with_places = await join(gql, token, patient, hospital_id=H, department="noi", day=day)
    assert day_with_places["__typename"] == "SlotHasPlaces"
    assert (await join(gql, holder, holder_profile, slot_id=full))["__typename"] == "AlreadyBooked"

    first = await join(gql, token, patient, slot_id=full)
    again = await join(gql, token, patient, slot_id=full)
    assert first["__typename"] == "WaitlistEntry" and first["status"] == "WAITING"
    assert again == first  # joining twice is idempotent
    assert first["slotId"] == full and first["date"] == day.isoformat()

    # Once every slot of the day is full, the department's day can be waited for too.
    await book(gql, holder, free, holder_profile)
    by_day = await join(gql, token, patient, hospital_id=H, department="noi", day=day)
    assert by_day["__typename"] == "WaitlistEntry" and by_day["slotId"] is None
    assert by_day["id"] != first["id"]

    other = dev_token("join-stranger")
    stolen = await join(gql, other, patient, slot_id=full)
    assert stolen["__typename"] == "NotFoundError"
    assert set(await my_waitlist(gql, token)) == {first["id"], by_day["id"]}
    assert await my_waitlist(gql, other) == {}


async def test_fifo_offer_on_cancel_then_accept_books_the_held_number(
    gql: GraphQLClient, db, dev_token
) -> None:
    slot, holders = await _full_slot(gql, db, dev_token, "fifo", capacity=2)
    waiters = await _waiters(gql, dev_token, "fifo", slot, 2)
    (first_token, _, first_entry), (second_token, _, second_entry) = waiters
    token, cancelled = holders[0]
    assert (await _cancel(gql, token, cancelled["id"]))["status"] == "CANCELLED"

    # The place is held for the first waiter: not returned to the pool, not offered to others.
    entries = await my_waitlist(gql, first_token)
    offered = entries[first_entry]
    assert offered["status"] == "OFFERED" and offered["slotId"] == slot
    until = datetime.fromisoformat(offered["holdExpiresAt"])
    assert timedelta(minutes=14) < until - utcnow() <= timedelta(minutes=15)
    assert (await my_waitlist(gql, second_token))[second_entry]["status"] == "WAITING"
    stored = await SlotRepository(db).find(ObjectId(slot))
    assert stored is not None and (stored["booked"], stored["remaining"]) == (2, 0)
    assert stored["freeNumbers"] == []
    assert slot not in await slot_ids(
        gql, H, as_utc(stored["start"]).astimezone(PROVINCE_TZ).date()
    )
    outsider = dev_token("fifo-outsider")
    assert (await book(gql, outsider, slot, await profile(gql, outsider)))[
        "__typename"
    ] == "SlotFull"
    assert await _check(db, slot) == [2]

    push = await db["notifications"].find_one(
        {"dedupeKey": f"health:waitlist:{first_entry}:offered"}
    )
    assert push is not None and push["audience"] == {"userIds": ["fifo-waiter-0"]}
    local_until = until.astimezone(PROVINCE_TZ)
    assert f"Xác nhận trước {local_until:%H:%M}" in push["body"]["vi"]
    for secret in ("Bệnh viện", "Nội", "noi", H, "Nguyễn"):
        assert secret not in str(push)
    assert push["data"] == {"kind": "health.waitlist", "waitlistEntryId": first_entry}

    # Someone else cannot accept it; the owner can, once, with the held queue number.
    assert (await accept(gql, second_token, first_entry))["__typename"] == "NotFoundError"
    not_yet = await accept(gql, second_token, second_entry)
    assert not_yet["__typename"] == "AppointmentNotChangeable"
    taken = await accept(gql, first_token, first_entry, key="waitlist-key-1")
    assert taken["__typename"] == "Appointment" and taken["status"] == "BOOKED"
    assert taken["queueNumber"] == cancelled["queueNumber"] == 1
    assert taken["slot"] == {"id": slot, "booked": 2, "remaining": 0}
    assert await accept(gql, first_token, first_entry, key="waitlist-key-1") == taken
    twice = await accept(gql, first_token, first_entry)
    assert twice["__typename"] == "AppointmentNotChangeable"
    done = (await my_waitlist(gql, first_token))[first_entry]
    assert done["status"] == "BOOKED" and done["appointmentId"] == taken["id"]
    assert await _check(db, slot) == [1, 2]
    confirmation = await db["notifications"].find_one(
        {"dedupeKey": f"health:appointment:{taken['id']}:booked"}
    )
    assert confirmation is not None


async def test_decline_passes_on_and_leaving_releases(gql: GraphQLClient, db, dev_token) -> None:
    slot, holders = await _full_slot(gql, db, dev_token, "decline", capacity=1)
    (t1, _, e1), (t2, _, e2), (t3, _, e3) = await _waiters(gql, dev_token, "decline", slot, 3)
    await gql(LEAVE, {"id": e2}, token=t2)  # the second leaves before any offer
    assert (await my_waitlist(gql, t2))[e2]["status"] == "LEFT"
    await _cancel(gql, holders[0][0], holders[0][1]["id"])
    assert (await my_waitlist(gql, t1))[e1]["status"] == "OFFERED"

    stranger = await gql(DECLINE, {"id": e1}, token=t3)
    assert stranger["data"]["declineWaitlistOffer"]["__typename"] == "NotFoundError"
    body = await gql(DECLINE, {"id": e1}, token=t1)
    assert body["data"]["declineWaitlistOffer"]["status"] == "DECLINED"
    assert (await my_waitlist(gql, t3))[e3]["status"] == "OFFERED"  # skipped the one who left
    assert await _check(db, slot) == []

    body = await gql(LEAVE, {"id": e3}, token=t3)
    assert body["data"]["leaveWaitlist"]["status"] == "LEFT"
    stored = await SlotRepository(db).find(ObjectId(slot))
    assert stored is not None
    assert (stored["booked"], stored["remaining"], stored["freeNumbers"]) == (0, 1, [1])
    assert await _check(db, slot) == []


async def test_expired_hold_cannot_be_accepted_and_passes_on(
    gql: GraphQLClient, db, dev_token, resources
) -> None:
    store = HealthStore.of(resources)
    slot, holders = await _full_slot(gql, db, dev_token, "expiry", capacity=1)
    (t1, _, e1), (t2, _, e2) = await _waiters(gql, dev_token, "expiry", slot, 2)
    await _cancel(gql, holders[0][0], holders[0][1]["id"])
    assert (await my_waitlist(gql, t1))[e1]["status"] == "OFFERED"

    # Time passes with no sweeper: the stored entry is still "offered", but every read and claim
    # treats it as expired.
    await db["health_waitlist"].update_one(
        {"_id": ObjectId(e1)}, {"$set": {"holdExpiresAt": utcnow() - timedelta(seconds=1)}}
    )
    assert (await _entry(db, e1))["status"] == "offered"
    seen = (await my_waitlist(gql, t1))[e1]
    assert seen["status"] == "EXPIRED" and seen["holdExpiresAt"] is None
    late = await accept(gql, t1, e1)
    assert late["__typename"] == "HoldExpired"
    assert (await _entry(db, e1))["status"] == "expired"
    assert (await my_waitlist(gql, t2))[e2]["status"] == "OFFERED"
    assert await _check(db, slot) == []

    # The periodic function: idempotent, releases the place when nobody else waits.
    later = as_utc((await _entry(db, e2))["holdExpiresAt"]) + timedelta(minutes=1)
    assert await expire_waitlist_holds(store=store, now=utcnow(), slot_id=ObjectId(slot)) == 0
    assert await expire_waitlist_holds(store=store, now=later) == 1
    assert await expire_waitlist_holds(store=store, now=later) == 0
    assert (await _entry(db, e2))["status"] == "expired"
    stored = await SlotRepository(db).find(ObjectId(slot))
    assert stored is not None and (stored["booked"], stored["freeNumbers"]) == (0, [1])
    again = await accept(gql, t2, e2)
    assert again["__typename"] == "AppointmentNotChangeable"


async def test_department_day_waiter_gets_any_slot_of_the_day(
    gql: GraphQLClient, db, dev_token
) -> None:
    await add_hospital(db, H, maxActiveBookings=5)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, periods=[("07:30", "08:30")], capacity=1)
    early, late = await slot_ids(gql, H, day)
    holder = dev_token("day-holder")
    holder_profile = await profile(gql, holder)
    await book(gql, holder, early, holder_profile)
    second = await book(gql, holder, late, holder_profile)
    token = dev_token("day-waiter")
    entry = await join(
        gql, token, await profile(gql, token), hospital_id=H, department="noi", day=day
    )
    assert entry["__typename"] == "WaitlistEntry"
    await _cancel(gql, holder, second["id"])
    offered = (await my_waitlist(gql, token))[entry["id"]]
    assert offered["status"] == "OFFERED" and offered["slotId"] == late
    taken = await accept(gql, token, entry["id"])
    assert taken["__typename"] == "Appointment" and taken["slot"]["id"] == late
    assert await _check(db, late) == [1]


async def test_cancel_slots_tells_the_waitlist(gql: GraphQLClient, db, dev_token) -> None:
    slot, _ = await _full_slot(gql, db, dev_token, "closed", capacity=1)
    ((token, _, entry),) = await _waiters(gql, dev_token, "closed", slot, 1)
    stored = await SlotRepository(db).find(ObjectId(slot))
    assert stored is not None
    day = as_utc(stored["start"]).astimezone(PROVINCE_TZ).date().isoformat()
    mutation = """mutation($f: SlotFilterInput!) { cancelSlots(filter: $f, reason: "Nghỉ lễ") {
        __typename ... on CancelSlotsPayload { appointmentsCancelled } } }"""
    body = await gql(
        mutation,
        {"f": {"hospitalId": H, "departmentId": "noi", "fromDate": day, "toDate": day}},
        token=staff(dev_token, H),
    )
    assert body["data"]["cancelSlots"]["appointmentsCancelled"] == 1
    assert (await my_waitlist(gql, token))[entry]["status"] == "CANCELLED"
    told = await db["notifications"].find_one({"dedupeKey": f"health:waitlist:{entry}:cancelled"})
    assert told is not None and told["audience"] == {"userIds": ["closed-waiter-0"]}
    assert "Nghỉ lễ" not in str(told) and "Cơ sở y tế đã huỷ" in told["body"]["vi"]


async def test_cancels_racing_accepts_and_bookings_never_exceed_capacity(
    gql: GraphQLClient, db, dev_token
) -> None:
    capacity = 4
    slot, holders = await _full_slot(gql, db, dev_token, "race", capacity=capacity)
    waiters = await _waiters(gql, dev_token, "race", slot, 3)
    # One offer exists before the race starts.
    await _cancel(gql, holders[0][0], holders[0][1]["id"])
    outsiders = []
    for n in range(8):
        token = dev_token(f"race-outsider-{n}")
        outsiders.append((token, await profile(gql, token)))

    jobs: list[Any] = [_cancel(gql, t, a["id"]) for t, a in holders[1:3]]
    jobs += [accept(gql, t, e) for t, _, e in waiters]
    jobs += [book(gql, t, slot, p) for t, p in outsiders]
    results = await asyncio.gather(*jobs)
    assert all(r["__typename"] == "Appointment" for r in results[:2])  # the cancellations
    accepted = [r for r in results[2:5] if r["__typename"] == "Appointment"]
    assert all(r["__typename"] in ("Appointment", "AppointmentNotChangeable") for r in results[2:5])
    assert accepted  # the first waiter's hold existed before the race
    # Every freed place was held for a waiter: outsiders got nothing.
    assert all(r["__typename"] == "SlotFull" for r in results[5:]), results[5:]
    numbers = await _check(db, slot)
    assert len(numbers) == capacity - 3 + len(accepted)

    # The waiters whose offers arrived during the race accept now: the slot is full again.
    for token, _, entry in waiters:
        if (await my_waitlist(gql, token))[entry]["status"] == "OFFERED":
            assert (await accept(gql, token, entry))["__typename"] == "Appointment"
    assert await _check(db, slot) == list(range(1, capacity + 1))
