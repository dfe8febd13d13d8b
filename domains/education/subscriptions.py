"""Following a school: its announcements and the reminders of its admission rounds, through the
school's notifications topic."""

from domains.education.errors import SchoolNotFound
from domains.education.models import SchoolDocument
from domains.education.reminders import reschedule_reminders
from domains.education.store import EducationStore
from domains.education.topics import school_topic
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.notifications import service as notifications
from domains.notifications.store import NotificationsStore


async def subscribe_to_school(
    *,
    caller: Caller[EducationStore],
    school_id: str,
    device_token: str | None = None,
) -> SchoolDocument:
    """Follow a school: its announcements and reminders of its admission rounds."""
    store = caller.store
    school = await store.schools.get_school(school_id.strip())
    if school is None:
        raise SchoolNotFound(school_id)
    await notifications.subscribe(
        caller=Caller(NotificationsStore.of(caller.store.resources), caller.principal),
        topic=school_topic(school["_id"]),
        device_token=device_token,
    )
    # Reminders too far ahead when their round was saved are scheduled now (idempotent).
    now = utcnow()
    names = {school["_id"]: school["name"]}
    for document in await store.rounds.not_closed_for_school(school["_id"], now=now):
        all_names = (
            names
            if len(document["schoolIds"]) == 1
            else await store.schools.names(document["schoolIds"])
        )
        await reschedule_reminders(
            store=store, session=None, before=None, after=document, school_names=all_names, now=now
        )
    return school


async def unsubscribe_from_school(
    *,
    caller: Caller[EducationStore],
    school_id: str,
    device_token: str | None = None,
) -> bool:
    """Stop following a school; False when not following it. An empty or over-long
    ``school_id`` is an ``InvalidInput`` naming ``schoolId``."""
    return await notifications.unsubscribe(
        caller=Caller(NotificationsStore.of(caller.store.resources), caller.principal),
        topic=school_topic(school_id.strip()),
        device_token=device_token,
    )
