"""Withdrawing a patient profile's consent stops its processing (no booking, no waiting, its
upcoming bookings cancelled) and keeps the consent history."""

from typing import Any

from bson import ObjectId

from domains.kernel.types import Database
from tests.conftest import GraphQLClient
from tests.domains.health.support import (
    BOOK,
    add_hospital,
    book,
    future_day,
    join,
    profile,
    publish,
    slot_ids,
    staff,
)

WITHDRAW = """
mutation($id: ID!) {
  withdrawPatientConsent(profileId: $id) {
    __typename
    ... on PatientProfile { id consent { withdrawnAt history { action policyVersion at } } }
    ... on UserError { code message }
  }
}"""


async def test_withdrawn_consent_stops_processing_and_keeps_history(
    gql: GraphQLClient, db: Database, dev_token: Any
) -> None:
    hospital = await add_hospital(db, "bv-consent", maxActiveBookings=10)
    day = future_day()
    await publish(
        gql, staff(dev_token, hospital), hospital, day=day, periods=[("07:00", "08:00")], capacity=1
    )
    first, second = (await slot_ids(gql, hospital, day))[:2]
    owner = dev_token("consent-owner")
    patient = await profile(gql, owner)
    other = await profile(gql, owner, name="Lê Văn Khác")
    booked = await book(gql, owner, first, patient)
    await book(gql, dev_token("someone"), second, await profile(gql, dev_token("someone")))
    entry = await join(gql, owner, patient, slot_id=second)
    assert entry["__typename"] == "WaitlistEntry"

    # Another account cannot withdraw it.
    body = await gql(WITHDRAW, {"id": patient}, token=dev_token("intruder"))
    assert body["data"]["withdrawPatientConsent"]["__typename"] == "NotFoundError"

    body = await gql(WITHDRAW, {"id": patient}, token=owner)
    result = body["data"]["withdrawPatientConsent"]
    assert result["consent"]["withdrawnAt"] is not None
    assert [e["action"] for e in result["consent"]["history"]] == ["given", "withdrawn"]
    # Its booking is cancelled (the place freed), its waitlist entry left.
    appointment = await db["health_appointments"].find_one({"_id": ObjectId(booked["id"])})
    assert appointment["status"] == "cancelled"
    slot = await db["health_slots"].find_one({"_id": ObjectId(first)})
    assert slot["booked"] == 0
    waiting = await db["health_waitlist"].find_one({"_id": ObjectId(entry["id"])})
    assert waiting["status"] == "left"
    # It is used for nothing more; the account's other profile still books.
    body = await gql(
        BOOK,
        {"input": {"slotId": first, "patientProfileId": patient, "idempotencyKey": "c" * 16}},
        token=owner,
    )
    refused = body["data"]["bookAppointment"]
    assert refused["__typename"] == "ValidationFailed" and "withdrawn" in refused["message"]
    assert (await book(gql, owner, first, other))["__typename"] == "Appointment"
    # Withdrawing again changes nothing; the history stays as it was.
    again = (await gql(WITHDRAW, {"id": patient}, token=owner))["data"]["withdrawPatientConsent"]
    assert again["consent"]["history"] == result["consent"]["history"]
