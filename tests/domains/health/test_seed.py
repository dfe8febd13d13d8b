"""Demo data: real Thanh Hóa facilities and two weeks of slots from the seeding date."""

from datetime import timedelta

from domains.health.catalogue import HOSPITAL_INDEX
from domains.health.schedule import local_date
from domains.health.seed import seed_demo
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from tests.conftest import GraphQLClient


async def test_seed_is_idempotent_and_publishes_two_weeks(
    gql: GraphQLClient, db, resources: Resources
) -> None:
    calls: list[tuple[int, int]] = []
    # One fixed "now", so a run that crosses midnight in the province still agrees on "today".
    now = utcnow()
    first = await seed_demo(
        db=db, progress=lambda done, total: calls.append((done, total)), now=now
    )
    assert calls[-1][0] == calls[-1][1]  # progress reaches the total
    hospitals = await db["health_hospitals"].count_documents({})
    slots = await db["health_slots"].count_documents({})
    assert hospitals >= 15 and first == hospitals + slots
    second = await seed_demo(db=db, progress=lambda done, total: None, now=now)
    assert second == hospitals  # no slot created twice
    assert await db["health_slots"].count_documents({}) == slots

    days = {local_date(s["start"]) async for s in db["health_slots"].find({}, {"start": 1})}
    today = local_date(now)
    assert min(days) == today + timedelta(days=1)
    assert max(days) <= today + timedelta(days=14)
    # The seeder writes from another process in production: the change feed brings its
    # facilities to the read side; here it is rebuilt at once instead of waiting.
    await resources.get(HOSPITAL_INDEX).refresh()

    near = """{ hospitals(near: {lat: 19.8067, lng: 105.7852, radiusKm: 5}, first: 50)
        { nodes { id level } } }"""
    ids = {n["id"] for n in (await gql(near))["data"]["hospitals"]["nodes"]}
    assert {"bv-da-khoa-tinh-thanh-hoa", "bv-nhi-thanh-hoa", "bv-phu-san-thanh-hoa"} <= ids
    assert "bv-da-khoa-muong-lat" not in ids
    search = '{ hospitals(search: "nhi thanh hoa") { nodes { id } } }'
    assert "bv-nhi-thanh-hoa" in {
        n["id"] for n in (await gql(search))["data"]["hospitals"]["nodes"]
    }
    oncology = '{ hospitals(specialty: "oncology") { nodes { id } } }'
    assert {n["id"] for n in (await gql(oncology))["data"]["hospitals"]["nodes"]} == {
        "bv-ung-buou-thanh-hoa"
    }
    bookable = (
        '{ availableSlots(hospitalId: "bv-nhi-thanh-hoa", first: 5) { nodes { remaining } } }'
    )
    assert (await gql(bookable))["data"]["availableSlots"]["nodes"]
