"""Rules of the notifications domain: devices, topics, the inbox, and staff broadcasts."""

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.auth import Principal, Role, require_user
from domains.kernel.clock import utcnow
from domains.kernel.errors import Forbidden, InvalidInput, NotAuthenticated
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.notifications import outbox
from domains.notifications.models import (
    DeliveryDocument,
    DeviceDocument,
    InboxDocument,
    NotificationDocument,
    SubscriptionDocument,
)
from domains.notifications.repository import (
    LOCK_SCREEN_MINIMAL,
    LOCK_SCREEN_PLACE,
    DeliveryRepository,
    DeviceRepository,
    InboxRepository,
    NotificationRepository,
    PreferenceRepository,
    SubscriptionRepository,
)

Database = AsyncDatabase[dict[str, Any]]

PLATFORMS = ("android", "ios", "web")
LOCALES = ("vi", "en")
# Topics anyone may follow. Health topics are not among them: whom a hospital notifies is private.
PUBLIC_TOPIC_KINDS = frozenset({"event", "place", "school", "district", "province", "procedure"})
TOKEN_PATTERN = re.compile(r"^[\x21-\x7e]{16,4096}$")
APP_VERSION_PATTERN = re.compile(r"^[0-9A-Za-z.+_-]{1,32}$")


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a staff notification is for: exactly one of these."""

    user_ids: Sequence[str] = ()
    topic: str | None = None
    role: Role | None = None
    district: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationStatusView:
    notification: NotificationDocument
    counts: dict[str, int]


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
    db: Database,
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
    return await DeviceRepository(db).upsert(
        token=token,
        user_id=principal.uid,
        platform=platform,
        locale=locale,
        app_version=app_version,
        now=now or utcnow(),
    )


async def unregister_device(*, db: Database, principal: Principal, token: str) -> bool:
    """Forget a device (sign-out, uninstall). Only its owner, or anyone for an anonymous one."""
    devices = DeviceRepository(db)
    device = await devices.get_device(token.strip())
    if device is None or device.get("userId") not in (None, principal.uid):
        return False
    await SubscriptionRepository(db).remove_for_tokens([device["_id"]])
    return await devices.delete(device["_id"])


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
    db: Database, principal: Principal, device_token: str | None
) -> tuple[str | None, str | None]:
    """(user id, None) for a signed-in caller; (None, token) for an anonymous installation."""
    if principal.uid is not None:
        return principal.uid, None
    if not device_token:
        raise NotAuthenticated("Sign in, or pass `deviceToken` of this anonymous installation.")
    device = await DeviceRepository(db).get_device(device_token.strip())
    if device is None or device.get("userId") is not None:
        raise InvalidInput(
            "`deviceToken` is not a registered anonymous device: call registerDevice first.",
            field="deviceToken",
        )
    return None, device["_id"]


async def subscribe(
    *, db: Database, principal: Principal, topic: str, device_token: str | None = None
) -> SubscriptionDocument:
    """Follow a public topic (idempotent)."""
    topic = check_public_topic(topic.strip())
    user_id, token = await _subscriber(db, principal, device_token)
    return await SubscriptionRepository(db).add(
        topic=topic, user_id=user_id, token=token, now=utcnow()
    )


async def unsubscribe(
    *, db: Database, principal: Principal, topic: str, device_token: str | None = None
) -> bool:
    """Stop following a topic; False when not subscribed."""
    user_id, token = await _subscriber(db, principal, device_token)
    return await SubscriptionRepository(db).remove(
        topic=topic.strip(), user_id=user_id, token=token
    )


async def list_subscriptions(
    *,
    db: Database,
    principal: Principal,
    device_token: str | None,
    first: int | None,
    after: str | None,
) -> Page[SubscriptionDocument]:
    """The caller's topics."""
    user_id, token = await _subscriber(db, principal, device_token)
    return await SubscriptionRepository(db).page(
        user_id=user_id, token=token, first=first, after=after
    )


# -- inbox --------------------------------------------------------------------------------------


async def list_inbox(
    *,
    db: Database,
    principal: Principal,
    unread_only: bool,
    first: int | None,
    after: str | None,
) -> Page[InboxDocument]:
    """The caller's notifications, newest first (anonymous devices have push only)."""
    uid = require_user(principal)
    return await InboxRepository(db).page(
        user_id=uid, unread_only=unread_only, first=first, after=after
    )


async def unread_count(*, db: Database, principal: Principal) -> int:
    return await InboxRepository(db).unread_count(require_user(principal))


LOCK_SCREEN_CHOICES = (LOCK_SCREEN_MINIMAL, LOCK_SCREEN_PLACE)


async def lock_screen_detail(*, db: Database, principal: Principal) -> str:
    """How much the caller's lock screen shows: ``minimal`` (the default) or ``place``."""
    return await PreferenceRepository(db).lock_screen(require_user(principal))


async def set_lock_screen_detail(*, db: Database, principal: Principal, value: str) -> str:
    """Choose what push notifications show on the caller's lock screen (all their devices)."""
    uid = require_user(principal)
    if value not in LOCK_SCREEN_CHOICES:
        raise InvalidInput(
            f"Lock-screen detail must be one of {list(LOCK_SCREEN_CHOICES)}; got {value!r}."
        )
    await PreferenceRepository(db).set_lock_screen(uid, value, now=utcnow())
    return value


