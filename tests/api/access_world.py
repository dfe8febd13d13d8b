"""The world the access matrix runs in: one object of every personal kind owned by citizen A (or
held by facility/school/station "here"), six actor classes, and A's personal values as sentinels
that the matrix looks for in every answer."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bson import ObjectId

from domains.education.read_side import SCHOOL_CATALOGUE
from domains.education.seed import seed_demo as seed_education
from domains.environment.repository import StationRepository
from domains.environment.seed import station_document
from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from domains.notifications.push import DevelopmentSink
from domains.notifications.worker import Worker, WorkerConfig
from domains.procedures.seed import seed_demo as seed_procedures
from domains.tourism.catalogues import ATTRACTION_INDEX, EVENT_INDEX
from domains.tourism.seed import seed_demo as seed_tourism
from tests.conftest import GraphQLClient
from tests.domains.health.support import add_hospital, book, future_day, publish, slot_ids

ACTORS = ("anonymous", "citizen_a", "citizen_b", "staff_here", "staff_other", "admin")
UIDS = {
    "citizen_a": "matrix-citizen-a",
    "citizen_b": "matrix-citizen-b",
    "staff_here": "matrix-staff-here",
    "staff_other": "matrix-staff-other",
    "admin": "matrix-admin",
}
H, H2 = "bv-matrix-here", "bv-matrix-other"
S, S2 = "th-ham-rong", "th-dong-tho"  # demo schools
ST, ST2 = "matrix-station-here", "matrix-station-other"
ANON_DEVICE = "matrix-anon-device-token-0123456789abcdef"  # a phone nobody signed in on
NEW_DEVICE = "matrix-new-device-token-0123456789abcdef"  # what registerDevice registers

# Citizen A's personal values: each must reach exactly the actors the field table allows.
SENTINELS = {
    "patient_name": "Lê Thị Riêng Tư",
    "patient_phone": "0977000111",
    "patient_birth": "1961-07-23",
    "bhyt": "HC4999888777666",
    "reason": "đau ngực khi gắng sức",
    "device_token": "matrix-a-device-token-0123456789abcdef",
    "uid_a": UIDS["citizen_a"],
    "uid_staff": UIDS["staff_here"],
    "inbox_title": "Kết quả xét nghiệm của chị đã có",
    "report_text": "Khói đen từ lò gạch sau nhà số 17 ngõ Hàm Rồng",
    "review_text": "Cảnh đẹp, nhưng bãi đỗ xe chật quá",
}


@dataclass
class World:
    tokens: dict[str, str | None]
    day: str
    values: dict[str, str] = field(default_factory=lambda: dict(SENTINELS))
    ids: dict[str, str] = field(default_factory=dict)


def actor_tokens(dev_token: Any) -> dict[str, str | None]:
    staff_roles = (Role.HOSPITAL_STAFF, Role.SCHOOL_STAFF, Role.STATION_OPERATOR)
    return {
        "anonymous": None,
        "citizen_a": dev_token(UIDS["citizen_a"]),
        "citizen_b": dev_token(UIDS["citizen_b"]),
        # Staff "here" also work for the environment agency (one agency: province-wide).
        "staff_here": dev_token(
            UIDS["staff_here"],
            *staff_roles,
            Role.ENVIRONMENT_STAFF,
            hospitals=(H,),
            schools=(S,),
            stations=(ST,),
        ),
        "staff_other": dev_token(
            UIDS["staff_other"], *staff_roles, hospitals=(H2,), schools=(S2,), stations=(ST2,)
        ),
        "admin": dev_token(UIDS["admin"], Role.ADMIN),
    }


PROFILE = """mutation($i: PatientProfileInput!) { createPatientProfile(input: $i) {
  __typename ... on PatientProfile { id } } }"""
REGISTER = """mutation($i: RegisterDeviceInput!) { registerDevice(input: $i) { __typename } }"""
FOLLOW = """mutation($s: String!, $t: String) { subscribeToSchool(schoolId: $s, deviceToken: $t) {
  __typename } }"""
SEND = """mutation($i: SendNotificationInput!) { sendNotification(input: $i) {
  __typename ... on NotificationStatus { id } } }"""
INBOX = "{ notifications(first: 5) { nodes { id } } }"
FILE = """mutation($t: String!) { filePollutionReport(category: BURNING_WASTE, text: $t,
  lat: 19.8071, lng: 105.7763) { __typename ... on PollutionReportFiled { report { id } } } }"""
REVIEW = """mutation($a: ID!, $t: String) { addReview(attractionId: $a, rating: 4, text: $t) {
  __typename ... on AttractionReview { id } } }"""
JOIN = """mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) {
  __typename ... on WaitlistEntry { id } } }"""
STAFF_LIST = """query($h: String!, $d: Date!) { hospitalAppointments(hospitalId: $h, date: $d) {
  nodes { patient { fullName } reason } } }"""


async def patient(gql: GraphQLClient, token: str | None, name: str, birth: str, phone: str) -> str:
    body = await gql(
        PROFILE,
        {
            "i": {
                "fullName": name,
                "dateOfBirth": birth,
                "phone": phone,
                "bhytNumber": SENTINELS["bhyt"] if name == SENTINELS["patient_name"] else None,
                "consent": {"policyVersion": "2026-01", "given": True},
            }
        },
        token=token,
    )
    assert body["data"]["createPatientProfile"]["__typename"] == "PatientProfile", body
    return str(body["data"]["createPatientProfile"]["id"])


async def seed_catalogues(db: Database, resources: Resources) -> None:
    def quiet(done: int, total: int) -> None:
        return None

    await seed_procedures(db=db, progress=quiet)
    await seed_education(db=db, progress=quiet)
    await seed_tourism(db=db, progress=quiet)
    for key in (SCHOOL_CATALOGUE, ATTRACTION_INDEX, EVENT_INDEX):
        await resources.get(key).refresh()


async def health(gql: GraphQLClient, db: Database, world: World) -> None:
    """A's appointment with a reason at H, A's entry on a full slot's waitlist (B holds it)."""
    tokens, ids = world.tokens, world.ids
    await add_hospital(db, H)
    await add_hospital(db, H2)
    day = future_day()
    world.day = day.isoformat()
    await publish(gql, tokens["staff_here"], H, day=day, periods=[("07:30", "09:00")])
    slots = await slot_ids(gql, H, day)
    ids["patient"] = await patient(
        gql,
        tokens["citizen_a"],
        SENTINELS["patient_name"],
        SENTINELS["patient_birth"],
        SENTINELS["patient_phone"],
    )
    ids["consent_patient"] = await patient(
        gql, tokens["citizen_a"], "Lê Văn Đồng Ý", "2012-02-02", "0977000222"
    )
    booked = await book(
        gql, tokens["citizen_a"], slots[0], ids["patient"], reason=SENTINELS["reason"]
    )
    assert booked["__typename"] == "Appointment", booked
    ids["appointment"] = booked["id"]
    world.values["booking_code"] = booked["bookingCode"]
    full_day = day + timedelta(days=1)
    await publish(gql, tokens["staff_here"], H, day=full_day, capacity=1)
    (full,) = await slot_ids(gql, H, full_day)
    b_patient = await patient(gql, tokens["citizen_b"], "Phạm Văn Bê", "1990-01-01", "0977000333")
    assert (await book(gql, tokens["citizen_b"], full, b_patient))["__typename"] == "Appointment"
    joined = await gql(
        JOIN, {"i": {"slotId": full, "patientProfileId": ids["patient"]}}, token=tokens["citizen_a"]
    )
    ids["waitlist_entry"] = joined["data"]["joinWaitlist"]["id"]
    grant = """mutation($u: String!, $h: String) { grantRole(uid: $u, role: HOSPITAL_STAFF,
      hospitalId: $h) { __typename } }"""
    granted = await gql(grant, {"u": UIDS["staff_here"], "h": H}, token=tokens["admin"])
    assert granted["data"]["grantRole"]["__typename"] == "Grant", granted
    # The staff screen reads A's patient: one staff-read entry (reader = staff here).
    read = await gql(STAFF_LIST, {"h": H, "d": world.day}, token=tokens["staff_here"])
    assert read["data"]["hospitalAppointments"]["nodes"], read


