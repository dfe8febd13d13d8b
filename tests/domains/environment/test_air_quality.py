"""Air quality through /graphql: nearest stations with the data's age, history, and ingestion by
operators (authorisation, refused readings with reasons, repeats, corrections, late readings)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domains.environment.repository import StationRepository
from domains.environment.seed import seed_demo, station_document
from domains.kernel.auth import Role
from domains.kernel.types import Database
from tests.conftest import GraphQLClient

NEAR = """query($lat: Float!, $lng: Float!, $r: Float!, $lang: Language) {
  airQuality(near: {lat: $lat, lng: $lng, radiusKm: $r}, first: 3, lang: $lang) {
    station { id name generatedReadings } distanceKm freshness measuredAt ageMinutes aqi
    dominantPollutant generated band { name label colour advice sensitiveAdvice }
  } }"""
SUBMIT = """mutation($s: ID!, $r: [AirReadingInput!]!) {
  submitAirReadings(stationId: $s, readings: $r) {
  __typename
  ... on ReadingsReport {
    accepted unchanged corrected recomputedHours rejected { position reason } }
  ... on StationNotFoundError { code message }
  ... on ValidationFailed { field message }
} }"""
HISTORY = """query($s: ID!, $from: DateTime, $to: DateTime, $res: AirQualityResolution!) {
  airQualityHistory(stationId: $s, from: $from, to: $to, resolution: $res) {
    __typename
    ... on AirQualityHistory { points { time aqi dominantPollutant band { name } } }
    ... on ValidationFailed { field message }
  } }"""
TEST_STATION = "test-station"
HAC_THANH = (19.8075, 105.777)


@pytest.fixture(scope="module")
async def seeded(db: Database) -> None:
    await seed_demo(db=db, progress=lambda done, total: None)
    row = {
        "_id": TEST_STATION,
        "name": {"vi": "Trạm thử"},
        "address": {"vi": "Xã Thọ Xuân"},
        "communeCode": "15499",
        "lat": 19.935,
        "lng": 105.495,
        "parameters": ["pm25", "pm10", "no2"],
    }
    await StationRepository(db).put(station_document(row))


pytestmark = pytest.mark.usefixtures("seeded")


def this_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def reading(pollutant: str, time: datetime, value: float) -> dict[str, Any]:
    return {"pollutant": pollutant.upper(), "time": time.isoformat(), "value": value}


async def submit(gql: GraphQLClient, token: str | None, rows: list[dict[str, Any]]) -> Any:
    return await gql(SUBMIT, {"s": TEST_STATION, "r": rows}, token=token)


async def test_nearest_stations_with_their_age_and_band(gql: GraphQLClient) -> None:
    lat, lng = HAC_THANH
    body = await gql(NEAR, {"lat": lat, "lng": lng, "r": 10, "lang": "EN"})
    found = body["data"]["airQuality"]
    assert [row["station"]["id"] for row in found][:2] == ["th-hac-thanh", "th-le-mon"]
    first = found[0]
    assert first["freshness"] == "CURRENT" and first["ageMinutes"] < 120
    assert first["generated"] is True and first["station"]["generatedReadings"] is True
    assert isinstance(first["aqi"], int) and first["band"]["colour"].startswith("#")
    assert first["band"]["advice"] and first["band"]["label"] in {
        "Good",
        "Moderate",
        "Poor",
        "Bad",
        "Very bad",
        "Hazardous",
    }
    assert first["distanceKm"] < 1


async def test_station_without_readings_shows_no_data(gql: GraphQLClient) -> None:
    body = await gql(NEAR, {"lat": 19.935, "lng": 105.495, "r": 1, "lang": None})
    (row,) = body["data"]["airQuality"]
    assert row["station"]["id"] == TEST_STATION
    assert (row["freshness"], row["aqi"], row["band"], row["measuredAt"]) == (
        "NO_DATA",
        None,
        None,
        None,
    )


async def test_who_may_send_readings(gql: GraphQLClient, dev_token: Any) -> None:
    rows = [reading("pm25", this_hour() - timedelta(hours=30), 10)]
    anonymous = await submit(gql, None, rows)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for token in (
        dev_token("citizen"),
        dev_token("other-op", Role.STATION_OPERATOR, stations=("th-sam-son",)),
        dev_token("nurse", Role.HOSPITAL_STAFF, hospitals=("h1",)),
    ):
        refused = await submit(gql, token, rows)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    operator = dev_token("op", Role.STATION_OPERATOR, stations=(TEST_STATION,))
    agency = dev_token("agency", Role.ENVIRONMENT_STAFF)
    for token in (operator, agency, dev_token("root", Role.ADMIN)):
        done = (await submit(gql, token, rows))["data"]["submitAirReadings"]
        assert done["__typename"] == "ReadingsReport" and done["accepted"] == 1
    missing = await gql(SUBMIT, {"s": "nowhere", "r": rows}, token=agency)
    assert missing["data"]["submitAirReadings"]["__typename"] == "StationNotFoundError"


async def test_bad_readings_are_refused_with_the_reason(gql: GraphQLClient, dev_token: Any) -> None:
    operator = dev_token("op", Role.STATION_OPERATOR, stations=(TEST_STATION,))
    hour = this_hour() - timedelta(hours=40)
    rows = [
        reading("pm25", hour, 35.5),
        reading("pm25", this_hour() + timedelta(hours=2), 20),
        reading("pm10", hour, -3),
        reading("no2", hour, 90_000),
        reading("pm25", hour + timedelta(minutes=30), 20),
        reading("so2", hour, 20),
    ]
    report = (await submit(gql, operator, rows))["data"]["submitAirReadings"]
    assert report["accepted"] == 1
    reasons = {row["position"]: row["reason"] for row in report["rejected"]}
    assert set(reasons) == {1, 2, 3, 4, 5}
    assert "future" in reasons[1]
    assert "outside 0–2000" in reasons[2] and "outside 0–5000" in reasons[3]
    assert "end of an hour" in reasons[4]
    assert "does not measure so2" in reasons[5]


async def test_repeats_corrections_and_late_readings_recompute(
    gql: GraphQLClient, dev_token: Any
) -> None:
    operator = dev_token("op", Role.STATION_OPERATOR, stations=(TEST_STATION,))
    now = this_hour() - timedelta(hours=60)
    rows = [reading("pm25", now - timedelta(hours=i), 20) for i in range(4)]
    first = (await submit(gql, operator, rows))["data"]["submitAirReadings"]
    assert (first["accepted"], first["unchanged"]) == (4, 0)
    again = (await submit(gql, operator, rows))["data"]["submitAirReadings"]
    assert (again["accepted"], again["unchanged"], again["recomputedHours"]) == (4, 4, 0)

    async def aqi_at(hour: datetime) -> Any:
        span = {"s": TEST_STATION, "from": hour.isoformat(), "to": hour.isoformat()}
        body = await gql(HISTORY, {**span, "res": "HOURLY"})
        return body["data"]["airQualityHistory"]["points"][0]["aqi"]

    # PM2.5 NowCast 20 → 0–25 → 0–50: 50/25 × 20 = 40.
    assert await aqi_at(now) == 40
    # A late hour of 300 five hours back: w = 0.5, NowCast = (20 × 1.875 + 300 × 0.5^5) / 1.90625
    # = 24.59 → 49.18 → 49.
    late = await submit(gql, operator, [reading("pm25", now - timedelta(hours=5), 300)])
    assert late["data"]["submitAirReadings"]["recomputedHours"] == 5
    assert await aqi_at(now) == 49
    # Correcting the late hour to 20 brings it back to 40.
    fixed = await submit(gql, operator, [reading("pm25", now - timedelta(hours=5), 20)])
    assert fixed["data"]["submitAirReadings"]["corrected"] == 1
    assert await aqi_at(now) == 40


async def test_old_readings_are_shown_stale(gql: GraphQLClient, dev_token: Any) -> None:
    operator = dev_token("op", Role.STATION_OPERATOR, stations=(TEST_STATION,))
    old = this_hour() - timedelta(hours=3)
    await submit(gql, operator, [reading("pm25", old - timedelta(hours=i), 30) for i in range(3)])
    body = await gql(NEAR, {"lat": 19.935, "lng": 105.495, "r": 1, "lang": None})
    (row,) = body["data"]["airQuality"]
    assert row["freshness"] == "STALE" and row["ageMinutes"] >= 180
    assert row["aqi"] == 60  # 25–50 → 50–100: 50/25 × 5 + 50 = 60, shown with its age


async def test_daily_history_and_span_limits(gql: GraphQLClient) -> None:
    body = await gql(HISTORY, {"s": "th-hac-thanh", "res": "DAILY"})
    points = body["data"]["airQualityHistory"]["points"]
    assert len(points) >= 7
    assert all(p["aqi"] is not None for p in points[1:-1])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    too_long = {"s": "th-hac-thanh", "from": start.isoformat(), "res": "HOURLY"}
    too_long["to"] = (start + timedelta(days=40)).isoformat()
    refused = (await gql(HISTORY, too_long))["data"]["airQualityHistory"]
    assert refused["__typename"] == "ValidationFailed" and refused["field"] == "from"


async def test_an_admin_grants_a_station_operator(gql: GraphQLClient, dev_token: Any) -> None:
    grant = """mutation($uid: String!, $role: Role!, $stationId: String) {
      grantRole(uid: $uid, role: $role, stationId: $stationId) {
        __typename ... on Grant { roles stationIds } ... on ValidationFailed { field } } }"""
    admin = dev_token("root", Role.ADMIN)
    missing = await gql(grant, {"uid": "op-7", "role": "STATION_OPERATOR"}, token=admin)
    assert missing["data"]["grantRole"]["field"] == "stationId"
    given = {"uid": "op-7", "role": "STATION_OPERATOR", "stationId": TEST_STATION}
    granted = (await gql(grant, given, token=admin))["data"]["grantRole"]
    assert granted == {
        "__typename": "Grant",
        "roles": ["STATION_OPERATOR"],
        "stationIds": [TEST_STATION],
    }
    rows = [reading("pm25", this_hour() - timedelta(hours=90), 12)]
    done = (await submit(gql, dev_token("op-7"), rows))["data"]["submitAirReadings"]
    assert done["accepted"] == 1
    me = await gql("{ me { stationIds } }", token=dev_token("op-7"))
    assert me["data"]["me"]["stationIds"] == [TEST_STATION]


async def test_demo_reports_are_marked(gql: GraphQLClient) -> None:
    body = await gql("{ pollutionReports(first: 20) { nodes { demo status text approximate } } }")
    demo = [node for node in body["data"]["pollutionReports"]["nodes"] if node["demo"]]
    assert len(demo) == 5
    assert all("dữ liệu mẫu" in node["text"] for node in demo if not node["approximate"])
    assert {node["status"] for node in demo} == {
        "RECEIVED",
        "ASSIGNED",
        "IN_PROGRESS",
        "RESOLVED",
        "REJECTED",
    }
