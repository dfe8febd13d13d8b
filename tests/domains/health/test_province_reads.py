"""Facilities and slots at the province's scale, as people use them: search with or without
accents, "near me" nearest first within the radius, slot and appointment pages that neither
skip nor repeat, and the synthetic province generator."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from domains.health import province
from domains.health.calendar import SLOT_CALENDAR
from domains.health.catalogue import HOSPITAL_INDEX
from domains.health.facilities import FEW_FACILITIES, HoldSweeps
from domains.health.placement import new_booking_code
from domains.health.repositories import HospitalRepository
from domains.health.schedule import day_bounds, local_date
from domains.health.seed import hospital_document, seed_demo
from domains.kernel.auth import Role
from domains.kernel.clock import as_utc, utcnow
from domains.kernel.geo import distance_km
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from tests.conftest import GraphQLClient
from tests.domains.health.support import raw_hospital
from tests.support.ranking import assert_ranked, assert_unranked

HOSPITALS = """query($search: String, $near: NearInput, $level: HospitalLevel,
                     $first: Int, $after: String) {
  hospitals(search: $search, near: $near, level: $level, first: $first, after: $after) {
    nodes { id name level location { lat lng } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SLOTS = """query($h: String, $near: NearInput, $from: DateTime, $to: DateTime, $first: Int,
                 $after: String) {
  availableSlots(hospitalId: $h, near: $near, from: $from, to: $to, first: $first,
                 after: $after) {
    nodes { id hospitalId start remaining }
    pageInfo { hasNextPage endCursor }
  }
}"""
CITY = {"lat": 19.8067, "lng": 105.7852}
SMALL = {"provincial": (2, 16), "district": (3, 8), "private": (3, 4), "commune": (12, 1)}


@pytest.fixture(scope="module")
async def province_db(db: Database, resources: Resources) -> Database:
    """The demo data and a small synthetic province (20 facilities, 400 slots)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(province, "LEVELS", SMALL)
        patch.setattr(province, "SLOTS", 400)
        await seed_demo(db=db, progress=lambda done, total: None)
        await province.seed_province(db=db, progress=lambda done, total: None)
    # What `xuthanh seed` writes from another process arrives through the change feed; here the
    # read sides are rebuilt at once instead of waiting for it.
    await resources.get(HOSPITAL_INDEX).refresh()
    await resources.get(SLOT_CALENDAR).refresh()
    return db


async def _connection(gql: GraphQLClient, query: str, **variables: Any) -> dict[str, Any]:
    body = await gql(query, variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return next(iter(data.values()))


async def _ids(gql: GraphQLClient, **variables: Any) -> list[str]:
    connection = await _connection(gql, HOSPITALS, **variables)
    return [node["id"] for node in connection["nodes"]]


@pytest.mark.usefixtures("province_db")
@pytest.mark.parametrize(
    "typed", ["Nhi", "nhi", "Bệnh viện Nhi", "benh vien nhi", "bệnh viện trẻ em", "children"]
)
async def test_search_finds_the_childrens_hospital(gql: GraphQLClient, typed: str) -> None:
    assert (await _ids(gql, search=typed, first=3))[0] == "bv-nhi-thanh-hoa"


@pytest.mark.usefixtures("province_db")
async def test_search_finds_commune_stations_and_syntax_is_text(gql: GraphQLClient) -> None:
    assert (await _ids(gql, search="tram y te quang tam", first=3))[0] == "tram-y-te-quang-tam"
    typed = '"Trạm Y tế" AND (Hoằng Quang) -x:y*'
    assert (await _ids(gql, search=typed, first=3))[0] == "tram-y-te-hoang-quang"
    stations = await _ids(gql, search="tram y te", level="COMMUNE", first=50)
    assert stations and all(s.startswith(("tram-", "syn-commune-")) for s in stations)


@pytest.mark.usefixtures("province_db")
async def test_over_long_search_is_refused_naming_the_field(gql: GraphQLClient) -> None:
    body = await gql(HOSPITALS, {"search": "bệnh viện " * 30})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "search" in error["message"] and "200" in error["message"]


RANKED = """query($search: String, $near: NearInput, $first: Int, $after: String) {
  hospitals(search: $search, near: $near, first: $first, after: $after) {
    nodes { id searchScore searchMargin } pageInfo { endCursor } } }"""


@pytest.mark.usefixtures("province_db")
async def test_search_rows_carry_their_score_and_margin_over_the_next(gql: GraphQLClient) -> None:
    first = await _connection(gql, RANKED, search="benh vien da khoa", first=3)
    after = first["pageInfo"]["endCursor"]
    rest = await _connection(gql, RANKED, search="benh vien da khoa", first=1, after=after)
    assert_ranked(first["nodes"], rest["nodes"][0]["searchScore"] if rest["nodes"] else None)
    near = {**CITY, "radiusKm": 25.0}
    assert_unranked((await _connection(gql, RANKED, near=near, first=3))["nodes"])
    nearby = await _connection(gql, RANKED, near=near, search="benh vien", first=3)
    assert_unranked(nearby["nodes"])  # nearest first: not a ranking


async def test_near_is_nearest_first_within_the_radius(
    gql: GraphQLClient, province_db: Database
) -> None:
    near = {**CITY, "radiusKm": 25.0}
    shown: list[str] = []
    after = None
    while True:  # every page, three at a time
        page = await _connection(gql, HOSPITALS, near=near, first=3, after=after)
        shown += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = await province_db["health_hospitals"].find({}, {"location": 1}).to_list(None)
    distances = {
        doc["_id"]: distance_km(CITY["lat"], CITY["lng"], *reversed(doc["location"]["coordinates"]))
        for doc in everything
    }
    inside = sorted((d, i) for i, d in distances.items() if d <= 25.0)
    assert [distances[i] for i in shown] == sorted(distances[i] for i in shown)
    assert set(shown) == {i for _, i in inside}
    assert shown[0] == inside[0][1]


async def test_a_new_facility_is_found_once_the_feed_brings_it(
    gql: GraphQLClient, province_db: Database
) -> None:
    """Facilities are written by the seeders (another process): the change feed brings them."""
    raw = {**raw_hospital("bv-moi-nghi-son"), "name": {"vi": "Bệnh viện Đa khoa Nghi Sơn mới"}}
    await HospitalRepository(province_db).upsert(hospital_document(raw))
    for _ in range(200):
        if "bv-moi-nghi-son" in await _ids(gql, search="nghi son moi", first=3):
            break
        await asyncio.sleep(0.05)
    assert (await _ids(gql, search="Nghi Sơn mới", first=3))[0] == "bv-moi-nghi-son"


async def _all_pages(gql: GraphQLClient, size: int, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = await _connection(gql, SLOTS, first=size, after=after, **variables)
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def _expected(stored: list[dict[str, Any]], start: datetime, end: datetime) -> list[str]:
    """The bookable slots in [start, end), earliest first, as the database holds them."""
    now = utcnow()
    bookable = [
        s
        for s in stored
        if s["status"] == "free"
        and s["remaining"] > 0
        and as_utc(s["bookableFrom"]) <= now < as_utc(s["bookableUntil"])
        and start <= as_utc(s["start"]) < end
    ]
    return [str(s["_id"]) for s in sorted(bookable, key=lambda s: (as_utc(s["start"]), s["_id"]))]


async def test_slot_pages_neither_skip_nor_repeat(
    gql: GraphQLClient, province_db: Database
) -> None:
    hospital = "bv-nhi-thanh-hoa"
    start, end = utcnow() + timedelta(days=2), utcnow() + timedelta(days=6)
    window = {"from": start.isoformat(), "to": end.isoformat()}
    shown = await _all_pages(gql, 17, h=hospital, **window)
    stored = await province_db["health_slots"].find({"hospitalId": hospital}).to_list(None)
    assert [node["id"] for node in shown] == _expected(stored, start, end)
    assert len(shown) > 17


async def test_a_facilitys_slots_come_from_mongodb_where_the_calendar_lags(
    gql: GraphQLClient, province_db: Database, resources: Resources
) -> None:
    """The calendar only sizes one facility's read: slots it has not heard of yet (its feed is
    behind) are listed all the same, and slots it still holds that MongoDB no longer has are
    not; in order, page after page."""
    hospital = "bv-nhi-thanh-hoa"
    start, end = utcnow() + timedelta(days=1), utcnow() + timedelta(days=5)
    stored = await province_db["health_slots"].find({"hospitalId": hospital}).to_list(None)
    expected = _expected(stored, start, end)
    calendar = resources.get(SLOT_CALENDAR)
    try:
        for slot_id in expected[1::2]:  # every other one unknown to the calendar
            calendar.put(ObjectId(slot_id), None)
        gone = {**stored[0], "status": "free", "remaining": 1, "bookableFrom": utcnow()}
        for minutes in range(30):  # and a page's worth it believes bookable, at the start
            later = {"start": start + timedelta(minutes=minutes), "bookableUntil": end}
            calendar.put(ObjectId(), {**gone, **later})
        window = {"from": start.isoformat(), "to": end.isoformat()}
        shown = await _all_pages(gql, 5, h=hospital, **window)
    finally:
        await calendar.refresh()
    assert len(expected) > 10
    assert [node["id"] for node in shown] == expected


def test_a_listing_sweeps_passed_holds_at_most_once_a_second() -> None:
    sweeps, now = HoldSweeps(), utcnow()
    assert sweeps.due(now)
    assert not sweeps.due(now + timedelta(milliseconds=900))
    assert sweeps.due(now + timedelta(seconds=1))
    assert sweeps.due(now)  # a listing "in the past" (a test's clock) sweeps too


# Near a place, a few facilities or many: through the in-memory calendar.
@pytest.mark.parametrize("radius", [1.5, 25.0])
async def test_slots_near_me_are_those_of_facilities_within_the_radius(
    gql: GraphQLClient, province_db: Database, radius: float
) -> None:
    near = {**CITY, "radiusKm": radius}
    start, end = utcnow() + timedelta(days=1), utcnow() + timedelta(days=3)
    window = {"from": start.isoformat(), "to": end.isoformat()}
    facilities = await _ids(gql, near=near, first=100)
    shown = await _all_pages(gql, 50, near=near, **window)
    stored = (
        await province_db["health_slots"].find({"hospitalId": {"$in": facilities}}).to_list(None)
    )
    assert facilities and shown
    assert (len(facilities) <= FEW_FACILITIES) == (radius < 2)  # few and many
    assert [node["id"] for node in shown] == _expected(stored, start, end)


async def test_province_generator_is_marked_synthetic_and_idempotent(
    province_db: Database,
) -> None:
    synthetic = await province_db["health_hospitals"].find({"synthetic": True}).to_list(None)
    assert len(synthetic) == sum(count for count, _ in SMALL.values())
    box = province.BOX
    for facility in synthetic:
        lng, lat = facility["location"]["coordinates"]
        assert box["min_lat"] <= lat <= box["max_lat"] and box["min_lng"] <= lng <= box["max_lng"]
        assert "(synthetic " in facility["name"]["vi"] and "(synthetic " in facility["name"]["en"]
    assert await province_db["health_slots"].count_documents({"synthetic": True}) == 400
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(province, "LEVELS", SMALL)
        patch.setattr(province, "SLOTS", 400)
        again = await province.seed_province(db=province_db, progress=lambda done, total: None)
    assert again == len(synthetic)  # the facilities upserted, no slot twice
    assert await province_db["health_slots"].count_documents({"synthetic": True}) == 400


APPOINTMENTS = """query($h: String!, $d: Date!, $dep: String, $first: Int, $after: String) {
  hospitalAppointments(hospitalId: $h, date: $d, departmentId: $dep, first: $first,
                       after: $after) {
    nodes { id queueNumber start }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.mark.parametrize("department", [None, "tim-mach"])
async def test_a_busy_days_appointments_page_in_queue_order(
    gql: GraphQLClient, province_db: Database, dev_token: Any, department: str | None
) -> None:
    hospital = "bv-da-khoa-tinh-thanh-hoa"
    day = local_date(utcnow()) + timedelta(days=3)
    if day.isoweekday() == 7:  # the demo facilities open Monday to Saturday
        day += timedelta(days=1)
    day_from, day_to = day_bounds(day)
    slots = (
        await province_db["health_slots"]
        .find({"hospitalId": hospital, "start": {"$gte": day_from, "$lt": day_to}})
        .to_list(None)
    )
    if not await province_db["health_appointments"].count_documents({"hospitalId": hospital}):
        await province_db["health_appointments"].insert_many(
            [_appointment(slot, number) for slot in slots for number in (1, 2, 3)]
        )
    token = dev_token("nurse-busy", Role.HOSPITAL_STAFF, hospitals=(hospital,))
    shown: list[str] = []
    after = None
    while True:
        variables = {"h": hospital, "d": day.isoformat(), "dep": department, "first": 7}
        body = await gql(APPOINTMENTS, {**variables, "after": after}, token=token)
        assert "errors" not in body, body
        page = body["data"]["hospitalAppointments"]
        shown += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    stored = await province_db["health_appointments"].find({"hospitalId": hospital}).to_list(None)
    expected = sorted(
        (
            a
            for a in stored
            if day_from <= as_utc(a["start"]) < day_to and department in (None, a["departmentId"])
        ),
        key=lambda a: (as_utc(a["start"]), a["queueNumber"], a["_id"]),
    )
    assert len(shown) > 7 and shown == [str(a["_id"]) for a in expected]


def _appointment(slot: dict[str, Any], number: int) -> dict[str, Any]:
    return {
        "_id": ObjectId(),
        "slotId": slot["_id"],
        "hospitalId": slot["hospitalId"],
        "departmentId": slot["departmentId"],
        "doctorId": slot["doctorId"],
        "start": slot["start"],
        "end": slot["end"],
        "patientProfileId": ObjectId(),
        "userId": f"busy-{slot['_id']}-{number}",
        "queueNumber": number,
        "bookingCode": new_booking_code(),
        "status": "booked",
        "active": True,
        "createdAt": utcnow(),
        "changedAt": utcnow(),
    }