async def notifications(gql: GraphQLClient, resources: Resources, world: World) -> None:
    """A's phone follows school S signed in; S's staff announce; an admin writes to A alone."""
    tokens, ids = world.tokens, world.ids
    device = {"token": SENTINELS["device_token"], "platform": "ANDROID", "locale": "VI"}
    await gql(REGISTER, {"i": device}, token=tokens["citizen_a"])
    await gql(FOLLOW, {"s": S, "t": SENTINELS["device_token"]}, token=tokens["citizen_a"])
    anonymous = {"token": ANON_DEVICE, "platform": "IOS", "locale": "EN"}
    registered = await gql(REGISTER, {"i": anonymous})
    assert registered["data"]["registerDevice"]["__typename"] == "Device", registered
    school = {"topic": f"school.{S}"}
    sent = await gql(
        SEND,
        {"i": {"audience": school, "title": {"vi": "Lịch họp"}, "body": {"vi": "Thứ bảy"}}},
        token=tokens["staff_here"],
    )
    ids["school_broadcast"] = sent["data"]["sendNotification"]["id"]
    direct = {"userIds": [UIDS["citizen_a"]]}
    title = {"vi": SENTINELS["inbox_title"]}
    sent = await gql(
        SEND,
        {"i": {"audience": direct, "title": title, "body": {"vi": "Mời chị xem"}}},
        token=tokens["admin"],
    )
    ids["direct_notification"] = sent["data"]["sendNotification"]["id"]
    await Worker(resources, DevelopmentSink(), WorkerConfig(idle_poll=0.05)).drain()
    inbox = await gql(INBOX, {}, token=tokens["citizen_a"])
    ids["inbox_entry"] = inbox["data"]["notifications"]["nodes"][0]["id"]


