"""Pushes and inbox entries about appointments, written in the caller's transaction.

What a lock screen may show is decided here, conservatively: the time, date and queue number,
never the facility, department, doctor, reason for visit or patient name (a facility's name alone,
such as an oncology or obstetrics hospital, can reveal a health condition). Details are in the app.
A patient who chose ``lockScreenDetail: PLACE`` also sees the facility and department (the
notification's detailed text, which the inbox always shows); never the reason, doctor or patient.
"""

from datetime import datetime, timedelta
from typing import Any

from domains.health.models import AppointmentDocument, HospitalDocument, WaitlistEntryDocument
from domains.kernel.clock import PROVINCE_TZ
from domains.kernel.i18n import pick
from domains.kernel.types import Database, Session
from domains.notifications import outbox

CATEGORY = "health.appointment"
REMINDERS = (("24h", timedelta(hours=24)), ("2h", timedelta(hours=2)))
Text = dict[str, str]


def _when(start: datetime) -> tuple[str, str]:
    local = start.astimezone(PROVINCE_TZ)
    return f"{local:%H:%M}", f"{local:%d/%m}"


def _place(hospital: HospitalDocument, appointment: AppointmentDocument) -> Text:
    """'Facility – department' in each language the facility's names are written in."""
    department = next(
        (d for d in hospital["departments"] if d["id"] == appointment["departmentId"]), None
    )
    place: Text = {}
    for lang in ("vi", "en"):
        name = pick(hospital["name"], lang) or hospital["_id"]
        unit = pick(department["name"], lang) if department is not None else None
        place[lang] = f"{name} – {unit}" if unit else name
    return place


def _with_place(lead: Text, place: Text) -> Text:
    """``lead`` ends with a colon; the place follows it."""
    return {
        lang: f"{text} {place[lang]}." if lang in place else f"{text.rstrip(':')}."
        for lang, text in lead.items()
    }


def _appointment_data(appointment: AppointmentDocument) -> Text:
    return {"kind": CATEGORY, "appointmentId": str(appointment["_id"])}


def _reminder_key(appointment_id: object, label: str) -> str:
    return f"health:appointment:{appointment_id}:reminder-{label}"


def reminder_keys(appointment_id: object) -> list[str]:
    return [_reminder_key(appointment_id, label) for label, _ in REMINDERS]


async def _tell(
    *,
    db: Database,
    session: Session,
    user_id: str,
    title: Text,
    body: Text,
    data: Text,
    dedupe_key: str,
    **options: Any,
) -> None:
    """One notification to one patient, in the caller's transaction (the one call of the
    outbox in health); ``options`` are the outbox's own (detailed text, send time, inbox)."""
    await outbox.enqueue(
        db=db,
        session=session,
        user_ids=[user_id],
        title=title,
        body=body,
        category=CATEGORY,
        data=data,
        dedupe_key=dedupe_key,
        **options,
    )


async def booked(
    *,
    db: Database,
    session: Session,
    appointment: AppointmentDocument,
    hospital: HospitalDocument,
    now: datetime,
    moved: bool = False,
) -> None:
    """Confirmation now, and reminders 24 h and 2 h before the start (those still ahead).
    ``hospital`` is the appointment's facility (its names go in the detailed text)."""
    place = _place(hospital, appointment)
    await _confirm(db=db, session=session, appointment=appointment, place=place, moved=moved)
    await _remind(db=db, session=session, appointment=appointment, place=place, now=now)


async def _confirm(
    *, db: Database, session: Session, appointment: AppointmentDocument, place: Text, moved: bool
) -> None:
    time, day = _when(appointment["start"])
    number = appointment["queueNumber"]
    title = (
        {"vi": "Đã đổi lịch khám", "en": "Appointment moved"}
        if moved
        else {"vi": "Đã đặt lịch khám", "en": "Appointment booked"}
    )
    await _tell(
        db=db,
        session=session,
        user_id=appointment["userId"],
        title=title,
        body={
            "vi": f"Lịch khám {time} ngày {day}. Mở ứng dụng để xem số thứ tự và chi tiết.",
            "en": f"Appointment at {time} on {day}. Open the app for your queue number and "
            "details.",
        },
        data=_appointment_data(appointment),
        dedupe_key=f"health:appointment:{appointment['_id']}:booked",
        detailed_title=title,
        detailed_body=_with_place(
            {
                "vi": f"Lịch khám {time} ngày {day}, số thứ tự {number}:",
                "en": f"Appointment at {time} on {day}, queue number {number}:",
            },
            place,
        ),
    )


