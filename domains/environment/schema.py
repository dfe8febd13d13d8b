"""The environment domain's queries and mutations: thin resolvers over the use cases."""

from datetime import datetime
from typing import Annotated

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from domains.environment import air_quality, aqi, area_air, readings, report_status, reports
from domains.environment.access import is_agency_staff
from domains.environment.air_quality import HistoryPoint, Resolution
from domains.environment.bands import BANDS
from domains.environment.errors import ReportNotFound
from domains.environment.models import ReportDocument, StationDocument
from domains.environment.photos import MAX_BYTES
from domains.environment.report_types import (
    PollutionReport,
    PollutionReportFiled,
    PollutionReportStatus,
    ReportLimitReachedError,
    ReportNotFoundError,
    ReportStatusConflictError,
)
from domains.environment.reports import ReportCategory, Visibility, visibility
from domains.environment.repository import EnvironmentStore
from domains.environment.types import (
    AirQualityBand,
    AirQualityHistory,
    AirQualityPoint,
    AirReadingInput,
    AreaAirQuality,
    EnvironmentAlertSent,
    MonitoringStation,
    ReadingsReport,
    StationAirQuality,
    StationNotFoundError,
)
from domains.kernel.auth import require_user
from domains.kernel.context import Info
from domains.kernel.errors import InvalidInput, ValidationFailed, expected
from domains.kernel.geo import NearInput
from domains.kernel.i18n import Language, LocalizedTextInput
from domains.kernel.pagination import Connection

SubmitAirReadingsResult = Annotated[
    ReadingsReport | StationNotFoundError | ValidationFailed,
    strawberry.union("SubmitAirReadingsResult"),
]
SendEnvironmentAlertResult = Annotated[
    EnvironmentAlertSent | ValidationFailed, strawberry.union("SendEnvironmentAlertResult")
]
AirQualityHistoryResult = Annotated[
    AirQualityHistory | StationNotFoundError | ValidationFailed,
    strawberry.union("AirQualityHistoryResult"),
]


def environment(info: Info) -> EnvironmentStore:
    return info.context.scoped(EnvironmentStore.of)


FileReportResult = Annotated[
    PollutionReportFiled | ReportLimitReachedError | ValidationFailed,
    strawberry.union("FilePollutionReportResult"),
]
FULL = Visibility.FULL
ReportChangeResult = Annotated[
    PollutionReport | ReportNotFoundError | ReportStatusConflictError | ValidationFailed,
    strawberry.union("PollutionReportChangeResult"),
]


