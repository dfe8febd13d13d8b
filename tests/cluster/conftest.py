"""The replica cluster: one database, 3 APIs and 2 workers behind a load balancer, per module."""

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient, MongoClient

from api.persisted import OPERATIONS_DIR, canonical_operations
from graphql import parse
from tests.cluster.balancer import Balancer
from tests.cluster.cluster import (
    DATABASE,
    ROOT,
    Database,
    Service,
    api,
    environment,
    wait_until,
    worker,
)
from tests.support.fcm_server import FcmServer
from tests.support.firebase_tokens import PROJECT_ID, SigningKey, TokenIssuer, certificate_server

# Outside `make test-cluster` (XUTHANH_CLUSTER_TEST=1) these tests are not collected: they start
# their own processes and take minutes, so `make test` leaves them to their own target.
if not os.environ.get("XUTHANH_CLUSTER_TEST"):
    collect_ignore_glob = ["test_*.py"]

APIS = 3
WORKERS = 2
# Guards only: a hung run fails instead of waiting for ever; nothing waits for these to pass.
STARTUP = 240.0


@dataclass
class Cluster:
    db: Database
    env: dict[str, str]
    logs: Path
    issuer: TokenIssuer
    fcm: FcmServer
    apis: list[Service] = field(default_factory=list)
    workers: list[Service] = field(default_factory=list)
    balancer: Balancer | None = None

    @property
    def lb(self) -> Balancer:
        assert self.balancer is not None
        return self.balancer

    def wait_ready(self, services: list[Service]) -> None:
        wait_until(lambda: all(s.ready() for s in services), STARTUP, "the APIs to be ready")

    def restart(self, service: Service) -> None:
        """Start a stopped API again on the same port (the balancer sends to it again)."""
        service.start()
        self.wait_ready([service])

    def worker_batches(self) -> dict[str, int]:
        """Messages each worker reports having pushed ("push batch done" log lines)."""
        sent: dict[str, int] = {}
        for service in self.workers:
            for line in service.log.read_text(errors="replace").splitlines():
                if '"push batch done"' not in line:
                    continue
                record = json.loads(line)
                sent[service.name] = sent.get(service.name, 0) + int(record.get("sent", 0))
        return sent


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Logs and data of the last run stay in var/cluster-test/ to read after a failure.
    logs = ROOT / "var" / "cluster-test"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    key = SigningKey.generate()
    with certificate_server(key) as cert_url, FcmServer() as fcm:
        db = Database(storage=logs / "data", log=logs / "secantusd.log")
        db.start()
        if db.external:  # a database of someone else's: start from an empty one of ours
            with MongoClient(db.uri) as admin:
                admin.drop_database(DATABASE)
        env = environment(db, fcm_url=fcm.url, cert_url=cert_url, project=PROJECT_ID)
        cluster = Cluster(
            db=db, env=env, logs=logs, issuer=TokenIssuer(key=key, cert_url=cert_url), fcm=fcm
        )
        try:
            cluster.apis = [api(i, env, logs) for i in range(1, APIS + 1)]
            cluster.workers = [worker(i, env, logs) for i in range(1, WORKERS + 1)]
            for service in cluster.apis + cluster.workers:
                service.start()
            cluster.wait_ready(cluster.apis)
            # Started together on a fresh database (index creation races): all still running.
            wait_until(
                lambda: all(
                    "Notification worker delivering" in w.log.read_text(errors="replace")
                    for w in cluster.workers
                ),
                STARTUP,
                "the workers to start",
            )
            assert all(s.alive() for s in cluster.apis + cluster.workers), [
                s.tail() for s in cluster.workers
            ]
            cluster.balancer = Balancer([("127.0.0.1", s.port or 0) for s in cluster.apis])
            cluster.balancer.start()
            yield cluster
        finally:
            if cluster.balancer is not None:
                cluster.balancer.stop()
            for service in cluster.apis + cluster.workers:
                if service.alive():
                    service.stop()
            db.stop()


@pytest.fixture(scope="module")
async def mongo(cluster: Cluster) -> AsyncIterator[Any]:
    """The test's own view of the database (set-up and checks; never the path under test)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        cluster.db.uri, serverSelectionTimeoutMS=60000
    )
    try:
        yield client[DATABASE]
    finally:
        await client.close()


def registered_operations() -> dict[str, str]:
    """The app's operations (graphql/operations/), by name, in the allow-list's canonical text."""
    operations: dict[str, str] = {}
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        for name, text in canonical_operations(parse(path.read_text("utf-8"))).items():
            if name is not None:
                operations[name] = text
    return operations


OPERATIONS = registered_operations()


class Unanswered(Exception):
    """No answer a client could act on: transport error, 502/503, or an error without data."""


class Client:
    """A mobile client talking to the load balancer; ``retry`` re-sends the very same request
    (same idempotency key) until it gets an answer, as the app does for a booking."""

    def __init__(self, http: httpx.AsyncClient, issuer: TokenIssuer) -> None:
        self.http = http
        self.issuer = issuer
        self.unanswered = 0  # requests that needed a retry

    def token(self, uid: str) -> str:
        return self.issuer.token(uid)

    async def op(self, name: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """One of the app's registered operations, by name."""
        return await self(OPERATIONS[name], variables, operation=name, **kw)

    async def once(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        operation: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = {"query": query, "variables": variables, "operationName": operation}
        try:
            response = await self.http.post("/graphql", json=payload, headers=headers)
        except httpx.TransportError as error:
            raise Unanswered(repr(error)) from error
        if response.status_code in (502, 503, 504):
            raise Unanswered(response.text)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body.get("errors") and not any((body.get("data") or {}).values()):
            raise Unanswered(json.dumps(body["errors"]))
        return body

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        operation: str | None = None,
        retry: bool = False,
        guard: float = 180.0,
    ) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + guard
        while True:
            try:
                return await self.once(query, variables, token=token, operation=operation)
            except Unanswered:
                self.unanswered += 1
                if not retry or asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)


@pytest.fixture(scope="module")
async def client(cluster: Cluster) -> AsyncIterator[Client]:
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=cluster.lb.url, timeout=120, limits=limits) as http:
        yield Client(http, cluster.issuer)


async def eventually(condition: Callable[[], bool], what: str, guard: float = 180.0) -> None:
    """Wait until ``condition`` (blocking calls: run in a thread) holds; the guard only fails a
    hung run."""
    deadline = asyncio.get_running_loop().time() + guard
    while not await asyncio.to_thread(condition):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {guard:.0f}s waiting for {what}")
        await asyncio.sleep(0.1)


def new_key() -> str:
    return uuid.uuid4().hex
