"""Live updates over a real websocket (graphql-transport-ws) against the app served by uvicorn:
the queue on the day, places while booking, the inbox, across two replicas of one database,
with sign-in on connection_init, caps, and token expiry on an injected clock."""

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from api.app import create_app
from api.auth import mint_dev_token
from api.persisted import PersistedQueries, load_allow_list
from api.settings import Settings
from domains.health import desk
from domains.health.parts import DEPARTMENT, part_id
from domains.health.repositories import HealthStore, SlotRepository
from domains.health.schedule import at_local, local_date
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.notifications.repository import InboxRepository
from tests.conftest import DEV_SECRET, GraphQLClient
from tests.domains.health.support import add_hospital, book, profile, publish, slot_ids
from tests.support.live import LiveClient, ManualClock, serve, until

SETTINGS_OVERRIDES = {
    "graphql_ws_connections_per_user": 2,
    "graphql_ws_subscriptions_per_connection": 3,
}
H = "bv-live"
CLOCK = ManualClock()

QUEUE = """subscription($id: ID!) { queueStatus(appointmentId: $id) {
  appointmentId status queueNumber servingNumber called ahead estimatedWaitMinutes } }"""
PLACES = """subscription($h: String!, $d: String!, $day: Date!) {
  slotAvailability(hospitalId: $h, departmentId: $d, date: $day) {
    hospitalId departmentId date slots { slotId remaining bookable } } }"""
INBOX = "subscription { inbox(first: 5) { unreadCount latest { id title read } } }"
CALL_NEXT = """mutation($s: ID!) { callNext(slotId: $s) {
  __typename ... on Appointment { id queueNumber } ... on UserError { code } } }"""
COMPLETE = """mutation($a: ID!) { completeAppointment(appointmentId: $a) {
  __typename ... on Appointment { id status } ... on UserError { code } } }"""


@pytest.fixture(scope="module")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The module's app, with a clock the tests move (token expiry)."""
    application = create_app(settings, clock=CLOCK)
    async with application.router.lifespan_context(application):
        yield application
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        await client.drop_database(settings.mongodb_database)
    finally:
        await client.close()


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as address:
        yield address


@pytest.fixture(scope="module")
async def replica_url(settings: Settings) -> AsyncIterator[str]:
    """A second app process on the same database (its own client, feeds and resources)."""
    replica = create_app(settings)
    async with replica.router.lifespan_context(replica), serve(replica) as address:
        yield address


@pytest.fixture(scope="module")
async def clinic(gql: GraphQLClient, db: Any, dev_token: Any) -> dict[str, Any]:
    """A slot of three places booked by three citizens."""
    await add_hospital(db, H)
    staff = dev_token("live-staff", Role.HOSPITAL_STAFF, hospitals=(H,))
    day = days_ahead(2)
    await publish(gql, staff, H, day=day, periods=[("08:00", "08:30")], capacity=3)
    (slot,) = await slot_ids(gql, H, day)
    citizens = [dev_token(f"live-citizen-{i}") for i in range(3)]
    appointments = []
    for token in citizens:
        booked = await book(gql, token, slot, await profile(gql, token))
        assert booked["__typename"] == "Appointment"
        appointments.append(booked)
    return {
        "staff": staff,
        "day": day,
        "slot": slot,
        "citizens": citizens,
        "appointments": appointments,
    }


def days_ahead(days: int) -> date:
    """A day inside the booking window (the shared ``future_day`` counter is left to others)."""
    return local_date(utcnow()) + timedelta(days=days)


async def check_in(resources: Any, code: str, day: Any) -> None:
    staff = Principal(
        uid="live-staff", roles=frozenset({Role.HOSPITAL_STAFF}), hospital_ids=frozenset({H})
    )
    caller = Caller(HealthStore.of(resources), staff)
    await desk.check_in(caller=caller, booking_code=code, now=at_local(day, "07:50"))


