"""Start-up migrations (``MODULE.start``): idempotent, run by every process after the indexes.

Before reminders went through topics, ``subscribeToEvent`` stored ``{eventId, uid}`` in
``tourism_event_subscriptions`` and queued two reminders per subscriber. Each such document
becomes a subscription of its user to the event's topic; the user's per-subscriber reminders
still pending are cancelled and the event's topic reminders queued in their place; then the
document is deleted. A process stopped half-way leaves the rest for the next start, and running
the whole again changes nothing (every step is idempotent; a second start finds no documents).
"""

import logging
from datetime import datetime

from bson import ObjectId

from domains.kernel.auth import Principal
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from domains.notifications import outbox
from domains.notifications import service as notifications
from domains.notifications.store import NotificationsStore
from domains.tourism import reminders
from domains.tourism.models import EventSubscriptionDocument
from domains.tourism.repositories.store import TourismStore

logger = logging.getLogger(__name__)
BATCH = 300


async def start(resources: Resources) -> None:
    """Tourism's start-up step."""
    moved = await move_event_subscriptions_to_topics(TourismStore.of(resources))
    if moved:
        logger.info("tourism event subscriptions moved to topics", extra={"count": moved})


async def move_event_subscriptions_to_topics(
    store: TourismStore, *, now: datetime | None = None
) -> int:
    """Move every old event subscription to the event's topic; returns how many moved."""
    now = now or utcnow()
    moved = 0
    ensured: set[ObjectId] = set()
    while batch := await store.legacy_subscriptions.oldest(BATCH):
        for old in batch:
            await _follow_topic(store, old)
        # The subscriber's own reminders would double the topic's: cancelled (not yet sent).
        stale = [
            key
            for old in batch
            for key in reminders.legacy_reminder_keys(old["eventId"], old["uid"])
        ]
        await outbox.cancel_scheduled(db=store.db, session=None, dedupe_keys=stale)
        for event_id in {old["eventId"] for old in batch} - ensured:
            await reminders.ensure_reminders(store, event_id, now)
            ensured.add(event_id)
        moved += await store.legacy_subscriptions.delete([old["_id"] for old in batch])
    return moved


async def _follow_topic(store: TourismStore, old: EventSubscriptionDocument) -> None:
    # The subscriber's own subscription, made on their behalf as they once asked for it.
    await notifications.subscribe(
        caller=Caller(NotificationsStore.of(store.resources), Principal(uid=old["uid"])),
        topic=reminders.event_topic(old["eventId"]),
    )