async def environment_and_tourism(gql: GraphQLClient, db: Database, world: World) -> None:
    tokens, ids = world.tokens, world.ids
    filed = await gql(FILE, {"t": SENTINELS["report_text"]}, token=tokens["citizen_a"])
    ids["report"] = filed["data"]["filePollutionReport"]["report"]["id"]
    attraction = await db["tourism_attractions"].find_one({}, {"_id": 1}, sort=[("_id", 1)])
    assert attraction is not None
    ids["attraction"] = str(attraction["_id"])
    admission = await db["admission_rounds"].find_one({}, {"_id": 1})
    assert admission is not None
    ids["round"] = str(admission["_id"])
    event = await db["tourism_events"].find_one({}, {"_id": 1}, sort=[("_id", 1)])
    ids["event"] = str(event["_id"]) if event else str(ObjectId())
    added = await gql(
        REVIEW, {"a": ids["attraction"], "t": SENTINELS["review_text"]}, token=tokens["citizen_a"]
    )
    ids["review"] = added["data"]["addReview"]["id"]
    procedure = await db["procedures"].find_one({}, {"_id": 1}, sort=[("_id", 1)])
    itinerary = await db["tourism_itineraries"].find_one({}, {"_id": 1}, sort=[("_id", 1)])
    assert procedure is not None and itinerary is not None
    ids["procedure"] = str(procedure["_id"])  # the code
    ids["itinerary"] = str(itinerary["_id"])
    station = {"name": {"vi": "Trạm ma trận"}, "address": {"vi": "Phường Hàm Rồng"}}
    await StationRepository(db).put(
        station_document(
            {"_id": ST, **station, "communeCode": "15499", "lat": 19.84, "lng": 105.79}
            | {"parameters": ["pm25"]}
        )
    )


async def build_world(
    gql: GraphQLClient, db: Database, resources: Resources, dev_token: Any
) -> World:
    world = World(tokens=actor_tokens(dev_token), day="")
    await seed_catalogues(db, resources)
    await health(gql, db, world)
    await notifications(gql, resources, world)
    await environment_and_tourism(gql, db, world)
    return world
