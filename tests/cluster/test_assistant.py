"""Two Rasa servers sharing a Redis lock store and one tracker store: a conversation whose
messages alternate between them keeps its context.

The processes, all on 127.0.0.1 and stopped by PID: Redis (Debian's redis-server, on a free
port, no persistence), one API (seeded, as in the end-to-end chat tests), one action server and
two `bots/scripts/serve.sh rasa` on their own ports with the same tracker store (the MongoDB
collection bots/endpoints.yml names) and `lock_store: type: redis`, as
deploy/k8s/base/assistant/endpoints.yml configures a cluster. The conversation is sent to the
two servers' REST webhooks directly, with one sender id, alternating: what the API's relay sends
when a balancer in front of Rasa spreads one conversation's messages.
"""

import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from tests.cluster.cluster import ROOT, stop_process, wait_until
from tests.domains.chatbot.stack import (
    BOTS,
    AssistantStack,
    bot_environment_ready,
    current_model,
    free_port,
)

# Guards only: each Rasa server takes tens of seconds (minutes on a loaded machine) to load.
STARTUP = 900.0
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
NO_DISK = ("--save", "", "--appendonly", "no")  # locks only, as deploy/k8s/base/redis.yaml


def endpoints_with_lock_store(path: Path, redis_port: int) -> Path:
    """bots/endpoints.yml (action server, tracker store) plus the cluster's Redis lock store."""
    text = (BOTS / "endpoints.yml").read_text("utf-8")
    text += (
        "\n# tests/cluster: deploy/k8s/base/assistant/endpoints.yml's lock store, on loopback.\n"
        f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {redis_port}\n"
        "  db: 1\n  key_prefix: xuthanhcluster\n"
    )
    path.write_text(text, "utf-8")
    return path


