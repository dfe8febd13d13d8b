"""The whole chat path as real processes: API (uvicorn), Rasa server, action server.

Used by the end-to-end tests and by bench/chatbot.py. Every process binds to 127.0.0.1 and is
stopped by its PID.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

from pymongo import MongoClient

ROOT = Path(__file__).resolve().parents[3]
BOTS = ROOT / "bots"
BOT_PYTHON = BOTS / ".venv" / "bin" / "python"
API_CLI = ROOT / ".venv" / "bin" / "xuthanh"
TRACKER_COLLECTION = "rasa_conversations"
CHAT_SECRET = "e2e-chat-secret-0123456789abcdef"
DEV_SECRET = "e2e-dev-token-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bot_environment_ready() -> bool:
    return BOT_PYTHON.exists() and (BOTS / ".venv" / "bin" / "rasa").exists()


def _post_json(url: str, body: dict[str, Any], timeout: float = 5.0) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback URL built here
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read())


def current_model() -> str | None:
    """The model for the current training data, or None when it has not been trained."""
    result = subprocess.run(
        [str(BOT_PYTHON), str(BOTS / "scripts" / "train.py"), "--print-path", "--no-train"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    return result.stdout.strip().splitlines()[-1]


class AssistantStack:
    def __init__(self, *, mongo_uri: str, database: str, logs: Path) -> None:
        self.mongo_uri = mongo_uri
        self.database = database
        self.logs = logs
        self.api_port = free_port()
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.processes: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = []
        self.mongo_pid: int | None = None  # set by whoever started the database (benchmarks)

    @property
    def graphql_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}/graphql"

    def _env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            MONGODB_URI=self.mongo_uri,
            MONGODB_DATABASE=self.database,
            APP_ENV="test",
            DEV_TOKEN_SECRET=DEV_SECRET,
            LOG_LEVEL="WARNING",
            RASA_URL=f"http://127.0.0.1:{self.rasa_port}",
            CHAT_SESSION_SECRET=CHAT_SECRET,
            CHAT_TIMEOUT_SECONDS="30",
            # Generous: CI machines are busy while Rasa, the API and SecantusDB share 2 cores.
            XUTHANH_API_TIMEOUT_SECONDS="20",
            CHAT_MESSAGES_PER_MINUTE_USER="1000",
            CHAT_MESSAGES_PER_MINUTE_IP="10000",
            XUTHANH_API_URL=self.graphql_url,
            ACTION_PORT=str(self.action_port),
            RASA_PORT=str(self.rasa_port),
            RASA_TRACKER_COLLECTION=TRACKER_COLLECTION,
        )
        env.pop("FIREBASE_AUTH_EMULATOR_HOST", None)
        env.update(extra)
        return env

    def _start(
        self, name: str, command: list[str], cwd: Path, **env: str
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command, cwd=cwd, env=self._env(**env), stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append((name, process, log))
        return process

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait(self, name: str, ready: Any, timeout: float) -> None:
        process = next(p for n, p, _ in self.processes if n == name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{self.tail(name)}")
            try:
                if ready():
                    return
            except (OSError, urllib.error.URLError, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} not ready after {timeout:.0f} s:\n{self.tail(name)}")

    def start(self, model: str) -> None:
        seed = subprocess.run(
            [str(API_CLI), "seed"], env=self._env(), capture_output=True, text=True, check=False
        )
        if seed.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{seed.stderr[-3000:]}")
        with MongoClient(self.mongo_uri) as client:
            if client[self.database]["procedures"].count_documents({}) == 0:
                raise RuntimeError(f"seeding wrote no procedures:\n{seed.stderr[-3000:]}")
        self._start("api", [str(API_CLI), "serve", "--port", str(self.api_port)], ROOT)
        serve = str(BOTS / "scripts" / "serve.sh")
        self._start("actions", [serve, "actions"], BOTS)
        self._start("rasa", [serve, "rasa"], BOTS, RASA_MODEL=model)
        health = f"http://127.0.0.1:{self.api_port}/healthz"
        self._wait("api", lambda: urllib.request.urlopen(health, timeout=2).status == 200, 60)
        actions = f"http://127.0.0.1:{self.action_port}/health"
        self._wait("actions", lambda: urllib.request.urlopen(actions, timeout=2).status == 200, 300)
        webhook = f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"
        self._wait(
            "rasa",
            lambda: bool(_post_json(webhook, {"sender": "readiness-probe", "message": "/greet"})),
            600,
        )

    def stop(self) -> None:
        for _, process, _ in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for _, process, log in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        self.processes.clear()


if __name__ == "__main__":
    print("Import AssistantStack from tests or benchmarks.", file=sys.stderr)
