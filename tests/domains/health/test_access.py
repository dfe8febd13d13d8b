"""The access matrix: every query and mutation of the health domain, for six kinds of caller.

Reason for visit and BHYT number must never reach anyone but the owner (reason: also the
facility's staff) through any field, nested field or error message.
"""

import json
from typing import Any

import pytest

from domains.kernel.auth import Role
from tests.conftest import GraphQLClient
from tests.domains.health.support import add_hospital, book, future_day, profile, publish, slot_ids

H, OTHER = "bv-test-access", "bv-test-access-other"
REASON = "ho ra máu kéo dài"  # sensitive: must not leak
BHYT = "HC4380123456789"
ACTORS = ("anonymous", "citizen_a", "citizen_b", "staff_here", "staff_other", "admin")

APPOINTMENT_FIELDS = """id status queueNumber bookingCode reason cancelReason
  hospital { id } slot { id booked }
  patient { fullName phone hasBhyt bhytNumber consent { policyVersion } }"""


@pytest.fixture(scope="module")
async def world(gql: GraphQLClient, db, dev_token) -> dict[str, Any]:
    await add_hospital(db, H)
    await add_hospital(db, OTHER)
    tokens = {
        "anonymous": None,
        "citizen_a": dev_token("access-a"),
        "citizen_b": dev_token("access-b"),
        "staff_here": dev_token("access-staff", Role.HOSPITAL_STAFF, hospitals=(H,)),
        "staff_other": dev_token("access-staff-2", Role.HOSPITAL_STAFF, hospitals=(OTHER,)),
        "admin": dev_token("access-admin", Role.ADMIN),
    }
    day = future_day()
    await publish(gql, tokens["staff_here"], H, day=day, periods=[("07:30", "09:00")])
    slots = await slot_ids(gql, H, day)
    patient = await profile(gql, tokens["citizen_a"], name="Trần Thị Bí Mật", bhyt=BHYT)
    appointment = await book(gql, tokens["citizen_a"], slots[0], patient, reason=REASON)
    assert appointment["__typename"] == "Appointment"
    return {
        "tokens": tokens,
        "day": day,
        "slots": slots,
        "patient": patient,
        "appointment": appointment,
    }


def outcome(body: dict[str, Any], field: str) -> str:
    """UNAUTHENTICATED / FORBIDDEN, the union member's type name, or OK."""
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    value = body["data"][field]
    if isinstance(value, dict) and "__typename" in value:
        return str(value["__typename"])
    return "OK"


def assert_no_secrets(body: dict[str, Any], *, reason_allowed: bool = False) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert BHYT not in text
    if not reason_allowed:
        assert REASON not in text


