"""Air-quality alerts of a ward/commune, pushed to the followers of its topic through the outbox.

An area alerts when its index reaches "bad" (151). Hysteresis: the all-clear comes only once the
index is back at 140 or lower, so a value hovering at the band edge sends nothing more; a new
alert waits at least ``MIN_INTERVAL`` after the last one; while alerting, a worse band (very bad,
hazardous) is pushed once each. An area without a current reading has no data and never alerts.

Missing data: when the station of an alerting area stops reporting (its latest index is older
than ``STALE_AFTER``), the episode ends with a "data unavailable" message, never an all-clear:
nobody knows the air improved. The rules run when readings arrive and on a schedule
(``scheduled_alerts``, a worker job), so a station that goes silent is noticed without a reading.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from domains.environment.areas import Area, load_areas, station_of
from domains.environment.bands import BANDS, Band, BandName, band_of
from domains.environment.models import AreaAlertDocument
from domains.environment.repository import STALE_AFTER, EnvironmentStore
from domains.kernel.clock import PROVINCE_TZ, as_utc
from domains.kernel.resources import Resources
from domains.kernel.types import Session
from domains.notifications import outbox

ALERT_AT = 151
CLEAR_AT_MOST = 140
MIN_INTERVAL = timedelta(hours=3)
CATEGORY = "environment.air_alert"
# How often the worker re-applies the rules without new readings (a silent station ends an
# alert at most this long after its reading turned stale).
JOB_EVERY = timedelta(minutes=10)
RANK = {band.name: position for position, band in enumerate(BANDS)}


class Message(Enum):
    ALERT = "alert"
    WORSE = "worse"
    ALL_CLEAR = "all_clear"
    DATA_UNAVAILABLE = "data_unavailable"


@dataclass(frozen=True, slots=True)
class AlertState:
    alerting: bool = False
    band: BandName | None = None  # the worst band pushed in this episode
    last_alert_at: datetime | None = None

    @classmethod
    def of(cls, document: AreaAlertDocument | None) -> "AlertState":
        if document is None:
            return cls()
        band = document.get("band")
        return cls(
            alerting=document["alerting"],
            band=BandName(band) if band else None,
            last_alert_at=document.get("lastAlertAt"),
        )


def decide(state: AlertState, aqi: int | None, now: datetime) -> tuple[AlertState, Message | None]:
    """The area's next state and the message to push, if any (pure: the rules above).
    ``aqi`` None: no current reading (stale or none)."""
    if aqi is None:
        if state.alerting:
            return replace(state, alerting=False, band=None), Message.DATA_UNAVAILABLE
        return state, None
    band = band_of(aqi).name
    if not state.alerting:
        rested = state.last_alert_at is None or now - state.last_alert_at >= MIN_INTERVAL
        if aqi >= ALERT_AT and rested:
            return AlertState(True, band, now), Message.ALERT
        return state, None
    if aqi <= CLEAR_AT_MOST:
        return replace(state, alerting=False, band=None), Message.ALL_CLEAR
    if state.band is not None and RANK[band] > RANK[state.band]:
        return AlertState(True, band, now), Message.WORSE
    return state, None


def _hour(measured_at: datetime) -> str:
    return measured_at.astimezone(PROVINCE_TZ).strftime("%H:%M %d/%m")


def alert_text(
    area: Area, message: Message, aqi: int | None, band: Band | None, measured_at: datetime
) -> tuple[dict[str, str], dict[str, str]]:
    """Title and body in Vietnamese and English (fit for a lock screen: no personal data)."""
    when = _hour(measured_at)
    name_vi, name_en = area.name["vi"], area.name.get("en", area.name["vi"])
    if message is Message.DATA_UNAVAILABLE or aqi is None or band is None:
        title = {
            "vi": f"Tạm thời không có dữ liệu không khí tại {name_vi}",
            "en": f"No air-quality data for {name_en} for now",
        }
        body = {
            "vi": f"Trạm quan trắc chưa gửi số liệu mới sau {when}. Cảnh báo kết thúc vì thiếu "
            "dữ liệu, không phải vì không khí đã tốt lên: hãy tiếp tục thận trọng.",
            "en": f"The monitoring station has sent no data since {when}. The alert ends for "
            "lack of data, not because the air has improved: stay careful.",
        }
        return title, body
    if message is Message.ALL_CLEAR:
        title = {
            "vi": f"Không khí tại {name_vi} đã cải thiện",
            "en": f"Air quality in {name_en} has improved",
        }
        body = {
            "vi": f"VN_AQI {aqi} ({band.label['vi']}) lúc {when}.",
            "en": f"VN_AQI {aqi} ({band.label['en'].lower()}) at {when}.",
        }
        return title, body
    title = {
        "vi": f"Cảnh báo không khí {band.label['vi'].lower()} tại {name_vi}",
        "en": f"{band.label['en']} air quality in {name_en}",
    }
    body = {
        "vi": f"VN_AQI {aqi} lúc {when}. {band.advice['vi']} {band.sensitive_advice['vi']}",
        "en": f"VN_AQI {aqi} at {when}. {band.advice['en']} {band.sensitive_advice['en']}",
    }
    return title, body


async def evaluate_areas(
    *, store: EnvironmentStore, station_id: str, now: datetime, session: Session
) -> int:
    """Apply the rules to every area that takes its air from ``station_id``; returns how many
    messages were queued (in the caller's transaction, so they exist exactly if it commits)."""
    stations = await store.stations.all()
    mine = [
        area
        for area in load_areas().areas
        if (found := station_of(area, stations)) is not None and found[0] == station_id
    ]
    if not mine:
        return 0
    latest = await store.hours.latest_with_index(station_id, session=session)
    index = latest.get("aqi") if latest is not None else None
    measured_at = as_utc(latest["hour"]) if latest is not None else now
    current = index is not None and now - measured_at <= STALE_AFTER
    aqi = index["value"] if index is not None and current else None
    states = await store.area_alerts.states([area.code for area in mine], session=session)
    queued = 0
    for area in mine:
        before = AlertState.of(states.get(area.code))
        after, message = decide(before, aqi, now)
        if message is None:
            continue
        await store.area_alerts.put(
            {
                "_id": area.code,
                "alerting": after.alerting,
                "band": after.band.value if after.band else None,
                "lastAlertAt": after.last_alert_at,
                "aqi": aqi,
                "stationId": station_id,
                "changedAt": now,
            },
            session=session,
        )
        band = band_of(aqi) if aqi is not None else None
        title, body = alert_text(area, message, aqi, band, measured_at)
        await outbox.enqueue(
            db=store.db,
            session=session,
            topic=area.topic,
            title=title,
            body=body,
            category=CATEGORY,
            data={"area": area.code, "aqi": "" if aqi is None else str(aqi), "kind": message.value},
            dedupe_key=f"air:{area.code}:{measured_at:%Y%m%d%H}:{message.value}",
        )
        queued += 1
    return queued


async def scheduled_alerts(resources: Resources, now: datetime) -> int:
    """The worker's job (every ``JOB_EVERY``): the rules for every station's areas at ``now``,
    one transaction per station; returns how many messages were queued."""
    store = EnvironmentStore.of(resources)
    queued = 0
    for station in await store.stations.all():
        station_id = station["_id"]

        async def work(session: Session, station_id: str = station_id) -> int:
            return await evaluate_areas(
                store=store, station_id=station_id, now=now, session=session
            )

        queued += await store.transaction(work, keys=[("environment.station", station_id)])
    return queued