async def test_queue_status_follows_the_desk(
    url: str, gql: GraphQLClient, resources: Any, clinic: dict[str, Any]
) -> None:
    first, second, _ = clinic["appointments"]
    async with LiveClient.connect(url, clinic["citizens"][1]) as client:
        operation = await client.subscribe(QUEUE, {"id": second["id"]})
        state = (await client.next_until(operation, lambda _: True))["queueStatus"]
        assert state == {
            "appointmentId": second["id"],
            "status": "BOOKED",
            "queueNumber": 2,
            "servingNumber": None,
            "called": False,
            "ahead": 1,
            "estimatedWaitMinutes": 10,  # 30 minutes shared by 3 places
        }
        await check_in(resources, first["bookingCode"], clinic["day"])
        await check_in(resources, second["bookingCode"], clinic["day"])
        await client.next_until(operation, lambda d: d["queueStatus"]["status"] == "CHECKED_IN")

        called = await gql(CALL_NEXT, {"s": clinic["slot"]}, token=clinic["staff"])
        assert called["data"]["callNext"] == {
            "__typename": "Appointment",
            "id": first["id"],
            "queueNumber": 1,
        }
        state = (await client.next_until(operation, lambda d: d["queueStatus"]["ahead"] == 0))[
            "queueStatus"
        ]
        assert state["servingNumber"] == 1 and state["estimatedWaitMinutes"] == 0

        done = await gql(COMPLETE, {"a": first["id"]}, token=clinic["staff"])
        assert done["data"]["completeAppointment"]["status"] == "FULFILLED"
        await gql(CALL_NEXT, {"s": clinic["slot"]}, token=clinic["staff"])
        state = (await client.next_until(operation, lambda d: d["queueStatus"]["called"]))[
            "queueStatus"
        ]
        assert state["servingNumber"] == 2 and state["estimatedWaitMinutes"] is None

        # Nobody else has checked in: the desk is told, nothing changes for the patients.
        empty = await gql(CALL_NEXT, {"s": clinic["slot"]}, token=clinic["staff"])
        assert empty["data"]["callNext"] == {"__typename": "QueueEmpty", "code": "QUEUE_EMPTY"}

        await gql(COMPLETE, {"a": second["id"]}, token=clinic["staff"])
        await client.next_until(operation, lambda d: d["queueStatus"]["status"] == "FULFILLED")
        assert await client.receive() == {"id": operation, "type": "complete"}


async def first_error(client: LiveClient, operation: str) -> dict[str, Any]:
    message = await client.receive()
    assert message["id"] == operation, message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    error: dict[str, Any] = errors[0]
    return error


async def test_only_the_patient_and_the_facility_follow_a_queue(
    url: str, clinic: dict[str, Any], dev_token: Any
) -> None:
    third = clinic["appointments"][2]
    async with LiveClient.connect(url) as anonymous:
        operation = await anonymous.subscribe(QUEUE, {"id": third["id"]})
        error = await first_error(anonymous, operation)
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    async with LiveClient.connect(url, clinic["citizens"][0]) as other:
        operation = await other.subscribe(QUEUE, {"id": third["id"]})
        error = await first_error(other, operation)
        assert error["extensions"]["code"] == "NOT_FOUND"
    elsewhere = dev_token("live-staff-2", Role.HOSPITAL_STAFF, hospitals=("bv-other",))
    async with LiveClient.connect(url, elsewhere) as other_staff:
        operation = await other_staff.subscribe(QUEUE, {"id": third["id"]})
        error = await first_error(other_staff, operation)
        assert error["extensions"]["code"] == "NOT_FOUND"
    async with LiveClient.connect(url, clinic["staff"]) as staff:
        operation = await staff.subscribe(QUEUE, {"id": third["id"]})
        state = await staff.next_until(operation, lambda _: True)
        assert state["queueStatus"]["queueNumber"] == 3


