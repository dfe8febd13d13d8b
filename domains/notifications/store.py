"""The notifications store: the domain's repositories over the resources they run against, built
once per request (``info.context.scoped(NotificationsStore.of)``) or once per worker."""

from dataclasses import dataclass

from domains.kernel.rate_limit import RateWindowRepository
from domains.kernel.store import Store
from domains.notifications.batches import BatchRepository
from domains.notifications.outbox_repository import DeliveryRepository, NotificationRepository
from domains.notifications.repository import (
    DeviceRepository,
    InboxRepository,
    PreferenceRepository,
    SubscriptionRepository,
)
from domains.notifications.sent import SentRepository


@dataclass(frozen=True, slots=True)
class NotificationsStore(Store):
    devices: DeviceRepository
    subscriptions: SubscriptionRepository
    notifications: NotificationRepository
    deliveries: DeliveryRepository
    batches: BatchRepository
    sent: SentRepository
    inbox: InboxRepository
    preferences: PreferenceRepository
    rate_windows: RateWindowRepository