async def mark_read(
    *, db: Database, principal: Principal, ids: Sequence[str] | None
) -> tuple[int, int]:
    """Mark some (or all, ``ids`` None) of the caller's notifications read: (updated, unread)."""
    uid = require_user(principal)
    if ids is not None and len(ids) > 500:
        raise InvalidInput("Mark at most 500 notifications at once, or all of them.", field="ids")
    inbox = InboxRepository(db)
    updated = await inbox.mark_read(user_id=uid, ids=ids, now=utcnow())
    return updated, await inbox.unread_count(uid)


# -- staff broadcasts ---------------------------------------------------------------------------


def _audience_document(audience: Audience) -> dict[str, Any]:
    given = [
        name
        for name, value in (
            ("userIds", audience.user_ids),
            ("topic", audience.topic),
            ("role", audience.role),
            ("district", audience.district),
        )
        if value
    ]
    if len(given) != 1:
        raise InvalidInput(
            "Give exactly one of `userIds`, `topic`, `role` or `district` in `audience`; got "
            f"{', '.join(given) or 'none'}.",
            field="audience",
        )
    if audience.user_ids:
        return outbox.user_audience(audience.user_ids)
    if audience.topic:
        return {"topic": outbox.check_topic(audience.topic.strip())}
    if audience.role is not None:
        return {"role": audience.role.value}
    # A district's official alerts go to everyone following that district.
    return {"topic": outbox.topic_name("district", str(audience.district).strip())}


async def _patients_of_hospitals(
    db: Database, hospital_ids: Sequence[str], user_ids: Sequence[str]
) -> set[str]:
    try:
        health = importlib.import_module("domains.health.service")
    except ImportError:
        health = None
    patients_of_hospital = getattr(health, "patients_of_hospital", None)
    if patients_of_hospital is None:
        raise Forbidden(
            "Hospital staff can notify their patients only once the health module is installed; "
            "ask an administrator to send this."
        )
    found: set[str] = set()
    for hospital_id in sorted(hospital_ids):
        found |= set(
            await patients_of_hospital(db=db, hospital_id=hospital_id, user_ids=list(user_ids))
        )
    return found


async def authorize_audience(
    *, db: Database, principal: Principal, audience: dict[str, Any]
) -> None:
    """Admins reach anyone; hospital staff their own patients; school staff their school's topic."""
    require_user(principal)
    if principal.is_admin:
        return
    if "userIds" in audience and Role.HOSPITAL_STAFF in principal.roles:
        wanted = set(audience["userIds"])
        allowed = await _patients_of_hospitals(db, sorted(principal.hospital_ids), sorted(wanted))
        outside = wanted - allowed
        if outside:
            raise Forbidden(
                f"{len(outside)} of the {len(wanted)} recipients are not patients of your "
                "hospital; you can notify only your own patients."
            )
        return
    if "topic" in audience and Role.SCHOOL_STAFF in principal.roles:
        own = {outbox.topic_name("school", school_id) for school_id in principal.school_ids}
        if audience["topic"] in own:
            return
        raise Forbidden("School staff can send only to their own school's topic.")
    raise Forbidden(
        "Only administrators, hospital staff (to their patients) and school staff (to their "
        "school's topic) can send notifications."
    )


async def send_notification(
    *,
    db: Database,
    principal: Principal,
    audience: Audience,
    title: dict[str, str],
    body: dict[str, str],
    category: str,
    data: dict[str, str] | None,
    send_at: datetime | None,
) -> NotificationStatusView:
    """Queue a staff notification, if the sender may address this audience."""
    uid = require_user(principal)
    audience_document = _audience_document(audience)
    await authorize_audience(db=db, principal=principal, audience=audience_document)
    document = outbox.build_notification(
        audience=audience_document,
        title=title,
        body=body,
        category=category,
        data=data,
        send_at=send_at,
        dedupe_key=None,
        inbox=True,
        sender=uid,
        now=utcnow(),
    )
    notification_id = await outbox.store(db=db, session=None, document=document)
    stored = await NotificationRepository(db).get_notification(notification_id)
    assert stored is not None  # noqa: S101 - just written
    return NotificationStatusView(stored, {})


async def _visible_notification(
    db: Database, principal: Principal, notification_id: str
) -> NotificationDocument | None:
    uid = require_user(principal)
    object_id = parse_object_id(notification_id)
    if object_id is None:
        return None
    notification = await NotificationRepository(db).get_notification(object_id)
    if notification is None:
        return None
    # Staff see what they sent; administrators see everything (incl. system notifications).
    if not principal.is_admin and notification.get("sender") != uid:
        return None
    return notification


async def notification_status(
    *, db: Database, principal: Principal, notification_id: str
) -> NotificationStatusView | None:
    """Counts of a notification the caller sent (any, for admins); None when not visible."""
    notification = await _visible_notification(db, principal, notification_id)
    if notification is None:
        return None
    counts = await DeliveryRepository(db).counts(notification["_id"])
    return NotificationStatusView(notification, counts)


async def delivery_results(
    *,
    db: Database,
    notification_id: ObjectId,
    state: str | None,
    first: int | None,
    after: str | None,
) -> Page[DeliveryDocument]:
    """Per-token results; reached only through a NotificationStatus the caller may see."""
    return await DeliveryRepository(db).page(notification_id, state=state, first=first, after=after)