async def test_places_booked_on_one_replica_reach_a_subscriber_of_another(
    url: str, replica_url: str, gql: GraphQLClient, dev_token: Any, clinic: dict[str, Any]
) -> None:
    day = days_ahead(3)
    await publish(gql, clinic["staff"], H, day=day, periods=[("09:00", "09:30")], capacity=2)
    (slot,) = await slot_ids(gql, H, day)
    variables = {"h": H, "d": "noi", "day": day.isoformat()}
    async with LiveClient.connect(replica_url) as client:  # anonymous: a public subscription
        operation = await client.subscribe(PLACES, variables)
        first = await client.next_until(operation, lambda _: True)
        assert first["slotAvailability"]["slots"] == [
            {"slotId": slot, "remaining": 2, "bookable": True}
        ]
        token = dev_token("live-booker")
        booked = await book(gql, token, slot, await profile(gql, token))  # through replica 1
        assert booked["__typename"] == "Appointment"
        after = await client.next_until(
            operation, lambda d: d["slotAvailability"]["slots"][0]["remaining"] == 1
        )
        assert after["slotAvailability"]["date"] == day.isoformat()
        # The department's global id (HospitalDepartment.id) is the same department.
        by_id = {**variables, "d": part_id(DEPARTMENT, H, "noi")}
        operation = await client.subscribe(PLACES, by_id)
        same = await client.next_until(operation, lambda _: True)
        assert same["slotAvailability"] == {**after["slotAvailability"], "departmentId": "noi"}


async def test_the_inbox_shows_new_notifications_and_the_unread_count(
    url: str, gql: GraphQLClient, db: Any, dev_token: Any
) -> None:
    token = dev_token("live-inbox")
    async with LiveClient.connect(url, token) as client:
        operation = await client.subscribe(INBOX)
        empty = await client.next_until(operation, lambda _: True)
        assert empty["inbox"] == {"unreadCount": 0, "latest": []}
        now = datetime.now(UTC)
        await InboxRepository(db).add(
            [
                {
                    "_id": "n1:live-inbox",
                    "userId": "live-inbox",
                    "category": "health",
                    "title": {"vi": "Lịch hẹn", "en": "Appointment"},
                    "body": {"vi": "Đã đặt", "en": "Booked"},
                    "data": {},
                    "createdAt": now,
                    "readAt": None,
                }
            ]
        )
        arrived = await client.next_until(operation, lambda d: bool(d["inbox"]["latest"]))
        assert arrived["inbox"] == {
            "unreadCount": 1,
            "latest": [{"id": "n1:live-inbox", "title": "Lịch hẹn", "read": False}],
        }
        marked = await gql("mutation { markAllNotificationsRead { unreadCount } }", token=token)
        assert "errors" not in marked, marked
        await client.next_until(operation, lambda d: d["inbox"]["unreadCount"] == 0)


async def test_sign_in_is_checked_on_connection_init(url: str) -> None:
    expired = mint_dev_token(secret=DEV_SECRET, uid="live-late", ttl=timedelta(seconds=-5))
    async with LiveClient.connect(url, expired, acknowledged=False) as client:
        assert await client.closed() == 4403
    async with LiveClient.connect(url, "not-a-token", acknowledged=False) as client:
        assert await client.closed() == 4403


async def test_an_expired_token_closes_the_connection(url: str) -> None:
    token = mint_dev_token(secret=DEV_SECRET, uid="live-expiring", ttl=timedelta(minutes=10))
    expires = datetime.now(UTC) + timedelta(minutes=10)  # at the latest
    async with LiveClient.connect(url, token) as client:
        operation = await client.subscribe(INBOX)
        await client.next_until(operation, lambda _: True)
        # The clock was set when the module was imported: move it past the token's expiry.
        CLOCK.advance(expires + timedelta(minutes=1) - CLOCK.now())
        assert await client.closed() == 4401


