"""Several replicas, here: 3 `xuthanh serve` and 2 `xuthanh worker` processes in APP_ENV=staging
on one database, behind a load balancer (tests/cluster/balancer.py), as production runs them.

Clients send the app's registered operations (graphql/operations/): staging, like production,
runs nothing else. Each test waits on conditions with generous guards; none depends on how fast
the machine is.
"""

import asyncio
import json
import os
import signal
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import websockets
from bson import ObjectId
from websockets import Subprotocol

from api import registry
from domains.accounts.service import bootstrap_grant
from domains.health.schedule import at_local
from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from domains.notifications import broadcasts
from domains.notifications.outbox import enqueue
from domains.notifications.store import NotificationsStore
from tests.cluster.conftest import (
    OPERATIONS,
    Client,
    Cluster,
    Unanswered,
    eventually,
    new_key,
)
from tests.domains.health.support import add_hospital, future_day
from tests.domains.notifications.records import delivery_records

H = "bv-cluster"
STAFF = "staff-cluster"
DEFINITE = {"Appointment", "SlotFull"}


async def test_the_cluster_serves_in_staging_behind_the_balancer(
    cluster: Cluster, client: Client, mongo: Any
) -> None:
    """Set-up shared by the tests below, and production's hardening, on in staging."""
    await add_hospital(mongo, H, maxActiveBookings=5)
    await bootstrap_grant(db=mongo, uid=STAFF, role=Role.HOSPITAL_STAFF, hospital_id=H)
    assert all(api.readyz() == 200 for api in cluster.apis)
    # Each API takes roles from its copy of the grants, which its change feed keeps current.
    for api in cluster.apis:
        await eventually(lambda api=api: staff_on(api.url, client.token(STAFF)), "the grant")
    # Only the app's registered operations run, as in production.
    try:
        await client.once("query Probe { __typename }")
    except Unanswered as refused:
        assert "OPERATION_NOT_ALLOWED" in str(refused)
    else:
        raise AssertionError("an unregistered operation ran in staging")


def staff_on(url: str, token: str) -> bool:
    """Whether the API at ``url`` signs ``STAFF`` in as the facility's staff."""
    payload = {"query": OPERATIONS["Me"], "operationName": "Me"}
    headers = {"Authorization": f"Bearer {token}"}
    body = httpx.post(f"{url}/graphql", json=payload, headers=headers, timeout=30).json()
    return "HOSPITAL_STAFF" in ((body.get("data") or {}).get("me") or {}).get("roles", [])


async def slot(client: Client, capacity: int, day: date | None = None) -> str:
    day = day or future_day()
    published = await client.op(
        "ConsolePublishSlots",
        {
            "input": {
                "hospitalId": H,
                "departmentId": "noi",
                "fromDate": day.isoformat(),
                "toDate": day.isoformat(),
                "weekdays": [1, 2, 3, 4, 5, 6, 7],
                "periods": [{"start": "07:30", "end": "08:00"}],
                "slotMinutes": 30,
                "capacity": capacity,
                "fee": 50600,
                "bhytCovered": 40480,
            }
        },
        token=client.token(STAFF),
    )
    assert published["data"]["publishSlots"]["created"] == 1, published
    slots = await client.op(
        "AvailableSlots",
        {
            "hospitalId": H,
            "departmentId": "noi",
            "from": at_local(day, "00:00").isoformat(),
            "to": at_local(day + timedelta(days=1), "00:00").isoformat(),
        },
    )
    return str(slots["data"]["availableSlots"]["nodes"][0]["id"])


async def profile(client: Client, token: str, name: str) -> str:
    variables = {
        "input": {
            "fullName": name,
            "dateOfBirth": "1980-05-17",
            "phone": "0912345678",
            "consent": {"policyVersion": "2026-01", "given": True},
        }
    }
    body = await client.op("CreatePatientProfile", variables, token=token)
    created = body["data"]["createPatientProfile"]
    assert created["__typename"] == "PatientProfile", created
    return str(created["id"])


async def patients(client: Client, prefix: str, n: int) -> list[tuple[str, str]]:
    tokens = [client.token(f"{prefix}-{i}") for i in range(n)]
    ids = await asyncio.gather(
        *(profile(client, t, f"Bệnh nhân {i}") for i, t in enumerate(tokens))
    )
    return list(zip(tokens, ids, strict=True))


