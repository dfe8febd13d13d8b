"""Who may send what: sendNotification and notificationStatus through /graphql."""

from typing import Any

import pytest

from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.notifications.outbox import topic_name
from domains.notifications.ports import PATIENT_DIRECTORY
from tests.conftest import GraphQLClient
from tests.domains.notifications.test_devices_topics_inbox import SEND, STATUS, _send


async def test_admin_reaches_any_audience(gql: GraphQLClient, dev_token, db) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    for audience, described in [
        ({"userIds": ["x", "y"]}, "userIds (2)"),
        ({"topic": "event.le-hoi"}, "topic event.le-hoi"),
        ({"role": "CITIZEN"}, "role citizen"),
        ({"topic": "commune.16531"}, "topic commune.16531"),
    ]:
        body = await gql(SEND, _send(audience), token=admin)
        result = body["data"]["sendNotification"]
        assert result["__typename"] == "NotificationStatus", result
        assert (result["state"], result["audience"]) == ("QUEUED", described)


async def test_scheduled_send_is_reported_scheduled(gql: GraphQLClient, dev_token) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(
        SEND, _send({"topic": "event.x"}, sendAt="2099-01-01T08:00:00+07:00"), token=admin
    )
    assert body["data"]["sendNotification"]["__typename"] == "ValidationFailed"  # > 400 days
    body = await gql(
        SEND, _send({"topic": "event.x"}, sendAt="2030-01-01T08:00:00+07:00"), token=admin
    )
    assert body["data"]["sendNotification"]["__typename"] == "ValidationFailed"


async def test_bad_input_says_what_to_fix(gql: GraphQLClient, dev_token) -> None:
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(SEND, _send({"userIds": ["a"], "topic": "event.x"}), token=admin)
    result = body["data"]["sendNotification"]
    assert result["field"] == "audience"
    assert "exactly one" in result["message"]
    body = await gql(
        SEND, _send({"topic": "event.x"}, data=[{"key": "from", "value": "x"}]), token=admin
    )
    assert body["data"]["sendNotification"]["field"] == "data"


async def test_districts_are_refused_with_what_to_use_instead(
    gql: GraphQLClient, dev_token, db
) -> None:
    """Districts ended on 1 July 2025: an old client naming one is told to use wards/communes."""
    admin = dev_token("admin-1", Role.ADMIN)
    before = await db["notifications"].count_documents({})
    for audience, field in [
        ({"district": "Sầm Sơn"}, "audience.district"),
        ({"topic": "district.sam-son"}, "audience.topic"),
    ]:
        result = (await gql(SEND, _send(audience), token=admin))["data"]["sendNotification"]
        assert (result["__typename"], result["field"]) == ("ValidationFailed", field)
        assert "1 July 2025" in result["message"] and "commune.<code>" in result["message"]
    assert await db["notifications"].count_documents({}) == before


@pytest.mark.parametrize(
    ("who", "audience"),
    [
        (("citizen-1",), {"topic": "event.x"}),
        (("teacher-1", Role.SCHOOL_STAFF), {"topic": topic_name("school", "other-school")}),
        (("teacher-1", Role.SCHOOL_STAFF), {"role": "CITIZEN"}),
        (("nurse-1", Role.HOSPITAL_STAFF), {"topic": "event.x"}),
    ],
    ids=["citizen", "school-staff-other-school", "school-staff-everyone", "nurse-topic"],
)
async def test_forbidden_audiences(
    gql: GraphQLClient, dev_token, db, who: tuple[Any, ...], audience: dict[str, Any]
) -> None:
    token = dev_token(*who, schools=("my-school",), hospitals=("h-1",))
    before = await db["notifications"].count_documents({})
    body = await gql(SEND, _send(audience), token=token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await db["notifications"].count_documents({}) == before


async def test_anonymous_cannot_send(gql: GraphQLClient) -> None:
    body = await gql(SEND, _send({"topic": "event.x"}))
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_school_staff_reach_their_own_school(gql: GraphQLClient, dev_token) -> None:
    token = dev_token("teacher-1", Role.SCHOOL_STAFF, schools=("my-school",))
    body = await gql(SEND, _send({"topic": topic_name("school", "my-school")}), token=token)
    assert body["data"]["sendNotification"]["__typename"] == "NotificationStatus"


async def test_hospital_staff_reach_only_their_patients(
    gql: GraphQLClient, dev_token, resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, list[str]]] = []

    class Patients:
        async def patients_of_hospital(
            self, *, hospital_id: str, user_ids: Any, now: Any = None
        ) -> set[str]:
            asked.append((hospital_id, sorted(user_ids)))
            return {"patient-1"} & set(user_ids)

    monkeypatch.setitem(resources.components, PATIENT_DIRECTORY.name, Patients())
    nurse = dev_token("nurse-1", Role.HOSPITAL_STAFF, hospitals=("h-1",))
    body = await gql(SEND, _send({"userIds": ["patient-1"]}), token=nurse)
    assert body["data"]["sendNotification"]["__typename"] == "NotificationStatus"
    body = await gql(SEND, _send({"userIds": ["patient-1", "stranger"]}), token=nurse)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "1 of the 2 recipients" in body["errors"][0]["message"]
    assert asked == [("h-1", ["patient-1"]), ("h-1", ["patient-1", "stranger"])]


async def test_hospital_staff_refused_without_the_health_module(
    gql: GraphQLClient, dev_token, resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No domain provides the patient directory (health is not installed).
    monkeypatch.delitem(resources.components, PATIENT_DIRECTORY.name, raising=False)
    nurse = dev_token("nurse-1", Role.HOSPITAL_STAFF, hospitals=("h-1",))
    body = await gql(SEND, _send({"userIds": ["patient-1"]}), token=nurse)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "health module" in body["errors"][0]["message"]


async def test_status_is_visible_to_its_sender_and_admins_only(
    gql: GraphQLClient, dev_token
) -> None:
    teacher = dev_token("teacher-2", Role.SCHOOL_STAFF, schools=("s-2",))
    body = await gql(SEND, _send({"topic": topic_name("school", "s-2")}), token=teacher)
    nid = body["data"]["sendNotification"]["id"]
    for token, visible in [
        (teacher, True),
        (dev_token("admin-1", Role.ADMIN), True),
        (dev_token("teacher-3", Role.SCHOOL_STAFF, schools=("s-2",)), False),
        (dev_token("citizen-9"), False),
    ]:
        body = await gql(STATUS, {"id": nid}, token=token)
        assert (body["data"]["notificationStatus"] is not None) is visible
    body = await gql(STATUS, {"id": nid})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
