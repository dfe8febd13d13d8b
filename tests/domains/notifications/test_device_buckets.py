"""Devices stored before fan-out buckets are given theirs by the worker's job: all of them, each
once, however often and by however many workers it runs, and a broadcast being fanned out
meanwhile still reaches each phone once."""

import asyncio
import dataclasses
from typing import Any

import pytest

from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources
from domains.notifications import device_buckets
from domains.notifications.repository import device_bucket
from domains.notifications.store import NotificationsStore
from tests.domains.notifications.conftest import FAST
from tests.domains.notifications.test_delivery import (
    add_device,
    broadcast_to_citizens,
    register_citizen_device,
)

migrate = device_buckets.bucket_devices_stored_before_buckets


@pytest.fixture
async def only_these_devices(db: Any) -> None:
    await db["devices"].delete_many({})  # earlier tests of the module stored others


async def buckets(db: Any, tokens: list[str]) -> dict[str, int | None]:
    return {d["_id"]: d.get("bucket") async for d in db["devices"].find({"_id": {"$in": tokens}})}


@pytest.mark.usefixtures("only_these_devices")
async def test_each_device_gets_its_bucket_over_runs_stopped_part_way(
    db: Any, resources: Resources
) -> None:
    tokens = [await add_device(db, f"old-{i}", f"u-old-{i}") for i in range(7)]
    assert set((await buckets(db, tokens)).values()) == {None}
    # A run that ends after one slice (a worker stopped): the rest waits for the next run.
    assert await migrate(resources, utcnow(), slice_size=3, slices=1) == 3
    assert list((await buckets(db, tokens)).values()).count(None) == 4
    assert await migrate(resources, utcnow(), slice_size=3) == 4
    assert await buckets(db, tokens) == {token: device_bucket(token) for token in tokens}
    assert await migrate(resources, utcnow(), slice_size=3) == 0  # nothing left to do


@pytest.mark.usefixtures("only_these_devices")
async def test_two_workers_running_it_at_once_move_each_device_once(
    db: Any, resources: Resources
) -> None:
    tokens = [await add_device(db, f"twice-{i}", f"u-twice-{i}") for i in range(9)]
    moved = await asyncio.gather(
        migrate(resources, utcnow(), slice_size=2), migrate(resources, utcnow(), slice_size=2)
    )
    assert sum(moved) == len(tokens)
    assert await buckets(db, tokens) == {token: device_bucket(token) for token in tokens}


@pytest.mark.usefixtures("only_these_devices")
async def test_a_broadcast_fanned_out_while_its_devices_move_reaches_each_phone_once(
    db: Any, resources: Resources, fcm_server: Any, make_worker: Any
) -> None:
    store = NotificationsStore.of(resources)
    phones = [await add_device(db, f"moving-{i}", f"u-moving-{i}") for i in range(6)]
    phones += [
        await register_citizen_device(store, f"u-placed-{i}", f"placed-{i}") for i in range(6)
    ]
    await broadcast_to_citizens(store, "test.buckets-moving")
    worker = make_worker(dataclasses.replace(FAST, fanout_chunk=2, fanout_first_chunk=2))
    progress = worker.store.notifications.record_fanout_progress
    moved: list[int] = []

    async def then_migrate(nid: Any, **arguments: Any) -> Any:
        saved = await progress(nid, **arguments)
        if not moved:  # the first chunk's batch is on its way, the walk in the old devices
            moved.append(await migrate(resources, utcnow()))
        return saved

    worker.store.notifications.record_fanout_progress = then_migrate
    await worker.drain()
    assert moved == [6]
    assert fcm_server.accepted_tokens() == dict.fromkeys(phones, 1)
    stored = await db["notifications"].find_one({"category": "test.buckets-moving"})
    assert await db["inbox"].count_documents({"n": stored["_id"]}) == len(phones)
