"""Guest sign-ins cannot book, wait or hold patient profiles; an account waits for a bounded
number of places and makes a bounded number of profiles a day (counted in MongoDB)."""

import uuid
from typing import Any

from domains.health.profiles import PROFILES_PER_DAY
from domains.health.waitlist import MAX_OPEN_ENTRIES
from domains.kernel.types import Database
from tests.conftest import GraphQLClient
from tests.domains.health.support import (
    BOOK,
    JOIN,
    PROFILE,
    add_hospital,
    book,
    future_day,
    join,
    profile,
    publish,
    slot_ids,
    staff,
)
from tests.support.firebase_tokens import TokenIssuer

PROFILE_INPUT = {
    "fullName": "Khách Vãng Lai",
    "dateOfBirth": "1990-01-01",
    "phone": "0912345678",
    "consent": {"policyVersion": "2026-01", "given": True},
}


async def test_a_guest_sign_in_cannot_book_wait_or_make_profiles(
    gql: GraphQLClient, token_issuer: TokenIssuer
) -> None:
    guest = token_issuer.token(
        "guest-1", extra={"firebase": {"sign_in_provider": "anonymous", "identities": {}}}
    )
    oid = "0" * 24
    attempts = [
        (PROFILE, {"input": PROFILE_INPUT}),
        (BOOK, {"input": {"slotId": oid, "patientProfileId": oid, "idempotencyKey": "k" * 16}}),
        (JOIN, {"input": {"patientProfileId": oid, "slotId": oid}}),
    ]
    for mutation, variables in attempts:
        body = await gql(mutation, variables, token=guest)
        assert body["errors"][0]["extensions"]["code"] == "ACCOUNT_REQUIRED", body
    # The same person signed in with their phone number may.
    body = await gql(PROFILE, {"input": PROFILE_INPUT}, token=token_issuer.token("guest-1"))
    assert body["data"]["createPatientProfile"]["__typename"] == "PatientProfile"


async def test_an_account_waits_for_a_bounded_number_of_places(
    gql: GraphQLClient, db: Database, dev_token: Any
) -> None:
    hospital = await add_hospital(db, "bv-cap", maxActiveBookings=20)
    day = future_day()
    slots_wanted = MAX_OPEN_ENTRIES + 1
    await publish(
        gql, staff(dev_token, hospital), hospital, day=day, periods=[("07:00", "10:00")], capacity=1
    )
    slots = (await slot_ids(gql, hospital, day))[:slots_wanted]
    filler = dev_token("filler")
    filler_profile = await profile(gql, filler)
    for slot in slots:
        assert (await book(gql, filler, slot, filler_profile))["__typename"] == "Appointment"
    waiter = dev_token("waiter")
    patient = await profile(gql, waiter)
    answers = [(await join(gql, waiter, patient, slot_id=s))["__typename"] for s in slots]
    assert answers == ["WaitlistEntry"] * MAX_OPEN_ENTRIES + ["BookingLimitReached"]
    # Joining again one already waited for still answers its entry.
    assert (await join(gql, waiter, patient, slot_id=slots[0]))["__typename"] == "WaitlistEntry"


async def test_an_account_makes_a_bounded_number_of_profiles_a_day(
    gql: GraphQLClient, dev_token: Any
) -> None:
    token = dev_token(f"profiles-{uuid.uuid4().hex[:6]}")
    for _ in range(PROFILES_PER_DAY.count):
        await profile(gql, token)
    body = await gql(PROFILE, {"input": PROFILE_INPUT}, token=token)
    refused = body["data"]["createPatientProfile"]
    assert refused["__typename"] == "RateLimitExceeded", refused
