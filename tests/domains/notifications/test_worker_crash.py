"""`xuthanh worker` as a real process, SIGKILLed with a batch in flight, then restarted."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from domains.notifications.outbox import enqueue
from tests.domains.notifications.records import delivery_records
from tests.domains.notifications.test_delivery import BODY, TITLE, add_device
from tests.support.fcm_server import PROJECT_ID, FcmServer

ROOT = Path(__file__).resolve().parents[3]
DEVICES = 700


def start_worker(settings: Any, fcm_server: FcmServer, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "APP_ENV": "test",
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DATABASE": settings.mongodb_database,
        "FIREBASE_PROJECT_ID": PROJECT_ID,
        "FCM_ENDPOINT": fcm_server.url,
        # FCM requests time out after a third of the lease (15 s): longer than FCM is held here
        # on an idle machine; on a busy one some held requests may time out first (then they
        # are ordinary retries, and the batch is still part-way when the worker is killed).
        "NOTIFICATION_LEASE_SECONDS": "45",
        "NOTIFICATION_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("xuthanh")), "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_killed_worker_restarts_and_delivers_each_message_once(
    db, settings, fcm_server: FcmServer, tmp_path: Path
) -> None:
    tokens = [await add_device(db, f"crash-{i}", f"u-crash-{i}") for i in range(DEVICES)]
    # The first batch (50) goes through; the next (500) stalls after 100 of its messages.
    fcm_server.hold_after = 150
    nid = await enqueue(
        db=db,
        session=None,
        user_ids=[f"u-crash-{i}" for i in range(DEVICES)],
        title=TITLE,
        body=BODY,
        category="test.crash",
    )
    log = tmp_path / "worker.log"
    worker = start_worker(settings, fcm_server, log)
    try:

        async def first_part_recorded() -> bool:
            if worker.poll() is not None:
                raise AssertionError(log.read_text())
            return await sent(db, nid) == 150

        await wait_for(first_part_recorded, 600, "the first 150 results")
        in_flight = await _in_flight(db, nid)
        # The rest of that batch (400) is in flight, waiting on FCM, unless a busy machine let
        # some requests time out before this count: the kill must still catch a batch in flight.
        assert 0 < in_flight <= 400
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    # FCM drops the calls whose client vanished (the SDK had up to 100 of them open).
    await wait_for(lambda: _dropped(fcm_server), 10, "FCM to see the connections drop")
    assert fcm_server.aborted > 0

    fcm_server.hold_after = None
    restarted = start_worker(settings, fcm_server, log)
    try:

        async def all_sent() -> bool:
            if restarted.poll() is not None:
                raise AssertionError(log.read_text())
            return await sent(db, nid) == DEVICES

        # The killed claims come back once their 45 s lease has passed.
        await wait_for(all_sent, 600, "every delivery")
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(15) == 0, log.read_text()
    assert fcm_server.accepted_tokens() == dict.fromkeys(tokens, 1)
    assert "development sink" not in log.read_text().lower()


async def _dropped(server: FcmServer) -> bool:
    return server.aborted > 0 and server.held == 0


async def _in_flight(db: Any, nid: Any) -> int:
    """Deliveries of the batches being sent that have no record yet."""
    ids = [
        d["_id"] async for b in db["notification_batches"].find({"n": nid}) for d in b["deliveries"]
    ]
    recorded = {d["_id"] for d in await delivery_records(db, nid)}
    return len(set(ids) - recorded)


async def sent(db: Any, nid: Any) -> int:
    return sum(d["state"] == "sent" for d in await delivery_records(db, nid))
