"""The staff console in a real browser (headless Chromium over the DevTools protocol), against
the API served by uvicorn: a member of staff signs in from the demo list, previews a template
(an overlap shown, Publish held back), fixes it and publishes; citizens book through the API and
a booking made while Today is open appears by itself; staff check one patient in by the QR code
their booking shows (Chromium's fake camera plays it), one by typed code, and mark a third a
no-show; staff of another hospital see none of it. The browser runs in UTC; the console shows
Vietnam time. Screenshots of each step: var/test-output/console/."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domains.health.repositories import HealthStore
from domains.health.schedule import at_local, local_date
from domains.health.seed import hospital_document
from domains.health.slots import SlotTemplate, slot_document
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from tests.conftest import GraphQLClient
from tests.console.chromium import Page, available, chromium, qr_video
from tests.domains.health.support import add_hospital, book, profile, publish, raw_hospital, staff
from tests.support.live import serve

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "console" / "dist"
SCREENSHOTS = ROOT / "var" / "test-output" / "console"
HERE, OTHER = "bv-da-khoa-tinh-thanh-hoa", "bv-nhi-thanh-hoa"  # the first two demo facilities

pytestmark = pytest.mark.skipif(
    not os.environ.get("XUTHANH_REQUIRE_CONSOLE_TESTS")
    and not (available() and (DIST / "index.html").is_file()),
    reason="needs Debian's chromium and a built console (make test provides both)",
)


async def slot_today(resources: Resources) -> str:
    """A slot that started a little before now (Vietnam time, today) and takes bookings now:
    published days ahead in real life, made here through the repository."""
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
    store = HealthStore.of(resources)
    await store.slots.upsert_many([document])
    return str(document["_id"])


async def sign_in_from_demo_list(page: Page, uid: str) -> None:
    await page.wait_for("!!document.querySelector('#demo-staff button')", "the demo staff list")
    await page.click(f'#demo-staff button[data-uid="{uid}"]')
    await page.wait_for("!document.querySelector('#sign-out').hidden", "signed in")


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
    citizen = dev_token("console-citizen")
    first = await book(gql, citizen, slot, await profile(gql, citizen, name="Nguyễn Văn Một"))
    assert first["__typename"] == "Appointment", first
    neighbour = dev_token("console-citizen-2")
    third = await book(gql, neighbour, slot, await profile(gql, neighbour, name="Lê Thị Ba"))
    assert third["__typename"] == "Appointment", third
    # The patient shows the QR code of their booking to the desk's camera.
    camera = qr_video(first["bookingCode"], tmp_path / "booking-qr.y4m")

    async with serve(app) as websocket_url, chromium(SCREENSHOTS, camera=camera) as page:
        base = websocket_url.replace("ws://", "http://").removesuffix("/graphql")
        await page.goto(f"{base}/console/")
        await sign_in_from_demo_list_step(page)

        # Schedule: a template of 08:00–09:00 for Dr A in internal medicine on `day`.
        await page.wait_for("!!document.querySelector('#publish-form')", "the schedule page")
        await page.set_value("#publish-department", "noi")
        await page.set_value("#publish-doctor", "bs-a")
        await page.set_value("#publish-from", day.isoformat())
        await page.set_value("#publish-to", day.isoformat())
        await page.evaluate(
            "document.querySelectorAll('input[name=weekday]').forEach(b => b.checked = true)"
        )
        await page.type("#publish-periods", "08:00-09:00")
        await page.type("#publish-capacity", "2")
        await page.click("#preview-button")
        await page.wait_for("!!document.querySelector('#preview-overlaps')", "the overlap shown")
        assert await page.evaluate("document.querySelector('#publish').disabled")
        assert await page.evaluate("document.querySelectorAll('.chip.overlap').length") == 1
        await page.screenshot("preview-with-overlap")
        assert await page.accessibility_problems() == []

        await page.type("#publish-periods", "09:00-10:00")
        assert await page.evaluate("document.querySelector('#publish').disabled")  # not previewed
        await page.click("#preview-button")
        await page.wait_for("!!document.querySelector('#preview-summary')", "the new preview")
        assert await page.evaluate("document.querySelectorAll('.chip.new').length") == 2
        await page.screenshot("preview")
        await page.click("#publish")
        selector = f'[data-day="{day.isoformat()}"] .slot'
        await page.wait_for(f"document.querySelectorAll('{selector}').length === 3", "3 slots")
        await page.wait_text(f'[data-day="{day.isoformat()}"]', "09:30–10:00")
        await page.wait_text(f'[data-day="{day.isoformat()}"]', "0/2")
        await page.screenshot("schedule-published")
        await page.click(f"{selector} button[data-action=cancelSlot]")  # its dialog
        await page.wait_for("!!document.querySelector('dialog[open] #cancel-reason')", "dialog")
        assert await page.accessibility_problems() == []
        await page.click("dialog[open] button[value=cancel]")
        await page.wait_for("!document.querySelector('dialog')", "the dialog closed")

        # Today: the booking made before, then one made while the page is open (polling).
        await page.click('nav a[href="#today"]')
        await page.wait_text("#appointments", "Nguyễn Văn Một")
        second = await book(gql, citizen, slot, await profile(gql, citizen, name="Trần Thị Hai"))
        assert second["__typename"] == "Appointment", second
        await page.wait_text("#appointments", "Trần Thị Hai")
        await page.screenshot("today")
        assert await page.accessibility_problems() == []

        await page.click("#scan")
        row = f'tr[data-code="{first["bookingCode"]}"]'
        await page.wait_for(f"!!document.querySelector('{row}.status-checked_in')", "QR check-in")
        await page.type("#check-in-code", second["bookingCode"].lower())
        await page.click("#check-in")
        row = f'tr[data-code="{second["bookingCode"]}"]'
        await page.wait_for(f"!!document.querySelector('{row}.status-checked_in')", "checked in")
        await page.click(f'tr[data-code="{third["bookingCode"]}"] button')
        row = f'tr[data-code="{third["bookingCode"]}"]'
        await page.wait_for(f"!!document.querySelector('{row}.status-noshow')", "no-show")
        await page.screenshot("checked-in-and-no-show")

        await page.click("#lang")
        await page.wait_text("h1", "Today")
        await page.click("#sign-out")
        await sign_in_from_demo_list(page, f"demo-staff-{OTHER}")
        await page.wait_text("#appointments", "No appointments today yet.")
        text = await page.evaluate("document.body.innerText")
        assert "Nguyễn Văn Một" not in text and first["bookingCode"] not in text
        await page.screenshot("other-hospital-sees-nothing")
        assert page.problems == []
        storage = await page.evaluate("JSON.stringify(localStorage)")
        assert "Nguyễn" not in storage and "eyJ" not in storage  # no names, no token


async def sign_in_from_demo_list_step(page: Page) -> None:
    await page.wait_for("!!document.querySelector('#demo-staff button')", "the demo staff list")
    await page.screenshot("sign-in")
    assert await page.accessibility_problems() == []
    await sign_in_from_demo_list(page, f"demo-staff-{HERE}")
