"""Staff broadcasts: who may address which audience, queueing the notification, and its status."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from bson import ObjectId

from domains.kernel.auth import Role, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import Forbidden, InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.repository import parse_object_id
from domains.notifications import outbox, results
from domains.notifications.models import DeliveryDocument, NotificationDocument
from domains.notifications.ports import PATIENT_DIRECTORY
from domains.notifications.store import NotificationsStore


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a staff notification is for: exactly one of these."""

    user_ids: Sequence[str] = ()
    topic: str | None = None
    role: Role | None = None
    district: str | None = None  # refused: districts ended on 1 July 2025 (old clients)


@dataclass(frozen=True, slots=True)
class NotificationStatusView:
    notification: NotificationDocument
    counts: dict[str, int]


def _audience_document(audience: Audience) -> dict[str, Any]:
    if audience.district:
        raise InvalidInput(
            f"{outbox.DISTRICTS_ENDED} Send one notification per ward/commune with `topic`, or "
            "use `sendEnvironmentAlert(areaCodes: [...])` for several at once.",
            field="audience.district",
        )
    given = [
        name
        for name, value in (
            ("userIds", audience.user_ids),
            ("topic", audience.topic),
            ("role", audience.role),
        )
        if value
    ]
    if len(given) != 1:
        raise InvalidInput(
            "Give exactly one of `userIds`, `topic` or `role` in `audience`; got "
            f"{', '.join(given) or 'none'}.",
            field="audience",
        )
    if audience.user_ids:
        return outbox.user_audience(audience.user_ids)
    if audience.topic:
        topic = outbox.check_topic(audience.topic.strip())
        if outbox.topic_kind(topic) == "district":
            raise InvalidInput(outbox.DISTRICTS_ENDED, field="audience.topic")
        return {"topic": topic}
    role = cast(Role, audience.role)  # exactly one was given: this one
    return {"role": role.value}


async def _patients_of_hospitals(
    store: NotificationsStore, hospital_ids: Sequence[str], user_ids: Sequence[str]
) -> set[str]:
    directory = store.resources.find(PATIENT_DIRECTORY)
    if directory is None:
        raise Forbidden(
            "Hospital staff can notify their patients only once the health module is installed; "
            "ask an administrator to send this."
        )
    found: set[str] = set()
    for hospital_id in sorted(hospital_ids):
        found |= await directory.patients_of_hospital(
            hospital_id=hospital_id, user_ids=list(user_ids)
        )
    return found


async def authorize_audience(
    *, caller: Caller[NotificationsStore], audience: dict[str, Any]
) -> None:
    """Admins reach anyone; hospital staff their own patients; school staff their school's topic."""
    require_user(caller.principal)
    if caller.principal.is_admin:
        return
    if "userIds" in audience and Role.HOSPITAL_STAFF in caller.principal.roles:
        wanted = set(audience["userIds"])
        allowed = await _patients_of_hospitals(
            caller.store, sorted(caller.principal.hospital_ids), sorted(wanted)
        )
        outside = wanted - allowed
        if outside:
            raise Forbidden(
                f"{len(outside)} of the {len(wanted)} recipients are not patients of your "
                "hospital; you can notify only your own patients."
            )
        return
    if "topic" in audience and Role.SCHOOL_STAFF in caller.principal.roles:
        own = {outbox.topic_name("school", school_id) for school_id in caller.principal.school_ids}
        if audience["topic"] in own:
            return
        raise Forbidden("School staff can send only to their own school's topic.")
    raise Forbidden(
        "Only administrators, hospital staff (to their patients) and school staff (to their "
        "school's topic) can send notifications."
    )


async def send_notification(
    *,
    caller: Caller[NotificationsStore],
    audience: Audience,
    title: dict[str, str],
    body: dict[str, str],
    category: str,
    data: dict[str, str] | None,
    send_at: datetime | None,
) -> NotificationStatusView:
    """Queue a staff notification, if the sender may address this audience."""
    uid = require_user(caller.principal)
    audience_document = _audience_document(audience)
    await authorize_audience(caller=caller, audience=audience_document)
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
    notification_id = await caller.store.notifications.store(document, session=None)
    stored = await caller.store.notifications.get_notification(notification_id)
    assert stored is not None  # noqa: S101 - just written
    return NotificationStatusView(stored, {})


async def _visible_notification(
    caller: Caller[NotificationsStore], notification_id: str
) -> NotificationDocument | None:
    uid = require_user(caller.principal)
    object_id = parse_object_id(notification_id)
    if object_id is None:
        return None
    notification = await caller.store.notifications.get_notification(object_id)
    if notification is None:
        return None
    # Staff see what they sent; administrators see everything (incl. system notifications).
    if not caller.principal.is_admin and notification.get("sender") != uid:
        return None
    return notification


async def notification_status(
    *, caller: Caller[NotificationsStore], notification_id: str
) -> NotificationStatusView | None:
    """Counts of a notification the caller sent (any, for admins); None when not visible."""
    notification = await _visible_notification(caller, notification_id)
    if notification is None:
        return None
    counts = await caller.store.deliveries.counts(notification["_id"])
    return NotificationStatusView(notification, counts)


async def delivery_results(
    *,
    store: NotificationsStore,
    notification_id: ObjectId,
    state: str | None,
    first: int | None,
    after: str | None,
) -> Page[DeliveryDocument]:
    """Per-token results; reached only through a NotificationStatus the caller may see."""
    return await results.page(store, notification_id, state=state, first=first, after=after)