@dataclass(frozen=True)
class Answer:
    kind: str
    id: str | None = None
    queue: int | None = None


async def book(
    client: Client, token: str, slot_id: str, patient: str, retry: bool = True
) -> Answer:
    """One booking; with ``retry`` re-sent with its one idempotency key until the answer is
    definite (a mobile client after a dropped connection or a 502)."""
    key = new_key()
    variables = {"input": {"slotId": slot_id, "patientProfileId": patient, "idempotencyKey": key}}
    body = await client.op("BookAppointment", variables, token=token, retry=retry, guard=300)
    result = body["data"]["bookAppointment"]
    assert result["__typename"] in DEFINITE, result
    return Answer(result["__typename"], result.get("id"), result.get("queueNumber"))


async def booked(mongo: Any, slot_id: str) -> list[int]:
    active = await mongo["health_appointments"].find({"slotId": ObjectId(slot_id)}).to_list(None)
    return sorted(a["queueNumber"] for a in active)


def book_counts(cluster: Cluster) -> list[float]:
    return [
        api.metric("xuthanh_graphql_operations_total", operation="BookAppointment", outcome="ok")
        for api in cluster.apis
    ]


def queue_numbers(results: list[Answer]) -> list[int]:
    return sorted(r.queue or 0 for r in results if r.kind == "Appointment")


def exactly_the_capacity(results: list[Answer], capacity: int) -> None:
    assert queue_numbers(results) == list(range(1, capacity + 1))
    assert sum(r.kind == "SlotFull" for r in results) == len(results) - capacity


async def test_200_patients_race_for_20_places_across_3_apis(
    cluster: Cluster, client: Client, mongo: Any
) -> None:
    slot_id = await slot(client, capacity=20)
    people = await patients(client, "race", 200)
    before = book_counts(cluster)
    results = await asyncio.gather(*(book(client, t, slot_id, p) for t, p in people))
    exactly_the_capacity(results, 20)
    assert await booked(mongo, slot_id) == list(range(1, 21))
    served = [after - was for after, was in zip(book_counts(cluster), before, strict=True)]
    # Every API process answered bookings (the balancer spreads, the APIs count for themselves).
    assert sum(served) == 200 and min(served) > 0, served


# The figure; CLUSTER_BROADCAST_DEVICES makes it smaller on a slow machine.
DEVICES = int(os.environ.get("CLUSTER_BROADCAST_DEVICES", "10000"))
TITLE = {"vi": "Thông báo thử", "en": "Test notice"}


async def add_devices(mongo: Any, prefix: str, n: int) -> list[str]:
    now = utcnow()
    tokens = [f"{prefix}-{i:05d}-" + "x" * 100 for i in range(n)]
    documents = [
        {
            "_id": token,
            "userId": f"u-{prefix}-{i}",
            "platform": "android",
            "locale": "vi",
            "appVersion": "1",
            "lastSeenAt": now,
            "createdAt": now,
        }
        for i, token in enumerate(tokens)
    ]
    for start in range(0, n, 1000):
        await mongo["devices"].insert_many(documents[start : start + 1000])
    return tokens


async def broadcast(mongo: Any, users: list[str] | None = None) -> Any:
    """An admin's broadcast (to these users, else every citizen with a device), queued by the
    notifications service as the API's sendNotification queues it; the workers deliver it.
    (The app's registered operations have no sendNotification: no console sends one yet.)"""
    if users:
        return await enqueue(
            db=mongo, session=None, user_ids=users, title=TITLE, body=TITLE, category="test.cluster"
        )
    store = NotificationsStore.of(registry.wire(Resources(db=mongo)))
    admin = Caller(store, Principal(uid="admin-cluster", roles=frozenset({Role.ADMIN})))
    queued = await broadcasts.send_notification(
        caller=admin,
        audience=broadcasts.Audience(role=Role.CITIZEN),
        title=TITLE,
        body=TITLE,
        category="test.cluster",
        data=None,
        send_at=None,
    )
    return queued.notification["_id"]


