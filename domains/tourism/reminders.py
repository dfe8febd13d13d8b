"""Event reminders and news of changed plans, through the event's topic.

Followers of an event are subscribers of its topic ``event.<id>`` in the notifications domain.
Each reminder (the day before, two hours before) is ONE outbox notification addressed to that
topic; the notifications worker fans it out, when it is due, to whoever follows the topic then.
So following, unfollowing and the number of followers never touch the reminders, and an event
change writes a fixed few outbox documents whatever its audience. These are the steps the event
use cases (``events``, ``subscriptions``) and the start-up migration share.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from domains.kernel.clock import PROVINCE_TZ
from domains.kernel.i18n import LocalizedDict, pick
from domains.kernel.types import Database, Session
from domains.notifications import outbox
from domains.tourism.models import EventDocument
from domains.tourism.repositories.store import TourismStore
from domains.tourism.vocabulary import CALLED_OFF, ON_SCHEDULE, EventStatus

# When reminders go out, before an event starts.
REMINDERS = (("reminder-1d", timedelta(days=1)), ("reminder-2h", timedelta(hours=2)))
# The outbox refuses schedules further ahead than this; later reminders are set on the next
# subscription or change of the event.
MAX_REMINDER_AHEAD = timedelta(days=399)
REMINDER_CATEGORY = "tourism.event.reminder"
CHANGE_CATEGORY = "tourism.event.changed"


def event_topic(event_id: ObjectId) -> str:
    """The topic an event's followers subscribe to: ``event.<id>``."""
    return outbox.topic_name("event", str(event_id))


def event_key(event_id: ObjectId) -> Hashable:
    """Changes of one event's reminders take turns in this process."""
    return ("tourism.event", event_id)


def reminder_key(event: Mapping[str, Any], name: str) -> str:
    """The outbox dedupe key of one reminder of the event's current schedule: queueing it again
    changes nothing; a new date (a new ``scheduleVersion``) gets new reminders even where the
    old date's were already sent."""
    return f"tourism.event:{event['_id']}:v{event.get('scheduleVersion', 1)}:{name}"


def legacy_reminder_keys(event_id: ObjectId, uid: str) -> list[str]:
    """The keys of the per-subscriber reminders the design before topics queued."""
    return [f"tourism.event:{event_id}:{name}:{uid}" for name, _ in REMINDERS]


def planned_reminders(event: EventDocument, now: datetime) -> list[tuple[str, datetime]]:
    """(name, send time) of the reminders the event should have now: none unless it is on
    schedule, and only those still ahead and within the outbox's horizon."""
    if EventStatus(event["status"]) not in ON_SCHEDULE:
        return []
    planned = [(name, event["startsAt"] - lead) for name, lead in REMINDERS]
    return [(name, at) for name, at in planned if now < at and at - now <= MAX_REMINDER_AHEAD]


def _local_start(event: EventDocument) -> str:
    return event["startsAt"].astimezone(PROVINCE_TZ).strftime("%H:%M %d/%m/%Y")


def _names(event: EventDocument, limit: int = 80) -> tuple[str, str]:
    def short(text: str | None) -> str:
        text = text or ""
        return text if len(text) <= limit else text[: limit - 1] + "…"

    return short(pick(event["name"], "vi")), short(pick(event["name"], "en"))


def _reminder_texts(event: EventDocument, name: str) -> tuple[LocalizedDict, LocalizedDict]:
    name_vi, name_en = _names(event)
    when = _local_start(event)
    if name == "reminder-1d":
        return (
            {"vi": f"Ngày mai: {name_vi}", "en": f"Tomorrow: {name_en}"},
            {"vi": f"Bắt đầu lúc {when}.", "en": f"Starts at {when} (Vietnam time)."},
        )
    return (
        {"vi": f"Sắp bắt đầu: {name_vi}", "en": f"Starting soon: {name_en}"},
        {"vi": f"Còn khoảng 2 giờ, bắt đầu lúc {when}.", "en": f"In about 2 hours, at {when}."},
    )


