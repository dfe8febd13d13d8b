"""GraphQL types of the notifications domain."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from bson import ObjectId

from domains.kernel.auth import Role
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.context import Info
from domains.kernel.i18n import Language, LocalizedText, LocalizedTextInput, pick
from domains.kernel.node import Node
from domains.kernel.pagination import Connection
from domains.notifications.broadcasts import NotificationStatusView, delivery_results
from domains.notifications.models import (
    DeliveryDocument,
    DeviceDocument,
    InboxDocument,
    SubscriptionDocument,
)
from domains.notifications.store import NotificationsStore


@strawberry.enum(description="How much push notifications show on your lock screen.")
class LockScreenDetail(Enum):
    MINIMAL = strawberry.enum_value(
        "minimal", description="Times and dates only (the default), e.g. 'appointment at 08:00'."
    )
    PLACE = strawberry.enum_value(
        "place",
        description="Also the place, e.g. the hospital and department. Never a reason for a "
        "visit, a diagnosis or a patient's name.",
    )


@strawberry.type(description="Your notification settings (they apply to all your devices).")
class NotificationPreferences:
    lock_screen_detail: LockScreenDetail


@strawberry.enum(description="The app platform a device token belongs to.")
class Platform(Enum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


@strawberry.input(description="A device's FCM registration token and how to address it.")
class RegisterDeviceInput:
    token: str
    platform: Platform
    locale: Language = Language.VI
    app_version: str = "0"


def mask_token(token: str) -> str:
    """Enough of a token to recognise it, not enough to send to it."""
    return f"…{token[-8:]}"


@strawberry.type(description="A device that receives push notifications.")
class Device:
    token_suffix: str
    platform: Platform
    locale: Language
    app_version: str
    signed_in: bool = strawberry.field(description="False for an anonymous installation.")
    last_seen_at: datetime

    @classmethod
    def from_document(cls, document: DeviceDocument) -> "Device":
        return cls(
            token_suffix=mask_token(document["_id"]),
            platform=Platform(document["platform"]),
            locale=Language(document["locale"]),
            app_version=document["appVersion"],
            signed_in=document.get("userId") is not None,
            last_seen_at=document["lastSeenAt"],
        )


@strawberry.type(description="A public topic followed by you (or by this anonymous device).")
class TopicSubscription:
    topic: str
    created_at: datetime

    @classmethod
    def from_document(cls, document: SubscriptionDocument) -> "TopicSubscription":
        return cls(topic=document["topic"], created_at=document["createdAt"])


@strawberry.type(description="A key/value pair of a notification's routing data.")
class DataEntry:
    key: str
    value: str


@strawberry.input
class DataEntryInput:
    key: str
    value: str


@strawberry.type(description="A notification in your inbox.")
class InboxNotification(Node):
    id: strawberry.ID
    category: str
    created_at: datetime
    read_at: datetime | None
    data: list[DataEntry]
    title_text: strawberry.Private[dict[str, str]]
    body_text: strawberry.Private[dict[str, str]]

    @strawberry.field
    def read(self) -> bool:
        return self.read_at is not None

    @strawberry.field
    def title(self, info: Info, lang: Language | None = None) -> str:
        return pick(self.title_text, info.context.lang(lang)) or ""

    @strawberry.field
    def body(self, info: Info, lang: Language | None = None) -> str:
        return pick(self.body_text, info.context.lang(lang)) or ""

    @classmethod
    def from_document(cls, document: InboxDocument) -> "InboxNotification":
        return cls(
            id=strawberry.ID(document["_id"]),
            category=document["category"],
            created_at=document["createdAt"],
            read_at=document.get("readAt"),
            data=[DataEntry(key=k, value=v) for k, v in document.get("data", {}).items()],
            title_text=document["title"],
            body_text=document["body"],
        )


@strawberry.type(description="What changed, and how many unread notifications remain.")
class MarkReadResult:
    updated: int
    unread_count: int


@strawberry.input(description="Who receives a notification: exactly one of these.")
class AudienceInput:
    user_ids: list[str] | None = None
    topic: str | None = strawberry.field(
        default=None, description="e.g. `school.<id>`, `event.<id>`, `commune.<code>`"
    )
    role: Role | None = strawberry.field(
        default=None, description="CITIZEN: every signed-in user with a device."
    )
    district: str | None = strawberry.field(
        default=None,
        description="Refused with ValidationFailed (field `audience.district`): districts ended "
        "on 1 July 2025; use `topic: commune.<code>` or `sendEnvironmentAlert`.",
        deprecation_reason="Districts ended on 1 July 2025: use `topic: commune.<code>`.",
    )


@strawberry.input(description="A notification sent by staff or an administrator.")
class SendNotificationInput:
    audience: AudienceInput
    title: LocalizedTextInput
    body: LocalizedTextInput = strawberry.field(
        description="Shown on the lock screen: no personal or health details."
    )
    category: str = "announcement"
    data: list[DataEntryInput] | None = None
    send_at: datetime | None = strawberry.field(
        default=None, description="Not delivered before this time."
    )


@strawberry.enum
class NotificationState(Enum):
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    FANNING_OUT = "fanning_out"
    SENDING = "sending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@strawberry.enum(description="What happened to one device token.")
class DeliveryState(Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEAD_LETTERED = "dead"
    SKIPPED = "skipped"
    DEVELOPMENT_SINK = strawberry.enum_value(
        "sink", description="Recorded by the development sink: it reached no phone."
    )


@strawberry.type(description="Delivery counts per token.")
class DeliveryCounts:
    total: int
    pending: int
    sent: int
    failed: int
    dead_lettered: int = strawberry.field(description="Gave up after the maximum attempts.")
    skipped: int
    development_sink: int = strawberry.field(
        description="Recorded by the development sink (no Firebase credentials): not on any phone."
    )


@strawberry.type(description="The result for one device token.")
class TokenResult:
    token_suffix: str
    user_id: str | None = strawberry.field(description="Shown to administrators only.")
    platform: Platform
    state: DeliveryState
    attempts: int
    error_code: str | None
    error_message: str | None
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    done_at: datetime | None

    @classmethod
    def from_document(cls, document: DeliveryDocument, *, show_user: bool) -> "TokenResult":
        """``show_user``: administrators only; a school's staff see states, not followers."""
        pending = document["state"] == "pending"
        return cls(
            token_suffix=mask_token(document["token"]),
            user_id=document.get("userId") if show_user else None,
            platform=Platform(document.get("platform", "android")),
            state=DeliveryState(document["state"]),
            attempts=document.get("attempts", 0),
            error_code=document.get("errorCode"),
            error_message=document.get("errorMessage"),
            next_attempt_at=document.get("dueAt") if pending else None,
            last_attempt_at=document.get("lastAttemptAt"),
            done_at=document.get("doneAt"),
        )


