"""The report lifecycle in the agency's hands: received → assigned → in progress → resolved (with
a photo of the result) or rejected (with a reason), review for the public map, hiding. Every
status change is pushed to the reporter (in the same transaction, through the outbox)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domains.environment.access import require_agency_staff
from domains.environment.errors import ReportNotFound, ReportStatusConflict
from domains.environment.models import ReportDocument
from domains.environment.photos import clean_photo
from domains.environment.repository import EnvironmentStore
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.repository import parse_object_id
from domains.kernel.types import Session
from domains.kernel.validation import clean_text, required_text
from domains.notifications import outbox

# From each status, the ones staff may move a report to.
NEXT = {
    "received": ("assigned", "rejected"),
    "assigned": ("in_progress", "rejected"),
    "in_progress": ("resolved", "rejected"),
}
STATUS_TEXT = {
    "assigned": ("đã được giao cho cơ quan xử lý", "has been assigned to the agency in charge"),
    "in_progress": ("đang được xử lý", "is being dealt with"),
    "resolved": ("đã được xử lý xong", "has been resolved"),
    "rejected": ("không được tiếp nhận", "was not accepted"),
}
CATEGORY = "environment.report_status"


def _message(report: ReportDocument, status: str) -> tuple[dict[str, str], dict[str, str]]:
    """Fit for a lock screen: the status only, never the report's text or place."""
    vi, en = STATUS_TEXT[status]
    title = {"vi": "Phản ánh môi trường của bạn", "en": "Your pollution report"}
    body = {"vi": f"Phản ánh của bạn {vi}.", "en": f"Your report {en}."}
    return title, body


def _check_change(
    report: ReportDocument, status: str, note: str | None, result_photos: Sequence[bytes]
) -> str | None:
    """The cleaned note, once the change is allowed and complete."""
    if status not in NEXT.get(report["status"], ()):
        raise ReportStatusConflict(
            f"A {report['status'].replace('_', ' ')} report cannot become "
            f"{status.replace('_', ' ')}.",
        )
    note = clean_text(note, field="note", limit=1000) or None
    if status == "rejected" and not note:
        raise InvalidInput("Say why the report is rejected (`note`).", field="note")
    if status == "resolved" and not result_photos:
        raise InvalidInput("Add a photo of the result to resolve a report.", field="photos")
    return note


async def change_status(
    *,
    caller: Caller[EnvironmentStore],
    report_id: str,
    status: str,
    note: str | None = None,
    result_photos: Sequence[bytes] = (),
    now: datetime | None = None,
) -> ReportDocument:
    """Move a report on (agency staff); the reporter is told."""
    uid = require_agency_staff(caller.principal)
    object_id = parse_object_id(report_id)
    report = await caller.store.reports.find(object_id) if object_id else None
    if report is None or object_id is None:
        raise ReportNotFound()
    note = _check_change(report, status, note, result_photos)
    now = now or utcnow()
    changes: dict[str, Any] = {
        "status": status,
        "open": status not in ("resolved", "rejected"),
        "updatedAt": now,
    }
    if status in ("resolved", "rejected"):
        changes["closedAt"] = now
    if status == "rejected":
        changes["rejectReason"] = required_text(note, field="note", limit=1000)
    if result_photos:
        cleaned = [clean_photo(data) for data in result_photos[:3]]
        changes["resultPhotoIds"] = [await caller.store.photos.put(p) for p in cleaned]
    event: dict[str, Any] = {"status": status, "at": now, "by": uid}
    if note:
        event["note"] = note
    title, body = _message(report, status)

    async def work(session: Session) -> ReportDocument:
        updated = await caller.store.reports.update(
            object_id, expected_status=report["status"], changes=changes, event=event
        )
        if updated is None:
            raise ReportStatusConflict("The report changed meanwhile; reload it.")
        await outbox.enqueue(
            db=caller.store.db,
            session=session,
            user_ids=[report["reporterUid"]],
            title=title,
            body=body,
            category=CATEGORY,
            data={"report": str(object_id), "status": status},
        )
        return updated

    return await caller.store.transaction(work, keys=[("environment.report", object_id)])


async def moderate(
    *, caller: Caller[EnvironmentStore], report_id: str, publish: bool
) -> ReportDocument:
    """Publish a report's text, exact place and photos after review, or hide it (agency staff)."""
    require_agency_staff(caller.principal)
    object_id = parse_object_id(report_id)
    changes = {"reviewed": True, "hidden": False} if publish else {"hidden": True}
    updated = await caller.store.reports.set_fields(object_id, changes) if object_id else None
    if updated is None:
        raise ReportNotFound()
    return updated
