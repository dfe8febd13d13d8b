"""Who each device of a batch belongs to when the batch goes on the wire: a phone signed out,
taken over by another user or unregistered since the fan-out must not get the push
(``DEVICE_CHANGED``, domains/notifications/delivery.py)."""

from datetime import datetime

from domains.notifications.config import CHANGED_DEVICES_READ, DEVICE_CLOCK_SKEW
from domains.notifications.repository import DEVICE_REMOVALS_KEPT, DeviceRepository


async def owners_now(
    devices: DeviceRepository, tokens: list[str], now: datetime
) -> dict[str, str | None]:
    """Each token's user as stored now (absent: the device is gone or stale)."""
    found = await devices.live_devices(tokens, now=now)
    return {device["_id"]: device.get("userId") for device in found}


async def owners_since(
    devices: DeviceRepository, owners: dict[str, str | None], read_at: datetime, now: datetime
) -> dict[str, str | None]:
    """``owners`` as read at ``read_at`` (the worker's clock), brought up to date: only the
    tokens registered again or removed since then are looked up. A batch that waited for the
    wire on a busy worker looked all its 500 tokens up by ``_id`` (0.3-0.7 s in SecantusDB);
    the changes since are usually none. Past ``CHANGED_DEVICES_READ`` changes, or once the
    removals are no longer all kept, every token is looked up."""
    since = read_at - DEVICE_CLOCK_SKEW  # changes are dated by the database's clock
    if now - since >= DEVICE_REMOVALS_KEPT:
        return await owners_now(devices, list(owners), now)
    changed = await devices.changed_since(since, limit=CHANGED_DEVICES_READ + 1)
    removed = await devices.removals.since(since, limit=CHANGED_DEVICES_READ + 1)
    if max(len(changed), len(removed)) > CHANGED_DEVICES_READ:
        return await owners_now(devices, list(owners), now)
    asked = [token for token in dict.fromkeys([*changed, *removed]) if token in owners]
    if not asked:
        return owners
    unchanged = {token: user for token, user in owners.items() if token not in asked}
    return unchanged | await owners_now(devices, asked, now)
