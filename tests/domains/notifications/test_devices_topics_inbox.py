"""Devices, topics and the inbox, through /graphql as the app uses them."""

import dataclasses
from typing import Any

from bson import ObjectId

from domains.kernel.auth import Role
from domains.notifications.outbox import enqueue, topic_name
from domains.notifications.push import DevelopmentSink
from tests.conftest import GraphQLClient
from tests.domains.notifications.conftest import FAST, settle

REGISTER = """
mutation($input: RegisterDeviceInput!) {
  registerDevice(input: $input) {
    __typename
    ... on Device { tokenSuffix platform locale signedIn }
    ... on ValidationFailed { message field }
  }
}"""
SUBSCRIBE = """
mutation($topic: String!, $deviceToken: String) {
  subscribe(topic: $topic, deviceToken: $deviceToken) {
    __typename ... on TopicSubscription { topic } ... on ValidationFailed { message field }
  }
}"""
MY_TOPICS = """
query($deviceToken: String) { mySubscriptions(deviceToken: $deviceToken) { nodes { topic } } }"""
INBOX = """
query($unreadOnly: Boolean!, $lang: Language) {
  notifications(unreadOnly: $unreadOnly, first: 10) {
    nodes { id category title(lang: $lang) body read data { key value } }
  }
  unreadCount
}"""


def token(n: int | str) -> str:
    return f"fcm-token-{n}-abcdefghijklmnopqrstuvwxyz0123456789"


def device(tok: str, platform: str = "ANDROID", locale: str = "VI") -> dict[str, Any]:
    return {"input": {"token": tok, "platform": platform, "locale": locale, "appVersion": "1.4.0"}}


async def test_register_device_signed_in_then_anonymous_detaches_it(
    gql: GraphQLClient, dev_token, db
) -> None:
    body = await gql(REGISTER, device(token("a")), token=dev_token("citizen-a"))
    assert body["data"]["registerDevice"] == {
        "__typename": "Device",
        "tokenSuffix": "…23456789",
        "platform": "ANDROID",
        "locale": "VI",
        "signedIn": True,
    }
    # Another user signs in on the same phone: the token moves to them.
    await gql(REGISTER, device(token("a"), locale="EN"), token=dev_token("citizen-b"))
    stored = await db["devices"].find_one({"_id": token("a")})
    assert (stored["userId"], stored["locale"]) == ("citizen-b", "en")
    # Signed out: the token belongs to nobody, so citizen-b's notifications stop reaching it.
    body = await gql(REGISTER, device(token("a")))
    assert body["data"]["registerDevice"]["signedIn"] is False
    assert (await db["devices"].find_one({"_id": token("a")}))["userId"] is None
    assert await db["devices"].count_documents({"_id": token("a")}) == 1


async def test_register_device_rejects_a_malformed_token(gql: GraphQLClient) -> None:
    body = await gql(REGISTER, device("short token"))
    result = body["data"]["registerDevice"]
    assert result["__typename"] == "ValidationFailed"
    assert result["field"] == "token"
    assert "registration token" in result["message"]


async def test_unregister_only_own_or_anonymous_devices(gql: GraphQLClient, dev_token, db) -> None:
    await gql(REGISTER, device(token("u1")), token=dev_token("owner"))
    mutation = "mutation($t: String!) { unregisterDevice(token: $t) }"
    body = await gql(mutation, {"t": token("u1")}, token=dev_token("someone-else"))
    assert body["data"]["unregisterDevice"] is False
    assert await db["devices"].count_documents({"_id": token("u1")}) == 1
    body = await gql(mutation, {"t": token("u1")}, token=dev_token("owner"))
    assert body["data"]["unregisterDevice"] is True
    assert await db["devices"].count_documents({"_id": token("u1")}) == 0


