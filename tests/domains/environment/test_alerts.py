"""Alerts by ward/commune: hysteresis and the minimum interval (pure rules), alerts and all-clears
queued through the outbox from ingestion, official alerts, and the move of district followers."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domains.environment.alerts import AlertState, Message, decide, scheduled_alerts
from domains.environment.bands import BandName
from domains.environment.migrations import move_district_followers
from domains.environment.repository import STALE_AFTER, StationRepository
from domains.environment.seed import station_document
from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from tests.conftest import GraphQLClient

T0 = datetime(2026, 12, 6, 8, tzinfo=UTC)
STATION = "alert-station"
THO_XUAN = "15499"  # Xã Thọ Xuân: its nearest station within 15 km is STATION
SUBMIT = """mutation($s: ID!, $r: [AirReadingInput!]!) {
  submitAirReadings(stationId: $s, readings: $r) {
    __typename ... on ReadingsReport { accepted } } }"""
AREAS = """query($codes: [String!]) { airQualityAreas(codes: $codes, lang: EN) {
  code name topic freshness aqi alerting distanceKm station { station { id } } } }"""
OFFICIAL = """mutation($codes: [String!]!) { sendEnvironmentAlert(areaCodes: $codes,
  title: {vi: "Sự cố tràn hóa chất", en: "Chemical spill"},
  body: {vi: "Đóng cửa sổ, tránh khu vực cảng.", en: "Keep windows shut; avoid the port."}) {
  __typename ... on EnvironmentAlertSent { topics } ... on ValidationFailed { field } } }"""


def step(state: AlertState, aqi: int | None, minutes: int) -> tuple[AlertState, Message | None]:
    return decide(state, aqi, T0 + timedelta(minutes=minutes))


def test_hovering_at_the_edge_sends_one_alert() -> None:
    state, message = step(AlertState(), 152, 0)
    assert message is Message.ALERT and state.band is BandName.BAD
    for minute, aqi in enumerate((149, 153, 141, 150, 155), start=1):
        state, message = step(state, aqi, minute * 60)
        assert message is None and state.alerting
    state, message = step(state, 140, 400)
    assert message is Message.ALL_CLEAR and not state.alerting


def test_a_new_alert_waits_for_the_minimum_interval() -> None:
    state, _ = step(AlertState(), 160, 0)
    state, message = step(state, 120, 60)
    assert message is Message.ALL_CLEAR
    state, message = step(state, 170, 120)  # two hours after the alert: too soon
    assert message is None and not state.alerting
    state, message = step(state, 170, 180)  # three hours: alerts again
    assert message is Message.ALERT


def test_a_worse_band_is_pushed_once_and_no_data_never_alerts() -> None:
    state, _ = step(AlertState(), 160, 0)
    state, message = step(state, 210, 10)
    assert message is Message.WORSE and state.band is BandName.VERY_BAD
    state, message = step(state, 190, 20)
    state, again = step(state, 220, 30)
    assert (message, again) == (None, None)
    assert step(AlertState(), None, 0) == (AlertState(), None)


def test_missing_data_ends_an_alert_as_data_unavailable_never_as_all_clear() -> None:
    state, _ = step(AlertState(), 160, 0)
    state, message = step(state, None, 150)
    assert message is Message.DATA_UNAVAILABLE and not state.alerting
    assert step(state, None, 160) == (state, None)
    state, message = step(state, 170, 170)  # data back, still bad, within 3 h of the alert
    assert message is None
    state, message = step(state, 170, 180)
    assert message is Message.ALERT


@pytest.fixture(scope="module")
async def station(db: Database) -> None:
    row = {
        "_id": STATION,
        "name": {"vi": "Trạm thử Thọ Xuân"},
        "address": {"vi": "Xã Thọ Xuân"},
        "communeCode": THO_XUAN,
        "lat": 19.935,
        "lng": 105.495,
        "parameters": ["pm25", "pm10"],
    }
    await StationRepository(db).put(station_document(row))


async def alerts_of(db: Database, code: str) -> list[dict[str, Any]]:
    cursor = db["notifications"].find({"audience.topic": f"commune.{code}"}, sort=[("_id", 1)])
    return [document async for document in cursor]


@pytest.mark.usefixtures("station")
async def test_ingestion_alerts_followers_and_gives_the_all_clear(
    gql: GraphQLClient, db: Database, dev_token: Any
) -> None:
    operator = dev_token("op", Role.STATION_OPERATOR, stations=(STATION,))
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    async def send(value: float) -> None:
        rows = [
            {"pollutant": "PM25", "time": (hour - timedelta(hours=i)).isoformat(), "value": value}
            for i in range(3)
        ]
        body = await gql(SUBMIT, {"s": STATION, "r": rows}, token=operator)
        assert body["data"]["submitAirReadings"]["accepted"] == 3

    await send(40)  # AQI 80: nothing
    assert await alerts_of(db, THO_XUAN) == []
    await send(100)  # 80–150 → 150–200: 50/70 × 20 + 150 = 164: bad
    (alert,) = await alerts_of(db, THO_XUAN)
    assert alert["category"] == "environment.air_alert" and alert["inbox"] is True
    assert "VN_AQI 164" in alert["body"]["vi"] and "Xã Thọ Xuân" in alert["title"]["vi"]
    assert "Thọ Xuân commune" in alert["title"]["en"]
    await send(95)  # 50/70 × 15 + 150 = 160.7 → 161: still bad, nothing new
    assert len(await alerts_of(db, THO_XUAN)) == 1
    areas = (await gql(AREAS, {"codes": [THO_XUAN]}))["data"]["airQualityAreas"]
    assert areas[0]["alerting"] is True and areas[0]["aqi"] == 161
    assert areas[0]["station"]["station"]["id"] == STATION
    await send(30)  # 60: all clear
    clear = (await alerts_of(db, THO_XUAN))[-1]
    assert clear["data"]["kind"] == "all_clear" and "improved" in clear["title"]["en"]


HOANG_THANH = "16000"  # Xã Hoằng Thanh: SILENT sits at its centre, far from STATION
SILENT = "silent-station"


@pytest.fixture(scope="module")
async def silent_station(db: Database) -> None:
    row = {
        "_id": SILENT,
        "name": {"vi": "Trạm thử Hoằng Thanh"},
        "address": {"vi": "Xã Hoằng Thanh"},
        "communeCode": HOANG_THANH,
        "lat": 19.915,
        "lng": 105.935,
        "parameters": ["pm25"],
    }
    await StationRepository(db).put(station_document(row))


@pytest.mark.usefixtures("silent_station")
async def test_a_station_that_stops_reporting_ends_the_alert_on_the_schedule(
    gql: GraphQLClient, db: Database, resources: Resources, dev_token: Any
) -> None:
    operator = dev_token("op-silent", Role.STATION_OPERATOR, stations=(SILENT,))
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = [
        {"pollutant": "PM25", "time": (hour - timedelta(hours=i)).isoformat(), "value": 100}
        for i in range(3)
    ]
    body = await gql(SUBMIT, {"s": SILENT, "r": rows}, token=operator)
    assert body["data"]["submitAirReadings"]["accepted"] == 3
    (alert,) = await alerts_of(db, HOANG_THANH)
    assert alert["data"]["kind"] == "alert"
    # The worker's job, by its own clock: while the reading is current nothing changes...
    await scheduled_alerts(resources, hour + timedelta(minutes=90))
    assert len(await alerts_of(db, HOANG_THANH)) == 1
    # ...once it is stale, the alert ends as "data unavailable", not as an all-clear...
    await scheduled_alerts(resources, hour + STALE_AFTER + timedelta(minutes=10))
    messages = await alerts_of(db, HOANG_THANH)
    assert [m["data"]["kind"] for m in messages] == ["alert", "data_unavailable"]
    assert "not because the air has improved" in messages[-1]["body"]["en"]
    assert "Xã Hoằng Thanh" in messages[-1]["title"]["vi"]
    # ...once only.
    await scheduled_alerts(resources, hour + timedelta(hours=6))
    assert len(await alerts_of(db, HOANG_THANH)) == 2
    (area,) = (await gql(AREAS, {"codes": [HOANG_THANH]}))["data"]["airQualityAreas"]
    assert area["alerting"] is False


async def test_an_area_far_from_every_station_has_no_data(gql: GraphQLClient) -> None:
    nghi_son = "16654"
    (area,) = (await gql(AREAS, {"codes": [nghi_son]}))["data"]["airQualityAreas"]
    assert (area["freshness"], area["aqi"], area["station"], area["alerting"]) == (
        "NO_DATA",
        None,
        None,
        False,
    )


async def test_official_alerts_by_agency_staff_only(
    gql: GraphQLClient, db: Database, dev_token: Any
) -> None:
    codes = ["16654", "16645"]
    for token, code in ((None, "UNAUTHENTICATED"), (dev_token("c"), "FORBIDDEN")):
        refused = await gql(OFFICIAL, {"codes": codes}, token=token)
        assert refused["errors"][0]["extensions"]["code"] == code
    operator = dev_token("op", Role.STATION_OPERATOR, stations=(STATION,))
    refused = await gql(OFFICIAL, {"codes": codes}, token=operator)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    staff = dev_token("agency", Role.ENVIRONMENT_STAFF)
    sent = (await gql(OFFICIAL, {"codes": codes}, token=staff))["data"]["sendEnvironmentAlert"]
    assert sent["topics"] == ["commune.16654", "commune.16645"]
    assert (await alerts_of(db, "16654"))[0]["sender"] == "agency"
    unknown = await gql(OFFICIAL, {"codes": ["99999"]}, token=staff)
    assert unknown["data"]["sendEnvironmentAlert"] == {
        "__typename": "ValidationFailed",
        "field": "areaCodes",
    }


async def test_district_followers_move_to_its_wards(db: Database, resources: Resources) -> None:
    now = datetime.now(UTC)
    subscriptions = db["notification_subscriptions"]
    await subscriptions.insert_many(
        [
            {"userId": "u1", "token": None, "topic": "district.sam-son", "createdAt": now},
            {"userId": None, "token": "device-1", "topic": "district.sam-son", "createdAt": now},
            {
                "userId": "u2",
                "token": None,
                "topic": "district.S%E1%BA%A7m%20S%C6%A1n",
                "createdAt": now,
            },
            {"userId": "u1", "token": None, "topic": "commune.16531", "createdAt": now},
        ]
    )
    assert await move_district_followers(resources) == 3
    found = {(d.get("userId") or d["token"], d["topic"]) async for d in subscriptions.find({})}
    wards = {"commune.16531", "commune.16516"}  # Sầm Sơn and Nam Sầm Sơn wards
    assert found == {(who, topic) for who in ("u1", "device-1", "u2") for topic in wards}
    assert await move_district_followers(resources) == 0


async def test_areas_are_found_by_name_with_or_without_accents(gql: GraphQLClient) -> None:
    query = "query($s: String) { airQualityAreas(search: $s) { code } }"
    for typed, codes in (
        ("sam son", {"16531", "16516"}),
        ("Nam Sầm Sơn", {"16516"}),
        ("HAM RONG", {"14758"}),
        ("Thọ Xuân commune", {"15499"}),
        ("nowhere", set()),
    ):
        found = (await gql(query, {"s": typed}))["data"]["airQualityAreas"]
        assert {area["code"] for area in found} == codes, typed
