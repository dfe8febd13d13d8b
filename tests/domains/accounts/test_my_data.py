"""A user's rights over their data: export everything as one JSON document, and erase it (with a
fresh sign-in), health records a facility must keep reduced and unlinked, resumable after a
crash."""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from bson import ObjectId

from domains.accounts.erasure import erase_my_data, resume_erasures
from domains.accounts.repository import AccountsStore
from domains.chatbot.config import CHAT_CONFIG
from domains.chatbot.sessions import conversation_for
from domains.health.desk import check_in
from domains.health.repositories import HealthStore
from domains.health.schedule import as_utc
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.personal_data import PERSONAL_DATA, Holders, PersonalData
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from tests.conftest import GraphQLClient
from tests.domains.health.support import add_hospital, book, future_day, profile, publish, slot_ids
from tests.support.firebase_tokens import TokenIssuer

MY_DATA = "{ myData }"
ERASE = """
mutation { eraseMyData {
  __typename
  ... on Erasure { status erasedDomains finishedAt }
  ... on UserError { code message }
} }"""
REGISTER = """
mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) { __typename } }"""
SUBSCRIBE = """
mutation($topic: String!) { subscribe(topic: $topic) { __typename } }"""


def fresh(issuer: TokenIssuer, uid: str) -> str:
    """A Firebase token of a sign-in made just now."""
    return issuer.token(uid, extra={"auth_time": int(time.time()) - 5})


async def make_user_data(
    gql: GraphQLClient, db: Database, resources: Resources, dev_token: Any, uid: str
) -> dict[str, Any]:
    """A citizen with a profile, one visit that took place, one upcoming booking, a device, a
    topic, a favourite and a review, and a conversation in the assistant's tracker store."""
    token = dev_token(uid)
    hospital = await add_hospital(db, f"bv-{uid}")
    day = future_day()
    staff = dev_token(f"staff-{uid}", Role.HOSPITAL_STAFF, hospitals=(hospital,))
    await publish(gql, staff, hospital, day=day, periods=[("07:30", "08:30")], capacity=2)
    first, second = (await slot_ids(gql, hospital, day))[:2]
    patient = await profile(gql, token, name="Trần Thị Mai", bhyt="DN4383821234567")
    visited = await book(gql, token, first, patient, reason="đau đầu kéo dài")
    upcoming = await book(gql, token, second, patient, reason="tái khám")
    staff_principal = Principal(
        uid="desk", roles=frozenset({Role.HOSPITAL_STAFF}), hospital_ids=frozenset({hospital})
    )
    stored = await db["health_appointments"].find_one({"_id": ObjectId(visited["id"])})
    await check_in(
        caller=Caller(HealthStore.of(resources), staff_principal),
        booking_code=visited["bookingCode"],
        now=as_utc(stored["start"]),
    )
    device = f"fcm-{uid}-abcdefghijklmnopqrstuvwxyz0123456789"
    body = await gql(
        REGISTER,
        {"input": {"token": device, "platform": "ANDROID", "locale": "VI", "appVersion": "1"}},
        token=token,
    )
    assert body["data"]["registerDevice"]["__typename"] == "Device", body
    await gql(SUBSCRIBE, {"topic": "event.le-hoi-sam-son"}, token=token)
    attraction = ObjectId()
    await db["tourism_favorites"].insert_one({"uid": uid, "attractionId": attraction})
    await db["tourism_attractions"].insert_one(
        {"_id": attraction, "slug": f"place-{uid}", "rating": {"sum": 4, "count": 1}}
    )
    now = utcnow()
    await db["tourism_reviews"].insert_one(
        {
            "attractionId": attraction,
            "uid": uid,
            "rating": 4,
            "text": "Đẹp",
            "hidden": False,
            "createdAt": now,
            "updatedAt": now,
        }
    )
    secret = resources.get(CHAT_CONFIG).settings.secret
    sender = conversation_for(Principal(uid=uid), None, secret).sender_id
    await db["rasa_conversations"].insert_one(
        {"sender_id": sender, "events": [{"event": "user", "text": "thủ tục khai sinh"}]}
    )
    return {
        "visited": visited["id"],
        "upcoming": upcoming["id"],
        "slot": second,
        "device": device,
        "sender": sender,
        "attraction": attraction,
    }