async def delivered(cluster: Cluster, mongo: Any, nid: Any, total: int) -> dict[str, int]:
    """Wait until FCM has taken ``total`` messages (no load on the database meanwhile), then
    until no delivery is pending; the deliveries by state."""
    await eventually(lambda: len(cluster.fcm.accepted) >= total, "FCM to take them", 900)
    while True:
        states = Counter(d["state"] for d in await delivery_records(mongo, nid))
        if sum(states.values()) == total and not states.get("pending"):
            return dict(states)
        await asyncio.sleep(1)  # results are recorded as FCM answers: a moment, not a wait


async def test_a_broadcast_to_10000_devices_with_two_workers_reaches_each_once(
    cluster: Cluster, client: Client, mongo: Any
) -> None:
    tokens = await add_devices(mongo, "bc", DEVICES)
    cluster.fcm.reset()
    nid = await broadcast(mongo)
    assert await delivered(cluster, mongo, nid, DEVICES) == {"sent": DEVICES}
    assert cluster.fcm.accepted_tokens() == dict.fromkeys(tokens, 1)
    assert all(w.alive() for w in cluster.workers)
    print(f"{DEVICES} messages, pushed per worker:", cluster.worker_batches())


async def test_an_api_killed_mid_storm_loses_no_acknowledged_booking(
    cluster: Cluster, client: Client, mongo: Any
) -> None:
    """SIGKILL: its in-flight bookings get 502 from the balancer (never retried there: they are
    not reads); the clients retry with the same idempotency key on the other APIs."""
    slot_id = await slot(client, capacity=20)
    people = await patients(client, "kill", 100)
    victim = cluster.apis[0]
    port = victim.port or 0
    before = await asyncio.to_thread(book_counts, cluster)
    storm = asyncio.gather(*(book(client, t, slot_id, p) for t, p in people))
    await eventually(
        lambda: (
            victim.metric(
                "xuthanh_graphql_operations_total", operation="BookAppointment", outcome="ok"
            )
            >= before[0] + 5
        ),
        "the victim to answer a few bookings",
    )
    victim.stop(signal.SIGKILL)
    refused_before = cluster.lb.refused[port]
    results = await storm
    exactly_the_capacity(results, 20)
    assert await booked(mongo, slot_id) == list(range(1, 21))  # no retry booked twice
    acknowledged = {r.id for r in results if r.kind == "Appointment"}
    stored = await mongo["health_appointments"].distinct("_id", {"slotId": ObjectId(slot_id)})
    assert {str(i) for i in stored} == acknowledged
    print(
        f"killed {victim.name}: {cluster.lb.answered_502} answered 502 and retried by clients, "
        f"{cluster.lb.refused[port] - refused_before} routed around after the kill"
    )
    await asyncio.to_thread(cluster.restart, victim)


async def test_an_api_stopped_under_load_finishes_its_requests(
    cluster: Cluster, client: Client, mongo: Any
) -> None:
    """SIGTERM as Kubernetes sends it: the pod first leaves the balancer and preStop waits
    until what was sent to it has reached the app; then uvicorn finishes the requests in hand
    and exits. No client sees a failure, and no request is retried."""
    slot_id = await slot(client, capacity=20)
    people = await patients(client, "term", 100)
    victim = cluster.apis[1]
    port = victim.port or 0
    client.unanswered = 0
    failed_before = cluster.lb.answered_502
    storm = asyncio.gather(*(book(client, t, slot_id, p, retry=False) for t, p in people))
    await eventually(lambda: cluster.lb.active[port] >= 5, "bookings in flight on the victim")
    cluster.lb.drained.add(port)
    await eventually(lambda: cluster.lb.connecting[port] == 0, "no new connection to the victim")

    def in_the_app() -> bool:
        """Every request the balancer has open on the victim is being handled by the app
        (uvicorn closes, at SIGTERM, connections whose request it has not begun)."""
        begun = victim.metric("xuthanh_http_requests_in_progress", route="/graphql")
        return begun == cluster.lb.active[port]

    await eventually(in_the_app, "the victim to have begun what it was sent")
    in_hand = cluster.lb.active[port]
    # uvicorn re-raises the signal once it has shut down gracefully: -SIGTERM, or 0.
    code = await asyncio.to_thread(victim.stop, signal.SIGTERM)
    assert code in (0, -signal.SIGTERM), victim.tail()
    results = await storm
    assert client.unanswered == 0 and cluster.lb.answered_502 == failed_before
    exactly_the_capacity(results, 20)
    assert await booked(mongo, slot_id) == list(range(1, 21))
    print(f"SIGTERM to {victim.name} with {in_hand} requests in hand: all answered")
    cluster.lb.drained.discard(port)
    await asyncio.to_thread(cluster.restart, victim)


