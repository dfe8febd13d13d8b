"""Publishing slots and the booking life cycle, through /graphql."""

from datetime import timedelta

from bson import ObjectId

from domains.health import booking, desk, profiles, slots
from domains.health.errors import BookingRefused, Refusal
from domains.health.repositories import HealthStore, SlotRepository
from domains.health.schedule import at_local
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import PROVINCE_TZ, utcnow
from domains.notifications.ports import PATIENT_DIRECTORY
from tests.conftest import GraphQLClient
from tests.domains.health.support import (
    CANCEL,
    SLOTS,
    add_hospital,
    book,
    future_day,
    profile,
    publish,
    slot_ids,
    staff,
)

H = "bv-test-booking"


async def test_publish_template_creates_slots_once(gql: GraphQLClient, db, dev_token) -> None:
    await add_hospital(db, H)
    day = future_day()
    first = await publish(
        gql, staff(dev_token, H), H, day=day, periods=[("07:30", "11:30"), ("13:30", "16:30")]
    )
    assert first == {"__typename": "PublishSlotsPayload", "created": 14, "existing": 0}
    again = await publish(
        gql, staff(dev_token, H), H, day=day, periods=[("07:30", "11:30"), ("13:30", "16:30")]
    )
    assert again == {"__typename": "PublishSlotsPayload", "created": 0, "existing": 14}
    body = await gql(SLOTS, {"h": H, "d": "noi", "first": 100})
    nodes = body["data"]["availableSlots"]["nodes"]
    starts = [n["start"] for n in nodes if n["start"].startswith(day.isoformat())]
    assert len(starts) == 14
    assert nodes[0]["status"] == "FREE" and nodes[0]["patientPays"] == 50600 - 40480
    assert nodes[0]["department"]["room"] == "P.101"


async def test_overlapping_slots_for_one_doctor_are_rejected(
    gql: GraphQLClient, db, dev_token
) -> None:
    await add_hospital(db, H)
    day = future_day()
    token = staff(dev_token, H)
    ok = await publish(gql, token, H, day=day, periods=[("08:00", "09:00")], doctor="bs-a")
    assert ok["created"] == 2
    clash = await publish(
        gql,
        token,
        H,
        day=day,
        periods=[("08:15", "08:45")],
        slot_minutes=30,
        department="ung-buou",
        doctor="bs-a",
    )
    assert clash["__typename"] == "SlotOverlap"
    assert "Lê Văn An already has a slot" in clash["message"]
    bad = await publish(gql, token, H, day=day, periods=[("11:00", "10:00")])
    assert bad["__typename"] == "ValidationFailed" and "ends before it starts" in bad["message"]


async def test_booking_gives_queue_number_code_and_a_discreet_confirmation(
    gql: GraphQLClient, db, dev_token
) -> None:
    await add_hospital(db, H)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, capacity=3)
    slot = (await slot_ids(gql, H, day))[0]
    token = dev_token("citizen-book")
    patient = await profile(gql, token, bhyt="DN4010123456789")
    first = await book(gql, token, slot, patient, reason="đau ngực khi gắng sức")
    assert first["__typename"] == "Appointment"
    assert first["queueNumber"] == 1 and first["status"] == "BOOKED"
    assert len(first["bookingCode"]) == 8 and not set(first["bookingCode"]) & set("01OIL")
    assert first["reason"] == "đau ngực khi gắng sức"
    other = await profile(gql, token, name="Nguyễn Thị B")
    second = await book(gql, token, slot, other)
    assert second["queueNumber"] == 2

    outbox = (
        await db["notifications"]
        .find({"audience.userIds": "citizen-book", "data.appointmentId": first["id"]})
        .to_list(None)
    )
    kinds = sorted(n.get("dedupeKey", "").rsplit(":", 1)[-1] for n in outbox)
    assert kinds == ["booked", "reminder-24h", "reminder-2h"]
    text = str([(n["title"], n["body"], n["data"]) for n in outbox])
    # No health or personal data on a lock screen: no reason, hospital, department, name, BHYT.
    for secret in ("ngực", "Bệnh viện", "Nội", "Nguyễn", "DN4010123456789", "noi", H):
        assert secret not in text
    local = (await SlotRepository(db).find(ObjectId(slot)))["start"].astimezone(PROVINCE_TZ)
    assert f"Lịch khám {local:%H:%M} ngày {local:%d/%m}." in text
    # The detailed text (inbox; lock screens of patients who chose PLACE) adds the place only.
    detailed = str([n["detailed"] for n in outbox])
    assert "Bệnh viện" in detailed and "số thứ tự 1" in detailed
    for secret in ("ngực", "Nguyễn", "DN4010123456789"):
        assert secret not in detailed

    audit = await db["health_audit"].find({"appointmentId": ObjectId(first["id"])}).to_list(None)
    assert [(a["action"], a["actor"], a["toStatus"]) for a in audit] == [
        ("book", "citizen-book", "booked")
    ]
    assert "ngực" not in str(audit)


