"""Strawberry types of citizens' pollution reports: what each caller sees follows
``reports.visibility`` (the reporter is never shown to anyone but staff)."""

import base64
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, TypeVar, cast

import strawberry
from bson import ObjectId

from domains.environment.areas import load_areas
from domains.environment.errors import ReportLimitReached, ReportNotFound, ReportStatusConflict
from domains.environment.models import ReportDocument
from domains.environment.reports import AGENCIES, Filed, ReportCategory, Visibility
from domains.environment.repository import EnvironmentStore
from domains.environment.types import StationLocation
from domains.kernel.context import Info
from domains.kernel.errors import UserError
from domains.kernel.i18n import pick
from domains.kernel.node import Node

PollutionReportCategory = strawberry.enum(ReportCategory, name="PollutionReportCategory")


@strawberry.enum(description="Where a report stands.")
class PollutionReportStatus(Enum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"


PHOTO_PATH = "/environment/photos/"
Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def described(text: str) -> Callable[[Resolver], Resolver]:
    """``@strawberry.field(description=...)`` with the resolver's own type kept for mypy."""
    return cast(Callable[[Resolver], Resolver], strawberry.field(description=text))


def photo_url(photo_id: ObjectId, *, thumbnail: bool = False) -> str:
    """Served to anyone only while the report is public (``api`` route of this domain)."""
    return f"{PHOTO_PATH}{photo_id}{'-thumb' if thumbnail else ''}.jpg"


@strawberry.type(description="A photo of a report, re-encoded without EXIF.")
class ReportPhoto(Node):
    id: strawberry.ID
    url: str = strawberry.field(description="The image (public reports; else 404).")
    thumbnail_url: str

    @described("The thumbnail inline (data: URL), for its reporter and staff.")
    async def thumbnail_data_url(self, info: Info) -> str | None:
        store = info.context.scoped(EnvironmentStore.of)
        data = await store.photos.read(ObjectId(str(self.id)), thumbnail=True)
        return "data:image/jpeg;base64," + base64.b64encode(data).decode() if data else None

    @classmethod
    def of(cls, photo_id: ObjectId) -> "ReportPhoto":
        return cls(
            id=strawberry.ID(str(photo_id)),
            url=photo_url(photo_id),
            thumbnail_url=photo_url(photo_id, thumbnail=True),
        )


@strawberry.type(description="One step of a report's history.")
class ReportStep:
    status: PollutionReportStatus
    at: datetime
    note: str | None


@strawberry.type(description="A citizen's pollution report (phản ánh hiện trường).")
class PollutionReport(Node):
    id: strawberry.ID
    category: ReportCategory
    status: PollutionReportStatus
    area_code: str | None
    area_name: str | None
    agency: str = strawberry.field(description="Who handles it.")
    location: StationLocation = strawberry.field(
        description="Exact once reviewed (or for its reporter and staff); else rounded to ~1 km."
    )
    approximate: bool
    text: str | None = strawberry.field(description="Null until staff have reviewed it.")
    photos: list[ReportPhoto]
    result_photos: list[ReportPhoto]
    reject_reason: str | None
    supporter_count: int = strawberry.field(description="Others who reported the same thing.")
    history: list[ReportStep]
    mine: bool
    reviewed: bool
    hidden: bool
    demo: bool = strawberry.field(description="Made up for the demo, never filed by anyone.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls, report: ReportDocument, seen: Visibility, uid: str | None, language: str
    ) -> "PollutionReport":
        lng, lat = report["location"]["coordinates"]
        exact = seen is not Visibility.SUMMARY
        area = load_areas().get(report["areaCode"]) if report["areaCode"] else None
        return cls(
            id=strawberry.ID(str(report["_id"])),
            category=ReportCategory(report["category"]),
            status=PollutionReportStatus(report["status"]),
            area_code=report["areaCode"],
            area_name=pick(area.name, language) if area else None,
            agency=pick(AGENCIES[report["agency"]], language) or "",
            location=StationLocation(
                lat=lat if exact else round(lat, 2), lng=lng if exact else round(lng, 2)
            ),
            approximate=not exact,
            text=report["text"] if exact else None,
            photos=[ReportPhoto.of(p) for p in report["photoIds"]] if exact else [],
            result_photos=[ReportPhoto.of(p) for p in report["resultPhotoIds"]],
            reject_reason=report.get("rejectReason"),
            supporter_count=len(report["supporters"]),
            history=[
                ReportStep(
                    status=PollutionReportStatus(step["status"]),
                    at=step["at"],
                    note=step.get("note") if seen is Visibility.FULL else None,
                )
                for step in report["history"]
            ],
            mine=uid is not None and report["reporterUid"] == uid,
            reviewed=report["reviewed"],
            hidden=report["hidden"],
            demo=bool(report.get("demo")),
            created_at=report["createdAt"],
            updated_at=report["updatedAt"],
        )


@strawberry.type(description="The report filed, or the similar open report nearby you joined.")
class PollutionReportFiled:
    report: PollutionReport
    joined_existing: bool

    @classmethod
    def of(cls, filed: Filed, uid: str | None, language: str) -> "PollutionReportFiled":
        return cls(
            report=PollutionReport.of(filed.report, Visibility.FULL, uid, language),
            joined_existing=filed.joined,
        )


@strawberry.type(description="Too many reports: a daily limit or too many still open.")
class ReportLimitReachedError(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({ReportLimitReached.code})


@strawberry.type(description="No such report, or it is not visible to you.")
class ReportNotFoundError(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({ReportNotFound.code})


@strawberry.type(description="The report is not in a status that allows this change.")
class ReportStatusConflictError(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({ReportStatusConflict.code})
