"""The server process keeps its read sides out of the garbage collector's reach (api/heap.py)."""

import argparse
import asyncio
import gc
import weakref
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from api import cli, heap
from api.app import create_app
from api.settings import Settings
from domains.health.calendar import SLOT_CALENDAR
from domains.kernel.readiness import Readiness


def _collected(thing: object) -> bool:
    """Whether the cyclic collector's generations hold ``thing`` (frozen objects are not)."""
    return any(candidate is thing for candidate in gc.get_objects())


@pytest.fixture
def collector() -> Iterator[None]:
    """Put the collector back as it was: this test process must not stay frozen or tuned."""
    threshold, callbacks = gc.get_threshold(), list(gc.callbacks)
    try:
        yield
    finally:
        gc.callbacks[:] = callbacks
        gc.unfreeze()
        gc.set_threshold(*threshold)


@pytest.fixture
async def one_slot(settings: Settings) -> AsyncIterator[None]:
    """One slot in the module's database, so that the slot calendar holds something."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
    db = client[settings.mongodb_database]
    now = datetime.now(UTC)
    await db.health_slots.insert_one(
        {
            "hospitalId": "h1",
            "departmentId": "d1",
            "specialty": "nhi",
            "doctorId": "",
            "start": now + timedelta(days=1),
            "status": "free",
            "remaining": 3,
            "bookableFrom": now,
            "bookableUntil": now + timedelta(hours=20),
        }
    )
    try:
        yield
    finally:
        await client.drop_database(settings.mongodb_database)
        await client.close()


async def test_the_server_freezes_its_read_sides_once_built_and_again_after_a_rebuild(
    settings: Settings, collector: None, one_slot: None
) -> None:
    app = create_app(settings, settle_heap=True)
    async with app.router.lifespan_context(app):
        resources = app.state.runtime.resources
        assert await resources.readiness.settle(60)
        calendar = resources.get(SLOT_CALENDAR)
        assert len(calendar) == 1 and gc.is_tracked(calendar._entries)
        assert not _collected(calendar._entries)  # frozen: full collections skip it
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
        assert any(isinstance(c, heap.RefreezeAfterLongCollections) for c in gc.callbacks)
        await calendar.refresh()  # a rebuild (as after a lost change stream): new objects
        assert len(calendar) == 1 and not _collected(calendar._entries)


def test_a_long_full_collection_freezes_what_survived_it(collector: None) -> None:
    hook = heap.RefreezeAfterLongCollections(longer_than=0.0)  # every full one is "long"
    gc.callbacks.append(hook)
    grown = [{"slot": n} for n in range(1000)]  # a read side grown after start-up
    gc.collect(0)  # a young collection: nothing frozen
    assert hook.refrozen == 0 and _collected(grown)
    gc.collect()
    assert hook.refrozen == 1 and not _collected(grown)
    gc.callbacks.remove(hook)
    gc.unfreeze()
    patient = heap.RefreezeAfterLongCollections(longer_than=60.0)
    gc.callbacks.append(patient)
    gc.collect()
    assert patient.refrozen == 0 and _collected(grown)


def test_a_step_runs_when_settled_and_after_each_rebuild() -> None:
    readiness = Readiness()
    runs: list[int] = []
    readiness.pending("index", "building")
    readiness.pending("calendar", "building")
    readiness.when_settled(lambda: runs.append(1))
    readiness.ready("index")
    assert runs == []  # the calendar is still building
    readiness.ready("calendar")
    readiness.ready("index")  # a rebuild reports ready again
    assert len(runs) == 2
    Readiness().when_settled(lambda: runs.append(1))  # nothing pending: at once
    assert len(runs) == 3


def test_serve_settles_the_heap_and_tests_apps_do_not(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}
    created: list[Any] = []

    def create(settings: Settings, **options: Any) -> Any:
        created.append(create_app(settings, **options))
        return created[-1]

    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(app=app, **options))
    monkeypatch.setattr("api.app.create_app", create)
    cli.cmd_serve(settings, argparse.Namespace(host=None, port=None))
    assert created[0].state.settle_heap is True
    assert served["access_log"] is False  # the app's middleware logs each request once
    assert create_app(settings).state.settle_heap is False


class _Request:
    """A request in flight: its objects hold a cycle (task <-> coroutine, error <-> frame)."""

    def __init__(self) -> None:
        self.me = self


def test_what_a_refreeze_caught_in_flight_is_collected_eventually(collector: None) -> None:
    now, scheduled = [0.0], []
    hook = heap.RefreezeAfterLongCollections(
        longer_than=0.0,  # every full collection is "long"
        release_after=600.0,
        clock=lambda: now[0],
        schedule=lambda step: scheduled.append(step) or True,
    )
    gc.callbacks.append(hook)
    request = _Request()
    ended = weakref.ref(request)
    gc.collect()  # a refreeze while the request is in flight
    assert hook.refrozen == 1
    del request  # the request ends: its cycle is garbage the collector no longer sees
    gc.collect()
    assert ended() is not None and scheduled == []  # frozen, and not yet time to release
    now[0] = 600.0
    gc.collect()  # the first full collection once it is time: a release is scheduled, once
    gc.collect()
    assert len(scheduled) == 1 and ended() is not None
    scheduled.pop()()  # the event loop runs it
    assert ended() is None and hook.released == 1
    gc.collect()  # and the next one only after another 600 s
    assert scheduled == []


async def test_the_release_runs_on_the_event_loop(collector: None) -> None:
    hook = heap.RefreezeAfterLongCollections(longer_than=0.0, release_after=0.0)
    gc.callbacks.append(hook)
    request = _Request()
    ended = weakref.ref(request)
    gc.collect()
    del request
    assert hook.release_scheduled and ended() is not None
    await asyncio.sleep(0)
    assert hook.released == 1 and ended() is None
