"""Rules of the notifications domain for its users: devices, topics, the inbox and preferences
(staff broadcasts: ``broadcasts``)."""

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from domains.kernel.auth import require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import AppCheckFailed, InvalidInput, NotAuthenticated
from domains.kernel.pagination import Page
from domains.kernel.rate_limit import Limit, address_key
from domains.notifications import outbox
from domains.notifications.models import DeviceDocument, InboxDocument, SubscriptionDocument
from domains.notifications.ports import APP_CHECK
from domains.notifications.repository import LOCK_SCREEN_MINIMAL, LOCK_SCREEN_PLACE
from domains.notifications.store import NotificationsStore

PLATFORMS = ("android", "ios", "web")
LOCALES = ("vi", "en")
# Topics anyone may follow. Health topics are not among them: whom a hospital notifies is private.
# No ``district``: districts ended on 1 July 2025; their followers were moved to the wards and
# communes (``commune``) by the environment domain's start-up step, and old apps asking for a
# district topic are told what to use instead (``outbox.DISTRICTS_ENDED``).
PUBLIC_TOPIC_KINDS = frozenset({"event", "place", "school", "commune", "province", "procedure"})
TOKEN_PATTERN = re.compile(r"^[\x21-\x7e]{16,4096}$")
APP_VERSION_PATTERN = re.compile(r"^[0-9A-Za-z.+_-]{1,32}$")
LOCK_SCREEN_CHOICES = (LOCK_SCREEN_MINIMAL, LOCK_SCREEN_PLACE)
# Abuse limits (docs/security.md): an app registers on start and when FCM rotates its token, a
# few times a day; a script registering fake tokens is stopped here. Many phones share an
# address behind a carrier's NAT, so the per-address limit (signed out) is the looser one.
REGISTRATIONS_PER_USER = Limit("device registrations", 20, timedelta(hours=1))
REGISTRATIONS_PER_ADDRESS = Limit("device registrations from this address", 200, timedelta(hours=1))
# A user's newest devices receive their pushes; registering one more drops the oldest.
MAX_DEVICES_PER_USER = 10


def check_token(token: str) -> str:
    token = token.strip()
    if not TOKEN_PATTERN.match(token):
        raise InvalidInput(
            "`token` must be the FCM registration token the app received: 16 to 4096 printable "
            "characters without spaces.",
            field="token",
        )
    return token


# -- devices ------------------------------------------------------------------------------------


async def register_device(
    *,
    caller: Caller[NotificationsStore],
    token: str,
    platform: str,
    locale: str,
    app_version: str,
    client_ip: str | None = None,
    app_check_token: str | None = None,
    now: datetime | None = None,
) -> DeviceDocument:
    """Register or refresh a device; it belongs to the signed-in caller, or to nobody.
    Registrations are limited per user (or per address when signed out), and a user keeps
    their newest ``MAX_DEVICES_PER_USER`` devices."""
    token = check_token(token)
    if platform not in PLATFORMS:
        raise InvalidInput(f"`platform` must be one of {PLATFORMS}.", field="platform")
    if locale not in LOCALES:
        raise InvalidInput(f"`locale` must be one of {LOCALES}.", field="locale")
    app_version = app_version.strip()
    if not APP_VERSION_PATTERN.match(app_version):
        raise InvalidInput(
            "`appVersion` must be 1 to 32 letters, digits or . + _ - (e.g. 2.4.1).",
            field="appVersion",
        )
    app_check = caller.store.resources.find(APP_CHECK)
    if app_check is not None and not (app_check_token and await app_check.verify(app_check_token)):
        raise AppCheckFailed()
    now = now or utcnow()
    uid = caller.principal.uid
    if uid is not None:
        await caller.store.rate_windows.take(REGISTRATIONS_PER_USER, uid, now=now)
    else:
        key = address_key(client_ip)
        await caller.store.rate_windows.take(REGISTRATIONS_PER_ADDRESS, key, now=now)
    # Registering while signed out detaches the token from its previous user: the next person
    # using the phone must not receive that user's notifications.
    device = await caller.store.devices.upsert(
        token=token,
        user_id=uid,
        platform=platform,
        locale=locale,
        app_version=app_version,
        now=now,
    )
    if uid is not None:
        dropped = await caller.store.devices.beyond_newest(uid, MAX_DEVICES_PER_USER)
        await caller.store.subscriptions.remove_for_tokens(dropped)
        await caller.store.devices.delete_many(dropped)
    return device


async def unregister_device(*, caller: Caller[NotificationsStore], token: str) -> bool:
    """Forget a device (sign-out, uninstall). Only its owner, or anyone for an anonymous one."""
    device = await caller.store.devices.get_device(token.strip())
    if device is None or device.get("userId") not in (None, caller.principal.uid):
        return False
    await caller.store.subscriptions.remove_for_tokens([device["_id"]])
    return await caller.store.devices.delete(device["_id"])


# -- topics -------------------------------------------------------------------------------------


