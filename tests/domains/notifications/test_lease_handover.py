"""A batch whose lease ran out while it waited is sent by whoever holds it now, never twice; a
batch on the wire for longer than its lease keeps its claim (the replica test found both)."""

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from domains.kernel.clock import as_utc, utcnow
from domains.notifications import results
from domains.notifications.batches import as_record
from domains.notifications.delivery import InFlight
from domains.notifications.fanout import new_deliveries
from domains.notifications.personal_data import holder
from tests.domains.notifications.conftest import FAST, settle
from tests.domains.notifications.records import states
from tests.domains.notifications.test_delivery import (
    BODY,
    TITLE,
    add_device,
    nothing_pending,
    queue,
)


async def _fanned_out(db: Any, make_worker: Any, names: list[str]) -> tuple[Any, Any, list[str]]:
    await settle(make_worker(), lambda: nothing_pending(db))
    tokens = [await add_device(db, name, f"u-{name}") for name in names]
    nid = await queue(db, [f"u-{name}" for name in names])
    config = dataclasses.replace(FAST, direct_send=False, lease=timedelta(seconds=30))
    worker = make_worker(config)
    while await worker.fan_out_next():
        pass
    return worker, nid, tokens


async def test_a_batch_partly_taken_over_after_its_lease_is_sent_once(
    db, fcm_server, make_worker
) -> None:
    worker, nid, tokens = await _fanned_out(db, make_worker, ["handover-a", "handover-b"])
    deliveries = worker.store.deliveries
    # Worker A claimed both, then waited behind slow batches until the lease had run out...
    batch = await deliveries.claim(
        worker_claim="A", now=utcnow(), lease=timedelta(seconds=-1), limit=10
    )
    assert len(batch) == 2
    # ...so worker B took one of them.
    taken = await deliveries.claim(worker_claim="B", now=utcnow(), lease=FAST.lease, limit=1)
    assert len(taken) == 1
    await worker.batches.send("A", batch, claimed_at=utcnow() - timedelta(seconds=40), fresh=False)
    await worker.batches.send("B", taken, claimed_at=utcnow(), fresh=False)
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
    states = await db["notification_deliveries"].distinct("state", {"n": nid})
    assert states == ["sent"]


async def test_a_batch_on_the_wire_longer_than_its_lease_keeps_its_claim(
    db, fcm_sender, make_worker
) -> None:
    worker, nid, _ = await _fanned_out(db, make_worker, ["slow-wire"])
    lease = timedelta(seconds=1.5)
    worker.batches.config = dataclasses.replace(worker.config, lease=lease)
    batch = await worker.store.deliveries.claim(
        worker_claim="slow", now=utcnow(), lease=lease, limit=10
    )
    first_due = as_utc(batch[0]["dueAt"])

    class Slow:
        channel, success_state = fcm_sender.channel, fcm_sender.success_state

        async def send(self, messages: Any, on_sent: Any = None) -> Any:
            # FCM is slow: the answer comes only once the claim was renewed past its first
            # lease (a guard of 300 s fails a worker that never renews).
            for _ in range(3000):
                stored = await db["notification_deliveries"].find_one({"n": nid})
                if as_utc(stored["dueAt"]) > first_due + lease / 2:
                    return await fcm_sender.send(messages, on_sent)
                await asyncio.sleep(0.1)
            raise AssertionError("the claim was not renewed while on the wire")

        async def close(self) -> None:
            return None

    worker.batches.sender = Slow()
    await worker.batches.send("slow", batch, claimed_at=utcnow(), fresh=False)
    assert (await db["notification_deliveries"].find_one({"n": nid}))["state"] == "sent"


async def open_batch(
    db: Any,
    make_worker: Callable[..., Any],
    names: list[str],
    claim: str,
    lease: timedelta,
    *,
    topic: str,
) -> tuple[Any, ObjectId, list[str], list[Any], datetime]:
    """A topic broadcast's batch in flight under ``claim``, its lease ending ``lease`` from now
    (after any earlier test's pushes are settled): ``(worker, nid, tokens, batch, now)``."""
    await settle(make_worker(), lambda: nothing_pending(db))
    tokens = [await add_device(db, name, f"u-{name}") for name in names]
    now = utcnow()
    nid = ObjectId()
    await db["notifications"].insert_one(
        {"_id": nid, "status": "sending", "audience": {"topic": f"event.{topic}"}, "sendAt": now}
        | {"title": TITLE, "body": BODY, "category": f"test.{topic}", "recipients": len(names)}
    )
    worker = make_worker()
    devices = [await db["devices"].find_one({"_id": token}) for token in tokens]
    batch = new_deliveries(nid, devices, now, claim=claim, lease=FAST.lease)
    await worker.store.batches.open(claim, nid, batch, until=now + lease)
    return worker, nid, tokens, batch, now