async def run(
    gql: GraphQLClient, world: dict[str, Any], actor: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    return await gql(query, variables, token=world["tokens"][actor])


PUBLIC = [
    ("hospitals", "{ hospitals(first: 5) { nodes { id name departments { id } } } }"),
    ("hospital", '{ hospital(id: "bv-test-access") { id name bookingPolicy { cutoff } } }'),
    (
        "availableSlots",
        '{ availableSlots(hospitalId: "bv-test-access") { nodes { id remaining } } }',
    ),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("field", "query"), PUBLIC)
async def test_public_queries_are_open_to_everyone(
    gql: GraphQLClient, world, actor: str, field: str, query: str
) -> None:
    body = await run(gql, world, actor, query, {})
    assert outcome(body, field) == "OK"
    assert body["data"][field]
    assert_no_secrets(body)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("citizen_a", "own"),
        ("citizen_b", "none"),
        ("staff_here", "none"),
        ("staff_other", "none"),
        ("admin", "none"),
    ],
)
async def test_my_patient_profiles(gql: GraphQLClient, world, actor: str, expected: str) -> None:
    query = "{ myPatientProfiles { id fullName bhytNumber consent { purpose } } }"
    body = await run(gql, world, actor, query, {})
    if expected == "UNAUTHENTICATED":
        assert outcome(body, "myPatientProfiles") == expected
    elif expected == "own":
        (mine,) = body["data"]["myPatientProfiles"]
        assert mine["bhytNumber"] == BHYT and mine["consent"]["purpose"]
    else:
        assert body["data"]["myPatientProfiles"] == []
    if actor != "citizen_a":
        assert_no_secrets(body)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("citizen_a", "own"),
        ("citizen_b", "none"),
        ("staff_here", "none"),
        ("staff_other", "none"),
        ("admin", "none"),
    ],
)
async def test_my_appointments(gql: GraphQLClient, world, actor: str, expected: str) -> None:
    query = f"{{ myAppointments {{ nodes {{ {APPOINTMENT_FIELDS} }} }} }}"
    body = await run(gql, world, actor, query, {})
    if expected == "UNAUTHENTICATED":
        assert outcome(body, "myAppointments") == expected
        return
    nodes = body["data"]["myAppointments"]["nodes"]
    if expected == "own":
        (mine,) = nodes
        assert mine["reason"] == REASON and mine["patient"]["bhytNumber"] == BHYT
        assert mine["bookingCode"]
    else:
        assert nodes == []
        assert_no_secrets(body)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("citizen_a", "FORBIDDEN"),
        ("citizen_b", "FORBIDDEN"),
        ("staff_here", "clinical"),
        ("staff_other", "FORBIDDEN"),
        ("admin", "operational"),
    ],
)
async def test_hospital_appointments(gql: GraphQLClient, world, actor: str, expected: str) -> None:
    query = f"""query($h: String!, $d: Date!) {{ hospitalAppointments(hospitalId: $h, date: $d) {{
        nodes {{ {APPOINTMENT_FIELDS} }} }} }}"""
    body = await run(gql, world, actor, query, {"h": H, "d": world["day"].isoformat()})
    if expected in ("UNAUTHENTICATED", "FORBIDDEN"):
        assert outcome(body, "hospitalAppointments") == expected
        assert_no_secrets(body)
        return
    (node,) = body["data"]["hospitalAppointments"]["nodes"]
    assert node["queueNumber"] == 1
    if expected == "clinical":
        # Staff of this facility: reason (for triage), name, phone; never the BHYT number.
        assert node["reason"] == REASON and node["bookingCode"]
        assert node["patient"] == {
            "fullName": "Trần Thị Bí Mật",
            "phone": "0912345678",
            "hasBhyt": True,
            "bhytNumber": None,
            "consent": None,
        }
        assert_no_secrets(body, reason_allowed=True)
    else:
        # Administrators run the system; they see no patient details.
        assert node["reason"] is None and node["patient"] is None and node["bookingCode"] is None
        assert_no_secrets(body)


STAFF_QUERIES = {
    "facilitySlots": """query($f: SlotFilterInput!) { facilitySlots(filter: $f) {
        id status booked capacity } }""",
    "publishSlotsPreview": """query($i: PublishSlotsInput!) { publishSlotsPreview(input: $i) {
        __typename ... on PublishSlotsPreview { created existing slots { start published } }
        ... on UserError { message code } } }""",
}


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("citizen_a", "FORBIDDEN"),
        ("citizen_b", "FORBIDDEN"),
        ("staff_here", "OK"),
        ("staff_other", "FORBIDDEN"),
        ("admin", "OK"),
    ],
)
@pytest.mark.parametrize("field", sorted(STAFF_QUERIES))
async def test_staff_schedule_queries(
    gql: GraphQLClient, world, field: str, actor: str, expected: str
) -> None:
    day = world["day"].isoformat()
    variables = {
        "f": {"hospitalId": H, "fromDate": day, "toDate": day},
        "i": {
            "hospitalId": H,
            "departmentId": "noi",
            "fromDate": day,
            "toDate": day,
            "periods": [{"start": "07:30", "end": "09:00"}],
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "slotMinutes": 30,
            "capacity": 2,
        },
    }
    body = await run(gql, world, actor, STAFF_QUERIES[field], variables)
    result = outcome(body, field)
    assert result == (
        "PublishSlotsPreview" if field.endswith("Preview") and expected == "OK" else expected
    )
    if expected == "OK" and field == "facilitySlots":
        assert len(body["data"][field]) >= 3
    assert_no_secrets(body)