async def test_idempotency_key_replays_and_refuses_other_input(
    gql: GraphQLClient, db, dev_token
) -> None:
    await add_hospital(db, H)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, periods=[("07:30", "08:30")])
    first_slot, second_slot = await slot_ids(gql, H, day)
    token = dev_token("citizen-idem")
    patient = await profile(gql, token)
    one = await book(gql, token, first_slot, patient, key="key-0000001")
    again = await book(gql, token, first_slot, patient, key="key-0000001")
    assert again == one
    other = await book(gql, token, second_slot, patient, key="key-0000001")
    assert other["__typename"] == "IdempotencyKeyReused"
    # Keys are per user: another user's identical key is independent.
    token_b = dev_token("citizen-idem-b")
    mine = await book(gql, token_b, first_slot, await profile(gql, token_b), key="key-0000001")
    assert mine["__typename"] == "Appointment" and mine["id"] != one["id"]


async def test_duplicate_booking_and_limit(gql: GraphQLClient, db, dev_token) -> None:
    hid = await add_hospital(db, "bv-test-limit", maxActiveBookings=2)
    day = future_day()
    await publish(gql, staff(dev_token, hid), hid, day=day, periods=[("07:30", "09:00")])
    slots = await slot_ids(gql, hid, day)
    token = dev_token("citizen-limit")
    patient = await profile(gql, token)
    assert (await book(gql, token, slots[0], patient))["__typename"] == "Appointment"
    assert (await book(gql, token, slots[0], patient))["__typename"] == "AlreadyBooked"
    assert (await book(gql, token, slots[1], patient))["__typename"] == "Appointment"
    limit = await book(gql, token, slots[2], patient)
    assert limit["__typename"] == "BookingLimitReached" and "2 upcoming" in limit["message"]


async def test_full_slot_and_cancel_frees_the_number(gql: GraphQLClient, db, dev_token) -> None:
    await add_hospital(db, H)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, capacity=2)
    slot = (await slot_ids(gql, H, day))[0]
    booked = []
    for n in range(2):
        token = dev_token(f"citizen-full-{n}")
        booked.append((token, await book(gql, token, slot, await profile(gql, token))))
    late = dev_token("citizen-full-late")
    late_profile = await profile(gql, late)
    assert (await book(gql, late, slot, late_profile))["__typename"] == "SlotFull"
    assert slot not in await slot_ids(gql, H, day)  # full slots are not offered

    token, first = booked[0]
    body = await gql(CANCEL, {"id": first["id"], "reason": "đã khỏi"}, token=token)
    assert body["data"]["cancelAppointment"]["status"] == "CANCELLED"
    again = await gql(CANCEL, {"id": first["id"]}, token=token)
    assert again["data"]["cancelAppointment"]["__typename"] == "AppointmentNotChangeable"
    reminders = (
        await db["notifications"]
        .find({"cancelledDedupeKey": {"$regex": f"^health:appointment:{first['id']}:reminder"}})
        .to_list(None)
    )
    assert len(reminders) == 2 and all(r["status"] == "cancelled" for r in reminders)

    taken = await book(gql, late, slot, late_profile)
    assert taken["__typename"] == "Appointment" and taken["queueNumber"] == 1
    stored = await SlotRepository(db).find(ObjectId(slot))
    assert stored is not None and (stored["booked"], stored["remaining"]) == (2, 0)


