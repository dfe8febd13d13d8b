"""Soak: mixed traffic at a steady rate for minutes, recording errors and each process's memory.

Starts SecantusDB (on disk), the API (`xuthanh serve`), one `xuthanh worker` pushing to the local
FCM v1 server, and the assistant: with `--assistant rasa`, the real Rasa server and action server
(bots/scripts/serve.sh, the model of the current training data; their memory is sampled too);
by default a stand-in answering Rasa's REST protocol at once (no bots/.venv needed). Loads the
demo data, a test facility with slots, patients and 2,000 signed-in devices.

Traffic, open loop (a request starts every 1/rate s whatever the answers do), by share:
browse 40% (procedures page, attractions page), search 30% (procedures search), book and cancel
10% (a patient books a place with an idempotency key, then cancels it), chat 20% (anonymous
sessions); and a broadcast to every signed-in citizen every `--broadcast-every` seconds.

The run is a warm-up (`--warmup-minutes`, default 10: traffic runs, growth is not counted; the
database's cache and its capped oplog fill) then the measured window (`--minutes`, default 10).
Reported: the window's requests, errors and p50/p95 per kind (the whole run's totals in
`whole_run`; what counts as an error: bench/soak_measure.py); exit status 1 on any error or
missing push; every process's RSS every 15 s with its growth in MB per minute over the window
(least squares), each process's CPU between marks taken as the traffic crosses the window's
edges; SecantusDB's dbStats of the soak's database (our data's growth, told from the server's)
and, from inside it (bench/soak_probe.py), the WiredTiger handles it leaks and what its memory
is made of (WiredTiger's cache by table, glibc's malloc, the Python heap, threads:
`secantusdb_memory`); its clients use `retryWrites=false`.

Run: .venv/bin/python -m bench.soak [--minutes 10] [--warmup-minutes 10] [--rate 20]
     [--assistant rasa] [--trace-python]   (or `make soak`)
"""

# A benchmark script: asserts, a throwaway dev secret, loopback URLs and blocking process
# control are intended here.
# ruff: noqa: S101, S105, ASYNC221

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from api.auth import mint_dev_token
from bench import soak_probe
from bench.harness import ROOT, Stack, mongo_server
from bench.soak_measure import EXPECTED_REFUSALS, Recorder, Tally, counted, failures
from domains.health.repositories import HospitalRepository
from domains.health.seed import hospital_document
from domains.kernel.auth import Role
from domains.kernel.clock import utcnow
from domains.notifications.repository import device_bucket
from tests.domains.chatbot.stack import bot_environment_ready, current_model
from tests.domains.health.support import PUBLISH, future_day, raw_hospital
from tests.support.fcm_server import PROJECT_ID, FcmServer

SECRET = "bench-only-secret-0123456789abcdef"  # Stack's DEV_TOKEN_SECRET
HOSPITAL = "bv-soak"
# SecantusDB's cache for the soak (the tests' and `make run`'s is 256 MB): its memory grows with
# the data it reads and writes until the cache is full, which 256 MB is not within 10 minutes.
SOAK_DATABASE_CACHE = "32M"
# Its oplog capped, as production's is (a fixed oplogSizeMB): by default SecantusDB keeps 1 hour
# or 100,000 entries, still filling after any soak we run; the soak writes ~1,500 a minute, so
# 10,000 fill within a 10-minute warm-up. The oplog is the server's, not our data (dbStats).
SOAK_OPLOG_ENTRIES = 10_000
PROBE = ROOT / "var" / "soak" / "secantusdb-handles.jsonl"  # bench/soak_probe.py writes it

BROWSE = "query($first: Int) { procedures(first: $first) { nodes { code name } } }"
ATTRACTIONS = "query { attractions(first: 20) { nodes { id name } } }"
SEARCH = "query($q: String) { procedures(search: $q, first: 10) { nodes { code name } } }"
TERMS = ["hộ chiếu", "khai sinh", "đăng ký kết hôn", "giấy phép lái xe", "cư trú", "đất đai"]
SLOTS = """query($h: String, $first: Int) { availableSlots(hospitalId: $h, first: $first) {
  nodes { id remaining } } }"""
