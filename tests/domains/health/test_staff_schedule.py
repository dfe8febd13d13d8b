"""The staff console's schedule: every slot of a range whatever its status, a dry run of
publishSlots (what it would create, what is already there, the overlaps), cancelling one slot,
closing a slot to new bookings (its bookings stay) and opening it again."""

import asyncio
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import AutoReconnect

from domains.health import closing
from domains.health.booking import book_appointment
from domains.health.errors import BookingRefused
from domains.health.repositories import HealthStore, SlotRepository
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.resources import Resources
from domains.kernel.transactions import NoLocks
from domains.kernel.types import Session
from tests.conftest import GraphQLClient
from tests.domains.health.support import CANCEL as CANCEL_APPOINTMENT
from tests.domains.health.support import (
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

H = "bv-test-staff-schedule"

PREVIEW = """query($i: PublishSlotsInput!) { publishSlotsPreview(input: $i) {
  __typename
  ... on PublishSlotsPreview { created existing slots { start end published }
      overlaps { start end slot { id start end department { id key } } } }
  ... on UserError { message code } ... on ValidationFailed { field } } }"""

SLOTS = """query($f: SlotFilterInput!) { facilitySlots(filter: $f) {
  id start status booked capacity remaining department { id } doctor { id } } }"""

CANCEL = """mutation($f: SlotFilterInput!) { cancelSlots(filter: $f, reason: "Bác sĩ đi công tác") {
  __typename ... on CancelSlotsPayload { slotsCancelled appointmentsCancelled } } }"""


def template(day: str, **changes: Any) -> dict[str, Any]:
    return {
        "hospitalId": H,
        "departmentId": "noi",
        "doctorId": "bs-a",
        "fromDate": day,
        "toDate": day,
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "periods": [{"start": "08:00", "end": "09:30"}],
        "slotMinutes": 30,
        "capacity": 2,
        **changes,
    }


@pytest.fixture(scope="module")
async def token(db, dev_token) -> str:
    await add_hospital(db, H)
    return staff(dev_token, H)


async def test_preview_shows_new_published_and_overlapping_slots(
    gql: GraphQLClient, token: str
) -> None:
    day = future_day()
    await publish(gql, token, H, day=day, periods=[("08:00", "09:00")], doctor="bs-a")
    # Same doctor in another department at 09:15: overlaps the template's 09:00–09:30.
    await publish(
        gql, token, H, day=day, periods=[("09:15", "09:45")], department="ung-buou", doctor="bs-a"
    )
    body = await gql(PREVIEW, {"i": template(day.isoformat())}, token=token)
    assert not body.get("errors"), body
    preview = body["data"]["publishSlotsPreview"]
    assert preview["__typename"] == "PublishSlotsPreview"
    assert [s["published"] for s in preview["slots"]] == [True, True, False]
    assert (preview["created"], preview["existing"]) == (1, 2)
    (clash,) = preview["overlaps"]
    assert clash["start"] == preview["slots"][2]["start"]
    assert clash["slot"]["department"]["key"] == "ung-buou"
    # Nothing was written: the facility still has the three slots published above.
    slots = await gql(
        SLOTS,
        {"f": {"hospitalId": H, "fromDate": day.isoformat(), "toDate": day.isoformat()}},
        token=token,
    )
    assert len(slots["data"]["facilitySlots"]) == 3


async def test_preview_names_the_field_of_a_bad_template(gql: GraphQLClient, token: str) -> None:
    day = future_day().isoformat()
    body = await gql(PREVIEW, {"i": template(day, slotMinutes=2)}, token=token)
    result = body["data"]["publishSlotsPreview"]
    assert result["__typename"] == "ValidationFailed" and result["field"] == "slotMinutes"


async def test_facility_slots_lists_full_and_cancelled_slots(
    gql: GraphQLClient, token: str, dev_token
) -> None:
    day = future_day()
    await publish(gql, token, H, day=day, periods=[("13:00", "14:00")], capacity=1)
    f = {"hospitalId": H, "fromDate": day.isoformat(), "toDate": day.isoformat()}
    first, second = (await gql(SLOTS, {"f": f}, token=token))["data"]["facilitySlots"]
    citizen = dev_token("staff-schedule-citizen")
    booked = await book(gql, citizen, first["id"], await profile(gql, citizen))
    assert booked["__typename"] == "Appointment"
    cancelled = await gql(CANCEL, {"f": {**f, "slotIds": [second["id"]]}}, token=token)
    assert cancelled["data"]["cancelSlots"] == {
        "__typename": "CancelSlotsPayload",
        "slotsCancelled": 1,
        "appointmentsCancelled": 0,
    }
    after = (await gql(SLOTS, {"f": f}, token=token))["data"]["facilitySlots"]
    assert [(s["id"], s["status"], s["booked"]) for s in after] == [
        (first["id"], "BUSY", 1),
        (second["id"], "BUSY_UNAVAILABLE", 0),
    ]


async def test_facility_slots_refuses_a_range_too_long(gql: GraphQLClient, token: str) -> None:
    f = {"hospitalId": H, "fromDate": "2030-01-01", "toDate": "2030-06-01"}
    body = await gql(SLOTS, {"f": f}, token=token)
    assert body["errors"] and "62 days" in body["errors"][0]["message"]


CLOSE = """mutation($id: ID!) { closeSlot(id: $id) { __typename
  ... on Slot { id status closed booked remaining } ... on UserError { code } } }"""
REOPEN = CLOSE.replace("closeSlot", "reopenSlot")


async def test_a_closed_slot_keeps_its_bookings_and_takes_no_new_one(
    gql: GraphQLClient, token: str, dev_token
) -> None:
    day = future_day()
    await publish(gql, token, H, day=day, periods=[("15:00", "15:30")], capacity=3)
    (slot,) = await slot_ids(gql, H, day)
    first, second = dev_token("closing-first"), dev_token("closing-second")
    kept = await book(gql, first, slot, await profile(gql, first))
    assert kept["__typename"] == "Appointment"
    closed = (await gql(CLOSE, {"id": slot}, token=token))["data"]["closeSlot"]
    assert closed == {
        "__typename": "Slot",
        "id": slot,
        "status": "BUSY_UNAVAILABLE",
        "closed": True,
        "booked": 1,
        "remaining": 2,
    }
    assert (await gql(CLOSE, {"id": slot}, token=token))["data"]["closeSlot"] == closed
    assert await slot_ids(gql, H, day) == []  # availableSlots passes it by
    second_profile = await profile(gql, second)
    refused = await book(gql, second, slot, second_profile)
    assert refused["__typename"] == "SlotNotBookable", refused
    mine = await gql("{ myAppointments { nodes { id status } } }", token=first)
    assert mine["data"]["myAppointments"]["nodes"] == [{"id": kept["id"], "status": "BOOKED"}]

    reopened = (await gql(REOPEN, {"id": slot}, token=token))["data"]["reopenSlot"]
    assert (reopened["status"], reopened["closed"]) == ("FREE", False)
    assert await slot_ids(gql, H, day) == [slot]
    assert (await book(gql, second, slot, second_profile))["__typename"] == "Appointment"

    # Cancelling a closed slot cancels its bookings; a cancelled slot cannot be closed or reopened.
    assert (await gql(CLOSE, {"id": slot}, token=token))["data"]["closeSlot"]["closed"]
    f = {"hospitalId": H, "fromDate": day.isoformat(), "toDate": day.isoformat(), "slotIds": [slot]}
    cancelled = (await gql(CANCEL, {"f": f}, token=token))["data"]["cancelSlots"]
    assert (cancelled["slotsCancelled"], cancelled["appointmentsCancelled"]) == (1, 2)
    for query, field in ((CLOSE, "closeSlot"), (REOPEN, "reopenSlot")):
        refusal = (await gql(query, {"id": slot}, token=token))["data"][field]
        assert refusal == {"__typename": "SlotNotBookable", "code": "SLOT_NOT_BOOKABLE"}


async def test_a_closed_slot_offers_no_freed_place_until_it_reopens(
    gql: GraphQLClient, token: str, dev_token
) -> None:
    day = future_day()
    await publish(gql, token, H, day=day, periods=[("16:00", "16:30")], capacity=1)
    (slot,) = await slot_ids(gql, H, day)
    holder, waiter = dev_token("closing-holder"), dev_token("closing-waiter")
    booked = await book(gql, holder, slot, await profile(gql, holder))
    entry = await join(gql, waiter, await profile(gql, waiter), slot_id=slot)
    assert entry["status"] == "WAITING"
    assert (await gql(CLOSE, {"id": slot}, token=token))["data"]["closeSlot"]["closed"]
    gone = await gql(CANCEL_APPOINTMENT, {"id": booked["id"]}, token=holder)
    assert gone["data"]["cancelAppointment"]["status"] == "CANCELLED"
    # The freed place goes back to the closed slot, not to the waiting patient.
    assert (await my_waitlist(gql, waiter))[entry["id"]]["status"] == "WAITING"
    reopened = (await gql(REOPEN, {"id": slot}, token=token))["data"]["reopenSlot"]
    assert (reopened["closed"], reopened["remaining"]) == (False, 0)  # held for the waiter
    assert (await my_waitlist(gql, waiter))[entry["id"]]["status"] == "OFFERED"


async def test_closing_is_for_the_slot_s_own_staff(
    gql: GraphQLClient, token: str, dev_token
) -> None:
    day = future_day()
    await publish(gql, token, H, day=day, periods=[("17:00", "17:30")])
    (slot,) = await slot_ids(gql, H, day)
    other = staff(dev_token, "bv-somewhere-else")
    body = await gql(CLOSE, {"id": slot}, token=other)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    missing = await gql(CLOSE, {"id": "0" * 24}, token=token)
    assert missing["data"]["closeSlot"]["__typename"] == "NotFoundError"


class Reopening:
    """A one-place slot whose only booking was cancelled while it was closed, and a patient
    waiting for it."""

    def __init__(self, day: date, slot: str, waiter: str, entry: str) -> None:
        self.day, self.slot, self.waiter, self.entry = day, slot, waiter, entry

    @classmethod
    async def make(
        cls, gql: GraphQLClient, token: str, dev_token: Any, name: str, start: str
    ) -> "Reopening":
        day = future_day()
        await publish(gql, token, H, day=day, periods=[(start, f"{start[:2]}:30")], capacity=1)
        (slot,) = await slot_ids(gql, H, day)
        holder, waiter = dev_token(f"{name}-holder"), dev_token(f"{name}-waiter")
        booked = await book(gql, holder, slot, await profile(gql, holder))
        entry = await join(gql, waiter, await profile(gql, waiter), slot_id=slot)
        assert (await gql(CLOSE, {"id": slot}, token=token))["data"]["closeSlot"]["closed"]
        gone = await gql(CANCEL_APPOINTMENT, {"id": booked["id"]}, token=holder)
        assert gone["data"]["cancelAppointment"]["status"] == "CANCELLED"
        return cls(day, slot, waiter, entry["id"])

    async def waiter_status(self, gql: GraphQLClient) -> str:
        return str((await my_waitlist(gql, self.waiter))[self.entry]["status"])


async def test_a_retried_reopen_offers_the_freed_place_to_the_waitlist(
    gql: GraphQLClient, token: str, dev_token, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 15-17-18 item 2: a reopen that fails after the status change leaves nothing
    half done, and the staff's retry offers the freed place before anyone can book it."""
    case = await Reopening.make(gql, token, dev_token, "retry", "18:00")
    real, calls = closing._offer_free_places, []

    async def failing_once(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise AutoReconnect("primary stepped down")  # after the status change
        return await real(*args, **kwargs)

    monkeypatch.setattr(closing, "_offer_free_places", failing_once)
    first = await gql(REOPEN, {"id": case.slot}, token=token)
    assert first["errors"][0]["message"].startswith("Internal error"), first
    assert await slot_ids(gql, H, case.day) == []  # still closed: nobody can book it
    again = (await gql(REOPEN, {"id": case.slot}, token=token))["data"]["reopenSlot"]
    assert (again["closed"], again["remaining"], len(calls)) == (False, 0, 2)
    assert await case.waiter_status(gql) == "OFFERED"
    walk_in = dev_token("retry-walk-in")
    walked = await book(gql, walk_in, case.slot, await profile(gql, walk_in))
    assert walked["__typename"] == "SlotFull"


async def test_reopening_an_open_slot_offers_what_its_waitlist_is_owed(
    gql: GraphQLClient, token: str, dev_token, db
) -> None:
    """An open slot with a free place and a waiting patient (as an interrupted reopen of the
    earlier, two-step version left it): reopenSlot on it offers the place."""
    case = await Reopening.make(gql, token, dev_token, "owed", "19:00")
    await db["health_slots"].update_one(
        {"_id": ObjectId(case.slot)},
        {"$set": {"status": "free"}, "$unset": {"closedAt": "", "closedBy": ""}},
    )
    assert await case.waiter_status(gql) == "WAITING"
    again = (await gql(REOPEN, {"id": case.slot}, token=token))["data"]["reopenSlot"]
    assert (again["closed"], again["remaining"]) == (False, 0)
    assert await case.waiter_status(gql) == "OFFERED"


class ClaimsSeen(SlotRepository):
    """Sets ``seen`` once a booking's claim has had its answer (a place, none, or a conflict)."""

    seen: asyncio.Event

    async def claim(
        self, slot_id: ObjectId, *, now: datetime, session: Session | None
    ) -> int | None:
        try:
            return await super().claim(slot_id, now=now, session=session)
        finally:
            self.seen.set()


async def test_nobody_books_a_reopening_slot_before_its_waitlist(
    gql: GraphQLClient,
    token: str,
    dev_token,
    db,
    resources: Resources,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between the reopen's status change and its offers, a booking without this process's key
    locks (another API process) and availableSlots see the slot closed; nobody gets the place."""
    case = await Reopening.make(gql, token, dev_token, "race", "20:00")
    walk_in = await profile(gql, dev_token("race-walk-in"))
    unqueued = HealthStore.of(Resources(db=db, locks=NoLocks(), components=resources.components))
    claims = ClaimsSeen(db)
    claims.seen = asyncio.Event()
    booking_store = replace(unqueued, slots=claims)
    real, flipped, go = closing._offer_free_places, asyncio.Event(), asyncio.Event()

    async def paused(*args: Any, **kwargs: Any) -> int:
        flipped.set()  # the slot is free inside the reopen's transaction
        await go.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(closing, "_offer_free_places", paused)
    staff_member = Principal(
        uid="race-staff", roles=frozenset({Role.HOSPITAL_STAFF}), hospital_ids=frozenset({H})
    )
    reopening = asyncio.create_task(
        closing.reopen_slot(caller=Caller(unqueued, staff_member), slot_id=case.slot)
    )
    try:
        booking = await _book_while_reopening(
            gql, case, booking_store, walk_in, flipped, claims.seen
        )
    finally:
        go.set()  # never leave the reopen's transaction open, even when an assertion failed
        reopened = await asyncio.wait_for(reopening, 60)
    assert (reopened["status"], reopened["remaining"]) == ("free", 0)
    # Refused as closed (it read the slot before the reopen committed), or as full (retried
    # after the commit, on a database that reports the write conflict instead).
    assert await asyncio.wait_for(booking, 60) in {"SLOT_NOT_BOOKABLE", "SLOT_FULL"}
    assert await case.waiter_status(gql) == "OFFERED"


async def _book_while_reopening(
    gql: GraphQLClient,
    case: Reopening,
    store: HealthStore,
    profile_id: str,
    flipped: asyncio.Event,
    claimed: asyncio.Event,
) -> "asyncio.Task[str]":
    """While the reopen waits after its status change: the listing, and a booking that has
    been refused or whose claim has had its answer."""
    await asyncio.wait_for(flipped.wait(), 60)
    assert await slot_ids(gql, H, case.day) == []  # not listed as bookable meanwhile
    citizen = Principal(uid="race-walk-in", roles=frozenset({Role.CITIZEN}))

    async def walk_in_books() -> str:
        try:
            await book_appointment(
                caller=Caller(store, citizen),
                slot_id=case.slot,
                patient_profile_id=profile_id,
                reason=None,
                idempotency_key="race-walk-in-key-0001",
            )
        except BookingRefused as refused:
            return refused.refusal.value
        return "Appointment"

    booking = asyncio.create_task(walk_in_books())
    # Refused before its transaction (the slot reads closed), or its claim met the reopening slot.
    claim = asyncio.create_task(claimed.wait())
    await asyncio.wait({booking, claim}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    claim.cancel()
    assert booking.done() or claimed.is_set()
    return booking


async def test_an_offer_made_before_the_slot_closed_stands(
    gql: GraphQLClient, token: str, dev_token
) -> None:
    """Review 15-17-18 item 7: closing keeps what the slot had promised. A patient offered a
    freed place before the closure can still accept it while the hold lasts; nobody else can
    book the closed slot."""
    day = future_day()
    await publish(gql, token, H, day=day, periods=[("21:00", "21:30")], capacity=1)
    (slot,) = await slot_ids(gql, H, day)
    holder, waiter = dev_token("offer-holder"), dev_token("offer-waiter")
    booked = await book(gql, holder, slot, await profile(gql, holder))
    entry = await join(gql, waiter, await profile(gql, waiter), slot_id=slot)
    await gql(CANCEL_APPOINTMENT, {"id": booked["id"]}, token=holder)
    assert (await my_waitlist(gql, waiter))[entry["id"]]["status"] == "OFFERED"
    closed = (await gql(CLOSE, {"id": slot}, token=token))["data"]["closeSlot"]
    assert (closed["closed"], closed["booked"], closed["remaining"]) == (True, 1, 0)

    taken = await accept(gql, waiter, entry["id"])
    assert (taken["__typename"], taken["status"], taken["queueNumber"]) == (
        "Appointment",
        "BOOKED",
        1,
    )
    walk_in = dev_token("offer-walk-in")
    refused = await book(gql, walk_in, slot, await profile(gql, walk_in))
    assert refused["__typename"] == "SlotNotBookable"
    f = {"hospitalId": H, "fromDate": day.isoformat(), "toDate": day.isoformat()}
    (still,) = (await gql(SLOTS, {"f": f}, token=token))["data"]["facilitySlots"]
    assert (still["status"], still["booked"], still["remaining"]) == ("BUSY_UNAVAILABLE", 1, 0)
