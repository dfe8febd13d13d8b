"""Delivery: pushing a claimed batch through the sender and recording each token's outcome."""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from firebase_admin import messaging
from pymongo.errors import PyMongoError

from domains.kernel.clock import utcnow
from domains.kernel.i18n import pick
from domains.notifications.backoff import backoff_delay
from domains.notifications.batches import as_record
from domains.notifications.config import WorkerConfig
from domains.notifications.device_owners import owners_now, owners_since
from domains.notifications.models import DeliveryDocument, NotificationDocument
from domains.notifications.outbox_repository import MARK_SLICE
from domains.notifications.push import Outcome, Sender
from domains.notifications.retrying import log_retry, retry_delay, retrying
from domains.notifications.store import NotificationsStore

logger = logging.getLogger("xuthanh.notifications.worker")

# How often a paused sender looks at the clock (its pause may end early on a test's clock).
PAUSE_CHECK_SECONDS = 0.5

Update = tuple[DeliveryDocument, dict[str, Any]]  # (a delivery, fields of its result)


def render(
    notification: NotificationDocument, delivery: DeliveryDocument, *, detailed: bool = False
) -> messaging.Message:
    """One FCM message in the device's language; only lock-screen text and routing data.

    ``detailed``: the user chose to see the notification's detailed text on the lock screen."""
    locale = delivery.get("locale", "vi")
    nid = str(delivery["n"])
    data = {**notification.get("data", {}), "nid": nid, "category": notification["category"]}
    texts = {"title": notification["title"], "body": notification["body"]}
    if detailed and "detailed" in notification:
        texts = notification["detailed"]
    message = messaging.Message(
        notification=messaging.Notification(
            title=pick(texts["title"], locale), body=pick(texts["body"], locale)
        ),
        data=data,
        # If a worker crash makes a message go out twice, the phone replaces the first copy.
        android=messaging.AndroidConfig(collapse_key=nid, priority="high"),
        apns=messaging.APNSConfig(headers={"apns-collapse-id": nid}),
    )
    # Registration tokens are what the app SDKs hand out today; `token` is FCM v1's field for
    # them. Set after construction: the constructor warns that `fid` is the future.
    message.token = delivery["token"]
    return message