MUTATION_CASES = {
    "createPatientProfile": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "PatientProfile",
        "citizen_b": "PatientProfile",
        "staff_here": "PatientProfile",
        "staff_other": "PatientProfile",
        "admin": "PatientProfile",
    },
    "bookAppointment": {  # with citizen A's patient profile
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "Appointment",
        "citizen_b": "NotFoundError",
        "staff_here": "NotFoundError",
        "staff_other": "NotFoundError",
        "admin": "NotFoundError",
    },
    "rescheduleAppointment": {  # citizen A's appointment
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "Appointment",
        "citizen_b": "NotFoundError",
        "staff_here": "NotFoundError",
        "staff_other": "NotFoundError",
        "admin": "NotFoundError",
    },
    "cancelAppointment": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "Appointment",
        "citizen_b": "NotFoundError",
        "staff_here": "NotFoundError",
        "staff_other": "NotFoundError",
        "admin": "NotFoundError",
    },
    "publishSlots": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "PublishSlotsPayload",
        "staff_other": "FORBIDDEN",
        "admin": "PublishSlotsPayload",
    },
    "cancelSlots": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "CancelSlotsPayload",
        "staff_other": "FORBIDDEN",
        "admin": "CancelSlotsPayload",
    },
    "closeSlot": {  # a slot of this facility; closing twice answers the closed slot again
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "Slot",
        "staff_other": "FORBIDDEN",
        "admin": "Slot",
    },
    "reopenSlot": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "Slot",
        "staff_other": "FORBIDDEN",
        "admin": "Slot",
    },
    "checkIn": {  # the right facility is told it is not the day yet; others learn nothing
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "AppointmentNotChangeable",
        "staff_other": "NotFoundError",
        "admin": "AppointmentNotChangeable",
    },
    "markNoShow": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "AppointmentNotChangeable",
        "staff_other": "NotFoundError",
        "admin": "AppointmentNotChangeable",
    },
    "callNext": {  # nobody has checked in yet: the right facility is told the queue is empty
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "QueueEmpty",
        "staff_other": "NotFoundError",
        "admin": "QueueEmpty",
    },
    "completeAppointment": {  # booked, not checked in
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "FORBIDDEN",
        "citizen_b": "FORBIDDEN",
        "staff_here": "AppointmentNotChangeable",
        "staff_other": "NotFoundError",
        "admin": "AppointmentNotChangeable",
    },
}

RESULT = "__typename ... on UserError { message code }"


