"""Broadcast benchmark: the outbox path against a bare loop of send_each_async.

10,000 registered devices; the local FCM v1 server (tests/support/fcm_server.py) runs in its own
process and counts accepted messages.

- bare loop: this process sends the same 10,000 messages in batches of 500, one batch after the
  other, with firebase-admin's send_each_async (as a script without an outbox would).
- outbox path: `sendNotification` (admin, audience role CITIZEN) through the API in this process;
  one `xuthanh worker` process fans out and delivers. Timed from the mutation until the FCM server
  has accepted the last message.

The devices are stored as registration stores them (with their fan-out bucket, 1/64 of them
each); ``--legacy-devices`` stores them without one, as devices registered before buckets are:
the fan-out then reads them as one bucket, sorted whole before its first chunk (at 10,000 devices
~0.25 s of SecantusDB's time before the first push; README, "Notifications").

Run: .venv/bin/python bench/notifications.py [--devices 10000] [--count-commands] [--legacy-devices]
[--recheck-every-batch]

``--recheck-every-batch`` has the worker look at every fan-out batch's devices again before it is
sent, as it does for a batch that waited more than 5 s for the wire (most batches of a starved
worker): the cost of that look (the devices changed or removed since they were read).

``--count-commands`` puts a wire proxy (tests/support/mongo_fault_proxy.py) between the worker and
the database and prints what the worker asked, per command and collection (slower: not for timing).
"""

# A benchmark script: asserts, a throwaway dev secret, loopback URLs and blocking process
# control are intended here.
# ruff: noqa: S101, S105, S108, S310, ASYNC220

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import firebase_admin  # noqa: E402
import httpx  # noqa: E402
from bson import ObjectId  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.auth import mint_dev_token  # noqa: E402
from api.firebase import StaticCredential  # noqa: E402
from api.settings import Settings  # noqa: E402
from domains.kernel.auth import Role  # noqa: E402
from domains.kernel.clock import utcnow  # noqa: E402
from domains.notifications.delivery import render  # noqa: E402
from domains.notifications.push import FcmSender  # noqa: E402
from domains.notifications.repository import device_bucket  # noqa: E402

PROJECT = "xuthanh-bench"
SECRET = "bench-only-dev-token-secret-0123456789"
# How often the bench asks the FCM server how many messages it took (its answer says when).
STATS_POLL = 0.25


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def stats(url: str, reset: bool = False) -> dict[str, Any]:
    request = urllib.request.Request(f"{url}/_stats", method="POST" if reset else "GET")
    with urllib.request.urlopen(request, timeout=5) as response:
        result: dict[str, Any] = json.load(response)
        return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_report(pids: dict[str, int], before: dict[str, float]) -> dict[str, float]:
    return {name: round(cpu_seconds(pid) - before[name], 1) for name, pid in pids.items()}


def wait_for_count(
    url: str, total: int, label: str, start: float, timeout: float = 600
) -> tuple[float, float]:
    """When the first and the last message arrived (``time.monotonic()``, as the FCM server
    recorded them: the bench asks only every ``STATS_POLL`` seconds, so that its asking costs
    the cores next to nothing, and the times are exact anyway)."""
    deadline = time.monotonic() + timeout
    last = 0
    while True:
        result = stats(url)
        accepted = result["accepted"]
        if accepted // 1000 != last // 1000 or accepted >= total:
            at = time.monotonic() - start
            log(f"  {label}: {accepted}/{total} received by the FCM server at {at:.1f} s")
        last = accepted
        if accepted >= total:
            return float(result["first_at"]), float(result["last_at"])
        if time.monotonic() > deadline:
            raise SystemExit(f"{label}: only {accepted}/{total} arrived in {timeout:.0f}s")
        time.sleep(STATS_POLL)