class BatchSender:
    """Sends the batches one worker claimed, ``config.batches_on_the_wire`` at a time."""

    def __init__(
        self, store: NotificationsStore, sender: Sender, config: WorkerConfig, *, name: str
    ) -> None:
        self.store = store
        self.sender = sender
        self.config = config
        self.name = name
        self.on_the_wire = asyncio.Semaphore(config.batches_on_the_wire)
        # FCM answered "too many requests" or "unavailable" with a Retry-After: nothing is sent
        # before this time (every message would be refused, and FCM asks senders to wait).
        self.paused_until: datetime | None = None
        self.stopping = asyncio.Event()  # the worker's: set, a paused batch is handed back

    @property
    def paused(self) -> bool:
        return self.paused_until is not None and self.config.clock() < self.paused_until

    async def _wait_out_pause(self) -> bool:
        """True once no pause holds the wire; False if the worker is stopping meanwhile."""
        while self.paused_until is not None:
            left = (self.paused_until - self.config.clock()).total_seconds()
            if left <= 0:
                return True
            if self.stopping.is_set():
                return False
            await asyncio.sleep(min(left, PAUSE_CHECK_SECONDS))
        return True

    def _note_throttling(self, outcomes: Sequence[Outcome]) -> None:
        """Pause all sending for the longest Retry-After FCM gave with a retryable refusal."""
        waits = [o.retry_after for o in outcomes if o.retryable and o.retry_after]
        if not waits:
            return
        until = self.config.clock() + timedelta(seconds=max(waits))
        if self.paused_until is None or until > self.paused_until:
            self.paused_until = until
            logger.warning(
                "FCM asked to wait: sending paused",
                extra={"worker": self.name, "seconds": max(waits)},
            )

    async def send(
        self,
        claim: str,
        batch: list[DeliveryDocument],
        *,
        claimed_at: datetime,
        fresh: bool,
        devices_read_at: datetime | None = None,
    ) -> None:
        """Push a claimed batch and record each token's outcome. ``fresh``: just fanned out,
        from device documents read since ``devices_read_at`` (default ``claimed_at``), and held
        as one batch document in flight (``batches``) rather than as claimed deliveries."""
        texts = await self.store.notifications.get_texts(list({d["n"] for d in batch}))
        records: Records = (
            InFlight(self.store, claim, until=lambda: self.config.clock() + self.config.lease)
            if fresh
            else Claimed(self.store, claim)
        )
        recorder: _SentRecorder | None = None
        try:
            async with self.on_the_wire:
                if not await self._wait_out_pause():
                    # Stopping during a pause: any worker may send the batch as soon as it can.
                    await records.renew(batch, until=self.config.clock())
                    return
                now = self.config.clock()
                waited = now - claimed_at
                if waited > self.config.lease / 3:
                    # Queued behind slow batches: renew the claim before sending, so the send
                    # (its requests time out within a third of the lease) ends inside it.
                    held = await records.renew(batch, until=now + self.config.lease)
                    # What outlived the lease meanwhile is another worker's to send, not ours.
                    batch = [d for d in batch if d["_id"] in held]
                owners: dict[str, str | None] = {d["token"]: d.get("userId") for d in batch}
                read_at = devices_read_at or claimed_at
                if not fresh:
                    owners = await owners_now(self.store.devices, list(owners), now)
                elif now - read_at > self.config.device_recheck_after:
                    owners = await owners_since(self.store.devices, owners, read_at, now)
                sendable, updates = self._sendable(batch, texts, owners, now)
                messages = await self._render(sendable, texts)
                recorder = _SentRecorder(records, self.sender.success_state, sendable, self.config)
                renewal = asyncio.create_task(self._keep_claim(records, batch))
                try:
                    outcomes = await self.sender.send(messages, on_sent=recorder.sent)
                finally:
                    renewal.cancel()
                # Before the next batch goes on the wire.
                self._note_throttling(outcomes)
        finally:
            if recorder is not None:
                await recorder.close()
        await self._record(records, sendable, outcomes, updates, recorder)

    async def _keep_claim(self, records: "Records", batch: list[DeliveryDocument]) -> None:
        """Renew the claim while its batch is on the wire: a send slower than the lease (a busy
        machine, FCM slowing down) must not let another worker send the batch again."""
        while True:
            await asyncio.sleep(self.config.lease.total_seconds() / 3)
            try:
                await records.renew(batch, until=self.config.clock() + self.config.lease)
            except PyMongoError:
                logger.warning("could not renew a claim", extra={"worker": self.name})

    async def _record(
        self,
        records: "Records",
        sendable: list[DeliveryDocument],
        outcomes: Sequence[Outcome],
        updates: list[Update],
        recorder: "_SentRecorder",
    ) -> None:
        """Write the outcomes the sender's answers did not write yet, and prune the tokens FCM
        reported unregistered or invalid."""
        now = self.config.clock()
        succeeded = 0
        unrecorded: list[DeliveryDocument] = []  # successes not written yet (the sink's)
        unregistered: list[str] = []
        for delivery, outcome in zip(sendable, outcomes, strict=True):
            if outcome.ok:
                succeeded += 1
                if delivery["_id"] not in recorder.recorded:
                    unrecorded.append(delivery)
                continue
            updates.append((delivery, self._failure(delivery, outcome, now)))
            if outcome.unregistered:
                unregistered.append(delivery["token"])
        # The recorder's cache: the batch's share of kept records is reserved once.
        audiences = recorder.audiences
        await retrying(
            records.claim,
            lambda: records.sent(
                unrecorded,
                state=self.sender.success_state,
                now=now,
                audiences=audiences,
                planned=len(unrecorded),
            ),
        )
        await retrying(records.claim, lambda: records.finish(updates))
        if unregistered:
            # Only tokens FCM reports unregistered or invalid go; other errors keep the device.
            await self.store.devices.delete_many(unregistered)
            await self.store.subscriptions.remove_for_tokens(unregistered)
            await self.store.deliveries.skip_pending_for_tokens(unregistered, now=now)
        logger.info(
            "push batch done",
            extra={
                "worker": self.name,
                "channel": self.sender.channel,
                "sent": succeeded,
                "failed": len(updates),
                "pruned": len(unregistered),
            },
        )

    def _sendable(
        self,
        batch: list[DeliveryDocument],
        texts: dict[ObjectId, NotificationDocument],
        owners: dict[str, str | None],
        now: datetime,
    ) -> tuple[list[DeliveryDocument], list[Update]]:
        """The deliveries to send, and the final results of those not to send."""
        sendable: list[DeliveryDocument] = []
        updates: list[Update] = []
        for delivery in batch:
            if delivery["n"] not in texts:
                updates.append((delivery, _final("skipped", "NOTIFICATION_GONE", None, now)))
            elif _changed_hands(delivery, owners):
                # Since the fan-out the phone was signed out, taken over by another user or
                # unregistered: the previous user's notification must not reach it.
                updates.append((delivery, _final("skipped", "DEVICE_CHANGED", None, now)))
            elif delivery.get("attempts", 1) > self.config.max_attempts:
                # Claimed again and again by workers that died before recording a result.
                updates.append((delivery, _final("dead", "LEASE_EXPIRED", None, now)))
            else:
                sendable.append(delivery)
        return sendable, updates

    async def _render(
        self, sendable: list[DeliveryDocument], texts: dict[ObjectId, NotificationDocument]
    ) -> list[messaging.Message]:
        # Who chose fuller lock-screen text; asked only when a notification in the batch has it.
        readers = [
            str(d["userId"]) for d in sendable if d.get("userId") and "detailed" in texts[d["n"]]
        ]
        preferences = self.store.preferences
        showing_place = await preferences.showing_place(readers) if readers else set()
        return [
            render(texts[d["n"]], d, detailed=d.get("userId") in showing_place) for d in sendable
        ]

    def _failure(
        self, delivery: DeliveryDocument, outcome: Outcome, now: datetime
    ) -> dict[str, Any]:
        attempts = delivery.get("attempts", 1)
        if outcome.retryable and attempts < self.config.max_attempts:
            delay = backoff_delay(self.config, attempts, outcome.retry_after)
            return {
                "state": "pending",
                "dueAt": now + timedelta(seconds=delay),
                "errorCode": outcome.code,
                "errorMessage": outcome.message,
                "retryAfter": outcome.retry_after,
            }
        state = "dead" if outcome.retryable else "failed"
        return _final(state, outcome.code, outcome.message, now)


