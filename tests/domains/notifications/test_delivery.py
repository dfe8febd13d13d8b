"""Delivery through the real firebase-admin SDK to a local FCM v1 server."""

import asyncio
import dataclasses
import time
from datetime import timedelta
from typing import Any

import pytest
from firebase_admin import messaging

from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import as_utc, utcnow
from domains.notifications import broadcasts, service
from domains.notifications.backoff import backoff_delay
from domains.notifications.config import WorkerConfig
from domains.notifications.outbox import cancel_scheduled, enqueue
from domains.notifications.store import NotificationsStore
from tests.domains.notifications.conftest import FAST, settle
from tests.domains.notifications.records import delivery_records
from tests.support.fcm_server import FcmServer

TITLE = {"vi": "Lịch hẹn ngày mai lúc 08:00", "en": "Appointment tomorrow at 08:00"}
BODY = {"vi": "Mở ứng dụng để xem chi tiết", "en": "Open the app for details"}


def tok(name: str) -> str:
    return f"{name}-0123456789abcdefghijklmnop"


async def add_device(db: Any, name: str, user: str | None, locale: str = "vi") -> str:
    token = tok(name)
    now = utcnow()
    await db["devices"].update_one(
        {"_id": token},
        {
            "$set": {
                "userId": user,
                "platform": "android",
                "locale": locale,
                "appVersion": "1",
                "lastSeenAt": now,
                "createdAt": now,
            }
        },
        upsert=True,
    )
    return token


async def register_citizen_device(store: NotificationsStore, uid: str, name: str) -> str:
    """A citizen's phone registered through the service (so stored in its fan-out bucket)."""
    caller = Caller(store, Principal(uid=uid, roles=frozenset({Role.CITIZEN})))
    device = await service.register_device(
        caller=caller, token=tok(name), platform="android", locale="vi", app_version="1"
    )
    token: str = device["_id"]
    return token


async def queue(db: Any, users: list[str], **extra: Any) -> Any:
    return await enqueue(
        db=db, session=None, user_ids=users, title=TITLE, body=BODY, category="test.push", **extra
    )


async def broadcast_to_citizens(store: NotificationsStore, category: str) -> None:
    """An admin's broadcast to every citizen, sent now (through the service, as the API does)."""
    admin = Caller(store, Principal(uid="admin-1", roles=frozenset({Role.ADMIN})))
    await broadcasts.send_notification(
        caller=admin,
        audience=broadcasts.Audience(role=Role.CITIZEN),
        title=TITLE,
        body=BODY,
        category=category,
        data=None,
        send_at=None,
    )


async def deliveries(db: Any, nid: Any) -> dict[str, dict[str, Any]]:
    return {d["token"]: d for d in await delivery_records(db, nid)}


async def none_pending(db: Any, nid: Any) -> bool:
    return await db["notification_deliveries"].count_documents({"n": nid, "state": "pending"}) == 0


async def nothing_pending(db: Any) -> bool:
    """No delivery of any notification waits (for a test that claims whatever is due)."""
    return await db["notification_deliveries"].count_documents({"state": "pending"}) == 0


async def test_the_sdk_really_sends_to_the_local_server(fcm_server: FcmServer, fcm_sender) -> None:
    # Guards the seam after an SDK upgrade: firebase-admin must still honour the redirected URL
    # and turn FCM's error JSON into its own exception types.
    fcm_server.plan(tok("gone"), "UNREGISTERED")
    message = messaging.Message(notification=messaging.Notification(title="t", body="b"))
    message.token = tok("fine")
    gone = messaging.Message(data={"a": "b"})
    gone.token = tok("gone")
    response = await messaging.send_each_async([message, gone], app=fcm_sender.app)
    assert response.success_count == 1
    assert response.responses[0].message_id.startswith("projects/xuthanh-test/messages/")
    assert isinstance(response.responses[1].exception, messaging.UnregisteredError)
    assert fcm_server.accepted_tokens() == {tok("fine"): 1}


