"""The worker's scheduled jobs (domains/kernel/jobs.py): each runs at start and then every
``every`` by the injected clock; a failing job is logged and does not stop the others."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domains.kernel.jobs import Job, Schedule, run_until_stopped
from tests.support.live import GUARD_SECONDS, ManualClock

T0 = datetime(2026, 12, 6, 8, tzinfo=UTC)
EVERY = timedelta(minutes=10)
NO_RESOURCES: Any = None  # the jobs here do not use them


async def test_jobs_run_at_start_then_every_interval_by_the_clock() -> None:
    clock = ManualClock(T0)
    runs: list[datetime] = []
    ran = asyncio.Event()

    async def job(_: Any, now: datetime) -> int:
        runs.append(now)
        ran.set()
        return 1

    stop = asyncio.Event()
    schedule = Schedule([("environment", Job("air-alerts", EVERY, job))])
    task = asyncio.create_task(run_until_stopped(NO_RESOURCES, schedule, stop, clock))
    async with asyncio.timeout(GUARD_SECONDS):
        await ran.wait()
        ran.clear()
        clock.advance(EVERY)
        await ran.wait()
        stop.set()
        await task
    assert runs == [T0, T0 + EVERY]


async def test_only_due_jobs_run_and_a_failure_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(_: Any, now: datetime) -> int:
        raise RuntimeError("database down")

    async def fine(_: Any, now: datetime) -> int:
        return 3

    schedule = Schedule(
        [("a", Job("broken", EVERY, broken)), ("b", Job("fine", timedelta(hours=1), fine))]
    )
    assert await schedule.run_due(NO_RESOURCES, T0) == {"b.fine": 3}
    assert "scheduled job failed" in caplog.text
    assert await schedule.run_due(NO_RESOURCES, T0 + timedelta(minutes=5)) == {}
    assert await schedule.run_due(NO_RESOURCES, T0 + EVERY) == {}  # broken retried, fails again
    assert schedule.next_time(T0 + EVERY) == T0 + 2 * EVERY
