"""The outbox: how any domain asks for a notification.

``enqueue`` writes one outbox document, in the caller's transaction when a session is given, so a
notification exists exactly when the change that caused it (a booking, an announcement) commits.
Nothing is sent here: ``xuthanh worker`` fans the document out to devices and inboxes at its
``sendAt`` and delivers it through FCM.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from bson import ObjectId

from domains.kernel.clock import as_utc, utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.types import Database, Document, Session
from domains.kernel.validation import localized_text
from domains.notifications.outbox_repository import NotificationRepository

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# FCM's own rule for topic names; we keep the same alphabet for server-side topics.
TOPIC_PATTERN = re.compile(r"^[a-zA-Z0-9\-_.~%]{1,200}$")
TOPIC_KIND_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
CATEGORY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$")
DATA_KEY_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,39}$")
# Keys FCM reserves in the data payload, and the ones the worker adds itself.
RESERVED_DATA_KEYS = frozenset({"from", "notification", "message_type", "nid", "category"})
MAX_DATA_ENTRIES = 10
MAX_DATA_VALUE = 256
MAX_TITLE = 120
MAX_BODY = 1000
MAX_USER_IDS = 1000
MAX_DEDUPE_KEY = 200
MAX_SCHEDULE_AHEAD = timedelta(days=400)


def topic_name(kind: str, key: str) -> str:
    """The topic of one thing, e.g. ``topic_name("school", id)`` -> ``school.<id>`` (FCM-safe)."""
    if not TOPIC_KIND_PATTERN.match(kind):
        raise ValueError(f"Topic kind must be lower-case letters, digits or '-'; got {kind!r}.")
    if not key:
        raise ValueError("Topic key must not be empty.")
    # Percent-encoding keeps every character of the key inside FCM's topic alphabet.
    name = f"{kind}.{quote(key, safe='-_.~')}"
    if not TOPIC_PATTERN.match(name):
        raise ValueError(f"Topic key is too long: {key[:40]!r}...")
    return name


def topic_kind(topic: str) -> str:
    """The kind part of a topic made by ``topic_name`` ('' for anything else)."""
    kind, dot, _ = topic.partition(".")
    return kind if dot and TOPIC_KIND_PATTERN.match(kind) else ""


# Districts ended on 1 July 2025 (provinces and wards/communes only): what an old client that
# still names a district is told.
DISTRICTS_ENDED = (
    "Districts ended on 1 July 2025: use a ward or commune's topic `commune.<code>` instead "
    "(codes: the `airQualityAreas` query's `code` and `topic`); the followers of district "
    "topics were moved to their wards and communes."
)


def check_topic(topic: str) -> str:
    if not TOPIC_PATTERN.match(topic) or not topic_kind(topic):
        raise InvalidInput(
            f"`topic` must look like `kind.key` using letters, digits and -_.~% only "
            f"(at most 200 characters); got {topic[:60]!r}.",
            field="topic",
        )
    return topic


def check_data(data: Mapping[str, str] | None) -> dict[str, str]:
    """Small routing data only: a few short string entries with plain keys."""
    if not data:
        return {}
    if len(data) > MAX_DATA_ENTRIES:
        raise InvalidInput(f"`data` holds at most {MAX_DATA_ENTRIES} entries.", field="data")
    cleaned: dict[str, str] = {}
    for key, value in data.items():
        if not DATA_KEY_PATTERN.match(key) or key in RESERVED_DATA_KEYS or key.startswith("google"):
            raise InvalidInput(
                f"`data` key {key!r} is not allowed: use letters, digits and _ (starting with a "
                f"letter), not one of {sorted(RESERVED_DATA_KEYS)} or google*.",
                field="data",
            )
        if not isinstance(value, str) or len(value) > MAX_DATA_VALUE:
            raise InvalidInput(
                f"`data.{key}` must be a string of at most {MAX_DATA_VALUE} characters.",
                field="data",
            )
        cleaned[key] = value
    return cleaned


def check_send_at(send_at: datetime | None, now: datetime) -> datetime | None:
    if send_at is None:
        return None
    if send_at.tzinfo is None:
        raise InvalidInput("`sendAt` needs a time zone (e.g. 2026-05-01T08:00:00+07:00).")
    send_at = as_utc(send_at)
    if send_at > now + MAX_SCHEDULE_AHEAD:
        raise InvalidInput("`sendAt` is more than 400 days ahead.", field="sendAt")
    return send_at


def build_notification(
    *,
    audience: dict[str, Any],
    title: Mapping[str, str],
    body: Mapping[str, str],
    category: str,
    data: Mapping[str, str] | None,
    send_at: datetime | None,
    dedupe_key: str | None,
    inbox: bool,
    sender: str,
    now: datetime,
    detailed_title: Mapping[str, str] | None = None,
    detailed_body: Mapping[str, str] | None = None,
) -> Document:
    """A validated outbox document (not yet stored)."""
    if not CATEGORY_PATTERN.match(category) or len(category) > 64:
        raise InvalidInput(
            f"`category` must be dotted lower-case words such as 'event.reminder'; got "
            f"{category!r}.",
            field="category",
        )
    if dedupe_key is not None and not 1 <= len(dedupe_key) <= MAX_DEDUPE_KEY:
        raise InvalidInput(f"`dedupe_key` must be 1 to {MAX_DEDUPE_KEY} characters.")
    scheduled_at = check_send_at(send_at, now)
    document: Document = {
        "category": category,
        "title": localized_text(title, field="title", limit=MAX_TITLE),
        "body": localized_text(body, field="body", limit=MAX_BODY),
        "data": check_data(data),
        "audience": audience,
        "inbox": inbox,
        "sender": sender,
        "status": "pending",
        "sendAt": scheduled_at or now,
        "scheduled": scheduled_at is not None and scheduled_at > now,
        "leaseUntil": EPOCH,
        "createdAt": now,
    }
    if (detailed_title is None) != (detailed_body is None):
        raise InvalidInput("Give both a detailed title and a detailed body, or neither.")
    if detailed_title is not None and detailed_body is not None:
        document["detailed"] = {
            "title": localized_text(detailed_title, field="detailed_title", limit=MAX_TITLE),
            "body": localized_text(detailed_body, field="detailed_body", limit=MAX_BODY),
        }
    if dedupe_key is not None:
        document["dedupeKey"] = dedupe_key
    return document


def user_audience(user_ids: Sequence[str]) -> dict[str, Any]:
    unique = list(dict.fromkeys(uid for uid in user_ids if uid))
    if not unique:
        raise InvalidInput("Give at least one user id.", field="userIds")
    if len(unique) > MAX_USER_IDS:
        raise InvalidInput(
            f"At most {MAX_USER_IDS} user ids per notification; use a topic or role for more.",
            field="userIds",
        )
    return {"userIds": unique}


async def enqueue(
    *,
    db: Database,
    session: Session | None,
    user_ids: Sequence[str] = (),
    topic: str | None = None,
    title: Mapping[str, str],
    body: Mapping[str, str],
    category: str,
    data: Mapping[str, str] | None = None,
    send_at: datetime | None = None,
    dedupe_key: str | None = None,
    inbox: bool = True,
    sender: str = "system",
    detailed_title: Mapping[str, str] | None = None,
    detailed_body: Mapping[str, str] | None = None,
    signed_in_only: bool = False,
) -> ObjectId:
    """Queue a notification for users or a topic; returns its id (the existing one for a
    repeated ``dedupe_key``). ``signed_in_only``: of a topic's followers, only signed-in users'
    devices (an announcement for parents does not go to anonymous installations).

    ``title`` and ``body`` must be fit for any lock screen. ``detailed_title``/``detailed_body``
    may add what a user can choose to see there (a place, never a diagnosis or reason); the
    inbox, read inside the signed-in app, always shows them."""
    if bool(user_ids) == bool(topic):
        raise InvalidInput("Address a notification to `user_ids` or to a `topic`, not both.")
    audience: dict[str, Any] = (
        user_audience(user_ids) if user_ids else {"topic": check_topic(str(topic))}
    )
    if signed_in_only and topic:
        audience["signedInOnly"] = True
    document = build_notification(
        audience=audience,
        title=title,
        body=body,
        category=category,
        data=data,
        send_at=send_at,
        dedupe_key=dedupe_key,
        inbox=inbox,
        sender=sender,
        now=utcnow(),
        detailed_title=detailed_title,
        detailed_body=detailed_body,
    )
    return await NotificationRepository(db).store(document, session=session)


async def cancel_scheduled(
    *, db: Database, session: Session | None, dedupe_keys: Sequence[str]
) -> int:
    """Cancel not-yet-sent scheduled notifications (e.g. reminders of a cancelled appointment);
    returns how many."""
    keys = [key for key in dedupe_keys if key]
    if not keys:
        return 0
    # Only notifications the worker has not started on (see NotificationRepository).
    return await NotificationRepository(db).cancel_pending(keys, now=utcnow(), session=session)
