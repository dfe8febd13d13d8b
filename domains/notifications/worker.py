"""The delivery worker: fans the outbox out to devices and inboxes, then pushes with leases.

Several workers may run at once. Each notification is fanned out under a lease (a crashed
worker's fan-out is resumed by another after the lease), into one delivery per (notification,
token) whose key makes re-runs harmless. The fan-out stores each batch of at most 500 already
claimed by its own worker and sends it at once; retries and the batches of workers that died are
claimed by any worker in batches of at most 500 with a conditional update and a lease. A result is
recorded per token. A delivery whose worker died is claimed again when its lease ends, so every
message goes out at least once.
"""

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from firebase_admin import messaging
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.auth import Principal, Role
from domains.kernel.clock import utcnow
from domains.kernel.i18n import pick
from domains.notifications.models import (
    DeliveryDocument,
    DeviceDocument,
    InboxDocument,
    NotificationDocument,
)
from domains.notifications.push import FCM_BATCH_LIMIT, Outcome, Sender
from domains.notifications.repository import (
    DeliveryRepository,
    DeviceRepository,
    InboxRepository,
    NotificationRepository,
    PreferenceRepository,
    SubscriptionRepository,
)

logger = logging.getLogger("xuthanh.notifications.worker")

Database = AsyncDatabase[dict[str, Any]]
REPOSITORIES = (
    DeliveryRepository,
    DeviceRepository,
    InboxRepository,
    NotificationRepository,
    PreferenceRepository,
    SubscriptionRepository,
)
# Fan-out of role audiences asks the accounts service for staff lists as this principal.
FANOUT_PRINCIPAL = Principal(uid="system:notifications", roles=frozenset({Role.ADMIN}))
# A fresh batch that waited longer than this for the wire has its devices looked at again.
DEVICE_RECHECK_AFTER = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    batch_size: int = FCM_BATCH_LIMIT
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds before the first retry (before jitter)
    backoff_cap: float = 900.0
    idle_poll: float = 0.5  # how often idle delivery lanes look for retries that came due
    # How often an idle worker looks for new notifications: the delay before a push leaves.
    fanout_poll: float = 0.2
    concurrency: int = 3  # batches being worked on at once (stored, sent, recorded)
    # Batches on the wire at once. While one batch is sent, the others are stored or recorded.
    # More than one rarely pays: send_each_async already sends a batch's 500 requests at once,
    # and httpx's connection pool costs CPU growing with the square of requests in flight
    # (1,000 in flight: 60% more worker CPU per message than 500, bench/notifications.py).
    batches_on_the_wire: int = 1
    fanout_chunk: int = FCM_BATCH_LIMIT  # recipients per fan-out step (one batch each)
    # Notifications fanned out at once: with two, a booking confirmation or a waitlist offer
    # does not wait for a large broadcast to finish (it takes the next free batch slot).
    fanout_lanes: int = 2
    # Fan-out hands each new batch straight to this worker's sending, already claimed: one
    # write per message saved, and the first messages leave while the rest are still being
    # fanned out. Off, every batch goes through the shared claim (any worker may take it).
    direct_send: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= FCM_BATCH_LIMIT:
            raise ValueError(f"batch size must be 1..{FCM_BATCH_LIMIT}")
        if self.max_attempts < 1:
            raise ValueError("max attempts must be at least 1")
        if not 1 <= self.batches_on_the_wire <= self.concurrency:
            raise ValueError("batches on the wire must be 1..concurrency")
        if self.fanout_lanes < 1:
            raise ValueError("fan-out lanes must be at least 1")