async def test_localized_per_device_and_no_extra_data(db, fcm_server, make_worker) -> None:
    vi = await add_device(db, "loc-vi", "patient-1", "vi")
    en = await add_device(db, "loc-en", "patient-1", "en")
    nid = await queue(db, ["patient-1"], data={"appointmentId": "a-1"})
    await make_worker().drain()
    by_token = {r.token: r.message for r in fcm_server.accepted}
    assert by_token[vi]["notification"] == {"title": TITLE["vi"], "body": BODY["vi"]}
    assert by_token[en]["notification"] == {"title": TITLE["en"], "body": BODY["en"]}
    # Only routing data: the caller's ids plus the notification id and category.
    assert by_token[en]["data"] == {
        "appointmentId": "a-1",
        "nid": str(nid),
        "category": "test.push",
    }
    assert by_token[en]["android"]["collapse_key"] == str(nid)


async def test_retries_with_backoff_then_succeeds(db, fcm_server, make_worker) -> None:
    flaky = await add_device(db, "flaky", "u-flaky")
    fcm_server.plan(flaky, "UNAVAILABLE", "INTERNAL")
    nid = await queue(db, ["u-flaky"])
    await settle(make_worker(), lambda: none_pending(db, nid))
    attempts = fcm_server.attempts_for(flaky)
    assert [a.outcome for a in attempts] == ["UNAVAILABLE", "INTERNAL", "OK"]
    # Exponential: waits of at least half of base, then of base (2 x base, jittered).
    assert attempts[1].at - attempts[0].at >= FAST.backoff_base / 2
    assert attempts[2].at - attempts[1].at >= FAST.backoff_base
    delivery = (await deliveries(db, nid))[flaky]
    assert (delivery["state"], delivery["attempts"]) == ("sent", 3)


async def test_quota_exceeded_waits_for_retry_after(db, fcm_server, make_worker) -> None:
    fcm_server.retry_after = 1
    busy = await add_device(db, "busy", "u-busy")
    fcm_server.plan(busy, "QUOTA_EXCEEDED")
    nid = await queue(db, ["u-busy"])
    await settle(make_worker(), lambda: none_pending(db, nid))
    first, second = fcm_server.attempts_for(busy)
    assert (first.outcome, second.outcome) == ("QUOTA_EXCEEDED", "OK")
    assert second.at - first.at >= 1.0  # Retry-After: 1, although the backoff was 0.05 s


async def test_dead_letter_after_max_attempts(db, gql, dev_token, fcm_server, make_worker) -> None:
    down = await add_device(db, "down", "u-down")
    fcm_server.plan(down, "UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE")
    nid = await queue(db, ["u-down"])
    await settle(make_worker(), lambda: none_pending(db, nid))
    assert len(fcm_server.attempts_for(down)) == FAST.max_attempts
    body = await gql(
        "query($id: ID!) { notificationStatus(id: $id) { state counts { deadLettered } "
        "results { nodes { state errorCode attempts } } } }",
        {"id": str(nid)},
        token=dev_token("root", *_admin()),
    )
    status = body["data"]["notificationStatus"]
    assert status["state"] == "COMPLETED"
    assert status["counts"]["deadLettered"] == 1
    assert status["results"]["nodes"] == [
        {"state": "DEAD_LETTERED", "errorCode": "UNAVAILABLE", "attempts": FAST.max_attempts}
    ]


async def test_unregistered_and_invalid_tokens_are_pruned(db, fcm_server, make_worker) -> None:
    gone = await add_device(db, "prune-gone", "u-prune")
    bad = await add_device(db, "prune-bad", "u-prune")
    fine = await add_device(db, "prune-fine", "u-prune")
    fcm_server.plan(gone, "UNREGISTERED")
    fcm_server.plan(bad, "INVALID_ARGUMENT")
    nid = await queue(db, ["u-prune"])
    await make_worker().drain()
    results = await deliveries(db, nid)
    assert {t: (d["state"], d["errorCode"]) for t, d in results.items()} == {
        gone: ("failed", "UNREGISTERED"),
        bad: ("failed", "INVALID_ARGUMENT"),
        fine: ("sent", None),
    }
    # A fake token (FCM: "not a valid FCM registration token") goes like an unregistered one.
    remaining = {d["_id"] async for d in db["devices"].find({"userId": "u-prune"})}
    assert remaining == {fine}
    # One attempt each: neither is retried.
    assert len(fcm_server.attempts_for(gone)) == len(fcm_server.attempts_for(bad)) == 1


