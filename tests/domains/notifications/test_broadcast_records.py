"""What a broadcast stores: records of its first successes (at most SUCCESS_RECORDS_KEPT), counts
for the rest, and a record of every failure; notificationStatus still shows every outcome."""

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from domains.kernel.auth import Role
from domains.notifications import outbox_repository
from domains.notifications.outbox import enqueue
from domains.notifications.outbox_repository import TALLIES, DeliveryRepository
from tests.conftest import GraphQLClient
from tests.domains.notifications.conftest import FAST, settle
from tests.domains.notifications.records import delivery_records, states
from tests.domains.notifications.test_delivery import add_device, none_pending, tok
from tests.support.fcm_server import FcmServer

KEPT = 4
DEVICES = 12
STATUS = """query($id: ID!) { notificationStatus(id: $id) { state
  counts { total pending sent failed deadLettered skipped }
  results(first: 50) { nodes { tokenSuffix state errorCode } } } }"""


@pytest.fixture(autouse=True)
def few_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_repository, "SUCCESS_RECORDS_KEPT", KEPT)


async def follow(db: Any, topic: str, names: list[str]) -> list[str]:
    tokens = []
    for name in names:
        token = await add_device(db, name, None)
        await db["notification_subscriptions"].insert_one({"topic": topic, "token": token})
        tokens.append(token)
    return tokens


async def test_a_broadcast_keeps_counts_and_failures_not_a_record_per_device(
    db: Any, gql: GraphQLClient, dev_token: Any, fcm_server: FcmServer, make_worker: Any
) -> None:
    tokens = await follow(db, "event.bounded", [f"bounded-{i}" for i in range(DEVICES)])
    for broken in tokens[:2]:
        fcm_server.plan(broken, "INVALID_ARGUMENT")
    nid = await enqueue(
        db=db,
        session=None,
        topic="event.bounded",
        title={"vi": "Lễ hội"},
        body={"vi": "Tối nay"},
        category="test.bounded",
    )
    await settle(make_worker(), lambda: none_pending(db, nid))
    assert len(fcm_server.accepted_tokens()) == DEVICES - 2  # everyone else was reached

    records = await delivery_records(db, nid)
    by_state = sorted(d["state"] for d in records)
    assert by_state == ["failed"] * 2 + ["sent"] * KEPT  # not one record per device

    admin = dev_token("bounded-admin", Role.ADMIN)
    status = (await gql(STATUS, {"id": str(nid)}, token=admin))["data"]["notificationStatus"]
    assert status["state"] == "COMPLETED"
    assert status["counts"] == {
        "total": DEVICES,
        "pending": 0,
        "sent": DEVICES - 2,
        "failed": 2,
        "deadLettered": 0,
        "skipped": 0,
    }
    failures = [n for n in status["results"]["nodes"] if n["state"] == "FAILED"]
    assert [n["errorCode"] for n in failures] == ["INVALID_ARGUMENT"] * 2


async def test_a_message_to_named_users_keeps_every_record(
    db: Any, fcm_server: FcmServer, make_worker: Any
) -> None:
    users = [f"named-{i}" for i in range(KEPT + 3)]
    for user in users:
        await add_device(db, user, user)
    nid = await enqueue(
        db=db,
        session=None,
        user_ids=users,
        title={"vi": "Lịch hẹn"},
        body={"vi": "Ngày mai"},
        category="test.named",
    )
    await settle(make_worker(), lambda: none_pending(db, nid))
    assert await states(db, nid) == {tok(user): "sent" for user in users}


async def test_a_crash_between_deleting_and_counting_loses_no_success(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Successes beyond the bound are deleted and counted together: when the count cannot be
    written (the worker dies, the primary steps down), the records stay for the retry."""
    nid = ObjectId()
    await db["notifications"].insert_one({"_id": nid, "audience": {"topic": "event.crash"}})
    ids = [f"{nid}:crash-{i}" for i in range(DEVICES)]
    await db["notification_deliveries"].insert_many(
        [{"_id": i, "n": nid, "token": i, "state": "pending", "claim": "w1"} for i in ids]
    )
    update_one = AsyncCollection.update_one
    failures = [RuntimeError("primary stepped down")]

    async def failing(self: AsyncCollection[Any], query: Any, update: Any, **kw: Any) -> Any:
        if self.name == TALLIES and "count" in update.get("$inc", {}) and failures:
            raise failures.pop()
        return await update_one(self, query, update, **kw)

    monkeypatch.setattr(AsyncCollection, "update_one", failing)
    deliveries = DeliveryRepository(db)
    now = datetime(2026, 12, 6, tzinfo=UTC)
    with pytest.raises(RuntimeError):
        await deliveries.mark(ids, worker_claim="w1", state="sent", now=now)
    await deliveries.mark(ids, worker_claim="w1", state="sent", now=now)  # the worker's retry
    counts = await deliveries.counts(nid)
    assert counts.get("sent") == DEVICES and counts.get("pending", 0) == 0, counts


async def test_a_follower_by_token_and_by_user_counted_not_recorded_gets_it_once(
    db: Any, fcm_server: FcmServer, make_worker: Any
) -> None:
    """Past the records kept, a phone whose success was counted (no record) and which follows
    the topic by its token and by its user is still sent the broadcast once."""
    tokens = await follow(db, "event.twice", [f"twice-{i}" for i in range(KEPT)])
    phone = await add_device(db, "twice-phone", "u-twice")
    await db["notification_subscriptions"].insert_one({"topic": "event.twice", "token": phone})
    tokens += [phone, *await follow(db, "event.twice", ["twice-x", "twice-y"])]
    await db["notification_subscriptions"].insert_one({"topic": "event.twice", "userId": "u-twice"})
    nid = await enqueue(
        db=db,
        session=None,
        topic="event.twice",
        title={"vi": "Lễ hội"},
        body={"vi": "Tối nay"},
        category="test.twice",
    )
    # Chunks of 3, one batch at a time: the phone's batch is closed when its user is read.
    one_at_a_time = dataclasses.replace(
        FAST, fanout_chunk=3, fanout_first_chunk=3, concurrency=1, batches_on_the_wire=1
    )
    await settle(make_worker(one_at_a_time), lambda: none_pending(db, nid))
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
    assert await db["notification_batches"].count_documents({"n": nid}) == 0  # nothing left
