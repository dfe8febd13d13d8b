"""What the province-scale reads must keep doing: the inbox read a window at a time pages in the
same order as a full sort, and the broadcast to every citizen reads devices bucket by bucket
(devices stored before buckets too) and reaches each live signed-in phone once, even resumed."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from domains.kernel.auth import Principal, Role
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from domains.notifications import service
from domains.notifications.repository import device_bucket
from domains.notifications.store import NotificationsStore
from tests.conftest import GraphQLClient
from tests.domains.notifications.conftest import FAST
from tests.domains.notifications.test_delivery import (
    add_device,
    broadcast_to_citizens,
    register_citizen_device,
    tok,
)

INBOX = """query($after: String, $unreadOnly: Boolean!) {
  notifications(first: 3, after: $after, unreadOnly: $unreadOnly) {
    edges { node { id read } } pageInfo { hasNextPage endCursor } totalCount } }"""


def inbox_entry(number: int, at: datetime, *, read: bool) -> dict[str, Any]:
    return {
        "_id": f"n{number:03d}:reader",
        "userId": "reader",
        "n": number,
        "category": "test.scale",
        "title": {"vi": "Tiêu đề"},
        "body": {"vi": "Nội dung"},
        "data": {},
        "createdAt": at,
        "readAt": at if read else None,
    }


async def all_pages(gql: GraphQLClient, token: str, unread_only: bool) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        body = await gql(INBOX, {"after": after, "unreadOnly": unread_only}, token=token)
        page = body["data"]["notifications"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


async def test_the_inbox_pages_newest_first_across_sparse_and_dense_stretches(
    db: Any, gql: GraphQLClient, dev_token: Any
) -> None:
    now = utcnow()
    instants = [
        now + timedelta(minutes=5),  # sent at a time slightly ahead of this clock
        *[now - timedelta(minutes=m) for m in range(8)],  # a busy morning
        *[now - timedelta(days=3)] * 4,  # one broadcast instant shared by four entries
        now - timedelta(days=40),
        now - timedelta(days=400),
        now - timedelta(days=3000),  # years back
        datetime(1995, 5, 1, tzinfo=UTC),  # before the windows' floor
    ]
    entries = [inbox_entry(i, at, read=i % 3 == 0) for i, at in enumerate(instants)]
    await db["inbox"].insert_many(entries)
    newest_first = sorted(entries, key=lambda e: (e["createdAt"], e["_id"]), reverse=True)
    token = dev_token("reader")

    assert await all_pages(gql, token, False) == [e["_id"] for e in newest_first]
    unread = [e["_id"] for e in newest_first if e["readAt"] is None]
    assert await all_pages(gql, token, True) == unread
    body = await gql(INBOX, {"after": None, "unreadOnly": True}, token=token)
    assert body["data"]["notifications"]["totalCount"] == len(unread)


async def test_an_empty_inbox_has_one_empty_page(gql: GraphQLClient, dev_token: Any) -> None:
    body = await gql(INBOX, {"after": None, "unreadOnly": False}, token=dev_token("nobody"))
    page = body["data"]["notifications"]
    assert page["edges"] == [] and page["pageInfo"]["hasNextPage"] is False


async def test_a_broadcast_to_every_citizen_reaches_each_live_phone_once_when_resumed(
    db: Any, resources: Resources, fcm_server: Any, fcm_sender: Any, make_worker: Any
) -> None:
    store = NotificationsStore.of(resources)
    signed_in: list[str] = []
    for i in range(30):  # registered now: each in its bucket
        caller = Caller(store, Principal(uid=f"u-bucket-{i}", roles=frozenset({Role.CITIZEN})))
        device = await service.register_device(
            caller=caller,
            token=tok(f"bucket-{i}"),
            platform="android",
            locale="vi",
            app_version="1.0",
        )
        assert "bucket" in device
        signed_in.append(device["_id"])
    # Registered before buckets existed: no bucket field, still reached.
    signed_in += [await add_device(db, f"legacy-{i}", f"u-legacy-{i}") for i in range(4)]
    await add_device(db, "anonymous", None)
    stale = await add_device(db, "stale", "u-stale")
    await db["devices"].update_one(
        {"_id": stale}, {"$set": {"lastSeenAt": utcnow() - timedelta(days=400)}}
    )
    await broadcast_to_citizens(store, "test.citizens")

    class StopAfterFirstBatch:
        channel, success_state = fcm_sender.channel, fcm_sender.success_state

        async def send(self, messages: Any, on_sent: Any = None) -> Any:
            stop_first.set()
            return await fcm_sender.send(messages, on_sent)

        async def close(self) -> None:
            return None

    stop_first = asyncio.Event()
    config = dataclasses.replace(FAST, fanout_chunk=7, lease=timedelta(minutes=10))
    await make_worker(config, sender=StopAfterFirstBatch()).run(stop_first)
    stored = await db["notifications"].find_one({"category": "test.citizens"})
    assert stored["status"] == "fanning_out"  # stopped part-way, position saved
    await make_worker(config).drain()

    assert fcm_server.accepted_tokens() == dict.fromkeys(signed_in, 1)
    inboxes = await db["inbox"].count_documents({"n": stored["_id"]})
    assert inboxes == len(signed_in)


async def test_a_device_from_before_buckets_registering_again_mid_broadcast_gets_it_once(
    db: Any, resources: Resources, fcm_server: Any, make_worker: Any
) -> None:
    """The walk reads the devices stored before buckets first; one of them registering again
    meanwhile moves into its bucket, read later: it is not sent the broadcast twice."""
    store = NotificationsStore.of(resources)
    users = [f"u-moved-{i}" for i in range(3)]
    tokens = [await add_device(db, f"moved-{i}", user) for i, user in enumerate(users)]
    await broadcast_to_citizens(store, "test.moved")
    worker = make_worker(dataclasses.replace(FAST, fanout_chunk=1, fanout_first_chunk=1))
    progress = worker.store.notifications.record_fanout_progress

    async def then_register_again(nid: Any, **arguments: Any) -> Any:
        saved = await progress(nid, **arguments)
        if arguments["after"] == [None, tokens[0]]:  # its batch is on its way
            caller = Caller(store, Principal(uid=users[0], roles=frozenset({Role.CITIZEN})))
            await service.register_device(
                caller=caller, token=tokens[0], platform="android", locale="vi", app_version="2"
            )
        return saved

    worker.store.notifications.record_fanout_progress = then_register_again
    await worker.drain()
    assert "bucket" in await db["devices"].find_one({"_id": tokens[0]})
    accepted = fcm_server.accepted_tokens()
    assert {token: accepted[token] for token in tokens} == dict.fromkeys(tokens, 1)


async def test_a_device_from_before_buckets_in_a_first_chunk_with_bucketed_ones_gets_it_once(
    db: Any, resources: Resources, fcm_server: Any, make_worker: Any
) -> None:
    """Fewer devices from before buckets than the first chunk (where production ends up as
    they register again): the chunk holds them and the first bucketed ones. One of them
    registering again after its batch went, into a bucket read later, still gets it once."""
    await db["devices"].delete_many({})  # only these phones (earlier tests stored others)
    store = NotificationsStore.of(resources)
    name = next(f"late-{i}" for i in range(1000) if device_bucket(tok(f"late-{i}")) == 63)
    moved = await add_device(db, name, "u-late")
    bucketed = [
        await register_citizen_device(store, f"u-bucketed-{i}", f"bucketed-{i}") for i in range(12)
    ]
    await broadcast_to_citizens(store, "test.moved-mixed")
    worker = make_worker(dataclasses.replace(FAST, fanout_chunk=4, fanout_first_chunk=4))
    progress = worker.store.notifications.record_fanout_progress
    chunks = []

    async def then_register_again(nid: Any, **arguments: Any) -> Any:
        saved = await progress(nid, **arguments)
        chunks.append(arguments["after"])
        if len(chunks) == 1:  # the first chunk's batch is on its way
            caller = Caller(store, Principal(uid="u-late", roles=frozenset({Role.CITIZEN})))
            await service.register_device(
                caller=caller, token=moved, platform="android", locale="vi", app_version="2"
            )
        return saved

    worker.store.notifications.record_fanout_progress = then_register_again
    await worker.drain()
    assert chunks[0][0] is not None  # the first chunk ended among the bucketed devices
    accepted = fcm_server.accepted_tokens()
    everyone = [moved, *bucketed]
    assert {token: accepted[token] for token in everyone} == dict.fromkeys(everyone, 1)