class Records:
    """Where a batch's outcomes are written: its claimed deliveries, or its batch in flight."""

    # Successes are written while the batch is on the wire, this many at a time or after this
    # long (``_SentRecorder``).
    slice: int = MARK_SLICE
    gather_seconds: float = 0.25

    def __init__(self, store: NotificationsStore, claim: str) -> None:
        self.store = store
        self.claim = claim

    async def renew(self, batch: list[DeliveryDocument], *, until: datetime) -> set[str]:
        """Push the lease out to ``until``; returns the deliveries still held."""
        raise NotImplementedError

    async def sent(
        self,
        deliveries: list[DeliveryDocument],
        *,
        state: str,
        now: datetime,
        audiences: dict[str, Any],
        planned: int = 0,
    ) -> None:
        raise NotImplementedError

    async def finish(self, updates: list[Update]) -> None:
        """The other outcomes (failures, retries, skips): the batch is done."""
        raise NotImplementedError


class Claimed(Records):
    """Deliveries stored one by one, pending under the claim (the shared claim's batches)."""

    async def renew(self, batch: list[DeliveryDocument], *, until: datetime) -> set[str]:
        return await self.store.deliveries.extend_claim(self.claim, until=until)

    async def sent(
        self,
        deliveries: list[DeliveryDocument],
        *,
        state: str,
        now: datetime,
        audiences: dict[str, Any],
        planned: int = 0,
    ) -> None:
        ids = [d["_id"] for d in deliveries]
        await self.store.deliveries.mark(
            ids, worker_claim=self.claim, state=state, now=now, audiences=audiences
        )

    async def finish(self, updates: list[Update]) -> None:
        await self.store.deliveries.record(
            [(d["_id"], fields) for d, fields in updates], claim=self.claim
        )


