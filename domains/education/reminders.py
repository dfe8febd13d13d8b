"""Reminders of admission rounds to a school's followers: three days before a window opens and
on the day before it closes, scheduled in the outbox under keys that carry their send time."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domains.education.models import AdmissionRoundDocument, LocalizedDict
from domains.education.store import EducationStore
from domains.education.timing import local_midnight_utc, local_time_utc
from domains.education.topics import school_topic
from domains.kernel.clock import as_utc
from domains.kernel.i18n import pick
from domains.kernel.types import Session
from domains.notifications import outbox

# Reminders go out at 08:00 province time: three days before a window opens and on the day
# before it closes.
REMINDER_HOUR = 8
OPENS_REMINDER_DAYS = 3
CLOSES_REMINDER_DAYS = 1


@dataclass(frozen=True, slots=True)
class Reminder:
    key: str
    school_id: str
    kind: str  # opens | closes
    send_at: datetime


def reminder_plan(document: AdmissionRoundDocument) -> list[Reminder]:
    """The reminders of a round, one per school and kind. The key carries the send time, so a
    moved window gets new keys and the old reminders can be cancelled by theirs."""
    opens_on = date.fromisoformat(document["opensOn"])
    closes_on = date.fromisoformat(document["closesOn"])
    times = {
        "opens": opens_on - timedelta(days=OPENS_REMINDER_DAYS),
        "closes": closes_on - timedelta(days=CLOSES_REMINDER_DAYS),
    }
    plan: list[Reminder] = []
    for school_id in document["schoolIds"]:
        for kind, day in times.items():
            send_at = local_time_utc(day, REMINDER_HOUR)
            key = f"education.round:{document['_id']}:{school_id}:{kind}:{send_at:%Y%m%dT%H%M}"
            plan.append(Reminder(key=key, school_id=school_id, kind=kind, send_at=send_at))
    return plan


def _deadline_of(document: AdmissionRoundDocument, kind: str) -> datetime:
    """Until when a late reminder still makes sense: the opening, or the start of the last day
    (after which "closes tomorrow" would be wrong)."""
    if kind == "opens":
        return as_utc(document["opensAt"])
    return local_midnight_utc(date.fromisoformat(document["closesOn"]))


def _dmy(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _reminder_texts(
    document: AdmissionRoundDocument, kind: str, school: LocalizedDict
) -> tuple[LocalizedDict, LocalizedDict]:
    opens, closes = _dmy(document["opensOn"]), _dmy(document["closesOn"])
    school_vi = pick(school, "vi") or ""
    school_en = pick(school, "en") or school_vi
    round_vi = pick(document["name"], "vi") or ""
    round_en = pick(document["name"], "en") or round_vi
    if kind == "opens":
        title = {"vi": f"Sắp mở đăng ký tuyển sinh ({opens})", "en": f"Admissions open on {opens}"}
        body = {
            "vi": f"{round_vi} – {school_vi}: nhận hồ sơ từ {opens} đến hết {closes}.",
            "en": f"{round_en} – {school_en}: applications from {opens} to the end of {closes}.",
        }
    else:
        title = {
            "vi": f"Ngày mai hết hạn nộp hồ sơ ({closes})",
            "en": f"Applications close tomorrow ({closes})",
        }
        body = {
            "vi": f"{round_vi} – {school_vi}: hạn cuối nhận hồ sơ là hết ngày {closes}.",
            "en": f"{round_en} – {school_en}: the last day to apply is {closes}.",
        }
    return title, body


def _due(
    reminder: Reminder, after: AdmissionRoundDocument, now: datetime
) -> tuple[bool, datetime | None]:
    """Whether to schedule ``reminder`` now, and when to send it (None: at once)."""
    if reminder.send_at > now + outbox.MAX_SCHEDULE_AHEAD:
        # Beyond the outbox's horizon: scheduled when someone subscribes or the round is next
        # saved.
        return False, None
    if reminder.send_at <= now:
        # Its time has passed (the round was created or moved late): still worth sending now
        # while what it announces lies ahead, pointless afterwards.
        return now < _deadline_of(after, reminder.kind), None
    return True, reminder.send_at


async def reschedule_reminders(
    *,
    store: EducationStore,
    session: Session | None,
    before: AdmissionRoundDocument | None,
    after: AdmissionRoundDocument | None,
    school_names: dict[str, LocalizedDict],
    now: datetime,
) -> int:
    """Cancel the reminders ``before`` had that ``after`` no longer has, and schedule those of
    ``after`` still in the future (idempotent through the dedupe keys). Returns how many were
    scheduled."""
    new_plan = reminder_plan(after) if after is not None else []
    new_keys = {r.key for r in new_plan}
    if before is not None:
        stale = [r.key for r in reminder_plan(before) if r.key not in new_keys]
        await outbox.cancel_scheduled(db=store.db, session=session, dedupe_keys=stale)
    scheduled = 0
    for reminder in new_plan:
        assert after is not None  # noqa: S101 - new_plan is empty otherwise
        due, send_at = _due(reminder, after, now)
        if not due:
            continue
        title, body = _reminder_texts(
            after, reminder.kind, school_names.get(reminder.school_id, {})
        )
        await outbox.enqueue(
            db=store.db,
            session=session,
            topic=school_topic(reminder.school_id),
            title=title,
            body=body,
            category=f"education.round_{reminder.kind}",
            data={"roundId": str(after["_id"]), "schoolId": reminder.school_id},
            send_at=send_at,
            dedupe_key=reminder.key,
            sender="education",
        )
        scheduled += 1
    return scheduled