@strawberry.type(description="A sent or scheduled notification and how its delivery went.")
class NotificationStatus(Node):
    id: strawberry.ID
    category: str
    state: NotificationState
    title: LocalizedText
    body: LocalizedText
    audience: str = strawberry.field(description="userIds (count), topic, or role.")
    send_at: datetime
    created_at: datetime
    recipients: int = strawberry.field(description="Device tokens addressed (after fan-out).")
    counts: DeliveryCounts
    development_sink_only: bool = strawberry.field(
        description="True when pushes went to the development sink and none to a phone."
    )
    object_id: strawberry.Private[ObjectId]

    @strawberry.field
    async def results(
        self,
        info: Info,
        state: DeliveryState | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TokenResult]:
        page = await delivery_results(
            store=info.context.scoped(NotificationsStore.of),
            notification_id=self.object_id,
            state=state.value if state else None,
            first=first,
            after=after,
        )
        admin = info.context.principal.is_admin
        return Connection.from_page(
            page.map(lambda document: TokenResult.from_document(document, show_user=admin))
        )

    @classmethod
    def from_view(cls, view: NotificationStatusView) -> "NotificationStatus":
        document = view.notification
        counts = view.counts
        status = document.get("status", "pending")
        send_at = as_utc(document["sendAt"])
        if status == "cancelled":
            state = NotificationState.CANCELLED
        elif status == "pending":
            state = NotificationState.SCHEDULED if send_at > utcnow() else NotificationState.QUEUED
        elif status == "fanning_out":
            state = NotificationState.FANNING_OUT
        else:
            state = (
                NotificationState.SENDING if counts.get("pending") else NotificationState.COMPLETED
            )
        sink = counts.get("sink", 0)
        return cls(
            id=strawberry.ID(str(document["_id"])),
            category=document["category"],
            state=state,
            title=LocalizedText.from_document(document["title"]),
            body=LocalizedText.from_document(document["body"]),
            audience=_describe(document["audience"]),
            send_at=send_at,
            created_at=document["createdAt"],
            recipients=document.get("recipients", 0),
            counts=DeliveryCounts(
                total=sum(counts.values()),
                pending=counts.get("pending", 0),
                sent=counts.get("sent", 0),
                failed=counts.get("failed", 0),
                dead_lettered=counts.get("dead", 0),
                skipped=counts.get("skipped", 0),
                development_sink=sink,
            ),
            development_sink_only=sink > 0 and counts.get("sent", 0) == 0,
            object_id=document["_id"],
        )


def _describe(audience: dict[str, Any]) -> str:
    if "userIds" in audience:
        return f"userIds ({len(audience['userIds'])})"
    if "topic" in audience:
        return f"topic {audience['topic']}"
    return f"role {audience.get('role')}"