class InFlight(Records):
    """A fan-out batch held as one document (``batches``): its successes go onto one document
    (``sent``), the other outcomes are inserted as records, then the batch document goes."""

    # Each write is one more update of the batch's successes document (and a wake-up of every
    # change stream): half a batch or half a second at a time. A worker killed meanwhile has
    # that much sent again (the collapse key replaces the copy on the phone).
    slice = 250
    gather_seconds = 0.5
    hold = timedelta(seconds=60)  # the lease taken to write the last outcomes, by default

    def __init__(
        self,
        store: NotificationsStore,
        claim: str,
        *,
        until: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(store, claim)
        self.until = until  # the worker's clock plus its lease

    async def renew(self, batch: list[DeliveryDocument], *, until: datetime) -> set[str]:
        held = await self.store.batches.extend(self.claim, until=until)
        return {d["_id"] for d in batch} if held else set()

    async def sent(
        self,
        deliveries: list[DeliveryDocument],
        *,
        state: str,
        now: datetime,
        audiences: dict[str, Any],
        planned: int = 0,
    ) -> None:
        recorded = await self.store.deliveries.record_sent(
            deliveries,
            batch=self.claim,
            state=state,
            now=now,
            audiences=audiences,
            planned=planned,
        )
        if not recorded:
            # Handed over while on the wire (the lease ran out): its deliveries are pending
            # again and go out once more (the collapse key replaces the copy on the phone).
            logger.warning("successes of a handed-over batch", extra={"claim": self.claim})

    async def finish(self, updates: list[Update]) -> None:
        if updates:
            # Still ours? Held a lease longer, so no hand-over comes between this and the insert.
            # Handed over, it made these deliveries pending (or dropped them, erased meanwhile):
            # a late failure inserted now would outlive that (review s4 R6).
            until = utcnow() + self.hold if self.until is None else self.until()
            if not await self.store.batches.extend(self.claim, until=until):
                logger.warning("outcomes of a handed-over batch", extra={"claim": self.claim})
                return
            await self.store.deliveries.insert_records([as_record(d, f) for d, f in updates])
        if erased := await self.store.batches.close(self.claim):
            # The user erased their data while the batch was on the wire.
            await self.store.deliveries.delete_ids(erased)


class _SentRecorder:
    """Writes successes while a batch is still being sent, in slices, in the background.

    Answers are gathered until a slice is full (``records.slice``) or ``gather_seconds`` passed: a
    write per few answers would cost the database a command (and the worker a round trip) per
    few messages. A worker killed meanwhile loses at most that moment's records: those messages
    go out again when the claim's lease ends (the phone replaces the copy: the collapse key).
    """

    def __init__(
        self, records: Records, state: str, batch: list[DeliveryDocument], config: WorkerConfig
    ) -> None:
        self.clock = config.clock
        self.records = records
        self.state = state
        self.batch = {d["_id"]: d for d in batch}
        self.buffer: list[DeliveryDocument] = []
        self.recorded: set[str] = set()
        self.audiences: dict[str, Any] = {}  # per notification of the batch, looked up once
        self.ready = asyncio.Event()
        self.full = asyncio.Event()
        self.closing = False
        self.stopping = asyncio.Event()
        self.task = asyncio.create_task(self._flush_loop())

    def sent(self, nid: str, token: str) -> None:
        # One batch may hold two notifications for one token (retries): the key is the pair.
        delivery = self.batch.get(f"{nid}:{token}")
        if delivery is not None:
            self.buffer.append(delivery)
            self.ready.set()
            if len(self.buffer) >= self.records.slice:
                self.full.set()

    async def _flush_loop(self) -> None:
        failures = 0
        while not self.closing or self.buffer:
            await self.ready.wait()
            if not self.closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.full.wait(), self.records.gather_seconds)
            self.ready.clear()
            self.full.clear()
            deliveries, self.buffer = self.buffer, []
            try:
                await self.records.sent(
                    deliveries,
                    state=self.state,
                    now=self.clock(),
                    audiences=self.audiences,
                    planned=len(self.batch),
                )
            except PyMongoError as error:
                # A blip (a primary stepping down): the slice is written again, a little later
                # (the writes are idempotent); what is left at close, ``send`` writes.
                self.buffer = deliveries + self.buffer
                log_retry(self.records.claim, error)
                failures += 1
                if not self.closing:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stopping.wait(), retry_delay(failures))
                self.ready.set()
                if self.closing:
                    return
                continue
            failures = 0
            self.recorded.update(d["_id"] for d in deliveries)

    async def close(self) -> None:
        self.closing = True
        self.stopping.set()
        self.ready.set()
        self.full.set()
        await self.task


def _changed_hands(delivery: DeliveryDocument, owners: dict[str, str | None]) -> bool:
    """True when the delivery's device is gone or no longer belongs to the delivery's user."""
    token = delivery["token"]
    if token not in owners:
        return True
    user = delivery.get("userId")
    return user is not None and owners[token] != user


def _final(state: str, code: str | None, message: str | None, now: datetime) -> dict[str, Any]:
    return {"state": state, "errorCode": code, "errorMessage": message, "doneAt": now}
