"""How a delivery worker behaves: batch sizes, leases, retries, lanes."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domains.kernel.clock import utcnow
from domains.notifications.push import FCM_BATCH_LIMIT

# A fresh batch whose devices were read longer ago than this when it goes on the wire has them
# looked at again (``WorkerConfig.device_recheck_after``).
DEVICE_RECHECK_AFTER = timedelta(seconds=5)
# How far the worker's clock may be from the database's (which dates device changes): hosts kept
# by NTP agree far better.
DEVICE_CLOCK_SKEW = timedelta(seconds=30)
# Looking again at a batch's devices reads the tokens changed or removed since they were read;
# past this many, it looks the batch's devices up one by one instead.
CHANGED_DEVICES_READ = 5_000


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    batch_size: int = FCM_BATCH_LIMIT
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds before the first retry (before jitter)
    backoff_cap: float = 900.0
    idle_poll: float = 0.5  # how often idle delivery lanes look for retries that came due
    # How often an idle worker looks for new notifications by itself; the outbox's change feed
    # wakes it at once, so this only bounds the delay while the feed is down.
    fanout_poll: float = 0.2
    concurrency: int = 3  # batches being worked on at once (stored, sent, recorded)
    # Batches on the wire at once. While one batch is sent, the others are stored or recorded.
    # More than one rarely pays: send_each_async already sends a batch's 500 requests at once,
    # and httpx's connection pool costs CPU growing with the square of requests in flight
    # (1,000 in flight: 60% more worker CPU per message than 500, bench/notifications.py).
    batches_on_the_wire: int = 1
    fanout_chunk: int = FCM_BATCH_LIMIT  # recipients per fan-out step (one batch each)
    # The first step of a fan-out is small: its pushes leave before the next 500 are read,
    # stored and rendered (capped by ``fanout_chunk``).
    fanout_first_chunk: int = 50
    # Notifications fanned out at once: with two, a booking confirmation or a waitlist offer
    # does not wait for a large broadcast to finish (it takes the next free batch slot).
    fanout_lanes: int = 2
    # Fan-out hands each new batch straight to this worker's sending, already claimed: one
    # write per message saved, and the first messages leave while the rest are still being
    # fanned out. Off, every batch goes through the shared claim (any worker may take it).
    direct_send: bool = True
    device_recheck_after: timedelta = DEVICE_RECHECK_AFTER
    # The worker's time (tests pass a clock they move on: a minute of FCM outage in no time).
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= FCM_BATCH_LIMIT:
            raise ValueError(f"batch size must be 1..{FCM_BATCH_LIMIT}")
        if self.max_attempts < 1:
            raise ValueError("max attempts must be at least 1")
        if not 1 <= self.batches_on_the_wire <= self.concurrency:
            raise ValueError("batches on the wire must be 1..concurrency")
        if self.fanout_first_chunk < 1:
            raise ValueError("the first fan-out chunk must be at least 1")
        if self.fanout_lanes < 1:
            raise ValueError("fan-out lanes must be at least 1")
