"""Subscriptions made before reminders went through topics keep their reminders: the start-up
migration moves each old ``tourism_event_subscriptions`` document to the event's topic."""

from datetime import timedelta
from typing import Any

from bson import ObjectId

from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from domains.notifications import outbox
from domains.notifications.push import DevelopmentSink
from domains.notifications.worker import Worker, WorkerConfig
from domains.tourism.module import MODULE
from tests.conftest import GraphQLClient

INBOX = (
    """{ notifications(unreadOnly: false, first: 50) { nodes { category data { key value } } } }"""
)
EVENT = """query($id: ID!) { event(id: $id) { isSubscribed } }"""
REMINDERS = (("reminder-1d", timedelta(days=1)), ("reminder-2h", timedelta(hours=2)))


async def old_subscription(db: Any, event: dict[str, Any], uid: str) -> None:
    """What ``subscribeToEvent`` wrote before topics: the subscription and the subscriber's own
    two reminders, keyed ``tourism.event:<event>:<reminder>:<uid>``."""
    now = utcnow()
    await db["tourism_event_subscriptions"].insert_one(
        {"_id": ObjectId(), "eventId": event["_id"], "uid": uid, "createdAt": now}
    )
    for name, lead in REMINDERS:
        await outbox.enqueue(
            db=db,
            session=None,
            user_ids=[uid],
            title={"vi": f"Ngày mai: {event['name']['vi']}", "en": "Tomorrow"},
            body={"vi": "Bắt đầu.", "en": "Starts."},
            category="tourism.event.reminder",
            data={"eventId": str(event["_id"]), "kind": name},
            send_at=event["startsAt"] - lead,
            dedupe_key=f"tourism.event:{event['_id']}:{name}:{uid}",
            sender="tourism",
        )


async def stored_event(db: Any, slug: str) -> dict[str, Any]:
    """An event as stored before this change (the seed writes no reminders)."""
    now = utcnow()
    starts = (now + timedelta(days=4)).replace(microsecond=0)
    document = {
        "_id": ObjectId(),
        "slug": slug,
        "name": {"vi": f"Lễ hội {slug}", "en": f"Festival {slug}"},
        "description": {"vi": "Mô tả"},
        "startsAt": starts,
        "endsAt": starts + timedelta(hours=5),
        "status": "scheduled",
        "attractionId": None,
        "location": {"type": "Point", "coordinates": [105.77, 19.8]},
        "venue": {"vi": "Quảng trường"},
        "district": "",
        "recurrence": None,
        "scheduleVersion": 1,
        "searchPrimary": [],
        "searchTerms": [],
        "createdAt": now,
        "updatedAt": now,
    }
    await db["tourism_events"].insert_one(document)
    return document


async def reminders_in_inbox(gql: GraphQLClient, token: str, event: ObjectId) -> list[str]:
    nodes = (await gql(INBOX, token=token))["data"]["notifications"]["nodes"]
    data = [{d["key"]: d["value"] for d in n["data"]} for n in nodes]
    return sorted(d["kind"] for d in data if d.get("eventId") == str(event) and "kind" in d)


async def test_a_subscription_made_before_topics_still_gets_its_reminders(
    gql: GraphQLClient, db: Any, resources: Resources, dev_token: Any
) -> None:
    event = await stored_event(db, "old-lantern")
    await old_subscription(db, event, "old-fan-1")
    await old_subscription(db, event, "old-fan-2")

    assert MODULE.start is not None
    await MODULE.start(resources)

    assert await db["tourism_event_subscriptions"].count_documents({}) == 0
    topic = f"event.{event['_id']}"
    followed = await db["notification_subscriptions"].find({"topic": topic}).to_list()
    assert {row["userId"] for row in followed} == {"old-fan-1", "old-fan-2"}
    documents = await db["notifications"].find({"data.eventId": str(event["_id"])}).to_list()
    # The subscribers' own reminders gave way to the event's two topic reminders.
    assert {r["status"] for r in documents if "userIds" in r["audience"]} == {"cancelled"}
    live = [r for r in documents if r["status"] == "pending"]
    assert sorted(r["sendAt"] for r in live) == [
        event["startsAt"] - timedelta(days=1),
        event["startsAt"] - timedelta(hours=2),
    ]
    assert all(r["audience"] == {"topic": topic} for r in live)
    token = dev_token("old-fan-1")
    body = await gql(EVENT, {"id": str(event["_id"])}, token=token)
    assert body["data"]["event"]["isSubscribed"] is True

    # The day-before reminder comes due: a real worker brings it to each old subscriber once.
    day_before = next(r for r in live if r["data"]["kind"] == "reminder-1d")
    await db["notifications"].update_one(
        {"_id": day_before["_id"]}, {"$set": {"sendAt": utcnow() - timedelta(seconds=1)}}
    )
    await Worker(resources, DevelopmentSink(), WorkerConfig(idle_poll=0.05)).drain()
    assert await reminders_in_inbox(gql, token, event["_id"]) == ["reminder-1d"]
    assert await reminders_in_inbox(gql, dev_token("old-fan-2"), event["_id"]) == ["reminder-1d"]

    # A second start (every process runs it) finds nothing to do and doubles nothing.
    outbox_before = await db["notifications"].count_documents({})
    await MODULE.start(resources)
    assert await db["notifications"].count_documents({}) == outbox_before
    assert await db["notification_subscriptions"].count_documents({"topic": topic}) == 2
    await Worker(resources, DevelopmentSink(), WorkerConfig(idle_poll=0.05)).drain()
    assert await reminders_in_inbox(gql, token, event["_id"]) == ["reminder-1d"]


async def test_a_half_done_migration_finishes_at_the_next_start(
    db: Any, resources: Resources
) -> None:
    event = await stored_event(db, "old-boat-race")
    await old_subscription(db, event, "old-fan-3")
    # A process stopped after subscribing the user, before deleting the old document.
    await db["notification_subscriptions"].insert_one(
        {
            "userId": "old-fan-3",
            "token": None,
            "topic": f"event.{event['_id']}",
            "createdAt": utcnow(),
        }
    )
    assert MODULE.start is not None
    await MODULE.start(resources)
    assert await db["tourism_event_subscriptions"].count_documents({}) == 0
    assert (
        await db["notification_subscriptions"].count_documents({"topic": f"event.{event['_id']}"})
        == 1
    )
    pending = await db["notifications"].count_documents(
        {"data.eventId": str(event["_id"]), "status": "pending"}
    )
    assert pending == 2
