from typing import Annotated

import strawberry

from domains.kernel.caller import Caller
from domains.kernel.context import Info
from domains.kernel.errors import ValidationFailed, expected
from domains.kernel.pagination import Connection
from domains.kernel.rate_limit import RateLimitExceeded
from domains.notifications import broadcasts, service
from domains.notifications.store import NotificationsStore
from domains.notifications.types import (
    Device,
    InboxNotification,
    LockScreenDetail,
    MarkReadResult,
    NotificationPreferences,
    NotificationStatus,
    RegisterDeviceInput,
    SendNotificationInput,
    TopicSubscription,
)

RegisterDeviceResult = Annotated[
    Device | ValidationFailed | RateLimitExceeded, strawberry.union("RegisterDeviceResult")
]
SubscribeResult = Annotated[
    TopicSubscription | ValidationFailed, strawberry.union("SubscribeResult")
]
SendNotificationResult = Annotated[
    NotificationStatus | ValidationFailed, strawberry.union("SendNotificationResult")
]


def _caller(info: Info) -> Caller[NotificationsStore]:
    return info.context.caller(NotificationsStore.of)


@strawberry.type
class Query:
    @strawberry.field(description="Your notifications, newest first (signed-in users).")
    async def notifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[InboxNotification]:
        page = await service.list_inbox(
            caller=_caller(info),
            unread_only=unread_only,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(InboxNotification.from_document))

    @strawberry.field(description="How many of your notifications are unread.")
    async def unread_count(self, info: Info) -> int:
        return await service.unread_count(
            caller=_caller(info),
        )

    @strawberry.field(
        description="Topics you follow; anonymous installations pass their `deviceToken`."
    )
    async def my_subscriptions(
        self,
        info: Info,
        device_token: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TopicSubscription]:
        page = await service.list_subscriptions(
            caller=_caller(info),
            device_token=device_token,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(TopicSubscription.from_document))

    @strawberry.field(description="Your notification settings (signed-in users).")
    async def notification_preferences(self, info: Info) -> NotificationPreferences:
        value = await service.lock_screen_detail(
            caller=_caller(info),
        )
        return NotificationPreferences(lock_screen_detail=LockScreenDetail(value))

    @strawberry.field(
        description="Delivery of a notification you sent (administrators: any); null if unknown."
    )
    async def notification_status(self, info: Info, id: strawberry.ID) -> NotificationStatus | None:
        view = await broadcasts.notification_status(caller=_caller(info), notification_id=str(id))
        return NotificationStatus.from_view(view) if view else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Register or refresh this device's push token (signed in or anonymous)."
    )
    async def register_device(self, info: Info, input: RegisterDeviceInput) -> RegisterDeviceResult:
        registered = service.register_device(
            caller=_caller(info),
            token=input.token,
            platform=input.platform.value,
            locale=input.locale.value,
            app_version=input.app_version,
            client_ip=info.context.client_ip,
            app_check_token=info.context.app_check_token,
        )
        return await expected(registered, Device.from_document, ValidationFailed, RateLimitExceeded)

    @strawberry.mutation(description="Stop push to this device token; false if it was unknown.")
    async def unregister_device(self, info: Info, token: str) -> bool:
        return await service.unregister_device(caller=_caller(info), token=token)

    @strawberry.mutation(description="Follow a public topic, e.g. `school.<id>` or `event.<id>`.")
    async def subscribe(
        self, info: Info, topic: str, device_token: str | None = None
    ) -> SubscribeResult:
        subscribed = service.subscribe(
            caller=_caller(info),
            topic=topic,
            device_token=device_token,
        )
        return await expected(subscribed, TopicSubscription.from_document, ValidationFailed)

    @strawberry.mutation(description="Stop following a topic; false if you did not follow it.")
    async def unsubscribe(self, info: Info, topic: str, device_token: str | None = None) -> bool:
        return await service.unsubscribe(
            caller=_caller(info),
            topic=topic,
            device_token=device_token,
        )

    @strawberry.mutation(
        description="Choose what your push notifications show on the lock screen (all devices)."
    )
    async def set_notification_preferences(
        self, info: Info, lock_screen_detail: LockScreenDetail
    ) -> NotificationPreferences:
        value = await service.set_lock_screen_detail(
            caller=_caller(info),
            value=str(lock_screen_detail.value),
        )
        return NotificationPreferences(lock_screen_detail=LockScreenDetail(value))

    @strawberry.mutation(description="Mark some of your notifications read.")
    async def mark_notifications_read(self, info: Info, ids: list[strawberry.ID]) -> MarkReadResult:
        updated, unread = await service.mark_read(caller=_caller(info), ids=[str(i) for i in ids])
        return MarkReadResult(updated=updated, unread_count=unread)

    @strawberry.mutation(description="Mark all your notifications read.")
    async def mark_all_notifications_read(self, info: Info) -> MarkReadResult:
        updated, unread = await service.mark_read(caller=_caller(info), ids=None)
        return MarkReadResult(updated=updated, unread_count=unread)

    @strawberry.mutation(
        description="Send or schedule a notification (staff: to their own audience; admins: any)."
    )
    async def send_notification(
        self, info: Info, input: SendNotificationInput
    ) -> SendNotificationResult:
        audience = input.audience
        sent = broadcasts.send_notification(
            caller=_caller(info),
            audience=broadcasts.Audience(
                user_ids=audience.user_ids or (),
                topic=audience.topic,
                role=audience.role,
                district=audience.district,
            ),
            title=input.title.to_document(),
            body=input.body.to_document(),
            category=input.category,
            data={entry.key: entry.value for entry in input.data or []},
            send_at=input.send_at,
        )
        return await expected(sent, NotificationStatus.from_view, ValidationFailed)