async def test_caps_per_connection_and_per_user(
    url: str, replica_url: str, dev_token: Any, db: Any
) -> None:
    token = dev_token("live-capped")
    # One connection on each replica: the cap (two here) counts them both.
    async with LiveClient.connect(url, token) as client, LiveClient.connect(replica_url, token):
        async with LiveClient.connect(url, token, acknowledged=False) as third:
            assert await third.closed() == 4403
        for _ in range(3):
            operation = await client.subscribe(INBOX)
            await client.next_until(operation, lambda _: True)
        operation = await client.subscribe(INBOX)
        error = await first_error(client, operation)
        assert "limit" in error["message"]

    # Closed connections no longer count, on either replica.
    await until(lambda: db["live_connections"].count_documents({"key": "live-capped"}), 0)
    async with LiveClient.connect(url, token), LiveClient.connect(replica_url, token):
        pass


async def test_quiet_connections_are_pinged(url: str, dev_token: Any) -> None:
    async with LiveClient.connect(url, dev_token("live-quiet")) as client:
        operation = await client.subscribe(INBOX)
        await client.next_until(operation, lambda _: True)
        CLOCK.advance(timedelta(seconds=25))  # nothing happened meanwhile: the server pings
        await client.ping_received()
        await client.send({"type": "ping"})  # and the connection still answers
        assert await client.receive() == {"type": "pong"}


async def test_the_legacy_graphql_ws_protocol_is_spoken_too(url: str, dev_token: Any) -> None:
    """subscriptions-transport-ws (older Apollo clients): same sign-in, updates, keep-alive."""
    async with connect(url, subprotocols=[Subprotocol("graphql-ws")]) as websocket:
        assert websocket.subprotocol == "graphql-ws"
        legacy = LiveClient(websocket)
        token = {"Authorization": f"Bearer {dev_token('live-legacy')}"}
        await legacy.send({"type": "connection_init", "payload": token})
        assert (await legacy.receive())["type"] == "connection_ack"
        await legacy.send({"id": "1", "type": "start", "payload": {"query": INBOX}})
        data = await legacy.receive()
        assert data == {
            "id": "1",
            "type": "data",
            "payload": {"data": {"inbox": {"unreadCount": 0, "latest": []}}},
        }
        CLOCK.advance(timedelta(seconds=25))
        assert await legacy.receive() == {"type": "ka"}
        await legacy.send({"id": "1", "type": "stop"})
        assert await legacy.receive() == {"id": "1", "type": "complete"}
    async with connect(url, subprotocols=[Subprotocol("graphql-ws")]) as websocket:
        refused = LiveClient(websocket)
        await refused.send({"type": "connection_init", "payload": {"Authorization": "Bearer x"}})
        assert (await refused.receive())["type"] == "connection_error"
        assert await refused.closed() == 1011


def legacy_init(token: str) -> dict[str, Any]:
    return {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}


async def test_a_second_connection_init_is_refused_and_no_record_is_left(
    url: str, dev_token: Any, db: Any
) -> None:
    """Both protocols: a socket counts once against its user's cap; after it closes, nothing."""
    token = dev_token("live-twice")
    held = {"key": "live-twice"}
    async with connect(url, subprotocols=[Subprotocol("graphql-ws")]) as websocket:
        legacy = LiveClient(websocket)
        await legacy.send(legacy_init(token))
        assert (await legacy.receive())["type"] == "connection_ack"
        await legacy.send(legacy_init(token))
        assert (await legacy.receive())["type"] == "connection_error"
        assert await legacy.closed() == 4429
        assert await db["live_connections"].count_documents(held) <= 1
    await until(lambda: db["live_connections"].count_documents(held), 0)
    async with LiveClient.connect(url, token) as client:
        await client.send(legacy_init(token))
        assert await client.closed() == 4429
    await until(lambda: db["live_connections"].count_documents(held), 0)
    # The cap (two here) is whole again on both protocols.
    async with LiveClient.connect(url, token), LiveClient.connect(url, token):
        pass


