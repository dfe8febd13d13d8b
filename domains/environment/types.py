"""Strawberry types of the environment domain's air side."""

from datetime import datetime
from typing import ClassVar

import strawberry

from domains.environment.air_quality import Freshness, HistoryPoint, Resolution, StationReading
from domains.environment.aqi import Pollutant
from domains.environment.area_air import AreaView
from domains.environment.bands import Band, BandName, band_of
from domains.environment.errors import StationNotFound
from domains.environment.models import StationDocument
from domains.environment.readings import IngestionReport, Rejection
from domains.kernel.errors import UserError
from domains.kernel.i18n import pick
from domains.kernel.node import Node

AirPollutant = strawberry.enum(
    Pollutant, name="AirPollutant", description="A pollutant of VN_AQI (µg/m³)."
)
AirQualityBandName = strawberry.enum(
    BandName, name="AirQualityBandName", description="The six VN_AQI bands."
)
AirQualityFreshness = strawberry.enum(
    Freshness,
    name="AirQualityFreshness",
    description="CURRENT: measured within the last two hours; STALE: older, shown with its "
    "time and never as the air now; NO_DATA: nothing measured.",
)
AirQualityResolution = strawberry.enum(Resolution, name="AirQualityResolution")


@strawberry.type(description="A point: latitude and longitude (WGS 84).")
class StationLocation:
    lat: float
    lng: float


@strawberry.type(description="A VN_AQI band (Decision 1459/QĐ-TCMT): range, colour and advice.")
class AirQualityBand:
    name: BandName
    label: str
    low: int
    high: int
    colour: str = strawberry.field(description="The decision's colour as #RRGGBB.")
    advice: str = strawberry.field(description="For everyone.")
    sensitive_advice: str = strawberry.field(
        description="For children, older people and people with heart or lung disease."
    )

    @classmethod
    def of(cls, band: Band, language: str) -> "AirQualityBand":
        return cls(
            name=band.name,
            label=pick(band.label, language) or "",
            low=band.low,
            high=band.high,
            colour=band.colour,
            advice=pick(band.advice, language) or "",
            sensitive_advice=pick(band.sensitive_advice, language) or "",
        )


@strawberry.type(description="One pollutant's value: an hourly or daily mean, or a sub-index.")
class PollutantValue:
    pollutant: Pollutant
    value: float


def _values(values: dict[str, float]) -> list[PollutantValue]:
    return [
        PollutantValue(pollutant=p, value=values[p.value]) for p in Pollutant if p.value in values
    ]


@strawberry.type(description="An automatic air-monitoring station.")
class MonitoringStation(Node):
    id: strawberry.ID
    name: str
    address: str
    commune_code: str
    location: StationLocation
    pollutants: list[Pollutant]
    operator: str
    source: str = strawberry.field(description="Where the station's name and place come from.")
    generated_readings: bool = strawberry.field(
        description="True for demo stations: their readings are generated, not measured."
    )

    @classmethod
    def from_document(cls, document: StationDocument, language: str) -> "MonitoringStation":
        lng, lat = document["location"]["coordinates"]
        return cls(
            id=strawberry.ID(document["_id"]),
            name=pick(document["name"], language) or "",
            address=pick(document["address"], language) or "",
            commune_code=document["communeCode"],
            location=StationLocation(lat=lat, lng=lng),
            pollutants=[Pollutant(code) for code in document["parameters"]],
            operator=pick(document["operator"], language) or "",
            source=document["source"],
            generated_readings=document["generatedReadings"],
        )