async def test_the_database_killed_and_restarted_during_a_booking_storm(
    cluster: Cluster, client: Client, mongo: Any
) -> None:
    """The one SecantusDB stopped while 100 patients book 20 places, then started again on its
    data directory and port. The APIs and workers are not restarted.

    Stopped with SIGTERM: SecantusDB loses acknowledged writes on SIGKILL (it has no durable
    journal; docs/deploy.md), which MongoDB's journal does not. Against a real replica set the
    fault to inject is an election (`replSetStepDown`), not a lost server."""
    if cluster.db.external:
        pytest.skip("CLUSTER_MONGODB_URI: this test stops only a database it started itself")
    slot_id = await slot(client, capacity=20)
    people = await patients(client, "outage", 100)
    devices = await add_devices(mongo, "after-outage", 5)
    storm = asyncio.gather(*(book(client, t, slot_id, p) for t, p in people))

    async def some_booked() -> None:
        deadline = asyncio.get_running_loop().time() + 180
        while len(await booked(mongo, slot_id)) < 3:
            assert asyncio.get_running_loop().time() < deadline, "no booking went through"
            await asyncio.sleep(0.05)

    await some_booked()
    await asyncio.to_thread(cluster.db.stop)
    # Not ready while the database is away (out of the Service), alive all along.
    await eventually(lambda: all(api.readyz() == 503 for api in cluster.apis), "503s")
    assert all(service.alive() for service in cluster.apis + cluster.workers)
    await asyncio.to_thread(cluster.db.start)
    results = await storm
    await eventually(lambda: all(api.readyz() == 200 for api in cluster.apis), "200s again")
    # Every booking a client was told about is there; none twice; exactly the capacity.
    exactly_the_capacity(results, 20)
    assert await booked(mongo, slot_id) == list(range(1, 21))
    acknowledged = {r.id for r in results if r.kind == "Appointment"}
    stored = await mongo["health_appointments"].distinct("_id", {"slotId": ObjectId(slot_id)})
    assert {str(i) for i in stored} == acknowledged
    # The workers carry on by themselves: a notification sent now is delivered.
    cluster.fcm.reset()
    nid = await broadcast(mongo, [f"u-after-outage-{i}" for i in range(5)])
    assert await delivered(cluster, mongo, nid, 5) == {"sent": 5}
    assert cluster.fcm.accepted_tokens() == dict.fromkeys(devices, 1)


async def test_live_updates_pass_through_the_balancer_from_another_replica(
    cluster: Cluster, client: Client
) -> None:
    """The booking screen's subscription (websocket through the balancer, on one API) sees a
    place taken through the other APIs."""
    day = future_day()
    slot_id = await slot(client, capacity=3, day=day)
    ((token, patient),) = await patients(client, "live", 1)
    url = cluster.lb.url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        variables = {"hospitalId": H, "departmentId": "noi", "date": day.isoformat()}
        payload = {
            "query": OPERATIONS["SlotAvailability"],
            "operationName": "SlotAvailability",
            "variables": variables,
        }
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))

        async def places_left() -> int:
            message = json.loads(await asyncio.wait_for(ws.recv(), 120))
            assert message["type"] == "next", message
            (place,) = message["payload"]["data"]["slotAvailability"]["slots"]
            assert place["slotId"] == slot_id
            return int(place["remaining"])

        assert await places_left() == 3
        (live_port,) = (port for port, n in cluster.lb.upgraded.items() if n)
        other = next(api for api in cluster.apis if api.port != live_port)
        async with httpx.AsyncClient(base_url=other.url, timeout=120) as http:
            booked_there = await book(Client(http, cluster.issuer), token, slot_id, patient)
        assert booked_there.kind == "Appointment"
        while await places_left() != 2:
            pass
