"""The staff console's schedule: every slot of a range whatever its status, a dry run of
publishSlots (what it would create, what is already there, the overlaps), cancelling one slot,
closing a slot to new bookings (its bookings stay) and opening it again."""

from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.domains.health.support import CANCEL as CANCEL_APPOINTMENT
from tests.domains.health.support import (
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