async def test_stale_tokens_are_never_addressed(db, fcm_server, make_worker) -> None:
    old = await add_device(db, "stale", "u-stale")
    await db["devices"].update_one(
        {"_id": old}, {"$set": {"lastSeenAt": utcnow() - timedelta(days=271)}}
    )
    fresh = await add_device(db, "fresh", "u-stale")
    await queue(db, ["u-stale"])
    await make_worker().drain()
    assert fcm_server.accepted_tokens() == {fresh: 1}


async def test_scheduled_notification_waits_for_its_time(db, fcm_server, make_worker) -> None:
    phone = await add_device(db, "later", "u-later")
    send_at = utcnow() + timedelta(seconds=1.5)
    nid = await queue(db, ["u-later"], send_at=send_at)
    worker = make_worker()
    await worker.drain()
    assert fcm_server.accepted_tokens()[phone] == 0
    assert await db["inbox"].count_documents({"userId": "u-later"}) == 0
    await settle(worker, lambda: none_pending_and_fanned(db, nid))
    assert fcm_server.accepted_tokens()[phone] == 1
    delivery = (await deliveries(db, nid))[phone]
    assert as_utc(delivery["doneAt"]) >= send_at


async def none_pending_and_fanned(db: Any, nid: Any) -> bool:
    notification = await db["notifications"].find_one({"_id": nid})
    return notification["status"] == "sending" and await none_pending(db, nid)


async def test_dedupe_key_and_cancel_scheduled(db, fcm_server, make_worker) -> None:
    phone = await add_device(db, "remind", "u-remind")
    later = utcnow() + timedelta(hours=24)
    first = await queue(db, ["u-remind"], send_at=later, dedupe_key="appt:1:reminder-24h")
    again = await queue(db, ["u-remind"], send_at=later, dedupe_key="appt:1:reminder-24h")
    assert first == again
    assert await db["notifications"].count_documents({"_id": first}) == 1
    assert await cancel_scheduled(db=db, session=None, dedupe_keys=["appt:1:reminder-24h"]) == 1
    assert await cancel_scheduled(db=db, session=None, dedupe_keys=["appt:1:reminder-24h"]) == 0
    # The key is free again (a rebooked appointment schedules a new reminder).
    rebooked = await queue(db, ["u-remind"], dedupe_key="appt:1:reminder-24h")
    assert rebooked != first
    await make_worker().drain()
    assert fcm_server.accepted_tokens() == {phone: 1}
    assert (await db["notifications"].find_one({"_id": first}))["status"] == "cancelled"


async def test_enqueue_commits_with_the_callers_transaction(db, fcm_server) -> None:
    class Abort(Exception):
        pass

    async with db.client.start_session() as session:
        try:
            async with await session.start_transaction():
                await enqueue(
                    db=db,
                    session=session,
                    user_ids=["u-tx"],
                    title=TITLE,
                    body=BODY,
                    category="test.tx",
                )
                raise Abort
        except Abort:
            pass
    assert await db["notifications"].count_documents({"category": "test.tx"}) == 0


