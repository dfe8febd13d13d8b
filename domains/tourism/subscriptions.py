"""Following an event: the caller subscribes to the event's topic in the notifications domain,
whose worker brings them the event's reminders and news (``reminders``)."""

from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId

from domains.kernel.auth import require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.validation import object_id
from domains.notifications import service as notifications
from domains.notifications.store import NotificationsStore
from domains.tourism import reminders
from domains.tourism.errors import EventNotFound, EventNotOpen
from domains.tourism.models import EventDocument
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import EventStatus

# The caller's topics are read a page at a time (the notifications service's page size).
TOPICS_PAGE = 100


def _notifications(caller: Caller[TourismStore]) -> Caller[NotificationsStore]:
    return Caller(NotificationsStore.of(caller.store.resources), caller.principal)


async def _event_or_raise(store: TourismStore, event_id: str) -> EventDocument:
    event = await store.events.get_by_id(object_id(event_id, what="event"))
    if event is None:
        raise EventNotFound(event_id)
    return event


async def subscribe_to_event(
    *, caller: Caller[TourismStore], event_id: str, now: datetime | None = None
) -> tuple[EventDocument, int]:
    """Remind the caller the day before and two hours before; returns the event and how many
    reminders are queued (0 while postponed: they come when it has a date again)."""
    require_user(caller.principal)
    now = now or utcnow()
    event = await _event_or_raise(caller.store, event_id)
    status = EventStatus(event["status"])
    if status in (EventStatus.CANCELLED, EventStatus.FINISHED) or event["endsAt"] <= now:
        raise EventNotOpen("over" if status is not EventStatus.CANCELLED else "cancelled")
    await notifications.subscribe(
        caller=_notifications(caller), topic=reminders.event_topic(event["_id"])
    )
    # Usually queued when the event was saved; events stored before topics, and reminders that
    # were past the outbox's horizon then, get theirs now. Following again changes nothing.
    scheduled = await reminders.ensure_reminders(caller.store, event["_id"], now)
    return event, scheduled


async def unsubscribe_from_event(*, caller: Caller[TourismStore], event_id: str) -> EventDocument:
    """Stop the event's reminders and news for the caller (idempotent)."""
    require_user(caller.principal)
    event = await _event_or_raise(caller.store, event_id)
    await notifications.unsubscribe(
        caller=_notifications(caller), topic=reminders.event_topic(event["_id"])
    )
    return event


async def _followed_topics(caller: Caller[TourismStore]) -> set[str]:
    topics: set[str] = set()
    after: str | None = None
    followed = _notifications(caller)
    while True:
        page = await notifications.list_subscriptions(
            caller=followed, device_token=None, first=TOPICS_PAGE, after=after
        )
        topics.update(subscription["topic"] for subscription in page.items)
        if not page.has_next_page or not page.cursors:
            return topics
        after = page.cursors[-1]


async def load_subscribed_flags(
    *, caller: Caller[TourismStore], event_ids: Sequence[ObjectId]
) -> list[bool]:
    """Whether the caller follows each event (False when anonymous; DataLoader batch)."""
    if caller.principal.uid is None:
        return [False] * len(event_ids)
    followed = await _followed_topics(caller)
    return [reminders.event_topic(event_id) in followed for event_id in event_ids]
