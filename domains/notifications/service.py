"""Rules of the notifications domain for its users: devices, topics, the inbox and preferences
(staff broadcasts: ``broadcasts``)."""

import re
from collections.abc import Sequence
from datetime import datetime

from domains.kernel.auth import Principal, require_user
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput, NotAuthenticated
from domains.kernel.pagination import Page
from domains.notifications import outbox
from domains.notifications.models import DeviceDocument, InboxDocument, SubscriptionDocument
from domains.notifications.repository import LOCK_SCREEN_MINIMAL, LOCK_SCREEN_PLACE
from domains.notifications.store import NotificationsStore

PLATFORMS = ("android", "ios", "web")
LOCALES = ("vi", "en")
# Topics anyone may follow. Health topics are not among them: whom a hospital notifies is private.
PUBLIC_TOPIC_KINDS = frozenset({"event", "place", "school", "district", "province", "procedure"})
TOKEN_PATTERN = re.compile(r"^[\x21-\x7e]{16,4096}$")
APP_VERSION_PATTERN = re.compile(r"^[0-9A-Za-z.+_-]{1,32}$")
LOCK_SCREEN_CHOICES = (LOCK_SCREEN_MINIMAL, LOCK_SCREEN_PLACE)


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
    store: NotificationsStore,
    principal: Principal,
    token: str,
    platform: str,
    locale: str,
    app_version: str,
    now: datetime | None = None,
) -> DeviceDocument:
    """Register or refresh a device; it belongs to the signed-in caller, or to nobody."""
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
    # Registering while signed out detaches the token from its previous user: the next person
    # using the phone must not receive that user's notifications.
    return await store.devices.upsert(
        token=token,
        user_id=principal.uid,
        platform=platform,
        locale=locale,
        app_version=app_version,
        now=now or utcnow(),
    )


async def unregister_device(*, store: NotificationsStore, principal: Principal, token: str) -> bool:
    """Forget a device (sign-out, uninstall). Only its owner, or anyone for an anonymous one."""
    device = await store.devices.get_device(token.strip())
    if device is None or device.get("userId") not in (None, principal.uid):
        return False
    await store.subscriptions.remove_for_tokens([device["_id"]])
    return await store.devices.delete(device["_id"])


# -- topics -------------------------------------------------------------------------------------


def check_public_topic(topic: str) -> str:
    outbox.check_topic(topic)
    kind = outbox.topic_kind(topic)
    if kind not in PUBLIC_TOPIC_KINDS:
        raise InvalidInput(
            f"`{kind}` topics cannot be followed; public kinds are "
            f"{', '.join(sorted(PUBLIC_TOPIC_KINDS))}.",
            field="topic",
        )
    return topic


async def _subscriber(
    store: NotificationsStore, principal: Principal, device_token: str | None
) -> tuple[str | None, str | None]:
    """(user id, None) for a signed-in caller; (None, token) for an anonymous installation."""
    if principal.uid is not None:
        return principal.uid, None
    if not device_token:
        raise NotAuthenticated("Sign in, or pass `deviceToken` of this anonymous installation.")
    device = await store.devices.get_device(device_token.strip())
    if device is None or device.get("userId") is not None:
        raise InvalidInput(
            "`deviceToken` is not a registered anonymous device: call registerDevice first.",
            field="deviceToken",
        )
    return None, device["_id"]


async def subscribe(
    *,
    store: NotificationsStore,
    principal: Principal,
    topic: str,
    device_token: str | None = None,
) -> SubscriptionDocument:
    """Follow a public topic (idempotent)."""
    topic = check_public_topic(topic.strip())
    user_id, token = await _subscriber(store, principal, device_token)
    return await store.subscriptions.add(topic=topic, user_id=user_id, token=token, now=utcnow())


async def unsubscribe(
    *,
    store: NotificationsStore,
    principal: Principal,
    topic: str,
    device_token: str | None = None,
) -> bool:
    """Stop following a topic; False when not subscribed."""
    user_id, token = await _subscriber(store, principal, device_token)
    return await store.subscriptions.remove(topic=topic.strip(), user_id=user_id, token=token)


async def list_subscriptions(
    *,
    store: NotificationsStore,
    principal: Principal,
    device_token: str | None,
    first: int | None,
    after: str | None,
) -> Page[SubscriptionDocument]:
    """The caller's topics."""
    user_id, token = await _subscriber(store, principal, device_token)
    return await store.subscriptions.page(user_id=user_id, token=token, first=first, after=after)


# -- inbox --------------------------------------------------------------------------------------


async def list_inbox(
    *,
    store: NotificationsStore,
    principal: Principal,
    unread_only: bool,
    first: int | None,
    after: str | None,
) -> Page[InboxDocument]:
    """The caller's notifications, newest first (anonymous devices have push only)."""
    uid = require_user(principal)
    return await store.inbox.page(user_id=uid, unread_only=unread_only, first=first, after=after)


async def unread_count(*, store: NotificationsStore, principal: Principal) -> int:
    return await store.inbox.unread_count(require_user(principal))


async def mark_read(
    *, store: NotificationsStore, principal: Principal, ids: Sequence[str] | None
) -> tuple[int, int]:
    """Mark some (or all, ``ids`` None) of the caller's notifications read: (updated, unread)."""
    uid = require_user(principal)
    if ids is not None and len(ids) > 500:
        raise InvalidInput("Mark at most 500 notifications at once, or all of them.", field="ids")
    updated = await store.inbox.mark_read(user_id=uid, ids=ids, now=utcnow())
    return updated, await store.inbox.unread_count(uid)


# -- preferences --------------------------------------------------------------------------------


async def lock_screen_detail(*, store: NotificationsStore, principal: Principal) -> str:
    """How much the caller's lock screen shows: ``minimal`` (the default) or ``place``."""
    return await store.preferences.lock_screen(require_user(principal))


async def set_lock_screen_detail(
    *, store: NotificationsStore, principal: Principal, value: str
) -> str:
    """Choose what push notifications show on the caller's lock screen (all their devices)."""
    uid = require_user(principal)
    if value not in LOCK_SCREEN_CHOICES:
        raise InvalidInput(
            f"Lock-screen detail must be one of {list(LOCK_SCREEN_CHOICES)}; got {value!r}."
        )
    await store.preferences.set_lock_screen(uid, value, now=utcnow())
    return value
