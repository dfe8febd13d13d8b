"""Fan-out: a notification's audience read a chunk at a time, and the deliveries and inbox entries
each chunk becomes."""

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from domains.kernel.auth import Role
from domains.notifications.models import (
    DeliveryDocument,
    DeviceDocument,
    InboxDocument,
    NotificationDocument,
)
from domains.notifications.ports import ROLE_DIRECTORY
from domains.notifications.repository import DEVICE_BUCKETS, signed_in_and_live
from domains.notifications.store import NotificationsStore

# One step of a fan-out: the devices to send to, the users to get an inbox entry, and the
# position after them (saved, so a resumed fan-out starts there).
Chunk = tuple[list[DeviceDocument], list[str], Any]


async def read_audience(
    store: NotificationsStore,
    audience: dict[str, Any],
    after: Any,
    *,
    size: int,
    now: datetime,
    first: int | None = None,
) -> AsyncGenerator[Chunk]:
    """The audience ``size`` recipients at a time from ``after`` (the first chunk ``first``, so
    the first pushes leave before the rest is read). A role's holders are asked of the role
    directory (accounts) here, once per fan-out."""
    sizes = _Sizes(first or size, size)
    if "role" in audience and audience["role"] != Role.CITIZEN.value:
        holders = await store.resources.get(ROLE_DIRECTORY).uids_with_role(audience["role"])
        return _users(store, holders, after, sizes, now)
    if "userIds" in audience:
        return _users(store, audience["userIds"], after, sizes, now)
    if "topic" in audience:
        signed_in = bool(audience.get("signedInOnly"))
        return _subscribers(store, audience["topic"], after, sizes, now, signed_in_only=signed_in)
    # Every signed-in citizen with a device (Firebase Auth, not us, holds the user list).
    return _signed_in(store, after, sizes, now)


def each_device_once(audience: dict[str, Any]) -> bool:
    """True when ``read_audience`` yields each device at most once: every signed-in citizen is
    read device by device; users' devices (a list may name a user twice) and a topic's
    followers (a device may follow by its user and by its token) may repeat."""
    if "role" in audience and audience["role"] != Role.CITIZEN.value:
        return False
    return "userIds" not in audience and "topic" not in audience


def in_legacy_bucket(position: Any) -> bool:
    """A fan-out position among the devices stored before buckets (every citizen's)."""
    return isinstance(position, list) and len(position) == 2 and position[0] is None


def any_from_before_buckets(devices: Sequence[DeviceDocument]) -> bool:
    """Whether a chunk holds a device stored before buckets (read in the bucket ``None``): one
    such device may register again into its bucket, read later in the walk. A chunk may hold
    them and the first bucketed devices, its position then in a bucket."""
    return any(device.get("bucket") is None for device in devices)


class _Sizes:
    """Chunk sizes: ``first`` once, then ``rest``."""

    def __init__(self, first: int, rest: int) -> None:
        self.cursor_batch = rest
        self._next = first
        self._rest = rest

    @property
    def current(self) -> int:
        return self._next

    def take(self) -> int:
        size, self._next = self._next, self._rest
        return size


async def _users(
    store: NotificationsStore, everyone: Sequence[str], after: Any, sizes: _Sizes, now: datetime
) -> AsyncGenerator[Chunk]:
    position = int(after or 0)
    while position < len(everyone):
        users = list(everyone[position : position + sizes.take()])
        position += len(users)
        yield await store.devices.live_devices_of_users(users, now=now), users, position


async def _subscribers(
    store: NotificationsStore,
    topic: str,
    after: Any,
    sizes: _Sizes,
    now: datetime,
    *,
    signed_in_only: bool = False,
) -> AsyncGenerator[Chunk]:
    subscribers = store.subscriptions.subscribers_after(topic, after, batch_size=sizes.cursor_batch)
    try:
        while subscriptions := await subscribers.to_list(sizes.take()):
            users = [str(s["userId"]) for s in subscriptions if s.get("userId")]
            tokens = (
                [] if signed_in_only else [str(s["token"]) for s in subscriptions if s.get("token")]
            )
            devices: list[DeviceDocument] = []
            if users:
                devices += await store.devices.live_devices_of_users(users, now=now)
            if tokens:
                devices += await store.devices.live_devices(tokens, now=now)
            yield devices, users, subscriptions[-1]["_id"]
    finally:
        await subscribers.close()


async def _signed_in(
    store: NotificationsStore, after: Any, sizes: _Sizes, now: datetime
) -> AsyncGenerator[Chunk]:
    """Every signed-in device, bucket by bucket (devices without one first), ``sizes`` at a
    time; the position is ``[bucket, token]`` of the last device of a chunk."""
    buckets: list[int | None] = [None, *range(DEVICE_BUCKETS)]
    start, token = _bucket_position(after)
    pending: list[tuple[int | None, DeviceDocument]] = []
    for bucket in buckets[buckets.index(start) :]:
        devices = store.devices.in_bucket(
            bucket, token if bucket == start else None, batch_size=sizes.cursor_batch
        )
        try:
            while batch := await devices.to_list(sizes.cursor_batch):
                pending += [(bucket, d) for d in batch if signed_in_and_live(d, now)]
                while len(pending) >= sizes.current:
                    size = sizes.take()
                    yield _signed_in_chunk(pending[:size])
                    del pending[:size]
        finally:
            await devices.close()
    if pending:
        yield _signed_in_chunk(pending)


def _bucket_position(after: Any) -> tuple[int | None, str | None]:
    """Where a resumed fan-out starts; a position saved before buckets (a bare token) starts
    over: its deliveries and inbox entries exist already and are not made twice."""
    if isinstance(after, list) and len(after) == 2:
        bucket, token = after
        if (bucket is None or bucket in range(DEVICE_BUCKETS)) and isinstance(token, str):
            return bucket, token
    return None, None


def _signed_in_chunk(pending: list[tuple[int | None, DeviceDocument]]) -> Chunk:
    devices = [device for _, device in pending]
    users = [str(device["userId"]) for device in devices if device.get("userId")]
    bucket, last = pending[-1]
    return devices, users, [bucket, last["_id"]]


def new_deliveries(
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


def inbox_entries(
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