@pytest.mark.parametrize("direct_send", [True, False], ids=["direct", "shared-claim"])
async def test_two_workers_share_one_outbox(db, fcm_server, make_worker, direct_send) -> None:
    tokens = [await add_device(db, f"many-{i}", f"u-many-{i}") for i in range(300)]
    nid = await queue(db, [f"u-many-{i}" for i in range(300)])
    config = WorkerConfig(
        batch_size=50, idle_poll=0.02, backoff_base=0.05, concurrency=2, direct_send=direct_send
    )
    one, two = make_worker(config, name="one"), make_worker(config, name="two")
    stop = asyncio.Event()
    runs = [asyncio.create_task(one.run(stop)), asyncio.create_task(two.run(stop))]
    try:
        deadline = time.monotonic() + 300  # a failure guard only, generous for a busy machine
        while time.monotonic() < deadline:
            if await none_pending_and_fanned(db, nid) and len(fcm_server.accepted) >= 300:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*runs)
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
    assert len(fcm_server.attempts) == 300


async def test_a_stopped_worker_hands_its_broadcast_over_at_once(
    db, fcm_server, fcm_sender, make_worker
) -> None:
    tokens = [await add_device(db, f"handover-{i}", f"u-handover-{i}") for i in range(50)]
    nid = await queue(db, [f"u-handover-{i}" for i in range(50)])
    stop = asyncio.Event()

    class StopAfterFirstBatch:
        channel, success_state = fcm_sender.channel, fcm_sender.success_state

        async def send(self, messages: Any, on_sent: Any = None) -> Any:
            stop.set()  # SIGTERM arrives while the first batch is on its way
            return await fcm_sender.send(messages, on_sent)

        async def close(self) -> None:
            return None

    config = dataclasses.replace(FAST, fanout_chunk=10, lease=timedelta(minutes=10))
    await make_worker(config, sender=StopAfterFirstBatch()).run(stop)
    stored = await db["notifications"].find_one({"_id": nid})
    assert stored["status"] == "fanning_out"
    assert 10 <= stored["fanoutAfter"] < 50  # stopped between chunks, before the end
    assert as_utc(stored["leaseUntil"]) <= utcnow()  # not held for the 10 minutes
    assert len(fcm_server.accepted) == stored["fanoutAfter"]  # what it fanned out, it sent

    await make_worker(config).drain()  # the next worker resumes where the first stopped
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
    assert (await db["notifications"].find_one({"_id": nid}))["recipients"] == 50


async def test_two_notifications_for_one_phone_in_one_batch_keep_their_own_results(
    db, fcm_server, make_worker
) -> None:
    phone = await add_device(db, "pair", "u-pair")
    first, second = await queue(db, ["u-pair"]), await queue(db, ["u-pair"])
    fcm_server.plan(phone, "UNAVAILABLE")  # whichever request comes first fails
    worker = make_worker(dataclasses.replace(FAST, direct_send=False))
    while await worker.fan_out_next():
        pass
    assert await worker.deliver_batch()  # both deliveries, one claimed batch
    (accepted,) = fcm_server.accepted
    sent_nid = accepted.message["data"]["nid"]
    states = {
        str(d["n"]): (d["state"], d.get("errorCode"))
        async for d in db["notification_deliveries"].find({"n": {"$in": [first, second]}})
    }
    failed_nid = ({str(first), str(second)} - {sent_nid}).pop()
    assert states == {sent_nid: ("sent", None), failed_nid: ("pending", "UNAVAILABLE")}


async def test_a_batch_that_waited_for_the_wire_renews_its_claim(db, fcm_sender, make_worker):
    # The claim below takes every due delivery of this module's database: first let earlier
    # tests' work finish (the test before leaves a retry due 25-50 ms later, which a slow
    # machine reached in time to be claimed too: `assert 2 == 1`).
    await settle(make_worker(), lambda: nothing_pending(db))
    await add_device(db, "late", "u-late")
    nid = await queue(db, ["u-late"])
    config = dataclasses.replace(FAST, direct_send=False, lease=timedelta(seconds=30))
    seen: list[Any] = []

    class Watching:
        channel, success_state = fcm_sender.channel, fcm_sender.success_state

        async def send(self, messages: Any, on_sent: Any = None) -> Any:
            seen.extend(await db["notification_deliveries"].find({"n": nid}).to_list(None))
            return await fcm_sender.send(messages, on_sent)

        async def close(self) -> None:
            return None

    worker = make_worker(config, sender=Watching())
    while await worker.fan_out_next():
        pass
    # Claimed 25 s ago, as if queued behind slow batches: 5 s of its 30 s lease are left.
    claim = "test:late"
    batch = await worker.store.deliveries.claim(
        worker_claim=claim, now=utcnow(), lease=timedelta(seconds=5), limit=10
    )
    assert len(batch) == 1
    claimed_at = utcnow() - timedelta(seconds=25)
    await worker.batches.send(claim, batch, claimed_at=claimed_at, fresh=False)
    # On the wire with most of a lease ahead, not the 5 s left of the first one.
    assert as_utc(seen[0]["dueAt"]) >= utcnow() + timedelta(seconds=20)
    assert (await db["notification_deliveries"].find_one({"n": nid}))["state"] == "sent"