def check_public_topic(topic: str) -> str:
    outbox.check_topic(topic)
    kind = outbox.topic_kind(topic)
    if kind == "district":
        raise InvalidInput(outbox.DISTRICTS_ENDED, field="topic")
    if kind not in PUBLIC_TOPIC_KINDS:
        raise InvalidInput(
            f"`{kind}` topics cannot be followed; public kinds are "
            f"{', '.join(sorted(PUBLIC_TOPIC_KINDS))}.",
            field="topic",
        )
    return topic


async def _subscriber(
    caller: Caller[NotificationsStore], device_token: str | None
) -> tuple[str | None, str | None]:
    """(user id, None) for a signed-in caller; (None, token) for an anonymous installation."""
    if caller.principal.uid is not None:
        return caller.principal.uid, None
    if not device_token:
        raise NotAuthenticated("Sign in, or pass `deviceToken` of this anonymous installation.")
    device = await caller.store.devices.get_device(device_token.strip())
    if device is None or device.get("userId") is not None:
        raise InvalidInput(
            "`deviceToken` is not a registered anonymous device: call registerDevice first.",
            field="deviceToken",
        )
    return None, device["_id"]


async def subscribe(
    *,
    caller: Caller[NotificationsStore],
    topic: str,
    device_token: str | None = None,
) -> SubscriptionDocument:
    """Follow a public topic (idempotent)."""
    topic = check_public_topic(topic.strip())
    user_id, token = await _subscriber(caller, device_token)
    return await caller.store.subscriptions.add(
        topic=topic, user_id=user_id, token=token, now=utcnow()
    )


async def move_topic_followers(
    *, store: NotificationsStore, topic: str, to: Sequence[str], batch: int = 500
) -> int:
    """Move every follower of ``topic`` to the topics ``to`` (a migration; idempotent)."""
    targets = [check_public_topic(name) for name in to]
    moved = 0
    while count := await store.subscriptions.move_topic(
        topic=topic, to=targets, now=utcnow(), batch=batch
    ):
        moved += count
    return moved


async def unsubscribe(
    *,
    caller: Caller[NotificationsStore],
    topic: str,
    device_token: str | None = None,
) -> bool:
    """Stop following a topic; False when not subscribed."""
    user_id, token = await _subscriber(caller, device_token)
    return await caller.store.subscriptions.remove(
        topic=topic.strip(), user_id=user_id, token=token
    )


async def list_subscriptions(
    *,
    caller: Caller[NotificationsStore],
    device_token: str | None,
    first: int | None,
    after: str | None,
) -> Page[SubscriptionDocument]:
    """The caller's topics."""
    user_id, token = await _subscriber(caller, device_token)
    return await caller.store.subscriptions.page(
        user_id=user_id, token=token, first=first, after=after
    )


# -- inbox --------------------------------------------------------------------------------------


async def list_inbox(
    *,
    caller: Caller[NotificationsStore],
    unread_only: bool,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
) -> Page[InboxDocument]:
    """The caller's notifications, newest first (anonymous devices have push only)."""
    uid = require_user(caller.principal)
    return await caller.store.inbox.page(
        user_id=uid, unread_only=unread_only, first=first, after=after, now=now or utcnow()
    )


async def get_inbox_notification(
    *, caller: Caller[NotificationsStore], notification_id: str
) -> InboxDocument | None:
    """One of the caller's own notifications (as `notifications` lists them); None otherwise."""
    uid = caller.principal.uid
    if uid is None or not notification_id or len(notification_id) > 200:
        return None
    return await caller.store.inbox.find_own(notification_id, uid)


async def unread_count(*, caller: Caller[NotificationsStore]) -> int:
    return await caller.store.inbox.unread_count(require_user(caller.principal))


async def mark_read(
    *, caller: Caller[NotificationsStore], ids: Sequence[str] | None
) -> tuple[int, int]:
    """Mark some (or all, ``ids`` None) of the caller's notifications read: (updated, unread)."""
    uid = require_user(caller.principal)
    if ids is not None and len(ids) > 500:
        raise InvalidInput("Mark at most 500 notifications at once, or all of them.", field="ids")
    updated = await caller.store.inbox.mark_read(user_id=uid, ids=ids, now=utcnow())
    return updated, await caller.store.inbox.unread_count(uid)


# -- preferences --------------------------------------------------------------------------------


async def lock_screen_detail(*, caller: Caller[NotificationsStore]) -> str:
    """How much the caller's lock screen shows: ``minimal`` (the default) or ``place``."""
    return await caller.store.preferences.lock_screen(require_user(caller.principal))


async def set_lock_screen_detail(*, caller: Caller[NotificationsStore], value: str) -> str:
    """Choose what push notifications show on the caller's lock screen (all their devices)."""
    uid = require_user(caller.principal)
    if value not in LOCK_SCREEN_CHOICES:
        raise InvalidInput(
            f"Lock-screen detail must be one of {list(LOCK_SCREEN_CHOICES)}; got {value!r}."
        )
    await caller.store.preferences.set_lock_screen(uid, value, now=utcnow())
    return value