@strawberry.type(description="A station's latest hourly VN_AQI and how old it is.")
class StationAirQuality:
    station: MonitoringStation
    distance_km: float | None
    freshness: Freshness
    measured_at: datetime | None = strawberry.field(description="End of the measured hour.")
    age_minutes: int | None
    aqi: int | None
    band: AirQualityBand | None
    dominant_pollutant: Pollutant | None
    sub_indices: list[PollutantValue]
    concentrations: list[PollutantValue] = strawberry.field(description="Hourly means, µg/m³.")
    generated: bool = strawberry.field(description="True when the reading is demo data.")

    @classmethod
    def of(cls, reading: StationReading, language: str) -> "StationAirQuality":
        latest = reading.latest
        index = latest.get("aqi") if latest is not None else None
        age = reading.age
        return cls(
            station=MonitoringStation.from_document(reading.station, language),
            distance_km=None if reading.distance_m is None else round(reading.distance_m / 1000, 2),
            freshness=reading.freshness,
            measured_at=reading.measured_at,
            age_minutes=None if age is None else int(age.total_seconds() // 60),
            aqi=index["value"] if index else None,
            band=AirQualityBand.of(band_of(index["value"]), language) if index else None,
            dominant_pollutant=Pollutant(index["dominant"]) if index else None,
            sub_indices=_values({k: float(v) for k, v in index["subIndices"].items()})
            if index
            else [],
            concentrations=_values(dict(latest["values"])) if latest is not None else [],
            generated=bool(latest.get("generated")) if latest is not None else False,
        )


@strawberry.type(description="VN_AQI of one hour (labelled by its end) or one province day.")
class AirQualityPoint:
    time: datetime
    aqi: int | None = strawberry.field(description="Null when the period lacks PM data.")
    band: AirQualityBand | None
    dominant_pollutant: Pollutant | None
    concentrations: list[PollutantValue]

    @classmethod
    def of(cls, point: HistoryPoint, language: str) -> "AirQualityPoint":
        index = point.index
        return cls(
            time=point.time,
            aqi=index.value if index else None,
            band=AirQualityBand.of(band_of(index.value), language) if index else None,
            dominant_pollutant=index.dominant if index else None,
            concentrations=_values(point.values),
        )


@strawberry.type(description="A station's VN_AQI over a span.")
class AirQualityHistory:
    station: MonitoringStation
    resolution: Resolution
    points: list[AirQualityPoint]


@strawberry.input(description="One hourly mean: `time` is the end of its hour, with a time zone.")
class AirReadingInput:
    pollutant: Pollutant
    time: datetime
    value: float = strawberry.field(description="µg/m³ (CO too).")


@strawberry.type(description="A reading that was not stored, and why.")
class RejectedReading:
    position: int = strawberry.field(description="Its position in `readings` (from 0).")
    reason: str

    @classmethod
    def of(cls, rejection: Rejection) -> "RejectedReading":
        return cls(position=rejection.position, reason=rejection.reason)


@strawberry.type(description="What a batch of readings did.")
class ReadingsReport:
    accepted: int = strawberry.field(description="Stored, including unchanged repeats.")
    unchanged: int
    corrected: int = strawberry.field(description="Replaced an earlier value of the same hour.")
    recomputed_hours: int
    rejected: list[RejectedReading]

    @classmethod
    def of(cls, report: IngestionReport) -> "ReadingsReport":
        return cls(
            accepted=report.accepted,
            unchanged=report.unchanged,
            corrected=report.corrected,
            recomputed_hours=report.recomputed_hours,
            rejected=[RejectedReading.of(r) for r in report.rejected],
        )


@strawberry.type(description="No monitoring station has this id.")
class StationNotFoundError(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({StationNotFound.code})


@strawberry.type(description="A ward or commune: its station's air quality and its alert state.")
class AreaAirQuality:
    code: str
    name: str
    kind: str = strawberry.field(description="ward or commune")
    topic: str = strawberry.field(description="Follow it (`subscribe`) to get its alerts.")
    distance_km: float | None = strawberry.field(description="To the station it reads from.")
    freshness: Freshness = strawberry.field(description="NO_DATA when no station is within reach.")
    aqi: int | None = strawberry.field(description="Only while the reading is CURRENT.")
    band: AirQualityBand | None
    station: StationAirQuality | None
    alerting: bool = strawberry.field(description="In alert now (never on stale or no data).")

    @classmethod
    def of(cls, view: AreaView, language: str) -> "AreaAirQuality":
        station = StationAirQuality.of(view.reading, language) if view.reading else None
        freshness = station.freshness if station is not None else Freshness.NO_DATA
        current = station is not None and freshness is Freshness.CURRENT
        return cls(
            code=view.area.code,
            name=pick(view.area.name, language) or "",
            kind=view.area.kind,
            topic=view.area.topic,
            distance_km=view.distance_km,
            freshness=freshness,
            aqi=station.aqi if current and station is not None else None,
            band=station.band if current and station is not None else None,
            station=station,
            # An alert is shown only while the reading behind it is current.
            alerting=current and bool(view.alert and view.alert["alerting"]),
        )


@strawberry.type(description="The official alert was queued to these topics.")
class EnvironmentAlertSent:
    topics: list[str]
