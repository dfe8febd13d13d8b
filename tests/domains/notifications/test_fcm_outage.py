"""FCM refusing everything for a minute (429 or 503, with Retry-After): the worker pauses as
told, then delivers every message exactly once. Time is the worker's injected clock, moved on
by the test: the minute passes at once."""

import asyncio
import dataclasses
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from domains.kernel.clock import as_utc, utcnow
from domains.notifications.worker import Worker
from tests.domains.notifications.conftest import FAST
from tests.domains.notifications.test_delivery import add_device, queue
from tests.support.fcm_server import FcmServer

# Only a failure guard: every wait ends as soon as its condition holds.
GUARD_ROUNDS = 600


class MovableClock:
    """The worker's time, moved on only by the test."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(GUARD_ROUNDS):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def rounds_pass(worker: Worker, count: int) -> None:
    """Let the running worker look for work ``count`` more times (it could misbehave then)."""
    looked = [0]
    claim = worker.store.notifications.claim_for_fanout

    async def counting(**arguments: Any) -> Any:
        looked[0] += 1
        return await claim(**arguments)

    worker.store.notifications.claim_for_fanout = counting  # type: ignore[method-assign]
    try:

        async def enough() -> bool:
            return looked[0] >= count

        await until(enough, f"{count} worker rounds")
    finally:
        worker.store.notifications.claim_for_fanout = claim  # type: ignore[method-assign]


@pytest.mark.parametrize("refusal", ["QUOTA_EXCEEDED", "UNAVAILABLE"])
async def test_a_minute_of_refusals_pauses_the_worker_and_loses_or_repeats_nothing(
    refusal: str, db: Any, fcm_server: FcmServer, make_worker: Any
) -> None:
    clock = MovableClock(utcnow() + timedelta(seconds=5))  # the outbox's sendAt is already due
    back = clock.now() + timedelta(minutes=1)
    fcm_server.retry_after = 60
    fcm_server.outage = lambda: refusal if clock.now() < back else None
    users = [f"u-{refusal}-{i}" for i in range(120)]
    tokens = [await add_device(db, f"{refusal}-{i}", user) for i, user in enumerate(users)]
    await queue(db, users)
    config = dataclasses.replace(FAST, batch_size=50, fanout_chunk=50, clock=clock.now)
    worker = make_worker(config)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    deliveries = db["notification_deliveries"]
    try:

        async def refused_and_stored() -> bool:
            refusals = await deliveries.count_documents({"errorCode": refusal})
            recorded = await deliveries.count_documents({"n": {"$exists": 1}})
            in_flight = sum([len(b["deliveries"]) async for b in db["notification_batches"].find()])
            return refusals == 50 and recorded + in_flight >= 120

        # The first batch is refused; the rest is stored (as batches in flight) and waits.
        await until(refused_and_stored, "the first batch refused and the rest stored")
        await rounds_pass(worker, 10)
        assert len(fcm_server.attempts) == 50  # nothing more asked of FCM during the pause
        refused = await deliveries.find({"errorCode": refusal}).to_list(None)
        # Due again when Retry-After says (stored to the millisecond).
        due = back - timedelta(milliseconds=1)
        assert all(as_utc(d["dueAt"]) >= due for d in refused)

        clock.advance(30)  # half-way: still paused
        await rounds_pass(worker, 10)
        assert len(fcm_server.attempts) == 50

        clock.advance(31)  # Retry-After has passed and FCM is back

        async def all_accepted() -> bool:
            return len(fcm_server.accepted) >= 120

        await until(all_accepted, "every message accepted")
    finally:
        stop.set()
        await running
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)  # none lost, none twice
    assert len(fcm_server.attempts) == 170  # 50 refused, then each message once
    assert await deliveries.count_documents({"state": "pending"}) == 0