async def test_a_batch_in_flight_whose_worker_died_is_handed_over_without_its_recorded_ones(
    db, fcm_server, make_worker
) -> None:
    """A fan-out batch is held as one document while sent; its worker dies after one answer
    was recorded: the status counts the rest as pending, and once the lease has run out any
    worker sends the rest, once."""
    names = ["died-a", "died-b", "died-c"]
    worker, nid, tokens, batch, now = await open_batch(
        db, make_worker, names, "dead-worker", FAST.lease, topic="died"
    )
    store = worker.store
    # FCM took the first message and its record was written; then the worker died.
    await store.deliveries.record_sent(
        batch[:1], batch="dead-worker", state="sent", now=now, audiences={}
    )
    assert await store.deliveries.counts(nid) == {"sent": 1, "pending": 2}
    await worker.drain()
    assert fcm_server.accepted_tokens() == {}  # the lease still holds: nobody sends
    await db["notification_batches"].update_one(
        {"_id": "dead-worker"}, {"$set": {"dueAt": now - timedelta(seconds=1)}}
    )
    await settle(worker, lambda: nothing_pending(db))
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens[1:], 1)
    assert await store.deliveries.counts(nid) == {"sent": 3}
    assert await db["notification_batches"].count_documents({}) == 0


async def test_results_list_a_batch_on_the_wire_with_its_successes_and_the_rest_pending(
    db, make_worker
) -> None:
    """Per-token results merge the kinds of records in token order, a page at a time: a
    failure's own record, the batch's successes and its deliveries not answered yet."""
    tokens = [await add_device(db, f"listed-{i}", f"u-listed-{i}") for i in range(4)]
    now = utcnow()
    nid = ObjectId()
    await db["notifications"].insert_one({"_id": nid, "audience": {"topic": "event.listed"}})
    store = make_worker().store
    devices = [await db["devices"].find_one({"_id": token}) for token in tokens]
    batch = new_deliveries(nid, devices, now, claim="listing", lease=FAST.lease)
    await store.batches.open("listing", nid, batch, until=now + FAST.lease)
    await store.deliveries.record_sent(
        [batch[0], batch[2]], batch="listing", state="sent", now=now, audiences={}
    )
    failed = {"state": "failed", "errorCode": "INVALID_ARGUMENT", "doneAt": now}
    await store.deliveries.insert_records([as_record(batch[1], failed)])
    expected = {tokens[0]: "sent", tokens[1]: "failed", tokens[2]: "sent", tokens[3]: "pending"}
    seen: dict[str, str] = {}
    after = None
    while True:
        page = await results.page(store, nid, state=None, first=3, after=after)
        seen |= {d["token"]: d["state"] for d in page.items}
        assert await page.count_total() == 4
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert seen == expected
    assert list(seen) == sorted(tokens)  # token order across the kinds
    pending = await results.page(store, nid, state="pending", first=10, after=None)
    assert [d["token"] for d in pending.items] == [tokens[3]]
    assert await store.deliveries.counts(nid) == {"sent": 2, "failed": 1, "pending": 1}


async def test_answers_that_come_after_their_batch_was_handed_over_are_counted_once(
    db, fcm_server, make_worker
) -> None:
    """A worker alive but slower than its lease: its batch is handed over, then FCM's answer
    for a message of it arrives. That success is not added to the batch's (fenced) record:
    the message is pending again, sent again (at least once) and counted once."""
    worker, nid, tokens, batch, now = await open_batch(
        db,
        make_worker,
        ["fenced-a", "fenced-b"],
        "slow-worker",
        timedelta(seconds=-1),
        topic="fenced",
    )
    store = worker.store
    sent = store.deliveries.record_sent
    assert await sent(batch[:1], batch="slow-worker", state="sent", now=now, audiences={})
    await worker._hand_over_expired()
    assert not await sent(batch[1:], batch="slow-worker", state="sent", now=now, audiences={})
    assert await store.deliveries.counts(nid) == {"sent": 1, "pending": 1}
    await settle(worker, lambda: nothing_pending(db))
    assert fcm_server.accepted_tokens() == {tokens[1]: 1}
    assert await store.deliveries.counts(nid) == {"sent": 2}
    assert await states(db, nid) == dict.fromkeys(tokens, "sent")


async def test_a_user_erased_while_their_push_is_in_flight_leaves_no_record(
    db, resources, make_worker
) -> None:
    names = ["erased-a", "kept-b"]
    tokens = [await add_device(db, name, f"u-{name}") for name in names]
    now = utcnow()
    nid = ObjectId()
    await db["notifications"].insert_one({"_id": nid, "audience": {"userIds": ["u-erased-a"]}})
    store = make_worker().store
    devices = [await db["devices"].find_one({"_id": token}) for token in tokens]
    batch = new_deliveries(nid, devices, now, claim="erasing", lease=FAST.lease)
    await store.batches.open("erasing", nid, batch, until=now + FAST.lease)
    await holder(resources).erase("u-erased-a")  # while FCM has the batch
    # The answers come back: the sender records both, then closes the batch.
    await store.deliveries.record_sent(batch, batch="erasing", state="sent", now=now, audiences={})
    await InFlight(store, "erasing").finish([])
    assert await states(db, nid) == {tokens[1]: "sent"}


