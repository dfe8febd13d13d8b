"""Every collection holding personal data has a retention: a TTL index the server expires, or a
scheduled purge (``xuthanh purge``) where documents carry no date a TTL could use."""

from datetime import timedelta

from api import registry
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from domains.kernel.types import Database

DAY = 86400
# collection -> (date field, longest retention in days); docs/security.md has the same table.
TTL = {
    "health_appointments": ("start", 3653),
    "health_audit": ("at", 3653),
    "health_waitlist": ("changedAt", 365),
    "health_idempotency": ("expiresAt", 0),
    "notification_deliveries": ("createdAt", 30),
    "notification_sent": ("createdAt", 30),
    "notification_batches": ("closedAt", 1),
    "notifications": ("fannedOutAt", 90),
    "devices": ("lastSeenAt", 270),
    "chat_rate_limits": ("expiresAt", 0),
    "account_erasures": ("expiresAt", 0),
    "environment_reports": ("closedAt", 730),
}


async def test_every_collection_with_personal_data_expires(db: Database) -> None:
    missing = []
    for collection, (field, days) in TTL.items():
        indexes = [index async for index in await db[collection].list_indexes()]
        ttl = [
            index["expireAfterSeconds"]
            for index in indexes
            if "expireAfterSeconds" in index and list(index["key"]) == [field]
        ]
        if not ttl or ttl[0] > days * DAY:
            missing.append(f"{collection}.{field}")
    assert missing == []


async def test_the_purge_deletes_idle_conversations_and_old_inbox_entries_only(
    db: Database, resources: Resources
) -> None:
    now = utcnow()
    await db["inbox"].insert_many(
        [
            {"_id": "old", "userId": "u", "createdAt": now - timedelta(days=366)},
            {"_id": "recent", "userId": "u", "createdAt": now - timedelta(days=300)},
        ]
    )
    trackers = db["rasa_conversations"]
    old = (now - timedelta(days=31)).timestamp()
    recent = (now - timedelta(days=1)).timestamp()
    await trackers.insert_many(
        [
            {"sender_id": "u-old", "latest_event_time": old, "events": []},
            {"sender_id": "u-recent", "latest_event_time": recent, "events": []},
        ]
    )
    assert await registry.purge(resources, now) == {
        "notifications": 1,
        "environment": 0,
        "chatbot": 1,
    }
    assert [d["_id"] async for d in db["inbox"].find({})] == ["recent"]
    assert [d["sender_id"] async for d in trackers.find({})] == ["u-recent"]
