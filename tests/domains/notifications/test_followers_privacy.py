"""A school's staff see how their push went, not who follows the school; an announcement for
parents reaches signed-in followers' devices, not anonymous installations."""

from typing import Any

from bson import ObjectId

from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from domains.notifications import outbox
from domains.notifications.push import DevelopmentSink
from domains.notifications.worker import Worker, WorkerConfig
from tests.conftest import GraphQLClient
from tests.domains.notifications.records import states

REGISTER = """
mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) { __typename } }"""
SUBSCRIBE = """
mutation($topic: String!, $token: String) {
  subscribe(topic: $topic, deviceToken: $token) { __typename }
}"""
SEND = """
mutation($input: SendNotificationInput!) {
  sendNotification(input: $input) { __typename ... on NotificationStatus { id } }
}"""
STATUS = """
query($id: ID!) { notificationStatus(id: $id) { results { nodes { userId state } } } }"""
TOPIC = "school.privacy-school"


def device(token: str) -> dict[str, Any]:
    return {"input": {"token": token, "platform": "ANDROID", "locale": "VI", "appVersion": "1"}}


async def follow(gql: GraphQLClient, dev_token: Any) -> tuple[str, str]:
    parent_phone = "privacy-parent-phone-0123456789abcdef"
    anonymous_phone = "privacy-anonymous-phone-0123456789abcdef"
    parent = dev_token("privacy-parent")
    await gql(REGISTER, device(parent_phone), token=parent)
    await gql(SUBSCRIBE, {"topic": TOPIC}, token=parent)
    await gql(REGISTER, device(anonymous_phone))
    await gql(SUBSCRIBE, {"topic": TOPIC, "token": anonymous_phone})
    return parent_phone, anonymous_phone


async def drain(resources: Resources) -> None:
    await Worker(resources, DevelopmentSink(), WorkerConfig(idle_poll=0.05)).drain()


async def test_parents_only_pushes_skip_anonymous_followers_and_staff_see_no_uids(
    gql: GraphQLClient, db: Database, dev_token: Any, resources: Resources
) -> None:
    parent_phone, anonymous_phone = await follow(gql, dev_token)
    for_parents = await outbox.enqueue(
        db=db,
        session=None,
        topic=TOPIC,
        title={"vi": "Họp phụ huynh"},
        body={"vi": "Chủ nhật"},
        category="education.announcement",
        signed_in_only=True,
    )
    teacher = dev_token("privacy-teacher", Role.SCHOOL_STAFF, schools=("privacy-school",))
    body = await gql(
        SEND,
        {"input": {"audience": {"topic": TOPIC}, "title": {"vi": "Lịch"}, "body": {"vi": "Học"}}},
        token=teacher,
    )
    for_everyone = body["data"]["sendNotification"]["id"]
    await drain(resources)

    assert list(await states(db, for_parents)) == [parent_phone]
    everyone = await states(db, ObjectId(for_everyone))
    assert sorted(everyone) == sorted([parent_phone, anonymous_phone])

    # The teacher sees the outcome per device, not the followers' uids; an admin sees them.
    mine = (await gql(STATUS, {"id": for_everyone}, token=teacher))["data"]
    assert {n["userId"] for n in mine["notificationStatus"]["results"]["nodes"]} == {None}
    admin = dev_token("privacy-admin", Role.ADMIN)
    seen = (await gql(STATUS, {"id": for_everyone}, token=admin))["data"]
    assert {n["userId"] for n in seen["notificationStatus"]["results"]["nodes"]} == {
        "privacy-parent",
        None,
    }