def mutation(name: str, world: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    day = world["day"].isoformat()
    appointment = world["appointment"]["id"]
    if name == "createPatientProfile":
        return (
            "mutation($i: PatientProfileInput!) { createPatientProfile(input: $i) { "
            f"{RESULT} }} }}",
            {
                "i": {
                    "fullName": "Người Thân",
                    "dateOfBirth": "2015-01-02",
                    "phone": "0987654321",
                    "consent": {"policyVersion": "2026-01", "given": True},
                }
            },
        )
    if name == "bookAppointment":
        return (
            f"mutation($i: BookAppointmentInput!) {{ bookAppointment(input: $i) {{ {RESULT} "
            "... on Appointment { reason } } }",
            {
                "i": {
                    "slotId": world["slots"][1],
                    "patientProfileId": world["patient"],
                    "idempotencyKey": "access-matrix-key",
                    "reason": REASON,
                }
            },
        )
    if name == "rescheduleAppointment":
        return (
            f"mutation($id: ID!, $s: ID!) {{ rescheduleAppointment(id: $id, newSlotId: $s) "
            f"{{ {RESULT} ... on Appointment {{ reason }} }} }}",
            {"id": appointment, "s": world["slots"][2]},
        )
    if name == "cancelAppointment":
        return (
            f"mutation($id: ID!) {{ cancelAppointment(id: $id) {{ {RESULT} }} }}",
            {"id": appointment},
        )
    if name == "publishSlots":
        return (
            f"mutation($i: PublishSlotsInput!) {{ publishSlots(input: $i) {{ {RESULT} }} }}",
            {
                "i": {
                    "hospitalId": H,
                    "departmentId": "noi",
                    "fromDate": day,
                    "toDate": day,
                    "weekdays": [1, 2, 3, 4, 5, 6, 7],
                    "periods": [{"start": "15:00", "end": "15:30"}],
                    "slotMinutes": 30,
                    "capacity": 2,
                }
            },
        )
    if name == "cancelSlots":
        return (
            f'mutation($f: SlotFilterInput!) {{ cancelSlots(filter: $f, reason: "Nghỉ lễ") '
            f"{{ {RESULT} }} }}",
            {"f": {"hospitalId": H, "departmentId": "ung-buou", "fromDate": day, "toDate": day}},
        )
    if name in ("closeSlot", "reopenSlot"):  # the slot rescheduleAppointment moves to: open again
        return (f"mutation($s: ID!) {{ {name}(id: $s) {{ {RESULT} }} }}", {"s": world["slots"][2]})
    if name == "checkIn":
        return (
            f"mutation($c: String!) {{ checkIn(bookingCode: $c) {{ {RESULT} }} }}",
            {"c": world["appointment"]["bookingCode"]},
        )
    if name == "callNext":
        return (
            f"mutation($s: ID!) {{ callNext(slotId: $s) {{ {RESULT} }} }}",
            {"s": world["slots"][0]},
        )
    if name == "completeAppointment":
        return (
            f"mutation($id: ID!) {{ completeAppointment(appointmentId: $id) {{ {RESULT} }} }}",
            {"id": appointment},
        )
    return (
        f"mutation($id: ID!) {{ markNoShow(appointmentId: $id) {{ {RESULT} }} }}",
        {"id": appointment},
    )


# The owner's own booking is cancelled before the owner books slot 2 with the same profile.
ORDER = [
    "createPatientProfile",
    "publishSlots",
    "cancelSlots",
    "closeSlot",
    "reopenSlot",
    "checkIn",
    "markNoShow",
    "callNext",
    "completeAppointment",
    "cancelAppointment",
    "bookAppointment",
]


@pytest.mark.parametrize("name", ORDER)
async def test_mutation_matrix(gql: GraphQLClient, world, name: str) -> None:
    cases = MUTATION_CASES[name]
    actors = sorted(ACTORS, key=lambda a: a == "citizen_a")  # owner last: others must fail first
    for actor in actors:
        query, variables = mutation(name, world)
        body = await run(gql, world, actor, query, variables)
        assert outcome(body, name) == cases[actor], (name, actor, body)
        assert_no_secrets(body, reason_allowed=actor == "citizen_a")


async def test_reschedule_matrix(gql: GraphQLClient, world) -> None:
    # A fresh booking of A's to move (the first one was cancelled by the matrix above).
    fresh = await book(
        gql, world["tokens"]["citizen_a"], world["slots"][0], world["patient"], reason=REASON
    )
    assert fresh["__typename"] == "Appointment"
    for actor in sorted(ACTORS, key=lambda a: a == "citizen_a"):
        query, variables = mutation("rescheduleAppointment", {**world, "appointment": fresh})
        body = await run(gql, world, actor, query, variables)
        expected = MUTATION_CASES["rescheduleAppointment"][actor]
        assert outcome(body, "rescheduleAppointment") == expected, (actor, body)
        assert_no_secrets(body, reason_allowed=actor == "citizen_a")


# --- waitlist ---------------------------------------------------------------------------------

WAITLIST_CASES = {
    "joinWaitlist": {  # with citizen A's patient profile, for a full slot
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "WaitlistEntry",
        "citizen_b": "NotFoundError",
        "staff_here": "NotFoundError",
        "staff_other": "NotFoundError",
        "admin": "NotFoundError",
    },
    "acceptWaitlistOffer": {  # citizen A's entry, still waiting: nothing to accept yet
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "AppointmentNotChangeable",
        "citizen_b": "NotFoundError",
        "staff_here": "NotFoundError",
        "staff_other": "NotFoundError",
        "admin": "NotFoundError",
    },
    "declineWaitlistOffer": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "AppointmentNotChangeable",
        "citizen_b": "NotFoundError",
        "staff_here": "NotFoundError",
        "staff_other": "NotFoundError",
        "admin": "NotFoundError",
    },
    "leaveWaitlist": {
        "anonymous": "UNAUTHENTICATED",
        "citizen_a": "WaitlistEntry",
        "citizen_b": "NotFoundError",
        "staff_here": "NotFoundError",
        "staff_other": "NotFoundError",
        "admin": "NotFoundError",
    },
}


@pytest.fixture(scope="module")
async def full_slot(gql: GraphQLClient, world) -> str:
    """A slot of capacity 1 on another day, taken by citizen B."""
    tokens = world["tokens"]
    day = future_day()
    await publish(gql, tokens["staff_here"], H, day=day, capacity=1)
    (slot,) = await slot_ids(gql, H, day)
    taken = await book(gql, tokens["citizen_b"], slot, await profile(gql, tokens["citizen_b"]))
    assert taken["__typename"] == "Appointment"
    return slot


def waitlist_mutation(name: str, world: dict[str, Any], slot: str, entry: str) -> tuple[str, Any]:
    entry_result = f"{RESULT} ... on WaitlistEntry {{ id status }}"
    if name == "joinWaitlist":
        return (
            f"mutation($i: JoinWaitlistInput!) {{ joinWaitlist(input: $i) {{ {entry_result} }} }}",
            {"i": {"slotId": slot, "patientProfileId": world["patient"]}},
        )
    if name == "acceptWaitlistOffer":
        return (
            "mutation($id: ID!) { acceptWaitlistOffer(entryId: $id, "
            f'idempotencyKey: "access-waitlist-key") {{ {RESULT} }} }}',
            {"id": entry},
        )
    return (f"mutation($id: ID!) {{ {name}(entryId: $id) {{ {entry_result} }} }}", {"id": entry})