async def test_reschedule_moves_atomically(gql: GraphQLClient, db, dev_token) -> None:
    await add_hospital(db, H)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day, periods=[("07:30", "08:30")], capacity=1)
    first_slot, second_slot = await slot_ids(gql, H, day)
    token = dev_token("citizen-move")
    appointment = await book(gql, token, first_slot, await profile(gql, token), reason="tái khám")
    move = """mutation($id: ID!, $s: ID!) { rescheduleAppointment(id: $id, newSlotId: $s) {
        __typename ... on Appointment { id status queueNumber reason slot { id booked } }
        ... on UserError { code } } }"""
    body = await gql(move, {"id": appointment["id"], "s": second_slot}, token=token)
    moved = body["data"]["rescheduleAppointment"]
    assert moved["status"] == "BOOKED" and moved["slot"] == {"id": second_slot, "booked": 1}
    assert moved["reason"] == "tái khám"
    old = await SlotRepository(db).find(ObjectId(first_slot))
    assert old is not None and (old["booked"], old["freeNumbers"]) == (0, [1])
    # The old booking's reminders are withdrawn; the new one has its own.
    notifications = db["notifications"]
    withdrawn = await notifications.find(
        {"cancelledDedupeKey": {"$regex": f"^health:appointment:{appointment['id']}:reminder"}}
    ).to_list(None)
    assert sorted(n["status"] for n in withdrawn) == ["cancelled", "cancelled"]
    scheduled = await notifications.find(
        {"dedupeKey": {"$regex": f"^health:appointment:{moved['id']}:reminder"}}
    ).to_list(None)
    assert sorted(n["status"] for n in scheduled) == ["pending", "pending"]
    # Moving onto a full slot fails and leaves the booking where it was.
    other = dev_token("citizen-move-2")
    await book(gql, other, first_slot, await profile(gql, other))
    body = await gql(move, {"id": moved["id"], "s": first_slot}, token=token)
    assert body["data"]["rescheduleAppointment"]["__typename"] == "SlotFull"
    mine = (
        await db["health_appointments"]
        .find({"userId": "citizen-move", "active": True})
        .to_list(None)
    )
    assert [str(a["slotId"]) for a in mine] == [second_slot]


async def test_check_in_and_no_show(gql: GraphQLClient, db, dev_token, resources) -> None:
    await add_hospital(db, H)
    day = future_day()
    await publish(gql, staff(dev_token, H), H, day=day)
    slot = (await slot_ids(gql, H, day))[0]
    token = dev_token("citizen-visit")
    appointment = await book(gql, token, slot, await profile(gql, token))
    staff_principal = Principal(
        uid="nurse", roles=frozenset({Role.HOSPITAL_STAFF}), hospital_ids=frozenset({H})
    )
    stored = await SlotRepository(db).find(ObjectId(slot))
    assert stored is not None
    check_in = """mutation($c: String!) { checkIn(bookingCode: $c) { __typename
        ... on Appointment { status } ... on UserError { code message } } }"""
    early = await gql(check_in, {"c": appointment["bookingCode"]}, token=staff(dev_token, H))
    assert early["data"]["checkIn"]["code"] == "WRONG_STATUS"
    on_the_day = stored["start"] - timedelta(minutes=20)
    done = await desk.check_in(
        caller=Caller(HealthStore.of(resources), staff_principal),
        booking_code=appointment["bookingCode"].lower(),
        now=on_the_day,
    )
    assert done["status"] == "checked-in"
    second = await book(gql, token, slot, await profile(gql, token, name="Con"))
    try:
        await desk.mark_no_show(
            caller=Caller(HealthStore.of(resources), staff_principal),
            appointment_id=second["id"],
            now=utcnow(),
        )
    except BookingRefused as refused:
        assert refused.refusal is Refusal.WRONG_STATUS
    else:
        raise AssertionError("a no-show before the start must be refused")
    missed = await desk.mark_no_show(
        caller=Caller(HealthStore.of(resources), staff_principal),
        appointment_id=second["id"],
        now=stored["end"] + timedelta(minutes=5),
    )
    assert missed["status"] == "noshow"


