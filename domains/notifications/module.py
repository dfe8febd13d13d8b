"""Notifications as the composition root sees it."""

from domains.kernel.jobs import Job
from domains.kernel.module import DomainModule
from domains.notifications import (
    batches,
    device_buckets,
    outbox_repository,
    personal_data,
    province,
    repository,
    retention,
    schema,
    sent,
    subscriptions,
    tallies,
)
from domains.notifications.nodes import find_node

MODULE = DomainModule(
    name="notifications",
    query=schema.Query,
    mutation=schema.Mutation,
    subscription=subscriptions.Subscription,
    find_node=find_node,
    repositories=(
        repository.DeviceRepository,
        repository.DeviceRemovalRepository,
        repository.SubscriptionRepository,
        outbox_repository.NotificationRepository,
        outbox_repository.DeliveryRepository,
        tallies.DeliveryTallyRepository,
        batches.BatchRepository,
        sent.SentRepository,
        repository.InboxRepository,
        repository.PreferenceRepository,
    ),
    province_seeder=province.seed_province,
    personal_data=personal_data.holder,
    purge=retention.purge,
    # Devices stored before fan-out buckets get theirs (a migration, idempotent and resumable).
    jobs=(
        Job(
            "device-buckets",
            device_buckets.EVERY,
            device_buckets.bucket_devices_stored_before_buckets,
        ),
    ),
)
