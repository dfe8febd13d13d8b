"""Staff reads of a patient's personal fields are audited, one entry per staff member, patient
and day, and an administrator sees who read what."""

from typing import Any

from domains.kernel.auth import Role
from domains.kernel.types import Database
from tests.conftest import GraphQLClient
from tests.domains.health.support import add_hospital, book, future_day, profile, publish, slot_ids

LIST = """query($h: String!, $d: Date!) {
  hospitalAppointments(hospitalId: $h, date: $d) { nodes { id patient { fullName phone } } }
}"""
READS = """query($p: ID, $r: String) {
  staffReads(patientProfileId: $p, reader: $r, first: 20) {
    nodes { reader patientProfileId hospitalId day }
  }
}"""


async def test_staff_reads_are_audited_once_a_day_and_shown_to_admins(
    gql: GraphQLClient, db: Database, dev_token: Any
) -> None:
    hospital = await add_hospital(db, "bv-reads")
    day = future_day()
    desk = dev_token("desk-1", Role.HOSPITAL_STAFF, hospitals=(hospital,))
    await publish(gql, desk, hospital, day=day)
    (slot,) = (await slot_ids(gql, hospital, day))[:1]
    owner = dev_token("read-patient")
    patient = await profile(gql, owner)
    await book(gql, owner, slot, patient)
    variables = {"h": hospital, "d": day.isoformat()}
    for _ in range(3):  # a screen that refreshes
        body = await gql(LIST, variables, token=desk)
        assert body["data"]["hospitalAppointments"]["nodes"][0]["patient"]["fullName"]
    # The patient's own reads are not staff reads.
    await gql("{ myAppointments { nodes { patient { fullName } } } }", token=owner)

    admin = dev_token("auditor", Role.ADMIN)
    body = await gql(READS, {"p": patient}, token=admin)
    reads = body["data"]["staffReads"]["nodes"]
    assert [(r["reader"], r["patientProfileId"], r["hospitalId"]) for r in reads] == [
        ("desk-1", patient, hospital)
    ]
    by_reader = await gql(READS, {"r": "desk-1"}, token=admin)
    assert len(by_reader["data"]["staffReads"]["nodes"]) == 1
    for token in (desk, owner):
        denied = await gql(READS, {"p": patient}, token=token)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_reading_a_reason_for_visit_is_a_staff_read_too(
    gql: GraphQLClient, db: Database, dev_token: Any
) -> None:
    hospital = await add_hospital(db, "bv-reason-reads")
    day = future_day()
    desk = dev_token("desk-2", Role.HOSPITAL_STAFF, hospitals=(hospital,))
    await publish(gql, desk, hospital, day=day)
    (slot,) = (await slot_ids(gql, hospital, day))[:1]
    owner = dev_token("reason-patient")
    patient = await profile(gql, owner)
    await book(gql, owner, slot, patient, reason="khó thở")
    reasons_only = """query($h: String!, $d: Date!) {
      hospitalAppointments(hospitalId: $h, date: $d) { nodes { reason } } }"""
    body = await gql(reasons_only, {"h": hospital, "d": day.isoformat()}, token=desk)
    assert body["data"]["hospitalAppointments"]["nodes"] == [{"reason": "khó thở"}]
    reads = await gql(READS, {"p": patient}, token=dev_token("auditor-2", Role.ADMIN))
    assert [r["reader"] for r in reads["data"]["staffReads"]["nodes"]] == ["desk-2"]