async def test_a_user_erased_during_a_long_broadcast_leaves_no_token_in_its_closed_batches(
    db, resources, make_worker
) -> None:
    """What a closed batch keeps for the broadcast's duplicate check (ids counted in a tally)
    loses the erased user's tokens too."""
    names = ["counted-erased", "counted-kept"]
    tokens = [await add_device(db, name, f"u-{name}") for name in names]
    nid = ObjectId()
    store = make_worker().store
    devices = [await db["devices"].find_one({"_id": token}) for token in tokens]
    now = utcnow()
    batch = new_deliveries(nid, devices, now, claim="counted", lease=FAST.lease)
    await store.batches.open("counted", nid, batch, until=now + FAST.lease)
    counted = [d["_id"] for d in batch]
    await db["notification_batches"].update_one({"_id": "counted"}, {"$set": {"done": counted}})
    await InFlight(store, "counted").finish([])  # closed: the counted ids stay
    assert await store.batches.addressed(nid) == set(counted)
    await holder(resources).erase("u-counted-erased")
    assert await store.batches.addressed(nid) == {f"{nid}:{tokens[1]}"}
    await store.batches.forget_closed(nid)  # the broadcast ended
    assert await db["notification_batches"].count_documents({"n": nid}) == 0


async def test_a_user_erased_while_their_batch_is_handed_over_leaves_no_record(
    db, resources, make_worker
) -> None:
    names = ["handing-erased", "handing-kept"]
    tokens = [await add_device(db, name, f"u-{name}") for name in names]
    now = utcnow()
    nid = ObjectId()
    worker = make_worker()
    store = worker.store
    devices = [await db["devices"].find_one({"_id": token}) for token in tokens]
    batch = new_deliveries(nid, devices, now, claim="handing", lease=FAST.lease)
    await store.batches.open("handing", nid, batch, until=now - timedelta(seconds=1))
    add = store.deliveries.add

    async def erased_meanwhile(documents: Any) -> Any:
        await holder(resources).erase("u-handing-erased")  # after the batch was taken
        return await add(documents)

    store.deliveries.add = erased_meanwhile
    await worker._hand_over_expired()
    left = await db["notification_deliveries"].distinct("token", {"n": nid})
    assert left == [tokens[1]]


async def test_a_late_failure_after_an_erasure_and_a_hand_over_leaves_no_record(
    db, resources, make_worker
) -> None:
    """The user is erased while their batch is on the wire, the batch is handed over (its
    worker slow), then the slow worker's answer for them comes: a failure. Nothing of the
    user's is inserted; the other delivery is pending for the shared claim, not failed."""
    names = ["late-erased", "late-kept"]
    tokens = [await add_device(db, name, f"u-{name}") for name in names]
    now = utcnow()
    nid = ObjectId()
    worker = make_worker()
    devices = [await db["devices"].find_one({"_id": token}) for token in tokens]
    batch = new_deliveries(nid, devices, now, claim="late", lease=FAST.lease)
    await worker.store.batches.open("late", nid, batch, until=now - timedelta(seconds=1))
    await holder(resources).erase("u-late-erased")
    await worker._hand_over_expired()
    failed = {"state": "failed", "errorCode": "INVALID_ARGUMENT", "doneAt": now}
    await InFlight(worker.store, "late").finish([(d, failed) for d in batch])
    assert await states(db, nid) == {tokens[1]: "pending"}


async def test_an_idle_worker_looks_for_work_without_writing(db: Any, make_worker: Any) -> None:
    """Idle rounds (every 0.2 s per lane) read: a findAndModify is a write, which SecantusDB
    answers slower the more of them it has seen in the last 30 minutes."""
    worker = make_worker()
    await settle(worker, lambda: nothing_pending(db))  # whatever earlier tests left due
    writes: list[str] = []
    for repository in (worker.store.notifications, worker.store.batches):
        take = repository.collection.find_one_and_update

        async def counting(
            *arguments: Any,
            _take: Any = take,
            _name: str = repository.collection_name,
            **options: Any,
        ) -> Any:
            writes.append(_name)
            return await _take(*arguments, **options)

        repository.collection.find_one_and_update = counting  # type: ignore[method-assign]
    for _ in range(3):
        assert not await worker.fan_out_next()
        assert not await worker.deliver_batch()
    assert writes == []
