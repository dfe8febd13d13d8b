"""A broadcast past its kept success records (``SUCCESS_RECORDS_KEPT``): successes counted in a
tally. A batch handed over while its worker is slow still counts each device once, the fan-out's
duplicate check still sees every counted device, and a database blip while a batch's successes
are written resends nothing (review s4 of issue 16: R1, R2, R3)."""

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import AutoReconnect

from domains.kernel.clock import utcnow
from domains.notifications import outbox_repository, retrying
from domains.notifications.fanout import new_deliveries
from domains.notifications.sent import SentRepository
from tests.domains.notifications.conftest import FAST, settle
from tests.domains.notifications.test_delivery import nothing_pending
from tests.domains.notifications.test_lease_handover import open_batch

EXPIRED = timedelta(seconds=-1)


@pytest.fixture
def past_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every success is beyond the kept records (a broadcast past its first 10,000)."""
    monkeypatch.setattr(outbox_repository, "SUCCESS_RECORDS_KEPT", 0)


async def _batch(
    db: Any, make_worker: Callable[..., Any], names: list[str], claim: str, lease: timedelta
) -> tuple[Any, ObjectId, list[str], list[Any], datetime]:
    return await open_batch(db, make_worker, names, claim, lease, topic="tally")


@pytest.mark.usefixtures("past_kept")
async def test_a_late_success_past_the_kept_records_after_a_hand_over_is_counted_once(
    db, fcm_server, make_worker
) -> None:
    worker, nid, tokens, batch, now = await _batch(db, make_worker, ["r1-a", "r1-b"], "r1", EXPIRED)
    sent = worker.store.deliveries.record_sent
    assert await sent(batch[:1], batch="r1", state="sent", now=now, audiences={})
    await worker._hand_over_expired()
    # The slow worker's late answer: not counted, and it learns its batch was handed over.
    assert not await sent(batch[1:], batch="r1", state="sent", now=now, audiences={})
    assert await worker.store.deliveries.counts(nid) == {"sent": 1, "pending": 1}
    await settle(worker, lambda: nothing_pending(db))
    assert fcm_server.accepted_tokens() == {tokens[1]: 1}
    assert await worker.store.deliveries.counts(nid) == {"sent": 2}


@pytest.mark.usefixtures("past_kept")
async def test_a_slow_worker_past_the_kept_records_counts_each_phone_once(
    db, fcm_server, fcm_sender, make_worker
) -> None:
    """Worker A's batch is on the wire, FCM slow, when its lease runs out; worker B hands it over
    and sends it; then FCM answers A. Each phone got it twice (at least once), counted once."""
    a, nid, tokens, batch, now = await _batch(db, make_worker, ["e2e-a", "e2e-b"], "e2e", EXPIRED)
    b = make_worker(name="worker-b")
    handed_over = {"_id": "e2e", "expanding": {"$exists": False}, "closedAt": {"$exists": False}}

    class SlowFcm:
        channel, success_state = fcm_sender.channel, fcm_sender.success_state

        async def send(self, messages: Any, on_sent: Any = None) -> Any:
            for _ in range(3000):  # answers once the batch was handed over (guard: 300 s)
                if not await db["notification_batches"].count_documents(handed_over):
                    return await fcm_sender.send(messages, on_sent)
                await asyncio.sleep(0.1)
            raise AssertionError("never handed over")

        async def close(self) -> None:
            return None

    a.batches.sender = SlowFcm()
    sending = asyncio.create_task(a.batches.send("e2e", batch, claimed_at=now, fresh=True))
    await b._hand_over_expired()
    await sending
    await settle(b, lambda: nothing_pending(db))
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 2)
    assert await b.store.deliveries.counts(nid) == {"sent": 2}


@pytest.mark.parametrize("kept", ["within-kept", "past-kept"])
async def test_a_database_blip_while_successes_are_written_resends_nothing(
    db, fcm_server, make_worker, monkeypatch: pytest.MonkeyPatch, kept: str
) -> None:
    """One transient error writing a slice of successes (a primary stepping down): the slice is
    written again; the lease running out later hands nothing over to send again."""
    if kept == "past-kept":
        monkeypatch.setattr(outbox_repository, "SUCCESS_RECORDS_KEPT", 0)
    monkeypatch.setattr(retrying, "RETRY_DELAYS", (0.01,) * 6)
    names = [f"blip-{kept}-{i}" for i in range(3)]
    worker, nid, tokens, batch, now = await _batch(
        db, make_worker, names, f"blip-{kept}", FAST.lease
    )
    record = worker.store.deliveries.record_sent
    failures = [AutoReconnect("primary stepped down")] * 2

    async def failing_twice(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return await record(*args, **kwargs)

    monkeypatch.setattr(worker.store.deliveries, "record_sent", failing_twice)
    await worker.batches.send(f"blip-{kept}", batch, claimed_at=now, fresh=True)
    assert not failures
    assert (
        await db["notification_batches"].count_documents(
            {"_id": f"blip-{kept}", "deliveries": {"$exists": True}}
        )
        == 0
    )
    await settle(worker, lambda: nothing_pending(db))
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
    assert await worker.store.deliveries.counts(nid) == {"sent": 3}


@pytest.mark.usefixtures("past_kept")
async def test_a_handed_over_batch_keeps_the_phones_it_counted_for_the_duplicate_check(
    db, fcm_server, make_worker
) -> None:
    worker, nid, tokens, batch, now = await _batch(db, make_worker, ["r3-a", "r3-b"], "r3", EXPIRED)
    sent = worker.store.deliveries.record_sent
    assert await sent(batch[:1], batch="r3", state="sent", now=now, audiences={})
    await worker._hand_over_expired()
    # A device reached twice in one audience, or a fan-out resumed over this chunk:
    assert await worker._not_addressed_yet(nid, batch[:1]) == []
    await settle(worker, lambda: nothing_pending(db))
    assert await worker._not_addressed_yet(nid, batch) == []
    assert fcm_server.accepted_tokens() == {tokens[1]: 1}


@pytest.mark.usefixtures("past_kept")
async def test_a_phone_counted_through_the_shared_claim_stays_seen_by_the_duplicate_check(
    db, fcm_server, make_worker
) -> None:
    """The batch's worker died: any worker hands it over and sends it through the shared claim,
    which counts the success and deletes its record; a fan-out resumed over that chunk still
    sees the phone, until the fan-out ends."""
    worker, nid, tokens, _, _ = await _batch(db, make_worker, ["r3b"], "r3b", EXPIRED)
    await settle(worker, lambda: nothing_pending(db))
    assert fcm_server.accepted_tokens() == {tokens[0]: 1}
    assert await worker.store.deliveries.counts(nid) == {"sent": 1}
    resumed = new_deliveries(
        nid,
        [await db["devices"].find_one({"_id": tokens[0]})],
        utcnow(),
        claim="resumed",
        lease=FAST.lease,
    )
    assert await worker._not_addressed_yet(nid, resumed) == []
    await worker.store.batches.forget_closed(nid)  # the fan-out ended
    assert await db["notification_batches"].count_documents({"n": nid}) == 0


@pytest.mark.parametrize("kept", [1, 10_000])
async def test_a_slice_written_again_after_a_lost_answer_counts_each_phone_once(
    db, fcm_server, make_worker, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    """The write of a slice reached the database but its answer was lost (an error): written
    again, nobody is listed or counted twice (past the kept records or not)."""
    monkeypatch.setattr(outbox_repository, "SUCCESS_RECORDS_KEPT", kept)
    monkeypatch.setattr(retrying, "RETRY_DELAYS", (0.01,) * 6)
    names = [f"lost-{kept}-{i}" for i in range(3)]
    worker, nid, tokens, batch, now = await _batch(
        db, make_worker, names, f"lost-{kept}", FAST.lease
    )
    record, lost = SentRepository.record, [AutoReconnect("answer lost")]

    async def applied_then_failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        written = await record(self, *args, **kwargs)
        if lost:
            raise lost.pop()
        return written

    monkeypatch.setattr(SentRepository, "record", applied_then_failing)
    await worker.batches.send(f"lost-{kept}", batch, claimed_at=now, fresh=True)
    assert not lost
    await settle(worker, lambda: nothing_pending(db))
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
    assert await worker.store.deliveries.counts(nid) == {"sent": 3}
