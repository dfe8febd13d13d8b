"""The processes of the replica test: one database, API processes, workers, started by PID.

Everything binds 127.0.0.1 and is stopped by the PID it was started with. The APIs and workers
run `xuthanh serve` / `xuthanh worker` exactly as deployed, with APP_ENV=staging: every
production hardening, with a local FCM-protocol server and locally made sign-in certificates.
"""

import importlib.util
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from domains.kernel.crypto import new_key_text

ROOT = Path(__file__).resolve().parents[2]
XUTHANH = str(Path(sys.executable).with_name("xuthanh"))
DATABASE = "xuthanh_cluster"
FIELD_KEYS = new_key_text("cluster1")  # reasons for visit and BHYT numbers, encrypted at rest
METRICS_TOKEN = "cluster-test-metrics-token-0123456789"  # production shows /metrics only so
# Development switches a shell may carry (staging would refuse them), and the chat secret, which
# only the APIs are given.
UNSET = (
    "DEV_TOKEN_SECRET",
    "DEV_TOKENS_ENABLED",
    "FIREBASE_AUTH_EMULATOR_HOST",
    "FIREBASE_CREDENTIALS_FILE",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "FIREBASE_USE_METADATA_CREDENTIALS",
    "CHAT_SESSION_SECRET",
)


def _mongo_server() -> Any:
    spec = importlib.util.spec_from_file_location("mongo_server", ROOT / "scripts/mongo_server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MONGO = _mongo_server()


def wait_until(condition: Any, seconds: float, what: str, poll: float = 0.1) -> None:
    """Wait on a condition, with a generous guard that only fails a hung run."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")
        time.sleep(poll)


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    return process.returncode


@dataclass
class Database:
    """SecantusDB on a persistent data directory, so it can be stopped and started again; or,
    with CLUSTER_MONGODB_URI, a MongoDB replica set someone else runs (never stopped here)."""

    storage: Path
    log: Path
    port: int = field(default_factory=lambda: MONGO.free_port())
    process: subprocess.Popen[bytes] | None = None
    external: str | None = field(default_factory=lambda: os.environ.get("CLUSTER_MONGODB_URI"))

    @property
    def uri(self) -> str:
        return self.external or str(MONGO.uri_for(self.port))

    def start(self) -> None:
        if self.external:
            return
        self.storage.mkdir(parents=True, exist_ok=True)
        # The port may linger a moment after a kill: wait until it is free, then start.
        wait_until(lambda: not MONGO.port_in_use(self.port), 60, "the database port to be free")
        self.process = MONGO.start(
            port=self.port, storage=str(self.storage), log_path=self.log, test_commands=True
        )

    def kill(self) -> None:
        assert self.process is not None
        stop_process(self.process, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None and not self.external:
            MONGO.stop(self.process)


@dataclass
class Service:
    """One `xuthanh` process (serve or worker) with its environment and log."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [XUTHANH, *self.argv],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        if not self.alive():
            raise AssertionError(f"{self.name} exited:\n{self.tail()}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def readyz(self) -> int:
        return httpx.get(f"{self.url}/readyz", timeout=10).status_code

    def metric(self, name: str, **labels: str) -> float:
        """A counter from this process's /metrics (0 when it was never incremented)."""
        headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        response = httpx.get(f"{self.url}/metrics", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        text = response.text
        wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith(f"{name}{{"):
                series, value = line.rsplit(" ", 1)
                found = ",".join(sorted(series[len(name) + 1 : -1].split(",")))
                if found == wanted:
                    return float(value)
        return 0.0

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        return stop_process(self.process, sig)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def environment(db: Database, *, fcm_url: str, cert_url: str, project: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env.update(
        APP_ENV="staging",
        MONGODB_URI=db.uri,
        MONGODB_DATABASE=DATABASE,
        MONGODB_TIMEOUT_MS="3000",
        FIREBASE_PROJECT_ID=project,
        FIREBASE_CERT_URL=cert_url,
        FCM_ENDPOINT=fcm_url,
        FIELD_ENCRYPTION_KEYS=FIELD_KEYS,
        LOG_LEVEL="WARNING",
    )
    return env


def api(index: int, env: dict[str, str], logs: Path) -> Service:
    port = MONGO.free_port()
    return Service(
        name=f"api-{index}",
        argv=["serve", "--port", str(port)],
        env={
            **env,
            "CHAT_SESSION_SECRET": "cluster-test-chat-secret-0123456789abcdef",
            "METRICS_TOKEN": METRICS_TOKEN,
            # No assistant in this test: chat answers degraded, quickly.
            "RASA_URL": f"http://127.0.0.1:{MONGO.free_port()}",
            "CHAT_TIMEOUT_SECONDS": "1",
        },
        log=logs / f"api-{index}.log",
        port=port,
    )


def worker(index: int, env: dict[str, str], logs: Path) -> Service:
    # INFO: each worker logs its batches ("push batch done", with its name and count).
    # No CHAT_SESSION_SECRET: the worker does not need it, even in staging.
    return Service(
        name=f"worker-{index}",
        argv=["worker"],
        env={**env, "LOG_LEVEL": "INFO", "NOTIFICATION_LEASE_SECONDS": "30"},
        log=logs / f"worker-{index}.log",
    )
