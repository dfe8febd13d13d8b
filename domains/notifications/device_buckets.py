"""The worker's job that gives devices stored before fan-out buckets their bucket.

Devices registered before buckets have none, and get one only when they register again; until
then the fan-out to every signed-in device reads them as one bucket, which SecantusDB sorts whole
before answering (230 ms at 10,000 devices, README "Notifications"). This job moves them
``SLICE`` at a time, each a conditional update on a device that still has no bucket, so it is:
- idempotent and resumable: what is left is what still has no bucket; a run stopped half-way
  (a worker stopped, a database error) leaves the others for the next run, and a second run
  after the last finds nothing;
- safe with several workers: two runs may read the same devices, only one update of each
  applies (each device is counted once over all runs);
- safe with a fan-out in progress: a device moved ahead of the fan-out's position in the bucket
  walk is reached in its bucket instead; one the fan-out read already may be reached again in
  its bucket, and every chunk from a fan-out that met a device without a bucket is checked
  against the batches and records first (``any_from_before_buckets`` in the worker), so it is
  sent once.
It runs in the worker (``xuthanh worker`` runs every domain's jobs at its start, then every
``EVERY``), not in the processes' start-up step, which the API waits for before serving: a
province's devices take minutes. At most ``SLICES_PER_RUN`` slices per run, so the other jobs
are not held up for long.
"""

import logging
from datetime import datetime, timedelta

from domains.kernel.resources import Resources
from domains.notifications.store import NotificationsStore

logger = logging.getLogger(__name__)

EVERY = timedelta(minutes=15)
SLICE = 500
SLICES_PER_RUN = 200  # 100,000 devices


async def bucket_devices_stored_before_buckets(
    resources: Resources, now: datetime, *, slice_size: int = SLICE, slices: int = SLICES_PER_RUN
) -> int:
    """Give up to ``slices`` × ``slice_size`` devices without a bucket their bucket; returns how
    many this run moved."""
    devices = NotificationsStore.of(resources).devices
    moved = 0
    for _ in range(slices):
        tokens = await devices.without_bucket(limit=slice_size)
        if not tokens:
            break
        moved += await devices.give_buckets(tokens)
        logger.info("devices given their fan-out bucket", extra={"count": moved})
    else:
        logger.info(
            "devices without a fan-out bucket left for the next run",
            extra={"count": await devices.count_without_bucket()},
        )
    return moved
