"""The staff console in a real browser: this test serves the API (uvicorn), makes the data the
scenario starts from, and runs console/e2e/staff-day.mjs, Playwright (playwright-core from the
console's lock file, no browser download) driving Debian's Chromium (/usr/bin/chromium, headless,
in UTC). The script says what it does; it fails with the step and the page's problems, and this
test fails with its output. Screenshots of each step: var/test-output/console/."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from domains.health.models import WaitlistEntryDocument
from domains.health.repositories import HealthStore
from domains.health.schedule import at_local, local_date, shown_time
from domains.health.seed import hospital_document
from domains.health.slots import SlotTemplate, slot_document
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from tests.conftest import GraphQLClient
from tests.console.browser import available, qr_video, run_scenario
from tests.domains.health.support import add_hospital, book, profile, publish, raw_hospital, staff
from tests.support.live import serve

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "console" / "dist"
SCREENSHOTS = ROOT / "var" / "test-output" / "console"
HERE, OTHER = "bv-da-khoa-tinh-thanh-hoa", "bv-nhi-thanh-hoa"  # the first two demo facilities

pytestmark = pytest.mark.skipif(
    not os.environ.get("XUTHANH_REQUIRE_CONSOLE_TESTS")
    and not (available() and (DIST / "index.html").is_file()),
    reason="needs Debian's chromium, Node.js and a built console (make test provides them)",
)

STATUSES = """query($h: String!, $d: Date!, $f: SlotFilterInput!) {
  hospitalAppointments(hospitalId: $h, date: $d) { nodes { bookingCode status } }
  facilitySlots(filter: $f) { id servingNumber } }"""


async def slot_today(resources: Resources) -> dict[str, Any]:
    """A slot of 3 places that started a little before now (Vietnam time, today) and takes
    bookings now: published days ahead in real life, made here through the repository."""
    now = utcnow()
    start = max(now - timedelta(minutes=30), at_local(local_date(now), "00:00"))
    start = start.replace(second=0, microsecond=0)
    template = SlotTemplate(
        hospital_id=HERE,
        department_id="noi",
        doctor_id="bs-b",
        from_date=local_date(now),
        to_date=local_date(now),
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        periods=[],
        slot_minutes=60,
        capacity=3,
        fee=50600,
        bhyt_covered=40480,
    )
    hospital = hospital_document(raw_hospital(HERE))
    document = slot_document(hospital, template, (start, start + timedelta(hours=1)), "test", now)
    document["bookableFrom"], document["bookableUntil"] = (
        now - timedelta(days=1),
        now + timedelta(days=1),
    )
    await HealthStore.of(resources).slots.upsert_many([document])
    return dict(document)


async def someone_waits(resources: Resources, slot: dict[str, Any], uid: str) -> None:
    """A patient on the slot's waitlist (joined while it was full; written here, since a slot
    that has started takes no new entry)."""
    now = utcnow()
    entry = WaitlistEntryDocument(
        _id=ObjectId(),
        userId=uid,
        patientProfileId=ObjectId(),
        hospitalId=HERE,
        departmentId=slot["departmentId"],
        day=local_date(slot["start"]).isoformat(),
        scope="slot",
        waitKey=f"{uid}|slot:{slot['_id']}",
        status="waiting",
        open=True,
        createdAt=now,
        changedAt=now,
        slotId=slot["_id"],
    )
    await HealthStore.of(resources).waitlist.insert(entry)


async def patient(gql: GraphQLClient, dev_token: Any, uid: str, name: str) -> dict[str, str]:
    token = dev_token(uid)
    return {"token": token, "profile": await profile(gql, token, name=name), "name": name}


async def test_staff_publish_and_run_the_day(
    gql: GraphQLClient, db: Any, resources: Resources, app: Any, dev_token: Any, tmp_path: Path
) -> None:
    await add_hospital(db, HERE)
    await add_hospital(db, OTHER)
    staff_token = staff(dev_token, HERE, uid="api")
    day = local_date(utcnow()) + timedelta(days=2)
    # The doctor already works 08:30–09:00 in oncology that day: the template's 08:30 overlaps.
    done = await publish(
        gql,
        staff_token,
        HERE,
        day=day,
        periods=[("08:30", "09:00")],
        department="ung-buou",
        doctor="bs-a",
    )
    assert done["__typename"] == "PublishSlotsPayload"
    slot = await slot_today(resources)
    first = await patient(gql, dev_token, "console-first", "Nguyễn Văn Một")
    second = await patient(gql, dev_token, "console-second", "Trần Thị Hai")
    third = await patient(gql, dev_token, "console-third", "Lê Thị Ba")
    for who in (first, third):
        booked = await book(gql, who["token"], str(slot["_id"]), who["profile"])
        assert booked["__typename"] == "Appointment", booked
        who["code"] = booked["bookingCode"]
    await someone_waits(resources, slot, "console-waiter")
    # The patient shows the QR code of their booking to the desk's camera.
    camera = qr_video(first["code"], tmp_path / "booking-qr.y4m")

    async with serve(app) as websocket_url:
        base = websocket_url.replace("ws://", "http://").removesuffix("/graphql")
        result = await run_scenario(
            {
                "base": base,
                "screenshots": str(SCREENSHOTS),
                "camera": str(camera),
                "day": day.isoformat(),
                "here": HERE,
                "other": OTHER,
                "slotToday": str(slot["_id"]),
                "slotTodayTime": shown_time(slot["start"]),
                "first": {"name": first["name"], "code": first["code"]},
                "second": second,
                "third": {"code": third["code"]},
            }
        )
    # What the browser did, as the API records it.
    today = local_date(utcnow()).isoformat()
    f = {"hospitalId": HERE, "fromDate": today, "toDate": today, "slotIds": [str(slot["_id"])]}
    body = await gql(STATUSES, {"h": HERE, "d": today, "f": f}, token=staff_token)
    assert body["data"]["facilitySlots"] == [{"id": str(slot["_id"]), "servingNumber": 1}]
    statuses = {
        n["bookingCode"]: n["status"] for n in body["data"]["hospitalAppointments"]["nodes"]
    }
    assert statuses == {
        first["code"]: "FULFILLED",
        result["secondCode"]: "CHECKED_IN",
        third["code"]: "NOSHOW",
    }
    assert result["screenshots"] >= 12
    # Another hospital's staff are refused this one's day and slots by the API itself, not only
    # by what their console asks for.
    other = staff(dev_token, OTHER, uid="api-other")
    refused = await gql(STATUSES, {"h": HERE, "d": today, "f": f}, token=other)
    assert {e["extensions"]["code"] for e in refused["errors"]} == {"FORBIDDEN"}
    assert not any((refused["data"] or {}).values()), refused