async def test_export_holds_everything_of_the_user_and_nothing_of_others(
    gql: GraphQLClient, db: Database, resources: Resources, dev_token: Any
) -> None:
    mine = await make_user_data(gql, db, resources, dev_token, "export-a")
    await make_user_data(gql, db, resources, dev_token, "export-b")
    body = await gql(MY_DATA, token=dev_token("export-a"))
    data = body["data"]["myData"]
    assert data["uid"] == "export-a"
    domains = data["domains"]
    health = domains["health"]
    assert [p["fullName"] for p in health["patientProfiles"]] == ["Trần Thị Mai"]
    assert {a["_id"] for a in health["appointments"]} == {mine["visited"], mine["upcoming"]}
    assert {a["reason"] for a in health["appointments"]} == {"đau đầu kéo dài", "tái khám"}
    assert {e["actor"] for e in health["audit"]} >= {"export-a"}
    assert [d["_id"] for d in domains["notifications"]["devices"]] == [mine["device"]]
    assert [s["topic"] for s in domains["notifications"]["subscriptions"]] == [
        "event.le-hoi-sam-son"
    ]
    assert len(domains["tourism"]["favorites"]) == 1
    assert [r["text"] for r in domains["tourism"]["reviews"]] == ["Đẹp"]
    assert domains["chatbot"]["conversations"][0]["sender_id"] == mine["sender"]
    assert "export-b" not in str(data)
    anonymous = await gql(MY_DATA)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_erasure_needs_a_sign_in_less_than_five_minutes_old(
    gql: GraphQLClient, db: Database, token_issuer: TokenIssuer
) -> None:
    # The test issuer's default token was signed in five minutes ago, refreshed since.
    body = await gql(ERASE, token=token_issuer.token("stale-user"))
    assert body["data"]["eraseMyData"]["code"] == "RECENT_SIGN_IN_REQUIRED"
    assert await db["account_erasures"].find_one({"_id": "stale-user"}) is None
    body = await gql(ERASE)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_erasure_keeps_only_the_reduced_visit_and_frees_the_booked_place(
    gql: GraphQLClient,
    db: Database,
    resources: Resources,
    dev_token: Any,
    token_issuer: TokenIssuer,
) -> None:
    mine = await make_user_data(gql, db, resources, dev_token, "erase-a")
    await make_user_data(gql, db, resources, dev_token, "erase-b")
    body = await gql(ERASE, token=fresh(token_issuer, "erase-a"))
    result = body["data"]["eraseMyData"]
    assert result["status"] == "done", body
    assert set(result["erasedDomains"]) >= {"health", "notifications", "tourism", "chatbot"}
    # Nothing left that leads to the user ...
    after = (await gql(MY_DATA, token=dev_token("erase-a")))["data"]["myData"]["domains"]
    assert all(not rows for domain in after.values() for rows in domain.values()), after
    assert await db["devices"].find_one({"_id": mine["device"]}) is None
    assert await db["rasa_conversations"].find_one({"sender_id": mine["sender"]}) is None
    # ... the review left the attraction's rating as when its author deletes it ...
    place = await db["tourism_attractions"].find_one({"_id": mine["attraction"]})
    assert place["rating"] == {"sum": 0, "count": 0}
    # ... the visit that took place is kept for the facility, reduced and unlinked ...
    kept = await db["health_appointments"].find_one({"_id": ObjectId(mine["visited"])})
    assert kept is not None and kept["userId"] == "" and "reason" not in kept
    assert kept["retainedPatient"] == {"fullName": "Trần Thị Mai", "dateOfBirth": "1980-05-17"}
    audit = await db["health_audit"].find({"appointmentId": kept["_id"]}).to_list()
    assert audit and all(entry["actor"] != "erase-a" for entry in audit)
    # ... the upcoming booking is gone and its place is free again.
    assert await db["health_appointments"].find_one({"_id": ObjectId(mine["upcoming"])}) is None
    slot = await db["health_slots"].find_one({"_id": ObjectId(mine["slot"])})
    assert slot["booked"] == 0
    # The other user keeps everything; a repeat is harmless.
    other = (await gql(MY_DATA, token=dev_token("erase-b")))["data"]["myData"]["domains"]
    assert len(other["health"]["appointments"]) == 2
    again = await gql(ERASE, token=fresh(token_issuer, "erase-a"))
    assert again["data"]["eraseMyData"]["status"] == "done"


@dataclass
class Crashing:
    """Stands for a process killed in the middle of an erasure."""

    inner: PersonalData
    calls: int = 0

    async def export(self, uid: str) -> Mapping[str, Any]:
        return await self.inner.export(uid)

    async def erase(self, uid: str) -> int:
        self.calls += 1
        raise RuntimeError("the process stopped here")


@dataclass
class Counting:
    inner: PersonalData
    calls: int = 0

    async def export(self, uid: str) -> Mapping[str, Any]:
        return await self.inner.export(uid)

    async def erase(self, uid: str) -> int:
        self.calls += 1
        return await self.inner.erase(uid)


async def test_an_erasure_cut_short_completes_on_resume(
    gql: GraphQLClient,
    db: Database,
    resources: Resources,
    dev_token: Any,
    token_issuer: TokenIssuer,
) -> None:
    mine = await make_user_data(gql, db, resources, dev_token, "crash-a")
    wired = resources.get(PERSONAL_DATA)
    names = [name for name, _ in wired.holders]
    counted = [(name, Counting(holder)) for name, holder in wired.holders]
    crash_at = names.index("health")
    broken = list(counted)
    broken[crash_at] = ("health", Crashing(counted[crash_at][1]))
    resources.provide(PERSONAL_DATA, Holders(tuple(broken)))
    try:
        with pytest.raises(RuntimeError):
            # Through the use case: the API would mask this as an internal error.
            principal = Principal(uid="crash-a", signed_in_at=utcnow())
            await erase_my_data(caller=Caller(AccountsStore.of(resources), principal))
    finally:
        resources.provide(PERSONAL_DATA, Holders(tuple(counted)))
    job = await db["account_erasures"].find_one({"_id": "crash-a"})
    assert job["status"] == "running" and set(job["done"]) == set(names[:crash_at])
    assert await db["rasa_conversations"].find_one({"sender_id": mine["sender"]}) is None
    assert await db["devices"].find_one({"_id": mine["device"]}) is not None  # not reached yet
    try:
        assert await resume_erasures(resources) == 1  # what a restarted process does
    finally:
        resources.provide(PERSONAL_DATA, wired)
    job = await db["account_erasures"].find_one({"_id": "crash-a"})
    assert job["status"] == "done" and set(job["done"]) == set(names)
    # Domains done before the crash were walked once, not again on resume.
    assert [holder.calls for _, holder in counted[:crash_at]] == [1] * crash_at
    assert await db["devices"].find_one({"_id": mine["device"]}) is None
    assert await db["health_appointments"].count_documents({"userId": "crash-a"}) == 0