async def test_cut_off_and_window_are_in_province_time(db, dev_token, resources) -> None:
    """Next-day bookings close at 16:00 Vietnam time the day before (09:00 UTC)."""
    await add_hospital(db, "bv-test-window", daysAhead=7)
    admin = Principal(uid="adm", roles=frozenset({Role.ADMIN}))
    day = future_day()
    template = slots.SlotTemplate(
        hospital_id="bv-test-window",
        department_id="noi",
        doctor_id=None,
        from_date=day,
        to_date=day,
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        periods=[("07:30", "08:00")],
        slot_minutes=30,
        capacity=5,
        fee=0,
        bhyt_covered=0,
    )
    await slots.publish_slots(caller=Caller(HealthStore.of(resources), admin), template=template)
    citizen = Principal(uid="citizen-window", roles=frozenset({Role.CITIZEN}))
    fields = profiles.ProfileFields(
        "Lê Thị C", day - timedelta(days=9000), "0912345678", None, "2026-01", True
    )
    patient = await profiles.create_patient_profile(
        caller=Caller(HealthStore.of(resources), citizen), fields=fields
    )
    slot = await db["health_slots"].find_one({"hospitalId": "bv-test-window"})
    before_cutoff = at_local(day - timedelta(days=1), "15:59")
    after_cutoff = at_local(day - timedelta(days=1), "16:00")
    too_early = at_local(day - timedelta(days=8), "23:59")

    async def attempt(now, key):
        return await booking.book_appointment(
            caller=Caller(HealthStore.of(resources), citizen),
            slot_id=str(slot["_id"]),
            patient_profile_id=str(patient["_id"]),
            reason=None,
            idempotency_key=key,
            now=now,
        )

    for now, key in ((after_cutoff, "late-key-1"), (too_early, "early-key-1")):
        try:
            await attempt(now, key)
        except BookingRefused as refused:
            assert refused.refusal is Refusal.OUTSIDE_BOOKING_WINDOW
        else:
            raise AssertionError(f"booking at {now} must be refused")
    assert after_cutoff.hour == 9 and after_cutoff.minute == 0
    booked = await attempt(before_cutoff, "ontime-key-1")
    assert booked["queueNumber"] == 1
    # Cancelling closes cancelBeforeHours (2 h) before the start.
    try:
        await booking.cancel_appointment(
            caller=Caller(HealthStore.of(resources), citizen),
            appointment_id=str(booked["_id"]),
            reason=None,
            now=slot["start"] - timedelta(hours=1),
        )
    except BookingRefused as refused:
        assert refused.refusal is Refusal.OUTSIDE_CANCELLATION_WINDOW
    else:
        raise AssertionError("cancelling an hour before must be refused")


async def test_cancel_slots_cancels_and_tells_every_patient(
    gql: GraphQLClient, db, dev_token
) -> None:
    hid = await add_hospital(db, "bv-test-holiday")
    day = future_day()
    await publish(gql, staff(dev_token, hid), hid, day=day, periods=[("07:30", "08:30")])
    slots = await slot_ids(gql, hid, day)
    appointments = []
    for n, slot in enumerate(slots):
        token = dev_token(f"citizen-holiday-{n}")
        appointments.append(await book(gql, token, slot, await profile(gql, token)))
    mutation = """mutation($f: SlotFilterInput!, $r: String!) { cancelSlots(filter: $f, reason: $r)
        { __typename ... on CancelSlotsPayload { slotsCancelled appointmentsCancelled }
          ... on UserError { message } } }"""
    body = await gql(
        mutation,
        {
            "f": {"hospitalId": hid, "fromDate": day.isoformat(), "toDate": day.isoformat()},
            "r": "Bác sĩ đi tập huấn",
        },
        token=staff(dev_token, hid),
    )
    assert body["data"]["cancelSlots"] == {
        "__typename": "CancelSlotsPayload",
        "slotsCancelled": 2,
        "appointmentsCancelled": 2,
    }
    assert await slot_ids(gql, hid, day) == []
    for n, appointment in enumerate(appointments):
        stored = await db["health_appointments"].find_one({"_id": ObjectId(appointment["id"])})
        assert stored["status"] == "cancelled" and stored["cancelReason"] == "Bác sĩ đi tập huấn"
        told = await db["notifications"].find_one(
            {"dedupeKey": f"health:appointment:{appointment['id']}:cancelled"}
        )
        assert told["audience"] == {"userIds": [f"citizen-holiday-{n}"]}
        assert "Cơ sở y tế đã huỷ" in told["body"]["vi"]
    token = dev_token("citizen-holiday-late")
    late = await book(gql, token, slots[0], await profile(gql, token))
    assert late["__typename"] == "SlotNotBookable"


async def test_patients_of_hospital(gql: GraphQLClient, db, dev_token, resources) -> None:
    hid = await add_hospital(db, "bv-test-patients")
    day = future_day()
    await publish(gql, staff(dev_token, hid), hid, day=day)
    slot = (await slot_ids(gql, hid, day))[0]
    token = dev_token("patient-of-h")
    await book(gql, token, slot, await profile(gql, token))
    # What notifications asks, through the port health provides in MODULE.wire.
    patients = resources.get(PATIENT_DIRECTORY)
    found = await patients.patients_of_hospital(
        hospital_id=hid, user_ids=["patient-of-h", "stranger", "citizen-book"]
    )
    assert found == {"patient-of-h"}
    assert await patients.patients_of_hospital(hospital_id=H, user_ids=["patient-of-h"]) == set()
    assert (
        await patients.patients_of_hospital(
            hospital_id=hid, user_ids=["patient-of-h"], now=utcnow() + timedelta(days=120)
        )
        == set()
    )
