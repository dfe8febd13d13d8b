"""Stored documents of the notifications domain (camelCase keys, as stored)."""

from datetime import datetime
from typing import Any, NotRequired, TypedDict

from bson import ObjectId


class DeviceDocument(TypedDict):
    """``devices``: one per FCM registration token (the token is the key)."""

    _id: str
    userId: str | None  # None for an anonymous installation: push only, no inbox
    platform: str  # android | ios | web
    locale: str  # vi | en
    appVersion: str
    createdAt: datetime
    lastSeenAt: datetime
    # Fan-out bucket (``device_bucket``), set at registration; absent on devices stored before.
    bucket: NotRequired[int]


class SubscriptionDocument(TypedDict):
    """``notification_subscriptions``: a user (or an anonymous device) following a public topic."""

    _id: ObjectId
    topic: str
    userId: str | None
    token: str | None  # set only for anonymous devices
    createdAt: datetime


class NotificationDocument(TypedDict, total=False):
    """``notifications``: the outbox. Written with the change that caused it; fanned out later."""

    _id: ObjectId
    category: str
    title: dict[str, str]
    body: dict[str, str]
    # Optional fuller text (e.g. the facility's name) for the inbox, and for the lock screen of
    # users who chose to see places there; ``title``/``body`` are what everyone else sees.
    detailed: dict[str, dict[str, str]]  # {"title": {...}, "body": {...}}
    data: dict[str, str]
    audience: dict[str, Any]  # exactly one of userIds | topic | role
    inbox: bool
    sender: str
    dedupeKey: str  # removed when cancelled, so the key can be used again
    status: str  # pending | fanning_out | sending | cancelled
    sendAt: datetime
    scheduled: bool
    leaseUntil: datetime
    fanoutOwner: str  # the worker (and claim) fanning it out now
    fanoutAfter: Any  # keyset position of the fan-out, so a restarted worker resumes
    recipients: int  # devices addressed (known once fanned out)
    inboxEntries: int
    createdAt: datetime
    fannedOutAt: datetime
    cancelledAt: datetime


class DeliveryDocument(TypedDict, total=False):
    """``notification_deliveries``: one per (notification, token): the per-token dedupe key."""

    _id: str  # "<notification id>:<token>"
    n: ObjectId
    token: str
    userId: str | None
    locale: str
    platform: str
    state: str  # pending | sent | failed | dead | sink | skipped
    attempts: int
    dueAt: datetime  # claimable when pending and due (also the lease expiry while claimed)
    claim: str | None
    errorCode: str | None
    errorMessage: str | None
    retryAfter: float | None
    createdAt: datetime
    lastAttemptAt: datetime
    doneAt: datetime


class InboxDocument(TypedDict, total=False):
    """``inbox``: what a signed-in user sees in the app's notification list."""

    _id: str  # "<notification id>:<user id>": one entry per user even if fan-out reruns
    userId: str
    n: ObjectId
    category: str
    title: dict[str, str]
    body: dict[str, str]
    data: dict[str, str]
    createdAt: datetime
    readAt: datetime | None


class PreferenceDocument(TypedDict):
    """``notification_preferences``: one per user who changed a default (the key is the uid)."""

    _id: str
    lockScreen: str  # minimal (default) | place
    updatedAt: datetime
