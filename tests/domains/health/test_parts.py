"""A facility's departments and doctors are Relay nodes: their `id` is global (it names the
facility), their `key` is the local id that `departmentId`/`doctorId` fields hold. Every argument
taking a department or doctor accepts either; a global id of another type or another facility
is refused naming the field."""

from typing import Any

import pytest

from domains.kernel.node import global_id
from tests.conftest import GraphQLClient
from tests.domains.health.support import (
    PUBLISH,
    add_hospital,
    book,
    future_day,
    join,
    profile,
    publish,
    slot_ids,
    staff,
)

H = "bv-test-parts"
OTHER = "bv-test-parts-other"

PARTS = """query($id: String!) { hospital(id: $id) {
  departments { id key name } doctors { id key name } } }"""

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on HospitalDepartment { key name room specialty }
  ... on HospitalDoctor { key name title } } }"""

APPOINTMENTS = """query($h: String!, $d: Date!, $dep: String) {
  hospitalAppointments(hospitalId: $h, date: $d, departmentId: $dep) { nodes { id } } }"""


@pytest.fixture(scope="module")
async def ids(gql: GraphQLClient, db: Any) -> dict[str, dict[str, str]]:
    """The global ids of both facilities' parts, by facility then key."""
    found: dict[str, dict[str, str]] = {}
    for hospital in (H, OTHER):
        await add_hospital(db, hospital)
        body = await gql(PARTS, {"id": hospital})
        parts = body["data"]["hospital"]
        found[hospital] = {p["key"]: p["id"] for p in parts["departments"] + parts["doctors"]}
    return found


async def test_departments_and_doctors_are_refetched_by_their_global_ids(
    gql: GraphQLClient, ids: dict[str, dict[str, str]]
) -> None:
    assert ids[H]["noi"] != ids[OTHER]["noi"] and ids[H]["noi"] != "noi"
    department = (await gql(NODE, {"id": ids[H]["noi"]}))["data"]["node"]
    assert department == {
        "__typename": "HospitalDepartment",
        "id": ids[H]["noi"],
        "key": "noi",
        "name": "Khám Nội",
        "room": "P.101",
        "specialty": "internal-medicine",
    }
    doctor = (await gql(NODE, {"id": ids[OTHER]["bs-b"]}))["data"]["node"]
    assert doctor["__typename"] == "HospitalDoctor" and doctor["key"] == "bs-b"
    assert doctor["id"] == ids[OTHER]["bs-b"] and doctor["name"] == "Đỗ Thị Bình"
    unknown = [
        global_id("HospitalDepartment", f"{H}/khong-co"),
        global_id("HospitalDoctor", "bv-khong-co/bs-a"),
        global_id("HospitalDepartment", "noi"),
        "noi",
    ]
    for node_id in unknown:
        assert (await gql(NODE, {"id": node_id})) == {"data": {"node": None}}, node_id


async def test_department_and_doctor_arguments_take_either_id(
    gql: GraphQLClient, dev_token: Any, ids: dict[str, dict[str, str]]
) -> None:
    token = staff(dev_token, H)
    day = future_day()
    by_global = await publish(
        gql, token, H, day=day, department=ids[H]["noi"], doctor=ids[H]["bs-a"], capacity=1
    )
    assert by_global == {"__typename": "PublishSlotsPayload", "created": 1, "existing": 0}
    by_key = await publish(gql, token, H, day=day, department="noi", doctor="bs-a", capacity=1)
    assert by_key == {"__typename": "PublishSlotsPayload", "created": 0, "existing": 1}

    (slot,) = await slot_ids(gql, H, day, department=ids[H]["noi"])
    assert await slot_ids(gql, H, day, department="noi") == [slot]
    # A global id names its facility: hospitalId may be left out.
    assert await slot_ids(gql, None, day, department=ids[H]["noi"]) == [slot]
    assert await slot_ids(gql, H, day, department=ids[H]["ung-buou"]) == []

    citizen = dev_token("parts-citizen")
    patient = await profile(gql, citizen)
    booked = await book(gql, citizen, slot, patient)
    for department in ("noi", ids[H]["noi"]):
        variables = {"h": H, "d": day.isoformat(), "dep": department}
        body = await gql(APPOINTMENTS, variables, token=token)
        assert body == {"data": {"hospitalAppointments": {"nodes": [{"id": booked["id"]}]}}}

    waiter = dev_token("parts-waiter")
    waiting = await profile(gql, waiter)
    entry = await join(gql, waiter, waiting, hospital_id=H, department=ids[H]["noi"], day=day)
    assert entry["__typename"] == "WaitlistEntry", entry
    again = await join(gql, waiter, waiting, department=ids[H]["noi"], day=day)
    assert again["id"] == entry["id"]  # the same department and day: the same entry
    again = await join(gql, waiter, waiting, hospital_id=H, department="noi", day=day)
    assert again["id"] == entry["id"]


async def test_a_global_id_of_another_facility_or_type_names_the_field(
    gql: GraphQLClient, dev_token: Any, ids: dict[str, dict[str, str]]
) -> None:
    token = staff(dev_token, H)
    day = future_day().isoformat()
    wrong = {
        "departmentId": ids[OTHER]["noi"],  # another facility's
        "doctorId": ids[H]["noi"],  # a department, not a doctor
    }
    for field, value in wrong.items():
        template = {
            "hospitalId": H,
            "departmentId": "noi",
            "fromDate": day,
            "toDate": day,
            "periods": [{"start": "07:30", "end": "08:00"}],
            "slotMinutes": 30,
            "capacity": 2,
            field: value,
        }
        query = PUBLISH.replace(
            "... on UserError", "... on ValidationFailed { field } ... on UserError"
        )
        result = (await gql(query, {"input": template}, token=token))["data"]["publishSlots"]
        assert result["__typename"] == "ValidationFailed" and result["field"] == field, result
    body = await gql(APPOINTMENTS, {"h": H, "d": day, "dep": ids[OTHER]["noi"]}, token=token)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "departmentId" in error["message"]