async def test_waitlist_matrix(gql: GraphQLClient, world, full_slot: str) -> None:
    owner = world["tokens"]["citizen_a"]
    joined = await gql(*waitlist_mutation("joinWaitlist", world, full_slot, ""), token=owner)
    entry = joined["data"]["joinWaitlist"]["id"]
    for name, cases in WAITLIST_CASES.items():
        for actor in sorted(ACTORS, key=lambda a: a == "citizen_a"):
            query, variables = waitlist_mutation(name, world, full_slot, entry)
            body = await run(gql, world, actor, query, variables)
            assert outcome(body, name) == cases[actor], (name, actor, body)
            assert_no_secrets(body)
            if name == "joinWaitlist" and actor == "citizen_a":
                assert body["data"][name]["id"] == entry  # joining again: the same entry


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("citizen_a", "FORBIDDEN"),
        ("citizen_b", "FORBIDDEN"),
        ("staff_here", "counts"),
        ("staff_other", "FORBIDDEN"),
        ("admin", "counts"),
    ],
)
async def test_slot_waitlist_counts_for_staff_only(
    gql: GraphQLClient, world, full_slot: str, actor: str, expected: str
) -> None:
    query = """query($s: ID!) { slotWaitlist(slotId: $s) { slotId waiting offered } }"""
    body = await run(gql, world, actor, query, {"s": full_slot})
    if expected == "counts":
        counts = body["data"]["slotWaitlist"]
        assert set(counts) == {"slotId", "waiting", "offered"}  # counts only, never who
        assert counts["slotId"] == full_slot and counts["offered"] == 0
    else:
        assert outcome(body, "slotWaitlist") == expected
    assert_no_secrets(body)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("citizen_a", "own"),
        ("citizen_b", "none"),
        ("staff_here", "none"),
        ("staff_other", "none"),
        ("admin", "none"),
    ],
)
async def test_my_waitlist(
    gql: GraphQLClient, world, full_slot: str, actor: str, expected: str
) -> None:
    owner = world["tokens"]["citizen_a"]
    await gql(*waitlist_mutation("joinWaitlist", world, full_slot, ""), token=owner)
    body = await run(gql, world, actor, "{ myWaitlist { nodes { id status slotId } } }", {})
    if expected == "UNAUTHENTICATED":
        assert outcome(body, "myWaitlist") == expected
        return
    nodes = body["data"]["myWaitlist"]["nodes"]
    if expected == "own":
        assert nodes and all(n["slotId"] == full_slot for n in nodes)
    else:
        assert nodes == []


# --- node(id:) ---------------------------------------------------------------------------------

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Appointment { reason patient { fullName } }
  ... on PatientProfile { bhytNumber }
  ... on Slot { remaining }
  ... on Hospital { name } } }"""


@pytest.mark.parametrize(
    ("actor", "appointment", "patient"),
    [
        ("anonymous", None, None),
        ("citizen_a", "details", "own"),
        ("citizen_b", None, None),
        ("staff_here", "details", None),
        ("staff_other", None, None),
        ("admin", "operational", None),
    ],
)
async def test_node_refetches_what_the_caller_may_see(
    gql: GraphQLClient, world, actor: str, appointment: str | None, patient: str | None
) -> None:
    found = await run(gql, world, actor, NODE, {"id": world["appointment"]["id"]})
    node = found["data"]["node"]
    if appointment is None:
        assert node is None
    else:
        assert node["__typename"] == "Appointment" and node["id"] == world["appointment"]["id"]
        assert (node["reason"] == REASON) is (appointment == "details")
    assert_no_secrets(found, reason_allowed=actor in ("citizen_a", "staff_here"))

    profile = (await run(gql, world, actor, NODE, {"id": world["patient"]}))["data"]["node"]
    assert (profile and profile["bhytNumber"]) == (BHYT if patient == "own" else None)

    slot = (await run(gql, world, actor, NODE, {"id": world["slots"][1]}))["data"]["node"]
    assert slot["__typename"] == "Slot" and slot["id"] == world["slots"][1]  # public
    hospital = (await run(gql, world, actor, NODE, {"id": H}))["data"]["node"]
    assert hospital["__typename"] == "Hospital" and hospital["id"] == H and hospital["name"]
    assert (await run(gql, world, actor, NODE, {"id": "bv-unknown"}))["data"]["node"] is None
    assert (await run(gql, world, actor, NODE, {"id": "not-an-id"}))["data"]["node"] is None