def redis_cli(port: int, *args: str) -> str:
    result = subprocess.run(
        [REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return result.stdout


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


class TwoRasaServers(AssistantStack):
    """The end-to-end chat stack with a second Rasa server and a Redis lock store."""

    def __init__(self, *, mongo_uri: str, database: str, logs: Path) -> None:
        super().__init__(mongo_uri=mongo_uri, database=database, logs=logs)
        self.redis_port = free_port()
        self.rasa_ports = [self.rasa_port, free_port()]
        self.redis: subprocess.Popen[bytes] | None = None

    def webhook(self, server: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[server]}/webhooks/rest/webhook"

    def start_redis(self) -> None:
        with (self.logs / "redis.log").open("ab") as log:
            self.redis = subprocess.Popen(
                [REDIS, *("--bind", "127.0.0.1", "--port", str(self.redis_port)), *NO_DISK],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        redis = self.redis

        def pong() -> bool:
            assert redis.poll() is None, self.tail("redis")
            return redis_cli(self.redis_port, "ping").strip() == "PONG"

        wait_until(pong, 60, "Redis to answer PING", poll=0.2)

    def start_all(self, model: str) -> None:
        """Redis, the API, the action server and both Rasa servers (loading in parallel)."""
        self.start_redis()
        endpoints = endpoints_with_lock_store(self.logs / "endpoints.yml", self.redis_port)
        seed = subprocess.run(
            [str(ROOT / ".venv/bin/xuthanh"), "seed"],
            env=self._env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert seed.returncode == 0, seed.stderr[-3000:]
        self._start(
            "api", [str(ROOT / ".venv/bin/xuthanh"), "serve", "--port", str(self.api_port)], ROOT
        )
        serve = str(BOTS / "scripts" / "serve.sh")
        self._start("actions", [serve, "actions"], BOTS)
        for index, port in enumerate(self.rasa_ports, start=1):
            self._start(
                f"rasa-{index}",
                [serve, "rasa"],
                BOTS,
                RASA_MODEL=model,
                RASA_PORT=str(port),
                RASA_ENDPOINTS=str(endpoints),
            )
        api = f"http://127.0.0.1:{self.api_port}/healthz"
        self._wait("api", lambda: answers(api), 120)
        actions = f"http://127.0.0.1:{self.action_port}/health"
        self._wait("actions", lambda: answers(actions), STARTUP)
        for index in (1, 2):
            self._wait(f"rasa-{index}", self._status(index - 1), STARTUP)

    def _status(self, server: int) -> Any:
        """Rasa's status: the root answers once the server listens, which is after the model
        loaded; a probe through the webhook then proves it answers conversations."""
        url = f"http://127.0.0.1:{self.rasa_ports[server]}/"
        probe = {"sender": f"readiness-{server}", "message": "/greet"}

        def ready() -> bool:
            if not answers(url):
                return False
            try:
                return bool(httpx.post(self.webhook(server), json=probe, timeout=60).json())
            except httpx.HTTPError:
                return False

        return ready

    def stop_all(self) -> None:
        self.stop()
        if self.redis is not None:
            stop_process(self.redis)


@pytest.fixture(scope="module")
def rasa_pair(mongo_uri: str) -> Iterator[TwoRasaServers]:
    if not bot_environment_ready():
        pytest.fail("bots/.venv is missing: run bots/scripts/setup_venv.sh (make test builds it)")
    model = current_model()
    if model is None:
        pytest.fail("no model for the current training data: make test trains it first")
    if not os.path.exists(REDIS):
        pytest.fail("redis-server is missing: scripts/test_cluster.sh installs Debian's")
    logs = ROOT / "var" / "cluster-test" / "assistant"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    database = f"t_cluster_chat_{uuid.uuid4().hex[:8]}"
    servers = TwoRasaServers(mongo_uri=mongo_uri, database=database, logs=logs)
    try:
        servers.start_all(model)
        yield servers
    finally:
        servers.stop_all()
        with MongoClient(mongo_uri) as client:
            client.drop_database(database)


def say(servers: TwoRasaServers, server: int, sender: str, text: str) -> str:
    response = httpx.post(
        servers.webhook(server), json={"sender": sender, "message": text}, timeout=120
    )
    assert response.status_code == 200, response.text
    return "\n".join(message.get("text", "") for message in response.json())


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def test_a_conversation_alternating_between_two_rasa_servers_keeps_its_record(
    rasa_pair: TwoRasaServers,
) -> None:
    with MongoClient(rasa_pair.mongo_uri) as client:
        record = client[rasa_pair.database]["procedures"].find_one({"code": "1.001456"})
    assert record is not None, "demo data should hold 1.001456 (passport)"
    sender = uuid.uuid4().hex  # the API sends a hash of the session, never a user id
    first = say(rasa_pair, 0, sender, "làm hộ chiếu mất bao lâu")
    assert "1.001456" in first, first
    # A follow-up naming no record, through the other server: answered about the same one (the
    # `record` slot, read from the shared tracker store under the shared lock).
    follow_up = say(rasa_pair, 1, sender, "còn lệ phí thì sao")
    assert "1.001456" in follow_up, follow_up + rasa_pair.tail("rasa-2")
    assert vnd(record["fees"][0]["amountVnd"]) in follow_up
    # And back to the first server, which did not see the follow-up: still the same record.
    again = say(rasa_pair, 0, sender, "còn giấy tờ thì sao")
    assert "1.001456" in again, again + rasa_pair.tail("rasa-1")
    # Both servers took the conversation's lock in Redis (the in-memory default would not).
    stats = redis_cli(rasa_pair.redis_port, "info", "commandstats")
    assert "cmdstat_set:" in stats or "cmdstat_setex:" in stats, stats
    with MongoClient(rasa_pair.mongo_uri) as client:
        trackers = client[rasa_pair.database]["rasa_conversations"]
        assert trackers.count_documents({"sender_id": sender}) == 1


def test_two_messages_of_one_conversation_racing_on_two_servers_are_both_kept_in_order(
    rasa_pair: TwoRasaServers,
) -> None:
    """Both servers get a message of the same conversation at the same moment: the Redis lock
    lets one handle its turn while the other waits, so both are answered and the tracker holds
    both turns whole, one after the other (without the lock, each server would read the tracker
    without the other's turn and one turn would be lost or interleaved)."""
    sender = uuid.uuid4().hex
    questions = ["làm hộ chiếu mất bao lâu", "đăng ký khai sinh cần giấy tờ gì"]
    start = threading.Barrier(2)

    def ask(server: int) -> str:
        start.wait(30)
        return say(rasa_pair, server, sender, questions[server])

    with ThreadPoolExecutor(2) as pool:
        answers_ = list(pool.map(ask, (0, 1)))
    assert all(answers_), answers_
    assert "1.001456" in answers_[0], answers_[0]
    with MongoClient(rasa_pair.mongo_uri) as client:
        trackers = client[rasa_pair.database]["rasa_conversations"]
        stored = trackers.find_one({"sender_id": sender})
    assert stored is not None
    events = stored["events"]
    said = [e.get("text") for e in events if e["event"] == "user"]
    assert sorted(said) == sorted(questions), said  # both turns, each once
    first, second = [i for i, e in enumerate(events) if e["event"] == "user"]
    between = events[first + 1 : second]
    # The first turn is whole before the second begins: answered, then listening again.
    assert any(e["event"] == "bot" for e in between), between
    assert between[-1]["event"] == "action" and between[-1]["name"] == "action_listen", between
    assert any(e["event"] == "bot" for e in events[second + 1 :])
