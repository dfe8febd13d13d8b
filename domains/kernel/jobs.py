"""Scheduled jobs of the domains (``DomainModule.jobs``), run by the worker (``xuthanh worker``).

Each job runs when the worker starts and then every ``job.every``. Time comes from a ``Clock``
(tests pass one they move by hand: nothing sleeps on real time). A failing run is logged and the
job tried again at its next time. Several workers may run the same job, so a job must be
idempotent (state in MongoDB, dedupe keys on what it queues).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domains.kernel.clock import Clock
from domains.kernel.resources import Resources

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """``run(resources, now)`` every ``every``; returns how much it did (for the log)."""

    name: str
    every: timedelta
    run: Callable[[Resources, datetime], Awaitable[int]]


@dataclass(slots=True)
class Schedule:
    """The jobs of every domain (``(domain, job)``) and when each runs next."""

    jobs: Sequence[tuple[str, Job]]
    next_run: dict[str, datetime] = field(default_factory=dict)

    def due(self, now: datetime) -> list[tuple[str, Job]]:
        return [
            (d, job) for d, job in self.jobs if self.next_run.get(f"{d}.{job.name}", now) <= now
        ]

    async def run_due(self, resources: Resources, now: datetime) -> dict[str, int]:
        """Run what is due at ``now``; returns the count of each job that ran and succeeded."""
        done: dict[str, int] = {}
        for domain, job in self.due(now):
            key = f"{domain}.{job.name}"
            self.next_run[key] = now + job.every
            try:
                done[key] = await job.run(resources, now)
            except Exception:
                logger.exception("scheduled job failed", extra={"job": key})
                continue
            logger.info("scheduled job ran", extra={"job": key, "count": done[key]})
        return done

    def next_time(self, now: datetime) -> datetime:
        return min((self.next_run.get(f"{d}.{j.name}", now) for d, j in self.jobs), default=now)


async def run_until_stopped(
    resources: Resources, schedule: Schedule, stop: asyncio.Event, clock: Clock | None = None
) -> None:
    """Run the jobs as they fall due until ``stop`` is set."""
    clock = clock or Clock()
    if not schedule.jobs:
        return
    while not stop.is_set():
        await schedule.run_due(resources, clock.now())
        waiters = [
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(clock.sleep_until(schedule.next_time(clock.now()))),
        ]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