async def test_topics_for_users_and_anonymous_devices(gql: GraphQLClient, dev_token) -> None:
    user = dev_token("follower")
    school = topic_name("school", "THPT Lam Sơn")
    assert school == "school.THPT%20Lam%20S%C6%A1n"
    body = await gql(SUBSCRIBE, {"topic": school}, token=user)
    assert body["data"]["subscribe"] == {"__typename": "TopicSubscription", "topic": school}
    await gql(SUBSCRIBE, {"topic": school}, token=user)  # idempotent
    await gql(SUBSCRIBE, {"topic": "event.le-hoi-sam-son"}, token=user)
    body = await gql(MY_TOPICS, token=user)
    assert [n["topic"] for n in body["data"]["mySubscriptions"]["nodes"]] == [
        "event.le-hoi-sam-son",
        school,
    ]
    # Private kinds cannot be followed; malformed names are explained.
    body = await gql(SUBSCRIBE, {"topic": "appointment.123"}, token=user)
    assert body["data"]["subscribe"]["__typename"] == "ValidationFailed"
    assert "cannot be followed" in body["data"]["subscribe"]["message"]
    body = await gql(SUBSCRIBE, {"topic": "school/1 OR x"}, token=user)
    assert body["data"]["subscribe"]["field"] == "topic"
    # Anonymous installations follow topics by their registered token.
    await gql(REGISTER, device(token("anon")))
    body = await gql(SUBSCRIBE, {"topic": "commune.16531", "deviceToken": token("anon")})
    assert body["data"]["subscribe"]["topic"] == "commune.16531"
    body = await gql(MY_TOPICS, {"deviceToken": token("anon")})
    assert body["data"]["mySubscriptions"]["nodes"] == [{"topic": "commune.16531"}]
    # Districts ended on 1 July 2025: an old app following one is told what to use instead.
    body = await gql(SUBSCRIBE, {"topic": "district.sam-son", "deviceToken": token("anon")})
    assert body["data"]["subscribe"]["field"] == "topic"
    assert "commune.<code>" in body["data"]["subscribe"]["message"]
    body = await gql(MY_TOPICS)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unsubscribe = "mutation($t: String!) { unsubscribe(topic: $t) }"
    body = await gql(unsubscribe, {"t": school}, token=user)
    assert body["data"]["unsubscribe"] is True
    body = await gql(MY_TOPICS, token=user)
    assert [n["topic"] for n in body["data"]["mySubscriptions"]["nodes"]] == [
        "event.le-hoi-sam-son"
    ]


async def test_inbox_receives_topic_and_direct_notifications(
    gql: GraphQLClient, dev_token, db, make_worker
) -> None:
    reader = dev_token("reader")
    await gql(REGISTER, device(token("reader-phone"), locale="EN"), token=reader)
    await gql(SUBSCRIBE, {"topic": "event.phao-hoa"}, token=reader)
    worker = make_worker(sender=DevelopmentSink())
    await enqueue(
        db=db,
        session=None,
        topic="event.phao-hoa",
        title={"vi": "Bắn pháo hoa tối nay", "en": "Fireworks tonight"},
        body={"vi": "20:00 tại quảng trường", "en": "8 pm at the square"},
        category="event.reminder",
        data={"eventId": "ev-1"},
    )
    await enqueue(
        db=db,
        session=None,
        user_ids=["reader"],
        title={"vi": "Hồ sơ đã được tiếp nhận"},
        body={"vi": "Mã hồ sơ 000123"},
        category="procedure.received",
    )

    async def both_in_inbox() -> bool:
        return await db["inbox"].count_documents({"userId": "reader"}) == 2

    await settle(worker, both_in_inbox)
    body = await gql(INBOX, {"unreadOnly": True, "lang": "EN"}, token=reader)
    nodes = body["data"]["notifications"]["nodes"]
    assert body["data"]["unreadCount"] == 2
    # English where given, Vietnamese as the fallback.
    assert {n["title"] for n in nodes} == {"Fireworks tonight", "Hồ sơ đã được tiếp nhận"}
    fireworks = next(n for n in nodes if n["category"] == "event.reminder")
    assert fireworks["data"] == [{"key": "eventId", "value": "ev-1"}]

    mark = """mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) { updated unreadCount } }"""
    # Someone else's ids change nothing.
    body = await gql(mark, {"ids": [fireworks["id"]]}, token=dev_token("intruder"))
    assert body["data"]["markNotificationsRead"] == {"updated": 0, "unreadCount": 0}
    body = await gql(mark, {"ids": [fireworks["id"]]}, token=reader)
    assert body["data"]["markNotificationsRead"] == {"updated": 1, "unreadCount": 1}
    body = await gql(INBOX, {"unreadOnly": True}, token=reader)
    assert [n["category"] for n in body["data"]["notifications"]["nodes"]] == ["procedure.received"]
    body = await gql("mutation { markAllNotificationsRead { updated unreadCount } }", token=reader)
    assert body["data"]["markAllNotificationsRead"] == {"updated": 1, "unreadCount": 0}
    body = await gql(INBOX, {"unreadOnly": False}, token=reader)
    assert all(n["read"] for n in body["data"]["notifications"]["nodes"])


