"""Delivery: pushing a claimed batch through the sender and recording each token's outcome."""

import asyncio
import logging
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from firebase_admin import messaging
from pymongo.errors import PyMongoError

from domains.kernel.i18n import pick
from domains.notifications.backoff import backoff_delay
from domains.notifications.config import DEVICE_RECHECK_AFTER, WorkerConfig
from domains.notifications.models import DeliveryDocument, NotificationDocument
from domains.notifications.outbox_repository import DeliveryRepository
from domains.notifications.push import Outcome, Sender
from domains.notifications.store import NotificationsStore

logger = logging.getLogger("xuthanh.notifications.worker")

# How often a paused sender looks at the clock (its pause may end early on a test's clock).
PAUSE_CHECK_SECONDS = 0.5

Update = tuple[str, dict[str, Any]]  # (delivery id, fields of its result)


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
        self, claim: str, batch: list[DeliveryDocument], *, claimed_at: datetime, fresh: bool
    ) -> None:
        """Push a claimed batch and record each token's outcome. ``fresh``: just fanned out,
        from device documents read a moment before ``claimed_at``."""
        texts = await self.store.notifications.get_texts(list({d["n"] for d in batch}))
        recorder: _SentRecorder | None = None
        try:
            async with self.on_the_wire:
                if not await self._wait_out_pause():
                    # Stopping during a pause: any worker may send the batch as soon as it can.
                    await self.store.deliveries.extend_claim(claim, until=self.config.clock())
                    return
                now = self.config.clock()
                waited = now - claimed_at
                if waited > self.config.lease / 3:
                    # Queued behind slow batches: renew the claim before sending, so the send
                    # (its requests time out within a third of the lease) ends inside it.
                    held = await self.store.deliveries.extend_claim(
                        claim, until=now + self.config.lease
                    )
                    # What outlived the lease meanwhile is another worker's to send, not ours.
                    batch = [d for d in batch if d["_id"] in held]
                owners: dict[str, str | None] = {d["token"]: d.get("userId") for d in batch}
                if not fresh or waited > DEVICE_RECHECK_AFTER:
                    devices = await self.store.devices.live_devices(list(owners), now=now)
                    owners = {device["_id"]: device.get("userId") for device in devices}
                sendable, updates = self._sendable(batch, texts, owners, now)
                messages = await self._render(sendable, texts)
                recorder = _SentRecorder(
                    self.store.deliveries, claim, self.sender.success_state, sendable, self.config
                )
                renewal = asyncio.create_task(self._keep_claim(claim))
                try:
                    outcomes = await self.sender.send(messages, on_sent=recorder.sent)
                finally:
                    renewal.cancel()
                # Before the next batch goes on the wire.
                self._note_throttling(outcomes)
        finally:
            if recorder is not None:
                await recorder.close()
        await self._record(claim, sendable, outcomes, updates, recorded=recorder.recorded)

    async def _keep_claim(self, claim: str) -> None:
        """Renew the claim while its batch is on the wire: a send slower than the lease (a busy
        machine, FCM slowing down) must not let another worker send the batch again."""
        while True:
            await asyncio.sleep(self.config.lease.total_seconds() / 3)
            try:
                await self.store.deliveries.extend_claim(
                    claim, until=self.config.clock() + self.config.lease
                )
            except PyMongoError:
                logger.warning("could not renew a claim", extra={"worker": self.name})

    async def _record(
        self,
        claim: str,
        sendable: list[DeliveryDocument],
        outcomes: Sequence[Outcome],
        updates: list[Update],
        *,
        recorded: Collection[str],
    ) -> None:
        """Write the outcomes the sender's answers did not write yet, and prune the tokens FCM
        reported unregistered or invalid."""
        now = self.config.clock()
        succeeded = 0
        unrecorded: list[str] = []  # successes not written yet (e.g. the development sink's)
        unregistered: list[str] = []
        for delivery, outcome in zip(sendable, outcomes, strict=True):
            if outcome.ok:
                succeeded += 1
                if delivery["_id"] not in recorded:
                    unrecorded.append(delivery["_id"])
                continue
            updates.append((delivery["_id"], self._failure(delivery, outcome, now)))
            if outcome.unregistered:
                unregistered.append(delivery["token"])
        deliveries = self.store.deliveries
        await deliveries.mark(
            unrecorded, worker_claim=claim, state=self.sender.success_state, now=now
        )
        await deliveries.record(updates, claim=claim)
        if unregistered:
            # Only tokens FCM reports unregistered or invalid go; other errors keep the device.
            await self.store.devices.delete_many(unregistered)
            await self.store.subscriptions.remove_for_tokens(unregistered)
            await deliveries.skip_pending_for_tokens(unregistered, now=now)
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
                updates.append((delivery["_id"], _final("skipped", "NOTIFICATION_GONE", None, now)))
            elif _changed_hands(delivery, owners):
                # Since the fan-out the phone was signed out, taken over by another user or
                # unregistered: the previous user's notification must not reach it.
                updates.append((delivery["_id"], _final("skipped", "DEVICE_CHANGED", None, now)))
            elif delivery.get("attempts", 1) > self.config.max_attempts:
                # Claimed again and again by workers that died before recording a result.
                updates.append((delivery["_id"], _final("dead", "LEASE_EXPIRED", None, now)))
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


class _SentRecorder:
    """Writes successes while a batch is still being sent, a few at a time in the background.

    Answers are gathered for a moment: single-document writes cost SecantusDB about twice as much
    per delivery as writes of 25 to 100 (``DeliveryRepository.mark`` slices larger ones).
    """

    GATHER_SECONDS = 0.02

    def __init__(
        self,
        deliveries: DeliveryRepository,
        claim: str,
        state: str,
        batch: list[DeliveryDocument],
        config: WorkerConfig,
    ) -> None:
        self.clock = config.clock
        self.deliveries = deliveries
        self.claim = claim
        self.state = state
        self.ids = {d["_id"] for d in batch}
        self.buffer: list[str] = []
        self.recorded: set[str] = set()
        self.ready = asyncio.Event()
        self.closing = False
        self.task = asyncio.create_task(self._flush_loop())

    def sent(self, nid: str, token: str) -> None:
        # One batch may hold two notifications for one token (retries): the key is the pair.
        delivery_id = f"{nid}:{token}"
        if delivery_id in self.ids:
            self.buffer.append(delivery_id)
            self.ready.set()

    async def _flush_loop(self) -> None:
        while not self.closing or self.buffer:
            await self.ready.wait()
            if not self.closing:
                await asyncio.sleep(self.GATHER_SECONDS)
            self.ready.clear()
            ids, self.buffer = self.buffer, []
            await self.deliveries.mark(
                ids, worker_claim=self.claim, state=self.state, now=self.clock()
            )
            self.recorded.update(ids)

    async def close(self) -> None:
        self.closing = True
        self.ready.set()
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