async def test_a_confirmation_does_not_wait_for_a_broadcast_to_finish(
    db, fcm_server, make_worker
) -> None:
    crowd = [await add_device(db, f"crowd-{i}", f"u-crowd-{i}") for i in range(200)]
    urgent = await add_device(db, "urgent", "u-urgent")
    await queue(db, [f"u-crowd-{i}" for i in range(200)])
    fcm_server.delay = 0.3  # FCM answers slowly: the broadcast takes ten batches of 0.3 s or more
    config = dataclasses.replace(FAST, batch_size=20, idle_poll=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(make_worker(config).run(stop))
    try:
        for _ in range(200):
            if len(fcm_server.accepted) >= 20:
                break
            await asyncio.sleep(0.05)
        await queue(db, ["u-urgent"])  # e.g. a booking confirmation, mid-broadcast
        for _ in range(400):
            if fcm_server.accepted_tokens()[urgent] and len(fcm_server.accepted) >= 201:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
    arrival = {r.token: r.at for r in fcm_server.accepted}
    assert set(crowd) | {urgent} <= set(arrival)
    assert arrival[urgent] < max(arrival[t] for t in crowd)  # it overtook the broadcast


def test_backoff_grows_exponentially_with_jitter_and_honours_retry_after() -> None:
    config = WorkerConfig(backoff_base=1.0, backoff_cap=10.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 10.0)]:
        delays = {backoff_delay(config, attempt, None) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered
    assert backoff_delay(config, 1, 30.0) == 30.0


def _admin() -> tuple[Any, ...]:
    from domains.kernel.auth import Role

    return (Role.ADMIN,)


def test_an_invalid_message_keeps_the_device() -> None:
    from domains.notifications.push import Outcome

    fake_token = "The registration token is not a valid FCM registration token"
    assert Outcome(ok=False, code="INVALID_ARGUMENT", message=fake_token).unregistered
    too_big = Outcome(ok=False, code="INVALID_ARGUMENT", message="Message is too big")
    assert not too_big.unregistered


async def test_an_idle_worker_is_woken_by_the_outbox_not_by_its_poll(
    db, fcm_server, make_worker
) -> None:
    """A notification queued while the worker waits goes out at once: the outbox's change feed
    wakes the worker (its own look every hour would come far too late)."""
    await settle(make_worker(), lambda: nothing_pending(db))
    phone = await add_device(db, "awake", "u-awake")
    config = dataclasses.replace(FAST, idle_poll=3600, fanout_poll=3600)
    worker = make_worker(config)
    looked = 0
    claim_for_fanout = worker.store.notifications.claim_for_fanout

    async def counting(**arguments: Any) -> Any:
        nonlocal looked
        looked += 1
        return await claim_for_fanout(**arguments)

    worker.store.notifications.claim_for_fanout = counting  # type: ignore[method-assign]
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(1200):  # until every fan-out lane looked once and found nothing
            if looked >= config.fanout_lanes:
                break
            await asyncio.sleep(0.05)
        assert looked == config.fanout_lanes
        await queue(db, ["u-awake"])
        for _ in range(1200):
            if fcm_server.accepted_tokens()[phone]:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
    assert fcm_server.accepted_tokens()[phone] == 1
