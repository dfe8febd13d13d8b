"""The delivery worker: fans the outbox out to devices and inboxes, then pushes with leases.

Several workers may run at once. Each notification is fanned out under a lease (a crashed
worker's fan-out is resumed by another after the lease), into one delivery per (notification,
token) whose key makes re-runs harmless. The fan-out stores each batch of at most 500 already
claimed by its own worker and sends it at once; retries and the batches of workers that died are
claimed by any worker in batches of at most 500 with a conditional update and a lease. A result is
recorded per token. A delivery whose worker died is claimed again when its lease ends, so every
message goes out at least once.

An idle worker is woken by the outbox's change feed when a notification becomes due (written by
any process), and looks by itself every ``fanout_poll`` as well, in case the feed is down.

This module holds the loop, its lanes and the leases; ``fanout`` reads audiences, ``delivery``
sends batches and records their outcomes, ``backoff`` times retries.
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from domains.kernel.change_feed import ChangeEvent
from domains.kernel.live import change_feeds
from domains.kernel.resources import Resources
from domains.notifications.batches import as_pending, unsent
from domains.notifications.config import WorkerConfig
from domains.notifications.delivery import BatchSender
from domains.notifications.fanout import (
    any_from_before_buckets,
    each_device_once,
    in_legacy_bucket,
    inbox_entries,
    new_deliveries,
    read_audience,
)
from domains.notifications.models import DeliveryDocument, DeviceDocument, NotificationDocument
from domains.notifications.outbox_repository import NotificationRepository
from domains.notifications.push import Sender
from domains.notifications.store import NotificationsStore

__all__ = ["Worker", "WorkerConfig", "run_until_stopped"]

logger = logging.getLogger("xuthanh.notifications.worker")

# A notification written by a process whose clock is this much ahead still wakes the worker.
CLOCK_SKEW = timedelta(seconds=1)


class Worker:
    def __init__(
        self,
        resources: Resources,
        sender: Sender,
        config: WorkerConfig | None = None,
        *,
        name: str | None = None,
    ) -> None:
        """``resources``: wired by the composition root (role audiences need accounts' role
        directory)."""
        self.store = NotificationsStore.of(resources)
        self.sender = sender
        self.config = config or WorkerConfig()
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"
        self.batches = BatchSender(self.store, sender, self.config, name=self.name)
        self._wake = asyncio.Event()
        self._wakes = 0  # wake-ups so far: one during a round makes the lane look again
        # Batches being sent by this worker, from fan-out or from the claim, at most this many.
        self._sending = asyncio.Semaphore(self.config.concurrency)
        self._stopping = asyncio.Event()
        # When this worker last took or renewed the lease of each fan-out it holds (by owner).
        self._leased: dict[str, datetime] = {}

    # -- running -------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; failures of one round are logged and the round retried."""
        logger.info(
            "notification worker started",
            extra={"worker": self.name, "channel": self.sender.channel},
        )
        self._stopping = stop
        self.batches.stopping = stop
        feed = change_feeds(self.store.resources).subscribe(
            NotificationRepository.collection_name, self._on_outbox_change
        )
        poll = self.config.idle_poll
        lanes = [
            *(
                asyncio.create_task(
                    self._loop(stop, self.fan_out_next, min(self.config.fanout_poll, poll))
                )
                for _ in range(self.config.fanout_lanes)
            ),
            *(
                asyncio.create_task(self._loop(stop, self.deliver_batch, poll))
                for _ in range(self.config.concurrency)
            ),
        ]
        try:
            await asyncio.gather(*lanes)
        finally:
            feed.cancel()
            for lane in lanes:
                lane.cancel()
        logger.info("notification worker stopped", extra={"worker": self.name})

    async def _loop(
        self, stop: asyncio.Event, step: Callable[[], Awaitable[bool]], poll: float
    ) -> None:
        while not stop.is_set():
            wakes = self._wakes
            try:
                did_work = await step()
            except Exception:
                logger.exception("notification worker round failed", extra={"worker": self.name})
                did_work = False
            if did_work or wakes != self._wakes:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=poll, return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()

    def wake_up(self) -> None:
        """Make idle lanes look for work now."""
        self._wakes += 1
        self._wake.set()

    async def _on_outbox_change(self, event: ChangeEvent) -> None:
        """A notification became due (queued, or handed back by a stopping worker): wake up."""
        document = event.document
        if document is None or document.get("status") not in ("pending", "fanning_out"):
            return
        soon = self.config.clock() + CLOCK_SKEW
        if document.get("sendAt", soon) <= soon and document.get("leaseUntil", soon) <= soon:
            self.wake_up()

    async def drain(self) -> None:
        """Do everything that is due now, then return (tests and one-shot runs)."""
        while await self.fan_out_next() or await self.deliver_batch():
            pass

    def _new_claim(self) -> str:
        return f"{self.name}:{uuid.uuid4().hex}"

    # -- fan-out -------------------------------------------------------------------------------

    async def fan_out_next(self) -> bool:
        """Fan out one due notification; False when none is due."""
        owner = self._new_claim()
        now = self.config.clock()
        notification = await self.store.notifications.claim_for_fanout(
            now=now, lease=self.config.lease, owner=owner
        )
        if notification is None:
            return False
        self._leased[owner] = now
        try:
            await self._fan_out(notification, owner)
        finally:
            self._leased.pop(owner, None)
        return True

    async def _fan_out(self, notification: NotificationDocument, owner: str) -> None:
        nid = notification["_id"]
        chunks = await read_audience(
            self.store,
            notification["audience"],
            notification.get("fanoutAfter"),
            size=self.config.fanout_chunk,
            now=self.config.clock(),
            first=min(self.config.fanout_first_chunk, self.config.fanout_chunk),
        )
        sends: list[asyncio.Task[None]] = []
        # Whether a batch may hold devices this fan-out reached already (see _not_addressed_yet).
        check = not each_device_once(notification["audience"]) or await self._resumed(notification)
        legacy = False  # devices stored before buckets were reached (one may have moved since)
        still_ours, done = True, True
        # A chunk's devices were read since the reading of the chunk before it began (what a
        # read brought beyond its chunk opens the next one).
        reading_began = previous_reading_began = self.config.clock()
        try:
            async for devices, users, after in chunks:
                read_at = previous_reading_began
                inboxed = 0
                if notification.get("inbox", True):
                    inboxed = await self.store.inbox.add(
                        inbox_entries(notification, users, self.config.clock())
                    )
                # From the first chunk holding a device stored before buckets, every chunk
                # that ends in a bucket is checked: it may hold one of them, moved since.
                legacy = legacy or any_from_before_buckets(devices)
                again = check or (legacy and not in_legacy_bucket(after))
                added = await self._add_chunk(
                    nid, devices, sends, check=again, owner=owner, read_at=read_at
                )
                if added is None:  # taken over while a batch waited for a slot
                    still_ours = done = False
                    break
                stopping = self._stopping.is_set()
                still_ours = await self._save_progress(
                    nid, after, added, inboxed, owner=owner, stopping=stopping
                )
                if not still_ours or stopping:
                    done = False
                    break
                previous_reading_began, reading_began = reading_began, self.config.clock()
            if still_ours and done:
                await self.store.notifications.finish_fanout(
                    nid, now=self.config.clock(), owner=owner
                )
                logger.info("notification fanned out", extra={"notification": str(nid)})
        finally:
            await chunks.aclose()
            # Returns once its batches are answered: drain() then means "all sent", and a
            # stopping worker does not abandon batches it holds.
            await asyncio.gather(*sends, return_exceptions=True)
        if still_ours and done:
            await self.store.batches.forget_closed(nid)

    async def _save_progress(
        self, nid: ObjectId, after: Any, added: int, inboxed: int, *, owner: str, stopping: bool
    ) -> bool:
        """Save the fan-out's position after a chunk; False if it is no longer ``owner``'s."""
        # Stopping: the position is saved and the lease given up, so another worker resumes at
        # once rather than when the lease would have ended.
        lease = timedelta(0) if stopping else self.config.lease
        leased_at = self.config.clock()
        saved = await self.store.notifications.record_fanout_progress(
            nid,
            after=after,
            recipients=added,
            inbox_entries=inboxed,
            lease_until=leased_at + lease,
            owner=owner,
        )
        self._leased[owner] = leased_at
        return saved

    async def _add_chunk(
        self,
        nid: ObjectId,
        devices: list[DeviceDocument],
        sends: list[asyncio.Task[None]],
        *,
        check: bool,
        owner: str,
        read_at: datetime,
    ) -> int | None:
        """A chunk's devices (read since ``read_at``) in batches of at most ``batch_size``: how
        many deliveries were added, None if the fan-out stopped being ``owner``'s."""
        added = 0
        size = self.config.batch_size
        for start in range(0, len(devices), size):
            batch = devices[start : start + size]
            stored = await self._add_deliveries(
                nid, batch, sends, check=check, owner=owner, read_at=read_at
            )
            if stored is None:
                return None
            added += stored
        return added

    async def _add_deliveries(
        self,
        nid: ObjectId,
        devices: list[DeviceDocument],
        sends: list[asyncio.Task[None]],
        *,
        check: bool = True,
        owner: str,
        read_at: datetime,
    ) -> int | None:
        """Store one batch of deliveries; with direct send, held by this worker as one batch
        in flight (``batches``) and sent. None: the fan-out is no longer ``owner``'s."""
        if not self.config.direct_send:
            added = await self.store.deliveries.add(
                new_deliveries(nid, devices, self.config.clock())
            )
            if added:
                self.wake_up()
            return len(added)
        await self._sending.acquire()  # a free slot first, so batches wait here, not claimed
        try:
            claim = self._new_claim()
            claimed_at = self.config.clock()
            # The wait for a slot (a FCM pause, slow sends) may outlast the fan-out's lease:
            # another worker may have resumed it and sent these devices meanwhile. Renewed
            # only when a third of the lease has passed since it was last taken or renewed
            # (before that, nobody else can have taken it): not a write per batch.
            leased_at = self._leased.get(owner)
            if leased_at is None or claimed_at - leased_at > self.config.lease / 3:
                lease_until = claimed_at + self.config.lease
                if not await self.store.notifications.renew_fanout(
                    nid, until=lease_until, owner=owner
                ):
                    self._sending.release()
                    return None
                self._leased[owner] = claimed_at
            batch = new_deliveries(nid, devices, claimed_at, claim=claim, lease=self.config.lease)
            if check:
                batch = await self._not_addressed_yet(nid, batch)
            if batch:
                await self.store.batches.open(
                    claim, nid, batch, until=claimed_at + self.config.lease
                )
        except BaseException:
            self._sending.release()
            raise
        if not batch:
            self._sending.release()
            return 0
        sends.append(asyncio.create_task(self._send_fresh(claim, batch, claimed_at, read_at)))
        return len(batch)

    async def _resumed(self, notification: NotificationDocument) -> bool:
        """Another worker began this fan-out (and may have batches in flight or sent)."""
        nid = notification["_id"]
        return (
            notification.get("fanoutAfter") is not None
            or await self.store.batches.any_in_flight(nid)
            or await self.store.deliveries.any_of(nid)
        )

    async def _not_addressed_yet(
        self, nid: ObjectId, batch: list[DeliveryDocument]
    ) -> list[DeliveryDocument]:
        """The deliveries of a fan-out batch that no batch in flight holds and no record has:
        a device reached twice in one audience (by its user and by its token; a device stored
        before buckets that registered again during the fan-out, into its bucket), or a fan-out
        resumed over a chunk its previous worker had sent. The batches are read first: a batch
        goes only after its records are written."""
        batch = list({d["_id"]: d for d in batch}.values())
        holding = await self.store.batches.addressed(nid)
        batch = [d for d in batch if d["_id"] not in holding]
        recorded = await self.store.deliveries.existing([d["_id"] for d in batch])
        return [d for d in batch if d["_id"] not in recorded]

    async def _send_fresh(
        self, claim: str, batch: list[DeliveryDocument], claimed_at: datetime, read_at: datetime
    ) -> None:
        try:
            # The devices were read for this batch a moment ago: looked at again only if the
            # batch waited long for the wire, and then only those changed since.
            await self.batches.send(
                claim, batch, claimed_at=claimed_at, fresh=True, devices_read_at=read_at
            )
        except Exception:
            # The claim's lease runs out and any worker sends the batch again.
            logger.exception("direct push batch failed", extra={"worker": self.name})
        finally:
            self._sending.release()

    # -- the shared claim ----------------------------------------------------------------------

    async def deliver_batch(self) -> bool:
        """Claim and push one batch of due deliveries; False when nothing is due."""
        if self._sending.locked() or self.batches.paused:
            # Every batch this worker may work on is taken (a fan-out sending): queueing here
            # would only slip a claim query in before the fan-out's next batch. Or FCM asked
            # for a pause (Retry-After): nothing is claimed until it ends.
            return False
        async with self._sending:
            await self._hand_over_expired()
            claim = self._new_claim()
            claimed_at = self.config.clock()
            batch = await self.store.deliveries.claim(
                worker_claim=claim,
                now=claimed_at,
                lease=self.config.lease,
                limit=self.config.batch_size,
            )
            if not batch:
                return False
            await self.batches.send(claim, batch, claimed_at=claimed_at, fresh=False)
            return True

    async def _hand_over_expired(self) -> None:
        """A batch in flight whose worker stopped renewing it (died, or stopped during a pause)
        becomes pending deliveries for the shared claim, except those recorded already."""
        now = self.config.clock()
        batches = self.store.batches
        while batch := await batches.take_expired(now=now, until=now + self.config.lease):
            # Its worker can add no more successes (fenced); those it recorded are not resent.
            sent = await self.store.sent.fence(batch["_id"], batch["n"], now=now)
            pending = [d for d in unsent(batch) if d["token"] not in sent]
            await self.store.deliveries.add(as_pending(pending, now=now))
            if erased := await batches.handed_over(batch["_id"]):
                # The user erased their data while the batch was being handed over.
                await self.store.deliveries.delete_ids(erased)
            logger.info("batch in flight handed over", extra={"worker": self.name})


async def run_until_stopped(
    resources: Resources, sender: Sender, config: WorkerConfig, stop: asyncio.Event
) -> None:
    """Run one worker until ``stop``; closes the sender and the change feed on this loop."""
    try:
        await Worker(resources, sender, config).run(stop)
    finally:
        await sender.close()
        await resources.close()
