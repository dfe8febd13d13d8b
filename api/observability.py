"""Structured JSON logs with a request id, and Prometheus metrics.

Logs carry no request bodies, query variables, tokens or personal data: only what a request was
(method, path, operation name), how it ended and how long it took.
"""

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pymongo import monitoring
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_VALID_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_STANDARD_RECORD_KEYS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

logger = logging.getLogger("xuthanh.http")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value)
            for key, value in vars(record).items()
            if key not in _STANDARD_RECORD_KEYS and not key.startswith("_")
        )
        entry.setdefault("request_id", request_id_var.get())
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our middleware writes the access log, with the request id.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs every outgoing request at INFO: 10,000 lines for one broadcast from the push
    # worker, which logs a summary per batch itself.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


class Metrics:
    """The app's Prometheus metrics, in a registry of its own (one per app instance)."""

    # Operation names come from clients: past this many distinct names, the rest count as "other".
    MAX_OPERATION_NAMES = 200

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "xuthanh_http_requests_total",
            "HTTP requests by route and status class.",
            ["route", "status"],
            registry=self.registry,
        )
        # Requests the app has begun and not finished: a process stopped now still answers them.
        self.http_in_progress = Gauge(
            "xuthanh_http_requests_in_progress",
            "HTTP requests being handled, by route.",
            ["route"],
            registry=self.registry,
        )
        self.graphql_operations = Counter(
            "xuthanh_graphql_operations_total",
            "GraphQL operations by name and outcome.",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.graphql_latency = Histogram(
            "xuthanh_graphql_operation_seconds",
            "GraphQL operation latency by name.",
            ["operation"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.mongo_pool_checked_out = Gauge(
            "xuthanh_mongodb_pool_checked_out",
            "MongoDB connections in use.",
            registry=self.registry,
        )
        self.mongo_pool_open = Gauge(
            "xuthanh_mongodb_pool_open",
            "MongoDB connections open.",
            registry=self.registry,
        )
        self._operation_names: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _VALID_OPERATION_NAME.match(name):
            return "other"
        if name not in self._operation_names:
            if len(self._operation_names) >= self.MAX_OPERATION_NAMES:
                return "other"
            self._operation_names.add(name)
        return name

    def pool_listener(self) -> "PoolMetricsListener":
        return PoolMetricsListener(self)


class PoolMetricsListener(monitoring.ConnectionPoolListener):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def connection_created(self, event: monitoring.ConnectionCreatedEvent) -> None:
        self.metrics.mongo_pool_open.inc()

    def connection_closed(self, event: monitoring.ConnectionClosedEvent) -> None:
        self.metrics.mongo_pool_open.dec()

    def connection_checked_out(self, event: monitoring.ConnectionCheckedOutEvent) -> None:
        self.metrics.mongo_pool_checked_out.inc()

    def connection_checked_in(self, event: monitoring.ConnectionCheckedInEvent) -> None:
        self.metrics.mongo_pool_checked_out.dec()

    def pool_created(self, event: monitoring.PoolCreatedEvent) -> None: ...
    def pool_ready(self, event: monitoring.PoolReadyEvent) -> None: ...
    def pool_cleared(self, event: monitoring.PoolClearedEvent) -> None: ...
    def pool_closed(self, event: monitoring.PoolClosedEvent) -> None: ...
    def connection_ready(self, event: monitoring.ConnectionReadyEvent) -> None: ...
    def connection_check_out_started(
        self, event: monitoring.ConnectionCheckOutStartedEvent
    ) -> None: ...
    def connection_check_out_failed(
        self, event: monitoring.ConnectionCheckOutFailedEvent
    ) -> None: ...


def operation_metrics(metrics: Metrics) -> type[SchemaExtension]:
    """A per-operation (not per-field) extension timing each operation by its name."""

    class OperationMetrics(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            context = self.execution_context
            label = metrics.operation_label(context.operation_name)
            result = context.result
            outcome = "error" if (result is None or getattr(result, "errors", None)) else "ok"
            metrics.graphql_latency.labels(label).observe(time.perf_counter() - started)
            metrics.graphql_operations.labels(label, outcome).inc()

    return OperationMetrics


class RequestContextMiddleware:
    """Gives every request an id (from X-Request-ID or new), returns it, and logs the request."""

    ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        path = scope["path"]
        route = path if path in self.ROUTES else "other"
        in_progress = self.metrics.http_in_progress.labels(route)
        in_progress.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            in_progress.dec()
            self.metrics.http_requests.labels(route, f"{status // 100}xx").inc()
            if route != "/metrics":
                logger.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": route,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id_var.reset(token)
