"""Administrators maintain schools and rounds; staff announce; followers are reminded."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domains.kernel.auth import Role
from domains.kernel.clock import PROVINCE_TZ
from domains.kernel.resources import Resources
from domains.notifications.push import DevelopmentSink
from domains.notifications.worker import Worker, WorkerConfig
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.usefixtures("demo")

CREATE_SCHOOL = """
mutation($input: SchoolInput!) {
  createSchool(input: $input) {
    __typename
    ... on School { id name district catchment { communeCodes area { lat lng } } }
    ... on ValidationFailed { message field }
  }
}"""
CREATE_ROUND = """
mutation($input: AdmissionRoundInput!) {
  createAdmissionRound(input: $input) {
    __typename
    ... on AdmissionRound { id status opensOn closesOn }
    ... on ValidationFailed { message field }
  }
}"""
UPDATE_ROUND = """
mutation($id: ID!, $input: AdmissionRoundInput!) {
  updateAdmissionRound(id: $id, input: $input) {
    __typename
    ... on AdmissionRound { id opensOn closesOn }
    ... on ValidationFailed { message field }
    ... on NotFoundError { message }
  }
}"""
PUBLISH = """
mutation($input: SchoolAnnouncementInput!) {
  publishAnnouncement(input: $input) {
    __typename
    ... on SchoolAnnouncement { id title audience school { id } }
    ... on ValidationFailed { message field }
    ... on NotFoundError { message }
  }
}"""
ANNOUNCEMENTS = """
query($school: String!) { announcements(schoolId: $school) { nodes { title audience } } }"""
SUBSCRIBE = """
mutation($school: String!) {
  subscribeToSchool(schoolId: $school) {
    __typename ... on School { id } ... on NotFoundError { message }
  }
}"""
INBOX = """
{ notifications(unreadOnly: false, first: 20) { nodes { category title data { key value } } } }"""


def school_input(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": {"vi": "Trường Tiểu học Nguyệt Viên", "en": "Nguyệt Viên Primary School"},
        "levels": ["PRIMARY"],
        "ownership": "PUBLIC",
        "communeCode": "15925",
        "address": "Phường Nguyệt Viên",
        "lat": 19.861,
        "lng": 105.832,
        "catchmentCommuneCodes": ["15925"],
    }
    values.update(changes)
    return values


def round_input(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": {"vi": "Tuyển sinh lớp 1 thử nghiệm"},
        "schoolYear": "2027-2028",
        "grade": "GRADE_1",
        "schoolIds": ["th-ham-rong"],
        "opensOn": "2027-07-01",
        "closesOn": "2027-07-15",
        "quota": 140,
        "method": "BOTH",
        "entranceExam": False,
        "documents": [{"name": {"vi": "Đơn đăng ký"}, "copies": 1}],
    }
    values.update(changes)
    return values


async def test_only_administrators_maintain_schools(gql: GraphQLClient, dev_token) -> None:
    for token in (
        None,
        dev_token("parent-1"),
        dev_token("staff", Role.SCHOOL_STAFF, schools=("th-ham-rong",)),
    ):
        body = await gql(CREATE_SCHOOL, {"input": school_input()}, token=token)
        assert body["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}


async def test_admin_creates_a_school_with_a_catchment_area(gql: GraphQLClient, dev_token) -> None:
    ring = [
        {"lat": 19.85, "lng": 105.82},
        {"lat": 19.85, "lng": 105.84},
        {"lat": 19.87, "lng": 105.84},
        {"lat": 19.85, "lng": 105.82},
    ]
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(CREATE_SCHOOL, {"input": school_input(catchmentArea=[ring])}, token=admin)
    created = body["data"]["createSchool"]
    assert created["__typename"] == "School"
    assert created["id"] == "truong-tieu-hoc-nguyet-vien-15925"
    assert created["district"] == "thanh-hoa-city"
    assert created["catchment"]["area"][0][1] == {"lat": 19.85, "lng": 105.84}
    lookup = await gql(
        """{ schoolsForLocation(lat: 19.855, lng: 105.835, level: PRIMARY) {
               schools { school { id } matchedBy } } }"""
    )
    assert {"school": {"id": created["id"]}, "matchedBy": "AREA"} in lookup["data"][
        "schoolsForLocation"
    ]["schools"]
    again = await gql(CREATE_SCHOOL, {"input": school_input()}, token=admin)
    assert again["data"]["createSchool"]["field"] == "name"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"catchmentCommuneCodes": ["15925", "12345"]}, "catchmentCommuneCodes", "12345"),
        ({"communeCode": "abc"}, "communeCode", "5 digits"),
        ({"lat": 10.0, "lng": 19.8}, "location", "swapped"),
        ({"lat": 105.8, "lng": 19.8}, "lat", "out of range"),
        ({"catchmentCommuneCodes": []}, "catchmentCommuneCodes", "provinceWide"),
        (
            {
                "catchmentArea": [
                    [
                        {"lat": 19.85, "lng": 105.82},
                        {"lat": 19.86, "lng": 105.83},
                        {"lat": 19.87, "lng": 105.82},
                        {"lat": 19.88, "lng": 105.8},
                    ]
                ]
            },
            "catchmentArea",
            "not closed",
        ),
    ],
)
async def test_school_validation_says_what_to_fix(
    gql: GraphQLClient, dev_token, changes: dict[str, Any], field: str, words: str
) -> None:
    body = await gql(
        CREATE_SCHOOL,
        {"input": school_input(name={"vi": "Trường thử"}, **changes)},
        token=dev_token("admin-1", Role.ADMIN),
    )
    result = body["data"]["createSchool"]
    assert result["__typename"] == "ValidationFailed"
    assert result["field"] == field
    assert words in result["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closesOn": "2027-07-01"}, "closesOn"),
        ({"closesOn": "2027-06-20"}, "closesOn"),
        ({"quota": 0}, "quota"),
        ({"schoolIds": ["thcs-ham-rong"]}, "schoolIds"),  # a lower-secondary school for grade 1
        ({"schoolIds": ["nowhere"]}, "schoolIds"),
        ({"procedureCode": "9.999999"}, "procedureCode"),
        ({"schoolYear": "2027-2029"}, "schoolYear"),
    ],
)
async def test_round_validation(
    gql: GraphQLClient, dev_token, changes: dict[str, Any], field: str
) -> None:
    body = await gql(
        CREATE_ROUND, {"input": round_input(**changes)}, token=dev_token("admin-1", Role.ADMIN)
    )
    result = body["data"]["createAdmissionRound"]
    assert result["__typename"] == "ValidationFailed", result
    assert result["field"] == field


def reminder_time(day: str, days_before: int) -> datetime:
    local = datetime.combine(
        date.fromisoformat(day) - timedelta(days=days_before), datetime.min.time()
    )
    return local.replace(hour=8, tzinfo=PROVINCE_TZ).astimezone(UTC)


async def scheduled_for(db: Any, round_id: str) -> list[dict[str, Any]]:
    cursor = db["notifications"].find(
        {"data.roundId": round_id, "status": "pending"}, sort=[("sendAt", 1)]
    )
    return await cursor.to_list(length=None)


async def test_moving_a_window_moves_its_reminders(gql: GraphQLClient, dev_token, db: Any) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(CREATE_ROUND, {"input": round_input()}, token=admin)
    round_id = body["data"]["createAdmissionRound"]["id"]
    reminders = await scheduled_for(db, round_id)
    assert [(r["category"], r["sendAt"].replace(tzinfo=UTC)) for r in reminders] == [
        ("education.round_opens", reminder_time("2027-07-01", 3)),
        ("education.round_closes", reminder_time("2027-07-15", 1)),
    ]
    assert {r["audience"]["topic"] for r in reminders} == {"school.th-ham-rong"}
    # No personal data in the payload: ids of the round and school only.
    assert reminders[0]["data"] == {"roundId": round_id, "schoolId": "th-ham-rong"}

    moved = round_input(opensOn="2027-07-05", closesOn="2027-07-20")
    body = await gql(UPDATE_ROUND, {"id": round_id, "input": moved}, token=admin)
    assert body["data"]["updateAdmissionRound"]["opensOn"] == "2027-07-05"
    reminders = await scheduled_for(db, round_id)
    assert [r["sendAt"].replace(tzinfo=UTC) for r in reminders] == [
        reminder_time("2027-07-05", 3),
        reminder_time("2027-07-20", 1),
    ]
    cancelled = await db["notifications"].count_documents(
        {"data.roundId": round_id, "status": "cancelled"}
    )
    assert cancelled == 2
    # Saving the same window again schedules nothing new.
    await gql(UPDATE_ROUND, {"id": round_id, "input": moved}, token=admin)
    assert len(await scheduled_for(db, round_id)) == 2
    missing = await gql(UPDATE_ROUND, {"id": "0" * 24, "input": moved}, token=admin)
    assert missing["data"]["updateAdmissionRound"]["__typename"] == "NotFoundError"


async def test_staff_publish_only_for_their_own_school(gql: GraphQLClient, dev_token) -> None:
    announcement = {
        "schoolId": "thpt-ham-rong",
        "title": {"vi": "Họp phụ huynh"},
        "body": {"vi": "Họp phụ huynh lớp 10 lúc 8 giờ sáng Chủ nhật."},
    }
    for token in (
        None,
        dev_token("parent-1"),
        dev_token("other-staff", Role.SCHOOL_STAFF, schools=("thpt-dao-duy-tu",)),
    ):
        body = await gql(PUBLISH, {"input": announcement}, token=token)
        assert body["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
    staff = dev_token("staff-hr", Role.SCHOOL_STAFF, schools=("thpt-ham-rong",))
    too_long = {**announcement, "title": {"vi": "x" * 121}}
    body = await gql(PUBLISH, {"input": too_long}, token=staff)
    assert body["data"]["publishAnnouncement"]["field"] == "title"


async def test_announcement_reaches_followers_inbox(
    gql: GraphQLClient, dev_token, db: Any, resources: Resources
) -> None:
    parent = dev_token("parent-2")
    await gql(
        """mutation { registerDevice(input: {token: "parent-2-phone-token-0123456789",
             platform: ANDROID, locale: VI, appVersion: "1.0.0"}) { __typename } }""",
        token=parent,
    )
    body = await gql(SUBSCRIBE, {"school": "thpt-dao-duy-tu"}, token=parent)
    assert body["data"]["subscribeToSchool"] == {"__typename": "School", "id": "thpt-dao-duy-tu"}
    staff = dev_token("staff-ddt", Role.SCHOOL_STAFF, schools=("thpt-dao-duy-tu",))
    for audience, title in (("EVERYONE", "Lịch khai giảng"), ("PARENTS", "Họp phụ huynh")):
        body = await gql(
            PUBLISH,
            {
                "input": {
                    "schoolId": "thpt-dao-duy-tu",
                    "title": {"vi": title},
                    "body": {"vi": f"{title}: chi tiết trên bảng tin của trường. " * 20},
                    "audience": audience,
                }
            },
            token=staff,
        )
        assert body["data"]["publishAnnouncement"]["audience"] == audience

    worker = Worker(resources, DevelopmentSink(), WorkerConfig(idle_poll=0.05))
    await worker.drain()
    inbox = (await gql(INBOX, token=parent))["data"]["notifications"]["nodes"]
    announcements = [n for n in inbox if n["category"] == "education.announcement"]
    assert {n["title"] for n in announcements} == {"Lịch khai giảng", "Họp phụ huynh"}
    assert {"key": "schoolId", "value": "thpt-dao-duy-tu"} in announcements[0]["data"]
    # The push carries a short preview; the full text stays in the app.
    stored = await db["notifications"].find_one({"category": "education.announcement"})
    assert len(stored["body"]["vi"]) <= 240

    # Anonymous visitors see public announcements only; signed-in parents see both.
    public = await gql(ANNOUNCEMENTS, {"school": "thpt-dao-duy-tu"})
    assert [n["title"] for n in public["data"]["announcements"]["nodes"]] == ["Lịch khai giảng"]
    signed_in = await gql(ANNOUNCEMENTS, {"school": "thpt-dao-duy-tu"}, token=parent)
    assert [n["title"] for n in signed_in["data"]["announcements"]["nodes"]] == [
        "Họp phụ huynh",
        "Lịch khai giảng",
    ]
    # A school that does not follow gets nothing.
    other = dev_token("parent-3")
    assert (await gql(INBOX, token=other))["data"]["notifications"]["nodes"] == []


async def test_follower_is_reminded_when_a_window_is_about_to_open(
    gql: GraphQLClient, dev_token, db: Any, resources: Resources
) -> None:
    parent = dev_token("parent-4")
    await gql(SUBSCRIBE, {"school": "th-bac-son-sam-son"}, token=parent)
    # A round opening in three days: its opening reminder is due now.
    opens = (datetime.now(PROVINCE_TZ) + timedelta(days=3)).date()
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(
        CREATE_ROUND,
        {
            "input": round_input(
                schoolIds=["th-bac-son-sam-son"],
                opensOn=opens.isoformat(),
                closesOn=(opens + timedelta(days=10)).isoformat(),
            )
        },
        token=admin,
    )
    round_id = body["data"]["createAdmissionRound"]["id"]
    reminders = await scheduled_for(db, round_id)
    opening = next(r for r in reminders if r["category"] == "education.round_opens")
    # Make it due (the worker sends what is due; the schedule itself was checked above).
    await db["notifications"].update_one(
        {"_id": opening["_id"]}, {"$set": {"sendAt": datetime.now(UTC) - timedelta(seconds=1)}}
    )
    await Worker(resources, DevelopmentSink(), WorkerConfig(idle_poll=0.05)).drain()
    inbox = (await gql(INBOX, token=parent))["data"]["notifications"]["nodes"]
    reminder = next(n for n in inbox if n["category"] == "education.round_opens")
    assert opens.strftime("%d/%m/%Y") in reminder["title"]


async def test_subscribing_to_an_unknown_school(gql: GraphQLClient, dev_token) -> None:
    body = await gql(SUBSCRIBE, {"school": "nowhere"}, token=dev_token("parent-5"))
    assert body["data"]["subscribeToSchool"]["__typename"] == "NotFoundError"
    body = await gql(SUBSCRIBE, {"school": "thpt-ham-rong"})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("school", ["", "   ", "x" * 300])
async def test_unsubscribing_without_a_usable_school_id_names_the_field(
    gql: GraphQLClient, dev_token, school: str
) -> None:
    unsubscribe = """
    mutation($school: String!, $device: String) {
      unsubscribeFromSchool(schoolId: $school, deviceToken: $device)
    }"""
    for token, device in ((None, ""), (dev_token("parent-6"), None)):
        body = await gql(unsubscribe, {"school": school, "device": device}, token=token)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["field"] == "schoolId"
        assert "schoolId" in error["message"]
