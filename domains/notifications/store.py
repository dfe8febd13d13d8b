"""What the notifications use cases run against: the domain's repositories and the resources."""

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from domains.kernel.resources import Resources
from domains.kernel.transactions import in_transaction
from domains.kernel.types import Database, Session
from domains.notifications.outbox_repository import DeliveryRepository, NotificationRepository
from domains.notifications.repository import (
    DeviceRepository,
    InboxRepository,
    PreferenceRepository,
    SubscriptionRepository,
)

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class NotificationsStore:
    """Built once per request (``info.context.scoped(NotificationsStore.of)``) or per worker."""

    resources: Resources
    devices: DeviceRepository
    subscriptions: SubscriptionRepository
    notifications: NotificationRepository
    deliveries: DeliveryRepository
    inbox: InboxRepository
    preferences: PreferenceRepository

    @classmethod
    def of(cls, resources: Resources) -> "NotificationsStore":
        db = resources.db
        return cls(
            resources=resources,
            devices=DeviceRepository(db),
            subscriptions=SubscriptionRepository(db),
            notifications=NotificationRepository(db),
            deliveries=DeliveryRepository(db),
            inbox=InboxRepository(db),
            preferences=PreferenceRepository(db),
        )

    @property
    def db(self) -> Database:
        return self.resources.db

    async def transaction(
        self, work: Callable[[Session], Awaitable[Result]], *, keys: Iterable[Hashable] = ()
    ) -> Result:
        """``work`` in one transaction, after this process's earlier work on ``keys``."""
        return await in_transaction(self.db, work, locks=self.resources.locks, keys=keys)