async def test_anonymous_devices_get_no_inbox(gql: GraphQLClient) -> None:
    body = await gql(INBOX, {"unreadOnly": False})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_development_sink_is_labelled_in_status(
    gql: GraphQLClient, dev_token, db, make_worker
) -> None:
    await gql(REGISTER, device(token("sink-phone")), token=dev_token("sink-user"))
    admin = dev_token("admin-1", Role.ADMIN)
    body = await gql(SEND, _send({"userIds": ["sink-user"]}), token=admin)
    nid = body["data"]["sendNotification"]["id"]
    worker = make_worker(sender=DevelopmentSink())
    await worker.drain()
    body = await gql(STATUS, {"id": nid}, token=admin)
    status = body["data"]["notificationStatus"]
    assert status["state"] == "COMPLETED"
    assert status["developmentSinkOnly"] is True
    assert status["counts"]["developmentSink"] == 1
    assert status["counts"]["sent"] == 0
    assert status["results"]["nodes"] == [
        {"tokenSuffix": "…23456789", "state": "DEVELOPMENT_SINK", "errorCode": None, "attempts": 1}
    ]


SEND = """
mutation($input: SendNotificationInput!) {
  sendNotification(input: $input) {
    __typename
    ... on NotificationStatus { id state audience }
    ... on ValidationFailed { message field }
  }
}"""
STATUS = """
query($id: ID!) {
  notificationStatus(id: $id) {
    state developmentSinkOnly recipients
    counts { total pending sent failed deadLettered skipped developmentSink }
    results { nodes { tokenSuffix state errorCode attempts } }
  }
}"""


def _send(audience: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "audience": audience,
            "title": {"vi": "Thông báo", "en": "Notice"},
            "body": {"vi": "Nội dung", "en": "Content"},
            **extra,
        }
    }


async def test_a_phone_that_changed_hands_gets_no_pending_push_of_its_previous_user(
    gql: GraphQLClient, dev_token, db, make_worker, fcm_server
) -> None:
    patient = dev_token("handover-a")
    kept, moved, signed_out, dropped = (
        token(f"handover-{name}") for name in ("kept", "moved", "out", "dropped")
    )
    for phone in (kept, moved, signed_out, dropped):
        await gql(REGISTER, device(phone), token=patient)
    nid = await enqueue(
        db=db,
        session=None,
        user_ids=["handover-a"],
        title={"vi": "Nhắc lịch khám", "en": "Appointment reminder"},
        body={"vi": "Bạn có lịch khám lúc 08:00 ngày 27/11."},
        category="health.appointment",
    )
    # Fan-out only (the batches wait for the shared claim, as when this worker is busy).
    worker = make_worker(dataclasses.replace(FAST, direct_send=False))
    while await worker.fan_out_next():  # one delivery per phone of handover-a is now pending
        pass
    # Before the push goes out (FCM slow, a retry waiting), three phones change hands: another
    # person signs in, the patient signs out, the app unregisters its token.
    await gql(REGISTER, device(moved), token=dev_token("handover-b"))
    await gql(REGISTER, device(signed_out))
    unregister = "mutation($t: String!) { unregisterDevice(token: $t) }"
    assert (await gql(unregister, {"t": dropped}, token=patient))["data"]["unregisterDevice"]
    await worker.drain()
    accepted = fcm_server.accepted_tokens()
    assert {phone: accepted[phone] for phone in (kept, moved, signed_out, dropped)} == {
        kept: 1,
        moved: 0,
        signed_out: 0,
        dropped: 0,
    }
    states = {d["token"]: d["state"] async for d in db["notification_deliveries"].find({"n": nid})}
    assert states == {kept: "sent", moved: "skipped", signed_out: "skipped", dropped: "skipped"}


