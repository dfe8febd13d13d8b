"""The Starlette application: /graphql, /healthz, /readyz, /metrics, /console/."""

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import firebase_admin
import strawberry
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from api import firebase, heap
from api.auth import Authenticator, RouteSignIn
from api.console import console_routes
from api.database import create_client, create_indexes
from api.graphql_app import GraphQLApp
from api.limits import BodyLimit
from api.live import LiveConnectionRepository
from api.observability import Metrics, RequestContextMiddleware, operation_metrics
from api.persisted import PersistedQueries, PersistedQueryRepository, load_allow_list
from api.registry import REPOSITORIES, ROUTES, start, wire
from api.schema import build_schema
from api.settings import ConfigurationError, Settings
from domains.accounts.grant_list import GRANT_LIST
from domains.kernel.clock import CLOCK, Clock
from domains.kernel.crypto import FIELD_CIPHER, FieldCipher, parse_keys
from domains.kernel.http import ROUTE_SIGN_IN
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from domains.notifications.ports import APP_CHECK

logger = logging.getLogger("xuthanh.app")

READY_TIMEOUT_SECONDS = 2.0
# Background builds (search indexes) that finish within this are done before the API serves;
# longer ones go on while /readyz answers 503 with what is still building.
STARTUP_GRACE_SECONDS = 5.0


@dataclass
class Runtime:
    """What the lifespan opens: one MongoDB client and one Firebase app per process."""

    client: AsyncMongoClient[dict[str, Any]]
    db: Database
    resources: Resources
    firebase_app: firebase_admin.App
    graphql: GraphQLApp


class GraphQLEndpoint:
    """An ASGI app (not a function, so Starlette passes the raw scope) for the lifespan's view."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["app"].state.runtime.graphql(scope, receive, send)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    try:
        await asyncio.wait_for(runtime.db.command("ping"), READY_TIMEOUT_SECONDS)
    except (PyMongoError, TimeoutError):
        return JSONResponse({"status": "unavailable", "mongodb": "unreachable"}, status_code=503)
    # Components still building in the background (search indexes), each with its reason.
    if waiting := runtime.resources.readiness.waiting_for:
        return JSONResponse({"status": "unavailable", "mongodb": "ok", **waiting}, status_code=503)
    return JSONResponse({"status": "ready", "mongodb": "ok"})


async def prepare_database(db: Database) -> Resources:
    """Indexes, then every domain's wiring and start-up step: what the API serves from."""
    try:
        await create_indexes(
            db, (*REPOSITORIES, PersistedQueryRepository, LiveConnectionRepository)
        )
    except PyMongoError as error:
        raise ConfigurationError(
            f"MongoDB at MONGODB_URI is not reachable ({type(error).__name__}). Start it "
            "(`make run` starts an embedded one) or fix MONGODB_URI."
        ) from error
    resources = wire(Resources(db=db))
    await start(resources)
    if not await resources.readiness.settle(STARTUP_GRACE_SECONDS):
        logger.info("still building: %s", resources.readiness.waiting_for)
    return resources


def lifespan_of(
    settings: Settings,
    metrics: Metrics,
    schema: strawberry.Schema,
    clock: Clock | None = None,
    settle_heap: bool = False,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """One MongoDB client, one Firebase app and one set of resources per process."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = create_client(settings, [metrics.pool_listener()])
        db = client[settings.mongodb_database]
        firebase_app = firebase.initialize(settings)
        resources: Resources | None = None
        try:
            resources = await prepare_database(db)
            if settle_heap:  # api/heap.py: the read sides out of the collector's reach
                heap.tune_collector()
                heap.install_refreeze()
                resources.readiness.when_settled(heap.freeze_long_lived)
            current, keys = parse_keys(settings.field_keys())
            resources.provide(FIELD_CIPHER, FieldCipher(current, keys))
            if settings.app_check_active:
                resources.provide(APP_CHECK, firebase.FirebaseAppCheck(firebase_app))
            authenticator = Authenticator(settings, firebase_app, resources.find(GRANT_LIST))
            resources.provide(ROUTE_SIGN_IN, RouteSignIn(authenticator))
            resources.provide(CLOCK, clock or Clock())  # waits of live updates
            graphql = GraphQLApp(
                schema,
                resources=resources,
                authenticator=authenticator,
                graphiql=settings.graphiql_enabled,
                allow_get=not settings.is_production or settings.allow_list_active,
                connections_per_user=settings.graphql_ws_connections_per_user,
                subscriptions_per_connection=settings.graphql_ws_subscriptions_per_connection,
                clock=clock,
                persisted=PersistedQueries(
                    db,
                    allow_list=load_allow_list() if settings.allow_list_active else None,
                    limit=settings.graphql_persisted_queries_max,
                ),
            )
            resources.on_close(graphql.connections.stop)  # this process's websockets
            app.state.runtime = Runtime(client, db, resources, firebase_app, graphql)
            logger.info("api ready", extra={"env": settings.app_env.value})
            yield
        finally:
            if resources is not None:
                await resources.close()  # background tasks the start hooks began (change feeds)
            await client.close()
            firebase.close(firebase_app)

    return lifespan


def metrics_allowed(settings: Settings, authorization: str | None) -> bool:
    """Open outside production; in production only with the bearer METRICS_TOKEN."""
    if not settings.is_production:
        return True
    if settings.metrics_token is None or authorization is None:
        return False
    expected = f"Bearer {settings.metrics_token.get_secret_value()}"
    return hmac.compare_digest(authorization.strip().encode(), expected.encode())


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, settle_heap: bool = False
) -> Starlette:
    """The app; ``clock`` (tests) decides when sign-in tokens of open websockets expire and
    when live updates see a booking window open or close. ``settle_heap`` (the server process,
    not tests): tune the garbage collector and freeze the read sides once built (api/heap.py)."""
    settings = settings or Settings()
    settings.check()
    metrics = Metrics()
    schema = build_schema(settings, extra_extensions=[operation_metrics(metrics)])

    async def metrics_endpoint(request: Request) -> Response:
        if not metrics_allowed(settings, request.headers.get("authorization")):
            return Response("Not Found", status_code=404)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app = Starlette(
        routes=[
            # A Route, not a Mount: a Mount answers POST /graphql with a redirect to /graphql/,
            # which mobile clients do not follow on POST.
            Route("/graphql", GraphQLEndpoint(), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", GraphQLEndpoint()),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            *console_routes(settings),
            *ROUTES,  # the domains' own endpoints (domains/kernel/module.py)
        ],
        middleware=[
            Middleware(
                BodyLimit,
                max_bytes=settings.graphql_max_body_bytes,
                upload_max_bytes=settings.graphql_max_upload_bytes,
            ),
            Middleware(RequestContextMiddleware, metrics=metrics),
        ],
        lifespan=lifespan_of(settings, metrics, schema, clock, settle_heap),
    )
    app.state.settings = settings
    app.state.schema = schema
    app.state.settle_heap = settle_heap
    return app
