"""Notifications as the composition root sees it."""

from domains.kernel.module import DomainModule
from domains.notifications import repository, schema

MODULE = DomainModule(
    name="notifications",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(
        repository.DeviceRepository,
        repository.SubscriptionRepository,
        repository.NotificationRepository,
        repository.DeliveryRepository,
        repository.InboxRepository,
        repository.PreferenceRepository,
    ),
)
