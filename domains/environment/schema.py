"""The environment domain's queries and mutations: thin resolvers over the use cases."""

from datetime import datetime
from typing import Annotated

import strawberry

from domains.environment import air_quality, aqi, area_air, readings
from domains.environment.air_quality import HistoryPoint, Resolution
from domains.environment.bands import BANDS
from domains.environment.models import StationDocument
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
from domains.kernel.context import Info
from domains.kernel.errors import ValidationFailed, expected
from domains.kernel.geo import NearInput
from domains.kernel.i18n import Language, LocalizedTextInput

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


@strawberry.type
class Query:
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
        "15 km; none: NO_DATA) and whether they are alerting; all by default."
    )
    async def air_quality_areas(
        self, info: Info, codes: list[str] | None = None, lang: Language | None = None
    ) -> list[AreaAirQuality]:
        views = await area_air.area_views(store=environment(info), codes=codes)
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
class Mutation:
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