PROFILE = """mutation($input: PatientProfileInput!) { createPatientProfile(input: $input) {
  __typename ... on PatientProfile { id } } }"""
BOOK = """mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {
  __typename ... on Appointment { id } ... on UserError { code } } }"""
CANCEL = """mutation($id: ID!) { cancelAppointment(id: $id) {
  __typename ... on UserError { code } } }"""
CHAT = """mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) {
  __typename ... on ChatReply { sessionId degraded } } }"""
BROADCAST = """mutation($input: SendNotificationInput!) { sendNotification(input: $input) {
  __typename } }"""


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class RasaStandIn:
    """Answers like Rasa's REST channel, at once."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                data = json.dumps([{"recipient_id": body["sender"], "text": "Xin chào"}]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Traffic:
    def __init__(self, url: str, tally: Tally, patients: list[tuple[str, str]]) -> None:
        self.url = url
        self.tally = tally
        self.patients = patients
        self.http = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64))

    async def call(
        self, kind: str, query: str, variables: dict[str, Any], token: str | None = None
    ) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        try:
            response = await self.http.post(
                self.url, json={"query": query, "variables": variables}, headers=headers
            )
        except httpx.HTTPError as error:
            self.tally.error(kind, repr(error))
            return None
        self.tally.latency(kind, (time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            self.tally.error(kind, f"HTTP {response.status_code} {response.text}")
            return None
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            self.tally.error(kind, f"not JSON: {response.text}")
            return None
        if body.get("errors"):
            self.tally.error(kind, json.dumps(body["errors"], ensure_ascii=False))
            return None
        return body

    async def browse(self) -> None:
        if random.random() < 0.5:
            await self.call("browse", BROWSE, {"first": 20})
        else:
            await self.call("browse", ATTRACTIONS, {})

    async def search(self) -> None:
        await self.call("search", SEARCH, {"q": random.choice(TERMS)})

    async def book_and_cancel(self, slots: list[str]) -> None:
        token, patient = random.choice(self.patients)
        variables = {
            "input": {
                "slotId": random.choice(slots),
                "patientProfileId": patient,
                "idempotencyKey": uuid.uuid4().hex,
            }
        }
        body = await self.call("book", BOOK, variables, token)
        result = body["data"]["bookAppointment"] if body else None
        if result is None:
            return
        if result["__typename"] != "Appointment":
            # Expected refusals (limits the traffic reaches) are answers, counted apart.
            code = result.get("code")
            if code not in EXPECTED_REFUSALS:
                self.tally.error("book", f"refused {result['__typename']} {code}")
                return
            self.tally.latency(f"book refused {code}", 0.0)
            return
        body = await self.call("cancel", CANCEL, {"id": result["id"]}, token)
        if body and body["data"]["cancelAppointment"]["__typename"] != "Appointment":
            self.tally.error("cancel", json.dumps(body["data"]))

    async def chat(self) -> None:
        text = random.choice(["xin chào", "lệ phí làm hộ chiếu", "giờ làm việc"])
        body = await self.call("chat", CHAT, {"input": {"text": text, "lang": "VI"}})
        reply = body["data"]["sendChatMessage"] if body else None
        if reply is not None and reply["__typename"] != "ChatReply":
            self.tally.error("chat", f"answered {reply['__typename']}")  # rate limit, refusal
        elif reply is not None and reply.get("degraded"):
            self.tally.error("chat", "degraded reply")

    async def broadcast(self, variables: dict[str, Any], token: str) -> None:
        body = await self.call("broadcast", BROADCAST, variables, token)
        result = body["data"]["sendNotification"] if body else None
        if result is not None and result["__typename"] != "NotificationStatus":
            self.tally.error("broadcast", f"answered {result['__typename']}")


async def prepare(stack: Stack, devices: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Demo data, a facility with slots, 50 patients with profiles, signed-in devices."""
    log("==> Seeding the demo data")
    subprocess.run(
        [str(ROOT / ".venv/bin/xuthanh"), "seed"],
        env=stack.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri, tz_aware=True)
    db = client[stack.database]
    await HospitalRepository(db).upsert(
        hospital_document(raw_hospital(HOSPITAL, maxActiveBookings=5))
    )
    now = utcnow()
    await db["devices"].insert_many(
        [
            {
                "_id": (token := f"soak-device-{i:05d}-abcdefghijklmnopqrstuvwxyz"),
                "bucket": device_bucket(token),  # as registration stores it
                "userId": f"soak-citizen-{i}",
                "platform": "android",
                "locale": "vi",
                "appVersion": "1.0",
                "createdAt": now,
                "lastSeenAt": now,
            }
            for i in range(devices)
        ]
    )
    await client.close()
    staff = mint_dev_token(
        secret=SECRET, uid="soak-staff", roles=[Role.HOSPITAL_STAFF], hospital_ids=[HOSPITAL]
    )
    async with httpx.AsyncClient(timeout=60) as http:

        async def gql(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
            response = await http.post(
                stack.graphql_url,
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body
            return body

        day = future_day()
        publish = {
            "hospitalId": HOSPITAL,
            "departmentId": "noi",
            "fromDate": day.isoformat(),
            "toDate": day.isoformat(),
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "periods": [{"start": "07:00", "end": "11:00"}],
            "slotMinutes": 30,
            "capacity": 500,
            "fee": 50600,
            "bhytCovered": 40480,
        }
        await gql(PUBLISH, {"input": publish}, staff)
        body = await gql(SLOTS, {"h": HOSPITAL, "first": 50}, staff)
        slots = [node["id"] for node in body["data"]["availableSlots"]["nodes"]]
        patients = []
        for n in range(50):
            token = mint_dev_token(secret=SECRET, uid=f"soak-patient-{n}")
            profile = {
                "fullName": "Nguyễn Văn A",
                "dateOfBirth": "1980-05-17",
                "phone": "0912345678",
                "consent": {"policyVersion": "2026-01", "given": True},
            }
            body = await gql(PROFILE, {"input": profile}, token)
            patients.append((token, body["data"]["createPatientProfile"]["id"]))
    return slots, patients


class RealAssistant:
    """The Rasa server and the action server of bots/, on ports chosen before the API starts
    (the API is told where Rasa is; the actions are told where the API is once it runs)."""

    def __init__(self) -> None:
        model = current_model()
        if not bot_environment_ready() or model is None:
            raise SystemExit(
                "--assistant rasa needs bots/.venv and a trained model: run "
                "bots/scripts/setup_venv.sh, then bots/.venv/bin/python bots/scripts/train.py."
            )
        self.model = model
        self.rasa_port = mongo_server.free_port()
        self.action_port = mongo_server.free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.pids: dict[str, int] = {}

    def start(self, stack: Stack) -> None:
        env = {
            "ACTION_PORT": str(self.action_port),
            "RASA_PORT": str(self.rasa_port),
            "RASA_MODEL": self.model,
            "XUTHANH_API_URL": stack.graphql_url,
            "RASA_TRACKER_COLLECTION": "rasa_conversations",
        }
        serve = str(ROOT / "bots" / "scripts" / "serve.sh")
        processes = {}
        for name in ("actions", "rasa"):
            process = stack._spawn([serve, name], f"{name}.log", env=env, cwd=ROOT / "bots")
            self.pids[name] = process.pid
            processes[name] = process
        log("==> Waiting for the action server and Rasa (a minute or two) ...")
        deadline = time.monotonic() + 600
        probe = {"sender": "soak-readiness", "message": "/greet"}
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                for name, process in processes.items():
                    if process.poll() is not None:
                        raise SystemExit(
                            f"the {name} server exited with {process.returncode}: see "
                            f"{stack.workdir}/{name}.log (BENCH_KEEP=1 keeps it)."
                        )
                try:
                    client.get(f"http://127.0.0.1:{self.action_port}/health").raise_for_status()
                    reply = client.post(f"{self.url}/webhooks/rest/webhook", json=probe)
                    if reply.status_code == 200 and reply.json():
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(1)
        raise SystemExit(
            f"Rasa not ready after 10 min: see {stack.workdir}/rasa.log (BENCH_KEEP=1)."
        )


async def soak(
    stack: Stack, fcm: FcmServer, arguments: argparse.Namespace, assistant: RealAssistant | None
) -> dict[str, Any]:
    slots, patients = await prepare(stack, arguments.devices)
    worker = stack._spawn([str(ROOT / ".venv/bin/xuthanh"), "worker"], "worker.log")
    tally = Tally()
    traffic = Traffic(stack.graphql_url, tally, patients)
    admin = mint_dev_token(secret=SECRET, uid="soak-admin", roles=[Role.ADMIN])
    assert stack.mongo is not None
    pids = {"api": stack.api.pid, "worker": worker.pid, "secantusdb": stack.mongo.pid}
    if assistant is not None:
        pids.update(assistant.pids)
    warm_up = arguments.warmup_minutes * 60
    window = low, hi = (warm_up, warm_up + arguments.minutes * 60)
    recorder = Recorder(pids, stack.mongo_uri, stack.database, window)
    load_at_start = os.getloadavg()
    start, start_wall = time.monotonic(), time.time()
    tally.measured_from, opened = start + warm_up, False
    stop = asyncio.Event()
    sampler = asyncio.create_task(recorder.run(start, stop))
    tasks: set[asyncio.Task[None]] = set()
    broadcasts = 0
    next_broadcast = start + 30
    end = start + window[1]
    log(
        f"==> {arguments.warmup_minutes} min warm-up, then {arguments.minutes} min measured, "
        f"at {arguments.rate} requests/s"
    )
    ticks = 0
    while (now := time.monotonic()) < end:
        if not opened and now >= start + warm_up:
            recorder.mark("start")  # CPU and operations from now
            if arguments.trace_python:
                soak_probe.trace_marker(PROBE).touch()
            opened = True
        if now >= next_broadcast:
            broadcasts += 1
            variables = {
                "input": {
                    "audience": {"role": "CITIZEN"},
                    "title": {"vi": "Thông báo thử", "en": "Test notice"},
                    "body": {"vi": "Nội dung", "en": "Body"},
                    "category": "alert.weather",
                }
            }
            broadcast = asyncio.create_task(
                counted(tally, "broadcast", traffic.broadcast(variables, admin))
            )
            tasks.add(broadcast)
            broadcast.add_done_callback(tasks.discard)
            next_broadcast += arguments.broadcast_every
        roll = random.random()
        if roll < 0.4:
            kind, work = "browse", traffic.browse()
        elif roll < 0.7:
            kind, work = "search", traffic.search()
        elif roll < 0.8:
            kind, work = "book", traffic.book_and_cancel(slots)
        else:
            kind, work = "chat", traffic.chat()
        task = asyncio.create_task(counted(tally, kind, work))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        ticks += 1
        if ticks % (arguments.rate * 60) == 0:
            minute = ticks // (arguments.rate * 60)
            log(f"  minute {minute}: errors {dict(tally.errors)}, in flight {len(tasks)}")
        await asyncio.sleep(max(0.0, start + ticks / arguments.rate - time.monotonic()))
    # The window ends here, before in-flight requests drain and pushes are awaited.
    recorder.mark("end")
    await asyncio.gather(*tasks, return_exceptions=True)
    # Every broadcast reaches every device once before the end is reported.
    expected = broadcasts * arguments.devices
    for _ in range(600):
        if len(fcm.accepted) >= expected:
            break
        await asyncio.sleep(0.5)
    stop.set()
    recorder.wake()
    await sampler
    await traffic.http.aclose()
    elapsed = time.monotonic() - start
    kinds = tally.window_by_kind()  # the whole run's totals: whole_run
    return {
        "assistant": "rasa" if assistant is not None else "stand-in",
        "minutes": round(elapsed / 60, 1),
        "warmup_minutes": arguments.warmup_minutes,
        "measured_minutes": arguments.minutes,
        "load_average_at_start_and_end": [load_at_start, os.getloadavg()],
        "rate_per_second": arguments.rate,
        "database_cache": arguments.database_cache,
        "requests": sum(len(v) for v in tally.window_latencies.values()),
        "errors": sum(tally.window_errors.values()),
        "by_kind": kinds,
        "whole_run": {
            "requests": sum(len(v) for v in tally.latencies.values()),
            "errors": sum(tally.errors.values()),
            "errors_by_kind": dict(tally.errors),
        },
        "refusals": {k: len(v) for k, v in tally.latencies.items() if k.startswith("book refused")},
        "broadcasts": broadcasts,
        "pushes_expected": expected,
        "pushes_accepted": len(fcm.accepted),
        "pushes_twice": sum(1 for count in fcm.accepted_tokens().values() if count > broadcasts),
        "error_samples": tally.samples,
        **recorder.report(),
        "oplog_max_entries": arguments.oplog_max_entries,
        "secantusdb_leaked_handles": soak_probe.report(PROBE, (start_wall + low, start_wall + hi)),
        "secantusdb_memory": soak_probe.memory_report(PROBE, (start_wall + low, start_wall + hi)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10, help="the measured window")
    parser.add_argument(
        "--warmup-minutes",
        type=float,
        default=10,
        help="traffic before the measured window, its growth not counted (caches fill)",
    )
    parser.add_argument("--rate", type=int, default=20, help="requests per second")
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--broadcast-every", type=float, default=120)
    parser.add_argument(
        "--assistant",
        choices=("stand-in", "rasa"),
        default="stand-in",
        help="the real Rasa and action servers, or a stand-in answering at once",
    )
    parser.add_argument(
        "--database-cache",
        default=SOAK_DATABASE_CACHE,
        help="SecantusDB's WiredTiger cache (its memory grows with the data until it is full)",
    )
    parser.add_argument("--oplog-max-entries", type=int, default=SOAK_OPLOG_ENTRIES)
    parser.add_argument(
        "--trace-python",
        action="store_true",
        help="trace SecantusDB's Python allocations in the window (tracemalloc; at 6/s on a"
        " loaded 2-core machine the server fell behind within 2 minutes: a short run only)",
    )
    arguments = parser.parse_args()
    PROBE.parent.mkdir(parents=True, exist_ok=True)
    PROBE.unlink(missing_ok=True)
    soak_probe.trace_marker(PROBE).unlink(missing_ok=True)
    assistant = RealAssistant() if arguments.assistant == "rasa" else None
    rasa = RasaStandIn()
    with FcmServer() as fcm:
        env = {
            "RASA_URL": assistant.url if assistant is not None else rasa.url,
            "CHAT_SESSION_SECRET": "soak-chat-secret-0123456789abcdef",
            "CHAT_MESSAGES_PER_MINUTE_IP": "10000",
            "FCM_ENDPOINT": fcm.url,
            "FIREBASE_PROJECT_ID": PROJECT_ID,
        }
        with Stack(
            env=env,
            database="soak",
            database_cache=arguments.database_cache,
            database_options={
                "oplog_max_entries": arguments.oplog_max_entries,
                "launcher": soak_probe.launcher(PROBE),
            },
        ) as stack:
            if assistant is not None:
                assistant.start(stack)
            result = asyncio.run(soak(stack, fcm, arguments, assistant))
    rasa.server.shutdown()
    out = ROOT / "var" / "soak"
    out.mkdir(parents=True, exist_ok=True)
    (out / "last.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    problems = failures(result)
    if problems:
        log("==> FAILED: " + "; ".join(problems))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