PREFERENCES = "query { notificationPreferences { lockScreenDetail } }"
SET_PREFERENCES = """
mutation($detail: LockScreenDetail!) {
  setNotificationPreferences(lockScreenDetail: $detail) { lockScreenDetail }
}"""


async def test_lock_screen_shows_the_place_only_to_those_who_chose_it(
    gql: GraphQLClient, dev_token, db, make_worker, fcm_server
) -> None:
    discreet, open_ = dev_token("lock-discreet"), dev_token("lock-open")
    await gql(REGISTER, device(token("lock-discreet")), token=discreet)
    await gql(REGISTER, device(token("lock-open"), locale="EN"), token=open_)
    assert (await gql(PREFERENCES, token=open_))["data"]["notificationPreferences"] == {
        "lockScreenDetail": "MINIMAL"
    }
    chosen = await gql(SET_PREFERENCES, {"detail": "PLACE"}, token=open_)
    assert chosen["data"]["setNotificationPreferences"] == {"lockScreenDetail": "PLACE"}
    await enqueue(
        db=db,
        session=None,
        user_ids=["lock-discreet", "lock-open"],
        title={"vi": "Nhắc lịch khám", "en": "Appointment reminder"},
        body={"vi": "Lịch khám 08:00 ngày 27/11.", "en": "Appointment at 08:00 on 27/11."},
        detailed_title={"vi": "Nhắc lịch khám", "en": "Appointment reminder"},
        detailed_body={
            "vi": "Lịch khám 08:00 ngày 27/11: Bệnh viện Đa khoa tỉnh – Khoa Nội.",
            "en": "Appointment at 08:00 on 27/11: Provincial General Hospital – Internal.",
        },
        category="health.appointment",
    )
    await make_worker().drain()
    pushed = {r.token: r.message["notification"]["body"] for r in fcm_server.accepted}
    assert pushed[token("lock-discreet")] == "Lịch khám 08:00 ngày 27/11."
    assert pushed[token("lock-open")] == (
        "Appointment at 08:00 on 27/11: Provincial General Hospital – Internal."
    )
    # Inside the signed-in app the inbox shows the place to both.
    inbox = await gql(INBOX, {"unreadOnly": True, "lang": "VI"}, token=discreet)
    assert inbox["data"]["notifications"]["nodes"][0]["body"] == (
        "Lịch khám 08:00 ngày 27/11: Bệnh viện Đa khoa tỉnh – Khoa Nội."
    )


async def test_notification_preferences_need_a_signed_in_user(gql: GraphQLClient) -> None:
    body = await gql(SET_PREFERENCES, {"detail": "PLACE"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await gql(PREFERENCES))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_role_audience_reaches_its_holders_through_the_role_directory(
    gql: GraphQLClient, dev_token, db, make_worker
) -> None:
    admin = dev_token("admin-roles", Role.ADMIN)
    grant = """mutation($uid: String!) {
      grantRole(uid: $uid, role: SCHOOL_STAFF, schoolId: "s-roles") { __typename }
    }"""
    for uid in ("teacher-r1", "teacher-r2"):
        await gql(grant, {"uid": uid}, token=admin)
        await gql(REGISTER, device(token(uid)), token=dev_token(uid))
    await gql(REGISTER, device(token("parent-r3")), token=dev_token("parent-r3"))
    body = await gql(SEND, _send({"role": "SCHOOL_STAFF"}), token=admin)
    nid = body["data"]["sendNotification"]["id"]
    await make_worker(sender=DevelopmentSink()).drain()
    inboxes = {entry["userId"] async for entry in db["inbox"].find({"n": ObjectId(nid)})}
    assert inboxes == {"teacher-r1", "teacher-r2"}
    status = (await gql(STATUS, {"id": nid}, token=admin))["data"]["notificationStatus"]
    assert (status["state"], status["recipients"]) == ("COMPLETED", 2)