def serve_fcm(port: int) -> None:
    from tests.support.fcm_server import FcmServer

    server = FcmServer(project_id=PROJECT, port=port).start()
    print(server.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()


async def bare_loop(fcm_url: str, tokens: list[str]) -> float:
    app = firebase_admin.initialize_app(
        StaticCredential(), options={"projectId": PROJECT}, name="bench-bare"
    )
    sender = FcmSender(app, endpoint=fcm_url)
    nid = ObjectId()
    notification: Any = {
        "title": {"vi": "Cảnh báo mưa lớn", "en": "Heavy rain warning"},
        "body": {"vi": "Hạn chế ra đường tối nay", "en": "Avoid travel tonight"},
        "category": "alert.weather",
        "data": {},
    }
    gc.freeze()  # as `xuthanh worker` does after start-up
    start = time.perf_counter()
    for index in range(0, len(tokens), 500):
        # Built per batch, as the worker does: the bare loop pays for rendering too.
        batch = [
            render(notification, {"n": nid, "token": t, "locale": "vi"})
            for t in tokens[index : index + 500]
        ]
        await sender.send(batch)
    elapsed = time.perf_counter() - start
    await sender.close()
    await asyncio.to_thread(firebase_admin.delete_app, app)
    return elapsed


def count_commands(proxy: Any) -> dict[str, int]:
    """The worker's commands per ``command collection`` (handshakes and pings left out)."""
    counts: Counter[str] = Counter(
        f"{command} {collection or ''}".strip()
        for command, collection in proxy.seen
        if command not in ("hello", "isMaster", "ismaster", "ping", "endSessions")
    )
    return dict(counts.most_common())


async def main(
    devices: int,
    *,
    counting: bool = False,
    legacy: bool = False,
    recheck_every_batch: bool = False,
) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import mongo_server

    port = mongo_server.free_port()
    mongo = mongo_server.start(port=port, storage=":memory:", log_path=Path("/tmp/bench-mongo.log"))
    fcm = subprocess.Popen([sys.executable, __file__, "--serve-fcm", "0"], stdout=subprocess.PIPE)
    worker: subprocess.Popen[bytes] | None = None
    proxy: Any = None
    try:
        assert fcm.stdout is not None
        fcm_url = f"http://127.0.0.1:{int(fcm.stdout.readline())}"
        uri = mongo_server.uri_for(port, retry_writes=False)
        settings = Settings(
            app_env="test",
            mongodb_uri=uri,
            mongodb_database="bench",
            firebase_project_id=PROJECT,
            dev_token_secret=SECRET,
            log_level="WARNING",
        )
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
        now = utcnow()
        tokens = [f"bench-token-{i:06d}-abcdefghijklmnopqrstuvwxyz" for i in range(devices)]
        log(f"==> Registering {devices} devices")
        docs = [
            {
                "_id": t,
                "userId": f"citizen-{i}",
                "platform": "android",
                "locale": "vi" if i % 3 else "en",
                "appVersion": "1.0",
                "createdAt": now,
                "lastSeenAt": now,
                **({} if legacy else {"bucket": device_bucket(t)}),
            }
            for i, t in enumerate(tokens)
        ]
        for index in range(0, len(docs), 1000):
            await client["bench"]["devices"].insert_many(docs[index : index + 1000])
        pids = {"secantusdb": mongo.pid, "fcm_server": fcm.pid, "bench": os.getpid()}
        log(f"==> Bare loop: send_each_async, {devices // 500} batches of 500")
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        bare = await bare_loop(fcm_url, tokens)
        bare_cpu = cpu_report(pids, before)
        assert stats(fcm_url, reset=True)["accepted"] >= devices
        bare_rate = devices / bare
        log(f"    {bare:.2f} s, {bare_rate:.0f} messages/s")

        log("==> Outbox path: sendNotification -> xuthanh worker -> FCM server")
        worker_uri = uri
        if counting:
            from tests.support.mongo_fault_proxy import MongoFaultProxy

            proxy = MongoFaultProxy("127.0.0.1", port, record=True).start()
            worker_uri = proxy.uri
        env = {
            **os.environ,
            "APP_ENV": "test",
            "MONGODB_URI": worker_uri,
            "MONGODB_DATABASE": "bench",
            "FIREBASE_PROJECT_ID": PROJECT,
            "FCM_ENDPOINT": fcm_url,
            "LOG_LEVEL": "WARNING",
            **({"NOTIFICATION_DEVICE_RECHECK_SECONDS": "0"} if recheck_every_batch else {}),
        }
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("xuthanh")), "worker"], env=env, cwd=ROOT
        )
        await asyncio.sleep(4)  # let the worker start and go idle
        if proxy is not None:
            proxy.seen.clear()
        pids["worker"] = worker.pid
        app = create_app(settings)
        admin = mint_dev_token(secret=SECRET, uid="bench-admin", roles=[Role.ADMIN])
        mutation = """mutation($input: SendNotificationInput!) {
          sendNotification(input: $input) { __typename ... on NotificationStatus { id } } }"""
        variables = {
            "input": {
                "audience": {"role": "CITIZEN"},
                "title": {"vi": "Cảnh báo mưa lớn", "en": "Heavy rain warning"},
                "body": {"vi": "Hạn chế ra đường tối nay", "en": "Avoid travel tonight"},
                "category": "alert.weather",
            }
        }
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                start = time.monotonic()
                response = await http.post(
                    "/graphql",
                    json={"query": mutation, "variables": variables},
                    headers={"Authorization": f"Bearer {admin}"},
                )
                accepted_at = time.monotonic()
                assert response.json()["data"]["sendNotification"]["__typename"] == (
                    "NotificationStatus"
                ), response.text
                first, end = await asyncio.to_thread(
                    wait_for_count, fcm_url, devices, "outbox", start
                )
                outbox_cpu = cpu_report(pids, before)
        if proxy is not None:
            await asyncio.sleep(2)  # the last batches' results are written after their sending
        outbox = end - start
        outbox_rate = devices / outbox
        result = stats(fcm_url)
        log(f"    {outbox:.2f} s, {outbox_rate:.0f} messages/s")
        print(
            json.dumps(
                {
                    "devices": devices,
                    "devices_stored": "without buckets (legacy)" if legacy else "in buckets",
                    "devices_rechecked": "every batch" if recheck_every_batch else "after 5 s",
                    "bare_loop_seconds": round(bare, 2),
                    "bare_loop_messages_per_second": round(bare_rate),
                    "outbox_seconds": round(outbox, 2),
                    "outbox_messages_per_second": round(outbox_rate),
                    "outbox_mutation_seconds": round(accepted_at - start, 2),
                    "outbox_first_message_seconds": round(first - start, 2),
                    "ratio": round(outbox_rate / bare_rate, 2),
                    "fcm_requests_outbox": result["attempts"],
                    "cpu_seconds_bare_loop": bare_cpu,
                    "cpu_seconds_outbox": outbox_cpu,
                    **({"worker_commands": count_commands(proxy)} if proxy is not None else {}),
                }
            )
        )
        await client.close()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(15)
        fcm.terminate()
        fcm.wait(10)
        if proxy is not None:
            proxy.stop()
        mongo_server.stop(mongo)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument(
        "--count-commands", action="store_true", help="count the worker's database commands"
    )
    parser.add_argument(
        "--legacy-devices",
        action="store_true",
        help="store the devices without a fan-out bucket (as registered before buckets)",
    )
    parser.add_argument(
        "--recheck-every-batch",
        action="store_true",
        help="the worker looks at each batch's devices again, as after a 5 s wait for the wire",
    )
    parser.add_argument("--serve-fcm", type=int, default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_fcm is not None:
        serve_fcm(arguments.serve_fcm)
    else:
        asyncio.run(
            main(
                arguments.devices,
                counting=arguments.count_commands,
                legacy=arguments.legacy_devices,
                recheck_every_batch=arguments.recheck_every_batch,
            )
        )