def _change_texts(event: EventDocument) -> tuple[LocalizedDict, LocalizedDict]:
    status = EventStatus(event["status"])
    name_vi, name_en = _names(event)
    if status is EventStatus.POSTPONED:
        return (
            {"vi": f"Hoãn: {name_vi}", "en": f"Postponed: {name_en}"},
            {
                "vi": "Sự kiện đã hoãn; bạn sẽ được báo khi có ngày mới.",
                "en": "The event is postponed; you will be told the new date.",
            },
        )
    if status is EventStatus.CANCELLED:
        return (
            {"vi": f"Đã hủy: {name_vi}", "en": f"Cancelled: {name_en}"},
            {"vi": "Sự kiện đã bị hủy.", "en": "The event has been cancelled."},
        )
    when = _local_start(event)
    return (
        {"vi": f"Đổi lịch: {name_vi}", "en": f"New date: {name_en}"},
        {"vi": f"Lịch mới: bắt đầu lúc {when}.", "en": f"Now starts at {when}."},
    )


async def schedule_reminders(
    db: Database, session: Session | None, event: EventDocument, now: datetime
) -> int:
    """Queue the event's planned reminders to its topic (a reminder already queued stands);
    returns how many the plan holds."""
    planned = planned_reminders(event, now)
    for name, send_at in planned:
        title, body = _reminder_texts(event, name)
        await outbox.enqueue(
            db=db,
            session=session,
            topic=event_topic(event["_id"]),
            title=title,
            body=body,
            category=REMINDER_CATEGORY,
            data={"eventId": str(event["_id"]), "kind": name},
            send_at=send_at,
            dedupe_key=reminder_key(event, name),
            sender="tourism",
        )
    return len(planned)


async def ensure_reminders(store: TourismStore, event_id: ObjectId, now: datetime) -> int:
    """Queue the reminders the event should have and lacks (the subscriber's first, those past
    the horizon earlier, those of events stored before topics); reads the event in the same
    transaction, so a reschedule racing in this process is never answered with old times."""

    async def write(session: Session) -> int:
        event = await store.events.get_by_id(event_id, session=session)
        return 0 if event is None else await schedule_reminders(store.db, session, event, now)

    return await store.transaction(write, keys=[event_key(event_id)])


@dataclass(frozen=True, slots=True)
class PlanChange:
    """How an edit changes what followers were told: the statuses before and after, and
    whether the start moved."""

    before: EventStatus
    after: EventStatus
    moved: bool

    @classmethod
    def of(cls, before: Mapping[str, Any], after: Mapping[str, Any]) -> "PlanChange":
        return cls(
            before=EventStatus(before["status"]),
            after=EventStatus(after["status"]),
            moved=before["startsAt"] != after["startsAt"],
        )

    @property
    def new_schedule(self) -> bool:
        """A new date, or back on the schedule after being postponed or cancelled."""
        back_on = self.before not in ON_SCHEDULE and self.after in ON_SCHEDULE
        return self.moved or back_on

    @property
    def touches_reminders(self) -> bool:
        return self.moved or self.before != self.after

    @property
    def tells_followers(self) -> bool:
        return self.after in CALLED_OFF or (self.after in ON_SCHEDULE and self.new_schedule)


async def follow_change(
    db: Database,
    session: Session,
    before: EventDocument,
    after: EventDocument,
    now: datetime,
) -> None:
    """Cancel the reminders of the old plan, queue those of the new one, and tell the followers
    when the event is called off or has a new date; in the edit's transaction."""
    change = PlanChange.of(before, after)
    if not change.touches_reminders:
        return
    keys = [reminder_key(before, name) for name, _ in REMINDERS]
    await outbox.cancel_scheduled(db=db, session=session, dedupe_keys=keys)
    await schedule_reminders(db, session, after, now)
    if change.tells_followers:
        title, body = _change_texts(after)
        await outbox.enqueue(
            db=db,
            session=session,
            topic=event_topic(after["_id"]),
            title=title,
            body=body,
            category=CHANGE_CATEGORY,
            data={"eventId": str(after["_id"]), "status": change.after.value},
            sender="tourism",
        )