async def _remind(
    *, db: Database, session: Session, appointment: AppointmentDocument, place: Text, now: datetime
) -> None:
    time, day = _when(appointment["start"])
    title = {"vi": "Nhắc lịch khám", "en": "Appointment reminder"}
    lead = {
        "vi": f"Bạn có lịch khám lúc {time} ngày {day}:",
        "en": f"You have an appointment at {time} on {day}:",
    }
    for label, before in REMINDERS:
        send_at = appointment["start"] - before
        if send_at <= now:
            continue
        await _tell(
            db=db,
            session=session,
            user_id=appointment["userId"],
            title=title,
            body={lang: f"{text.rstrip(':')}." for lang, text in lead.items()},
            data=_appointment_data(appointment),
            dedupe_key=_reminder_key(appointment["_id"], label),
            detailed_title=title,
            detailed_body=_with_place(lead, place),
            send_at=send_at,
            inbox=False,
        )


async def cancel_reminders(
    *, db: Database, session: Session, appointment: AppointmentDocument
) -> None:
    """Withdraw the reminders of an appointment that moved, was checked in or was missed."""
    await outbox.cancel_scheduled(
        db=db, session=session, dedupe_keys=reminder_keys(appointment["_id"])
    )


async def cancelled(
    *,
    db: Database,
    session: Session,
    appointment: AppointmentDocument,
    by_facility: bool,
) -> None:
    """Tell the patient, and withdraw the reminders still waiting to go out."""
    await cancel_reminders(db=db, session=session, appointment=appointment)
    time, day = _when(appointment["start"])
    if by_facility:
        title = {"vi": "Lịch khám đã bị huỷ", "en": "Appointment cancelled"}
        body = {
            "vi": f"Cơ sở y tế đã huỷ lịch khám {time} ngày {day}. Mở ứng dụng để xem lý do và "
            "đặt lịch khác.",
            "en": f"The facility cancelled your appointment at {time} on {day}. Open the app for "
            "the reason and to book another time.",
        }
    else:
        title = {"vi": "Đã huỷ lịch khám", "en": "Appointment cancelled"}
        body = {
            "vi": f"Bạn đã huỷ lịch khám {time} ngày {day}.",
            "en": f"You cancelled your appointment at {time} on {day}.",
        }
    await _tell(
        db=db,
        session=session,
        user_id=appointment["userId"],
        title=title,
        body=body,
        data=_appointment_data(appointment),
        dedupe_key=f"health:appointment:{appointment['_id']}:cancelled",
    )


async def _tell_waiting(
    *,
    db: Database,
    session: Session,
    entry: WaitlistEntryDocument,
    event: str,
    title: Text,
    body: Text,
) -> None:
    await _tell(
        db=db,
        session=session,
        user_id=entry["userId"],
        title=title,
        body=body,
        data={"kind": "health.waitlist", "waitlistEntryId": str(entry["_id"])},
        dedupe_key=f"health:waitlist:{entry['_id']}:{event}",
    )


async def waitlist_offered(
    *,
    db: Database,
    session: Session,
    entry: WaitlistEntryDocument,
    start: datetime,
    until: datetime,
) -> None:
    """A place freed up: the time and date of the slot and the hold's end, nothing else."""
    time, day = _when(start)
    deadline = f"{until.astimezone(PROVINCE_TZ):%H:%M}"
    await _tell_waiting(
        db=db,
        session=session,
        entry=entry,
        event="offered",
        title={"vi": "Có chỗ trống", "en": "A place freed up"},
        body={
            "vi": f"Có chỗ lịch khám {time} ngày {day}. Xác nhận trước {deadline} trong ứng dụng.",
            "en": f"A place at {time} on {day} freed up. Confirm in the app before {deadline}.",
        },
    )


async def waitlist_cancelled(
    *, db: Database, session: Session, entry: WaitlistEntryDocument, start: datetime
) -> None:
    """The facility closed the slot a patient was waiting for (or held a place in)."""
    time, day = _when(start)
    await _tell_waiting(
        db=db,
        session=session,
        entry=entry,
        event="cancelled",
        title={"vi": "Lịch khám đã bị huỷ", "en": "Slot cancelled"},
        body={
            "vi": f"Cơ sở y tế đã huỷ lịch khám {time} ngày {day} mà bạn đang chờ. Mở ứng dụng "
            "để đặt lịch khác.",
            "en": f"The facility cancelled the slot at {time} on {day} you were waiting for. Open "
            "the app to book another time.",
        },
    )
