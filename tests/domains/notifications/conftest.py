"""Notification fixtures: the local FCM server, the real SDK pointed at it, fast workers."""

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import firebase_admin
import pytest

from api.firebase import StaticCredential
from domains.kernel.resources import Resources
from domains.notifications.push import FcmSender
from domains.notifications.worker import Worker, WorkerConfig
from tests.support.fcm_server import PROJECT_ID, FcmServer

_names = itertools.count(1)

FAST = WorkerConfig(
    lease=timedelta(seconds=30),
    max_attempts=3,
    backoff_base=0.05,
    backoff_cap=1.0,
    idle_poll=0.05,
)


@pytest.fixture(scope="module")
def fcm_server() -> Iterator[FcmServer]:
    with FcmServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_fcm_plans(request: pytest.FixtureRequest) -> None:
    if "fcm_server" in request.fixturenames:
        request.getfixturevalue("fcm_server").reset()


@pytest.fixture(scope="module")
async def fcm_sender(fcm_server: FcmServer) -> AsyncIterator[FcmSender]:
    """The real firebase-admin messaging client, redirected to the local FCM server."""
    app = firebase_admin.initialize_app(
        StaticCredential(), options={"projectId": PROJECT_ID}, name=f"push-test-{next(_names)}"
    )
    sender = FcmSender(app, endpoint=fcm_server.url)
    yield sender
    await sender.close()
    # delete_app closes the messaging client with asyncio.run: do it off this running loop.
    await asyncio.to_thread(firebase_admin.delete_app, app)


@pytest.fixture
def make_worker(resources: Resources, fcm_sender: FcmSender) -> Callable[..., Worker]:
    """Workers on the app's wired resources (role audiences need accounts' role directory)."""

    def make(config: WorkerConfig = FAST, sender: Any = None, name: str | None = None) -> Worker:
        return Worker(resources, sender or fcm_sender, config, name=name)

    return make


async def settle(
    worker: Worker, done: Callable[[], Awaitable[bool]], seconds: float = 15.0
) -> None:
    """Let ``worker`` run rounds (retries come due over time) until ``done`` or the timeout."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        await worker.drain()
        if await done():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the worker did not finish in time")
        await asyncio.sleep(0.05)