def backoff_delay(config: WorkerConfig, attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter (half fixed, half random), never sooner than Retry-After."""
    ceiling = min(config.backoff_cap, config.backoff_base * 2 ** max(0, attempts - 1))
    delay: float = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter only
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


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


class Worker:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        config: WorkerConfig | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.config = config or WorkerConfig()
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"
        self.notifications = NotificationRepository(db)
        self.deliveries = DeliveryRepository(db)
        self.devices = DeviceRepository(db)
        self.subscriptions = SubscriptionRepository(db)
        self.inbox = InboxRepository(db)
        self.preferences = PreferenceRepository(db)
        self._wake = asyncio.Event()
        # Batches being sent by this worker, from fan-out or from the claim, at most this many.
        self._sending = asyncio.Semaphore(self.config.concurrency)
        self._on_the_wire = asyncio.Semaphore(self.config.batches_on_the_wire)
        self._stopping = asyncio.Event()

    # -- running -------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; failures of one round are logged and the round retried."""
        logger.info(
            "notification worker started",
            extra={"worker": self.name, "channel": self.sender.channel},
        )
        self._stopping = stop
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
            for lane in lanes:
                lane.cancel()
        logger.info("notification worker stopped", extra={"worker": self.name})

    async def _loop(self, stop: asyncio.Event, step: Any, poll: float) -> None:
        while not stop.is_set():
            try:
                did_work = await step()
            except Exception:
                logger.exception("notification worker round failed", extra={"worker": self.name})
                did_work = False
            if did_work:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=poll, return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()

    async def drain(self) -> None:
        """Do everything that is due now, then return (tests and one-shot runs)."""
        while await self.fan_out_next() or await self.deliver_batch():
            pass

    # -- fan-out -------------------------------------------------------------------------------

    async def fan_out_next(self) -> bool:
        """Fan out one due notification; False when none is due."""
        now = utcnow()
        owner = self._new_claim()
        notification = await self.notifications.claim_for_fanout(
            now=now, lease=self.config.lease, owner=owner
        )
        if notification is None:
            return False
        await self._fan_out(notification, owner)
        return True

    async def _fan_out(self, notification: NotificationDocument, owner: str) -> None:
        nid = notification["_id"]
        audience = notification["audience"]
        staff: list[str] | None = None
        if "role" in audience and audience["role"] != Role.CITIZEN.value:
            staff = await self._users_with_role(audience["role"])
        chunks = self._chunks(audience, notification.get("fanoutAfter"), staff, utcnow())
        sends: list[asyncio.Task[None]] = []
        still_ours, done = True, True
        try:
            async for devices, users, after in chunks:
                now = utcnow()
                inboxed = 0
                if notification.get("inbox", True):
                    inboxed = await self.inbox.add(_inbox_entries(notification, users, now))
                added = 0
                size = self.config.batch_size
                for start in range(0, len(devices), size):
                    added += await self._add_deliveries(nid, devices[start : start + size], sends)
                stopping = self._stopping.is_set()
                # Stopping: the position is saved and the lease given up, so another worker
                # resumes at once rather than when the lease would have ended.
                lease = timedelta(0) if stopping else self.config.lease
                still_ours = await self.notifications.record_fanout_progress(
                    nid,
                    after=after,
                    recipients=added,
                    inbox_entries=inboxed,
                    lease_until=utcnow() + lease,
                    owner=owner,
                )
                if not still_ours or stopping:
                    done = False
                    break
            if still_ours and done:
                await self.notifications.finish_fanout(nid, now=utcnow(), owner=owner)
                logger.info("notification fanned out", extra={"notification": str(nid)})
        finally:
            await chunks.aclose()
            # Returns once its batches are answered: drain() then means "all sent", and a
            # stopping worker does not abandon batches it holds.
            await asyncio.gather(*sends, return_exceptions=True)

    async def _add_deliveries(
        self, nid: ObjectId, devices: list[DeviceDocument], sends: list[asyncio.Task[None]]
    ) -> int:
        """Store one batch of deliveries; with direct send, claimed by this worker and sent."""
        if not self.config.direct_send:
            added = await self.deliveries.add(_deliveries(nid, devices, utcnow()))
            if added:
                self._wake.set()
            return len(added)
        await self._sending.acquire()  # a free slot first, so batches wait here, not claimed
        try:
            claim = self._new_claim()
            claimed_at = utcnow()
            added = await self.deliveries.add(
                _deliveries(nid, devices, claimed_at, claim=claim, lease=self.config.lease)
            )
        except BaseException:
            self._sending.release()
            raise
        if not added:
            self._sending.release()
            return 0
        sends.append(asyncio.create_task(self._send_fresh(claim, added, claimed_at)))
        return len(added)

    async def _send_fresh(
        self, claim: str, batch: list[DeliveryDocument], claimed_at: datetime
    ) -> None:
        try:
            # The devices were read for this batch a moment ago: looked at again only if the
            # batch waited long for the wire.
            await self._send(claim, batch, claimed_at=claimed_at, fresh=True)
        except Exception:
            # The claim's lease runs out and any worker sends the batch again.
            logger.exception("direct push batch failed", extra={"worker": self.name})
        finally:
            self._sending.release()

    async def _chunks(
        self, audience: dict[str, Any], after: Any, staff: list[str] | None, now: datetime
    ) -> AsyncGenerator[tuple[list[DeviceDocument], list[str], Any]]:
        """The audience a chunk at a time from ``after``: its devices, the users to get an
        inbox entry, and the position after it."""
        size = self.config.fanout_chunk
        if "userIds" in audience or staff is not None:
            everyone: list[str] = audience.get("userIds") or staff or []
            position = int(after or 0)
            while position < len(everyone):
                users = everyone[position : position + size]
                position += len(users)
                yield await self.devices.live_devices_of_users(users, now=now), users, position
            return
        if "topic" in audience:
            subscribers = self.subscriptions.subscribers_after(
                audience["topic"], after, batch_size=size
            )
            try:
                while subscriptions := await subscribers.to_list(size):
                    users = [str(s["userId"]) for s in subscriptions if s.get("userId")]
                    tokens = [str(s["token"]) for s in subscriptions if s.get("token")]
                    devices: list[DeviceDocument] = []
                    if users:
                        devices += await self.devices.live_devices_of_users(users, now=now)
                    if tokens:
                        devices += await self.devices.live_devices(tokens, now=now)
                    yield devices, users, subscriptions[-1]["_id"]
            finally:
                await subscribers.close()
            return
        # Every signed-in citizen with a device (Firebase Auth, not us, holds the user list).
        signed_in = self.devices.signed_in_after(after, now=now, batch_size=size)
        try:
            while devices := await signed_in.to_list(size):
                users = [str(device["userId"]) for device in devices if device.get("userId")]
                yield devices, users, devices[-1]["_id"]
        finally:
            await signed_in.close()

    async def _users_with_role(self, role: str) -> list[str]:
        from domains.accounts.service import list_grants

        uids: list[str] = []
        after: str | None = None
        while True:
            page = await list_grants(
                db=self.db, principal=FANOUT_PRINCIPAL, role=Role(role), first=100, after=after
            )
            uids += [grant["_id"] for grant in page.items]
            if not page.has_next_page:
                return uids
            after = page.cursors[-1]

    # -- delivery ------------------------------------------------------------------------------

    def _new_claim(self) -> str:
        return f"{self.name}:{uuid.uuid4().hex}"

    async def deliver_batch(self) -> bool:
        """Claim and push one batch of due deliveries; False when nothing is due."""
        if self._sending.locked():
            # Every batch this worker may work on is taken (a fan-out sending): queueing here
            # would only slip a claim query in before the fan-out's next batch.
            return False
        async with self._sending:
            claim = self._new_claim()
            claimed_at = utcnow()
            batch = await self.deliveries.claim(
                worker_claim=claim,
                now=claimed_at,
                lease=self.config.lease,
                limit=self.config.batch_size,
            )
            if not batch:
                return False
            await self._send(claim, batch, claimed_at=claimed_at, fresh=False)
            return True

    async def _send(
        self, claim: str, batch: list[DeliveryDocument], *, claimed_at: datetime, fresh: bool
    ) -> None:
        """Push a claimed batch and record each token's outcome. ``fresh``: just fanned out,
        from device documents read a moment before ``claimed_at``."""
        texts = await self.notifications.get_texts(list({d["n"] for d in batch}))
        recorder: _SentRecorder | None = None
        try:
            async with self._on_the_wire:
                now = utcnow()
                waited = now - claimed_at
                if waited > self.config.lease / 3:
                    # Queued behind slow batches: renew the claim before sending, so the send
                    # (its requests time out within a third of the lease) ends inside it.
                    await self.deliveries.extend_claim(claim, until=now + self.config.lease)
                owners: dict[str, str | None] = {d["token"]: d.get("userId") for d in batch}
                if not fresh or waited > DEVICE_RECHECK_AFTER:
                    devices = await self.devices.live_devices(list(owners), now=now)
                    owners = {device["_id"]: device.get("userId") for device in devices}
                sendable, updates = self._sendable(batch, texts, owners, now)
                messages = await self._render(sendable, texts)
                recorder = _SentRecorder(
                    self.deliveries, claim, self.sender.success_state, sendable
                )
                outcomes = await self.sender.send(messages, on_sent=recorder.sent)
        finally:
            if recorder is not None:
                await recorder.close()
        now = utcnow()
        succeeded: list[str] = []
        unrecorded: list[str] = []  # successes not written yet (e.g. the development sink's)
        unregistered: list[str] = []
        for delivery, outcome in zip(sendable, outcomes, strict=True):
            if outcome.ok:
                succeeded.append(delivery["_id"])
                if delivery["_id"] not in recorder.recorded:
                    unrecorded.append(delivery["_id"])
                continue
            updates.append((delivery["_id"], self._failure(delivery, outcome, now)))
            if outcome.unregistered:
                unregistered.append(delivery["token"])
        await self.deliveries.mark(
            unrecorded, worker_claim=claim, state=self.sender.success_state, now=now
        )
        await self.deliveries.record(updates, claim=claim)
        if unregistered:
            # Only tokens FCM reports unregistered are removed; other errors keep the device.
            await self.devices.delete_many(unregistered)
            await self.subscriptions.remove_for_tokens(unregistered)
            await self.deliveries.skip_pending_for_tokens(unregistered, now=now)
        logger.info(
            "push batch done",
            extra={
                "worker": self.name,
                "channel": self.sender.channel,
                "sent": len(succeeded),
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
    ) -> tuple[list[DeliveryDocument], list[tuple[str, dict[str, Any]]]]:
        """The deliveries to send, and the final results of those not to send."""
        sendable: list[DeliveryDocument] = []
        updates: list[tuple[str, dict[str, Any]]] = []
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
        showing_place = await self.preferences.showing_place(readers) if readers else set()
        return [
            render(texts[d["n"]], d, detailed=d.get("userId") in showing_place) for d in sendable
        ]

    def _failure(self, delivery: DeliveryDocument, outcome: Outcome, now: Any) -> dict[str, Any]:
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
        self, deliveries: DeliveryRepository, claim: str, state: str, batch: list[DeliveryDocument]
    ) -> None:
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
            await self.deliveries.mark(ids, worker_claim=self.claim, state=self.state, now=utcnow())
            self.recorded.update(ids)

    async def close(self) -> None:
        self.closing = True
        self.ready.set()
        await self.task


def _deliveries(
    nid: ObjectId,
    devices: list[DeviceDocument],
    now: datetime,
    *,
    claim: str | None = None,
    lease: timedelta = timedelta(0),
) -> list[DeliveryDocument]:
    """One pending delivery per device; with ``claim``, already claimed (attempt 1) until the
    lease ends, exactly as the shared claim would leave it."""
    deliveries: list[DeliveryDocument] = []
    for device in devices:
        delivery: DeliveryDocument = {
            "_id": f"{nid}:{device['_id']}",
            "n": nid,
            "token": device["_id"],
            "userId": device.get("userId"),
            "locale": device.get("locale", "vi"),
            "platform": device.get("platform", "android"),
            "state": "pending",
            "attempts": 0,
            "dueAt": now,
            "createdAt": now,
        }
        if claim is not None:
            delivery["claim"] = claim
            delivery["attempts"] = 1
            delivery["dueAt"] = now + lease
            delivery["lastAttemptAt"] = now
        deliveries.append(delivery)
    return deliveries


def _inbox_entries(
    notification: NotificationDocument, users: list[str], now: datetime
) -> list[InboxDocument]:
    nid = notification["_id"]
    # The inbox is read inside the signed-in app: it shows the detailed text where there is one.
    texts = notification.get("detailed") or notification
    return [
        {
            "_id": f"{nid}:{uid}",
            "userId": uid,
            "n": nid,
            "category": notification["category"],
            "title": texts["title"],
            "body": texts["body"],
            "data": notification.get("data", {}),
            "createdAt": notification.get("sendAt", now),
            "readAt": None,
        }
        for uid in dict.fromkeys(users)
    ]


def _changed_hands(delivery: DeliveryDocument, owners: dict[str, str | None]) -> bool:
    """True when the delivery's device is gone or no longer belongs to the delivery's user."""
    token = delivery["token"]
    if token not in owners:
        return True
    user = delivery.get("userId")
    return user is not None and owners[token] != user


def _final(state: str, code: str | None, message: str | None, now: Any) -> dict[str, Any]:
    return {"state": state, "errorCode": code, "errorMessage": message, "doneAt": now}


async def run_until_stopped(
    db: Database, sender: Sender, config: WorkerConfig, stop: asyncio.Event
) -> None:
    """Run one worker until ``stop``; closes the sender on this loop."""
    try:
        await Worker(db, sender, config).run(stop)
    finally:
        await sender.close()