async def read_uploads(files: list[Upload] | None) -> list[bytes]:
    """The uploaded files' bytes, each read no further than the size limit allows; every file
    is closed (Strawberry leaves its spooled temporary files open)."""
    uploads = list(files or [])
    try:
        found = []
        for file in uploads:
            if not isinstance(file, UploadFile):
                raise InvalidInput(
                    "Send photos as files (GraphQL multipart request).", field="photos"
                )
            found.append(await file.read(MAX_BYTES + 1))
        return found
    finally:
        for file in uploads:
            if isinstance(file, UploadFile):
                await file.close()


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="Pollution reports, newest first: public ones for everyone (text, exact "
        "place and photos once reviewed), all for agency staff."
    )
    async def pollution_reports(
        self,
        info: Info,
        mine: bool = False,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[PollutionReport]:
        principal = info.context.principal
        store = info.context.scoped(EnvironmentStore.of)
        staff = is_agency_staff(principal)
        reporter = require_user(principal) if mine else None
        page = await store.reports.page(
            public=not staff and not mine, reporter=reporter, first=first, after=after
        )
        language = info.context.lang(lang)

        def convert(report: ReportDocument) -> PollutionReport:
            seen = visibility(report, principal) or Visibility.SUMMARY
            return PollutionReport.of(report, seen, principal.uid, language)

        return Connection.from_page(page.map(convert))

    @strawberry.field(
        description="The map: reports within `near.radiusKm`, nearest first (at most `first`, "
        "100); what each caller may see of each, as in `pollutionReports`."
    )
    async def pollution_reports_near(
        self, info: Info, near: NearInput, first: int = 50, lang: Language | None = None
    ) -> list[PollutionReport]:
        principal = info.context.principal
        store = info.context.scoped(EnvironmentStore.of)
        found = await store.reports.near(
            near.validated(), public=not is_agency_staff(principal), limit=max(1, min(first, 100))
        )
        language = info.context.lang(lang)
        return [
            PollutionReport.of(report, seen, principal.uid, language)
            for report in found
            if (seen := visibility(report, principal)) is not None
        ]

    @strawberry.field(description="One report, or null when it does not exist or is hidden.")
    async def pollution_report(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> PollutionReport | None:
        caller = info.context.caller(EnvironmentStore.of)
        try:
            report, seen = await reports.get_report(caller=caller, report_id=str(id))
        except ReportNotFound:
            return None
        return PollutionReport.of(report, seen, caller.principal.uid, info.context.lang(lang))


@strawberry.type
class ReportMutation:
    @strawberry.mutation(
        description="Report pollution (signed-in citizens): up to 3 photos as multipart uploads. "
        "A similar open report within 200 m gets your support instead of a duplicate."
    )
    async def file_pollution_report(
        self,
        info: Info,
        category: ReportCategory,
        text: str,
        lat: float,
        lng: float,
        photos: list[Upload] | None = None,
        lang: Language | None = None,
    ) -> FileReportResult:
        caller = info.context.caller(EnvironmentStore.of)
        language = info.context.lang(lang)

        async def call() -> reports.Filed:
            return await reports.file_report(
                caller=caller,
                category=category,
                text=text,
                lat=lat,
                lng=lng,
                photos=await read_uploads(photos),
            )

        return await expected(
            call(),
            lambda filed: PollutionReportFiled.of(filed, caller.principal.uid, language),
            ReportLimitReachedError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Move a report on (environment agency staff): ASSIGNED, IN_PROGRESS, "
        "RESOLVED (with a photo of the result) or REJECTED (with a reason in `note`)."
    )
    async def change_pollution_report_status(
        self,
        info: Info,
        id: strawberry.ID,
        status: PollutionReportStatus,
        note: str | None = None,
        photos: list[Upload] | None = None,
        lang: Language | None = None,
    ) -> ReportChangeResult:
        caller = info.context.caller(EnvironmentStore.of)
        language = info.context.lang(lang)

        async def call() -> ReportDocument:
            return await report_status.change_status(
                caller=caller,
                report_id=str(id),
                status=status.value,
                note=note,
                result_photos=await read_uploads(photos),
            )

        return await expected(
            call(),
            lambda r: PollutionReport.of(r, FULL, caller.principal.uid, language),
            ReportNotFoundError,
            ReportStatusConflictError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="After review, publish a report's text, exact place and photos, or hide it "
        "(environment agency staff)."
    )
    async def review_pollution_report(
        self, info: Info, id: strawberry.ID, publish: bool, lang: Language | None = None
    ) -> ReportChangeResult:
        caller = info.context.caller(EnvironmentStore.of)
        language = info.context.lang(lang)
        return await expected(
            report_status.moderate(caller=caller, report_id=str(id), publish=publish),
            lambda r: PollutionReport.of(r, FULL, caller.principal.uid, language),
            ReportNotFoundError,
            ReportStatusConflictError,
            ValidationFailed,
        )


@strawberry.type
class Query(ReportQuery):
    @strawberry.field(
        description="The nearest stations' latest VN_AQI within `near.radiusKm`, nearest first; "
        "check `freshness`: a STALE value is the last known one, not the air now."
    )
    async def air_quality(
        self, info: Info, near: NearInput, first: int = 3, lang: Language | None = None
    ) -> list[StationAirQuality]:
        found = await air_quality.station_readings(store=environment(info), near=near, first=first)
        language = info.context.lang(lang)
        return [StationAirQuality.of(reading, language) for reading in found]

    @strawberry.field(
        description="A station's hourly (at most 31 days) or daily (at most 366 days) VN_AQI; "
        "by default the last 24 hours or 7 days."
    )
    async def air_quality_history(
        self,
        info: Info,
        station_id: strawberry.ID,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        resolution: Resolution = Resolution.HOURLY,
        lang: Language | None = None,
    ) -> AirQualityHistoryResult:
        language = info.context.lang(lang)

        def convert(
            found: tuple[StationDocument, list[HistoryPoint]],
        ) -> AirQualityHistory:
            station, points = found
            return AirQualityHistory(
                station=MonitoringStation.from_document(station, language),
                resolution=resolution,
                points=[AirQualityPoint.of(point, language) for point in points],
            )

        return await expected(
            air_quality.history(
                store=environment(info),
                station_id=str(station_id),
                start=from_,
                end=to,
                resolution=resolution,
            ),
            convert,
            StationNotFoundError,
            ValidationFailed,
        )

    @strawberry.field(
        description="Wards/communes with the air quality of their station (the nearest within "
        "15 km; none: NO_DATA) and whether they are alerting; all by default, or those with "
        "`codes`, or whose name holds every word of `search` (accents optional)."
    )
    async def air_quality_areas(
        self,
        info: Info,
        codes: list[str] | None = None,
        search: str | None = None,
        lang: Language | None = None,
    ) -> list[AreaAirQuality]:
        views = await area_air.area_views(store=environment(info), codes=codes, search=search)
        language = info.context.lang(lang)
        return [AreaAirQuality.of(view, language) for view in views]

    @strawberry.field(description="Every monitoring station, by id.")
    async def monitoring_stations(
        self, info: Info, lang: Language | None = None
    ) -> list[MonitoringStation]:
        language = info.context.lang(lang)
        stations = await environment(info).stations.all()
        return [MonitoringStation.from_document(station, language) for station in stations]

    @strawberry.field(description="The six VN_AQI bands with colours and advice (a legend).")
    def air_quality_bands(self, info: Info, lang: Language | None = None) -> list[AirQualityBand]:
        language = info.context.lang(lang)
        return [AirQualityBand.of(band, language) for band in BANDS]


@strawberry.type
class Mutation(ReportMutation):
    @strawberry.mutation(
        description="Send hourly readings of one station (its operator or the environment "
        "agency). Repeats change nothing, a new value for the same hour corrects it, and each "
        "refused reading is listed with the reason."
    )
    async def submit_air_readings(
        self,
        info: Info,
        station_id: strawberry.ID,
        readings_: Annotated[list[AirReadingInput], strawberry.argument(name="readings")],
    ) -> SubmitAirReadingsResult:
        batch = [
            readings.Reading(pollutant=aqi.Pollutant(r.pollutant.value), time=r.time, value=r.value)
            for r in readings_
        ]
        return await expected(
            readings.submit_readings(
                caller=info.context.caller(EnvironmentStore.of),
                station_id=str(station_id),
                readings=batch,
            ),
            ReadingsReport.of,
            StationNotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="An official alert (chemical spill, water cut) to the followers of each "
        "ward/commune (environment agency staff)."
    )
    async def send_environment_alert(
        self,
        info: Info,
        area_codes: list[str],
        title: LocalizedTextInput,
        body: LocalizedTextInput,
    ) -> SendEnvironmentAlertResult:
        return await expected(
            area_air.send_official_alert(
                caller=info.context.caller(EnvironmentStore.of),
                area_codes=area_codes,
                title=title.to_document(),
                body=body.to_document(),
            ),
            lambda topics: EnvironmentAlertSent(topics=topics),
            ValidationFailed,
        )