async def test_a_connection_refused_half_way_leaves_no_record(
    url: str, app: Starlette, dev_token: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MongoDB fails after the connection's record was written: closing still releases it."""
    counts = app.state.runtime.graphql.connections

    async def written_then_failed(key: str, connection_id: str) -> bool:
        record = {"_id": connection_id, "key": key, "process": counts.process}
        await counts.repository.collection.insert_one(
            {**record, "expiresAt": utcnow() + counts.lease}
        )
        raise AutoReconnect("primary stepped down")

    monkeypatch.setattr(counts, "acquire", written_then_failed)
    async with LiveClient.connect(url, dev_token("live-half"), acknowledged=False) as client:
        assert await client.closed() == 4403
    await until(lambda: db["live_connections"].count_documents({"key": "live-half"}), 0)


@pytest.fixture
def allow_list(app: Starlette) -> Iterator[dict[str, str]]:
    """The app in production's mode (only the committed operations run); the listed documents."""
    view = app.state.runtime.graphql
    before = view.persisted
    listed = load_allow_list()
    view.persisted = PersistedQueries(view.resources.db, allow_list=listed)
    try:
        yield listed
    finally:
        view.persisted = before


async def test_the_allow_list_applies_to_websocket_operations(
    url: str, dev_token: Any, allow_list: dict[str, str]
) -> None:
    digest, listed = next((d, b) for d, b in allow_list.items() if "InboxUpdates" in b)
    token = dev_token("live-listed")
    async with LiveClient.connect(url, token) as client:
        await client.send({"id": "x", "type": "subscribe", "payload": {"query": INBOX}})
        refused = await client.receive()
        assert refused["type"] == "error", refused
        assert refused["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
        operation = await client.subscribe(listed)
        assert (await client.next_until(operation, lambda _: True))["inbox"]["unreadCount"] == 0
        by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
        await client.send({"id": "h", "type": "subscribe", "payload": by_hash})
        assert (await client.next_until("h", lambda _: True))["inbox"]["latest"] == []
    async with connect(url, subprotocols=[Subprotocol("graphql-ws")]) as websocket:
        legacy = LiveClient(websocket)
        await legacy.send(legacy_init(token))
        assert (await legacy.receive())["type"] == "connection_ack"
        await legacy.send({"id": "1", "type": "start", "payload": {"query": INBOX}})
        error = await legacy.receive()
        assert error["type"] == "error", error
        assert error["payload"]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
        await legacy.send({"id": "2", "type": "start", "payload": by_hash})
        data = await legacy.receive()
        assert data["type"] == "data", data
        assert data["payload"]["data"]["inbox"]["unreadCount"] == 0
        await legacy.send({"id": "3", "type": "start", "payload": {}})  # neither text nor hash
        missing = await legacy.receive()
        assert missing["type"] == "error", missing
        assert missing["payload"]["extensions"]["code"] == "BAD_REQUEST"


async def test_places_follow_a_booking_window_opening_and_closing_by_time_alone(
    url: str, gql: GraphQLClient, db: Any, clinic: dict[str, Any]
) -> None:
    """Last in this module: it moves the clock days ahead."""
    day = local_date(CLOCK.now()) + timedelta(days=40)  # beyond the 30-day booking window
    published = await publish(gql, clinic["staff"], H, day=day, periods=[("10:00", "10:30")])
    assert published["created"] == 1, published
    (slot,) = (
        await db[SlotRepository.collection_name].find({"start": at_local(day, "10:00")}).to_list()
    )
    variables = {"h": H, "d": "noi", "day": day.isoformat()}
    async with LiveClient.connect(url) as client:
        operation = await client.subscribe(PLACES, variables)
        first = await client.next_until(operation, lambda _: True)
        places = {"slotId": str(slot["_id"]), "remaining": 6}
        assert first["slotAvailability"]["slots"] == [{**places, "bookable": False}]
        CLOCK.advance(slot["bookableFrom"].replace(tzinfo=UTC) - CLOCK.now())  # the window opens
        opened = await client.next_until(operation, lambda _: True)
        assert opened["slotAvailability"]["slots"] == [{**places, "bookable": True}]
        CLOCK.advance(slot["bookableUntil"].replace(tzinfo=UTC) - CLOCK.now())  # the cut-off
        closed = await client.next_until(operation, lambda _: True)
        assert closed["slotAvailability"]["slots"] == [{**places, "bookable": False}]
