"""FCM refusing everything for a minute (429 or 503, with Retry-After): the worker pauses as
told, then delivers every message exactly once. Time is the worker's injected clock, moved on
by the test: the minute passes at once."""

import asyncio
import dataclasses
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from domains.kernel.clock import as_utc, utcnow
from domains.kernel.resources import Resources
from domains.notifications.store import NotificationsStore
from domains.notifications.worker import Worker
from tests.domains.notifications.conftest import FAST
from tests.domains.notifications.test_delivery import (
    add_device,
    broadcast_to_citizens,
    queue,
    register_citizen_device,
)
from tests.support.fcm_server import FcmServer

# Only a failure guard, generous for a busy machine: every wait ends as soon as its
# condition holds.
GUARD_SECONDS = 300.0


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


async def until(
    condition: Callable[[], Awaitable[bool]], what: str, state: Callable[[], object] = str
) -> None:
    """Wait for ``condition``; on the guard's expiry, say what was awaited and ``state()``."""
    deadline = time.monotonic() + GUARD_SECONDS
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last seen: {state()}")


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
    users = [f"u-{refusal}-{i}" for i in range(120)]
    tokens = [await add_device(db, f"{refusal}-{i}", user) for i, user in enumerate(users)]
    await queue(db, users)
    # Started once the notification is queued (its sendAt is the wall clock's then), so it is
    # due on this clock however long the setup took. (A clock started before the setup, 5 s
    # ahead, left it never due when a busy machine took more than 5 s to store 120 devices.)
    clock = MovableClock(utcnow())
    back = clock.now() + timedelta(minutes=1)
    fcm_server.retry_after = 60
    fcm_server.outage = lambda: refusal if clock.now() < back else None
    config = dataclasses.replace(FAST, batch_size=50, fanout_chunk=50, clock=clock.now)
    worker = make_worker(config)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    deliveries = db["notification_deliveries"]
    try:
        seen: dict[str, object] = {}

        async def refused_and_stored() -> bool:
            refusals = await deliveries.count_documents({"errorCode": refusal})
            recorded = await deliveries.count_documents({"n": {"$exists": 1}})
            batches = await db["notification_batches"].find().to_list(None)
            in_flight = sum(len(b.get("deliveries", [])) for b in batches)
            # Kept for the failure message (what was refused, stored, in flight, sent).
            seen.update(
                refusals=refusals,
                recorded=recorded,
                in_flight=in_flight,
                batches=[
                    (b.get("closedAt") is not None, len(b.get("deliveries", []))) for b in batches
                ],
                codes=await deliveries.distinct("errorCode"),
                states=await deliveries.distinct("state"),
                attempts=len(fcm_server.attempts),
                accepted=len(fcm_server.accepted),
            )
            return refusals == 50 and recorded + in_flight >= 120

        # The first batch is refused; the rest is stored (as batches in flight) and waits.
        await until(refused_and_stored, "the first batch refused and the rest stored", lambda: seen)
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


async def test_a_broadcast_taken_over_during_a_pause_reaches_each_phone_once(
    db: Any, resources: Resources, fcm_server: FcmServer, make_worker: Any
) -> None:
    """Worker A, told by FCM to pause for a minute, holds a broadcast to every citizen with its
    batch slot taken by a paused batch: the broadcast's lease runs out and worker B finishes
    it. When the pause ends, A sends nothing B sent: every phone gets it once."""
    await db["devices"].delete_many({})  # only these phones (the test above stored others)
    store = NotificationsStore.of(resources)
    tokens = [await register_citizen_device(store, f"u-pause-{i}", f"pause-{i}") for i in range(10)]
    await broadcast_to_citizens(store, "test.pause")
    clock = MovableClock(utcnow() + timedelta(seconds=5))
    config = dataclasses.replace(
        FAST, fanout_chunk=5, fanout_first_chunk=5, batch_size=5, clock=clock.now
    )
    one_slot = dataclasses.replace(config, concurrency=1, batches_on_the_wire=1, fanout_lanes=1)
    a = make_worker(one_slot, name="A")
    a.batches.paused_until = clock.now() + timedelta(seconds=60)  # Retry-After: 60 (lease 30)
    fanned_out = asyncio.Event()
    fan_out = a._fan_out

    async def noting_the_end(*arguments: Any) -> None:
        try:
            await fan_out(*arguments)
        finally:
            fanned_out.set()

    a._fan_out = noting_the_end
    stop = asyncio.Event()
    running = asyncio.create_task(a.run(stop))
    try:

        async def first_chunk_held() -> bool:
            stored = await db["notifications"].find_one({"category": "test.pause"})
            held = await db["notification_batches"].count_documents({})
            return stored.get("fanoutAfter") is not None and held == 1

        await until(first_chunk_held, "A holding the first chunk, paused")
        clock.advance(31)  # past the broadcast's lease
        await make_worker(config, name="B").drain()  # B resumes the broadcast and sends it
        clock.advance(31)  # the pause is over

        async def a_done() -> bool:
            return fanned_out.is_set()

        await until(a_done, "A done with the broadcast")
    finally:
        stop.set()
        await running
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
