"""The staff console's schedule: every slot of a range whatever its status, a dry run of
publishSlots (what it would create, what is already there, the overlaps), cancelling one slot."""

from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.domains.health.support import add_hospital, book, future_day, profile, publish, staff

H = "bv-test-staff-schedule"

PREVIEW = """query($i: PublishSlotsInput!) { publishSlotsPreview(input: $i) {
  __typename
  ... on PublishSlotsPreview { created existing slots { start end published }
      overlaps { start end slot { id start end department { id } } } }
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
    assert clash["slot"]["department"]["id"] == "ung-buou"
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
