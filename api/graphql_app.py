"""The /graphql endpoint: sign-in first, then Strawberry with our request context; the same path
serves subscriptions over a websocket (graphql-transport-ws and the legacy graphql-ws,
``api/live.py``, ``api/live_protocols.py``)."""

import dataclasses
import json
from typing import Any, cast

import strawberry
from cross_web import AsyncHTTPRequestAdapter
from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from api.auth import AuthenticationFailed, Authenticator, AuthUnavailable
from api.http_caching import PUBLIC, PublicReads, finish, wants_graphql_response
from api.live import ConnectionCounts, LiveConnection, LiveContext, authorization_of
from api.live_protocols import LegacyWSHandler, TransportWSHandler
from api.persisted import PersistedQueries, Refused
from domains.kernel.auth import ANONYMOUS
from domains.kernel.clock import Clock
from domains.kernel.context import RequestContext
from domains.kernel.i18n import parse_accept_language
from domains.kernel.resources import Resources


def _error_response(status: int, message: str, code: str, **headers: str) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(
        json.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


class GraphQLApp(GraphQL[RequestContext, None]):
    # Strawberry's, with the persisted-query rules and one connection_init per socket.
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        resources: Resources,
        authenticator: Authenticator,
        graphiql: bool,
        allow_get: bool,
        connections_per_user: int = 5,
        subscriptions_per_connection: int = 10,
        clock: Clock | None = None,
        persisted: PersistedQueries | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=allow_get,
            # graphql-transport-ws, and the legacy graphql-ws (subscriptions-transport-ws) of
            # older Apollo clients: the same sign-in, caps, expiry and keep-alive.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            max_subscriptions_per_connection=subscriptions_per_connection,
            # GraphQL multipart requests (report photos). No cross-site risk: a request is
            # signed in only by its Authorization header, which a cross-site form cannot send.
            multipart_uploads_enabled=True,
        )
        self.resources = resources
        self.authenticator = authenticator
        self.connections = ConnectionCounts(resources.db, connections_per_user)
        self.clock = clock or Clock()
        self.persisted = persisted or PersistedQueries(resources.db, allow_list=None)
        self.public_reads = PublicReads()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            live = LiveConnection()
            scope.setdefault("state", {})["live"] = live
            try:
                await super().__call__(scope, receive, send)
            finally:
                await live.end(self.connections)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            principal = await self.authenticator.authenticate(
                request.headers.get("authorization"), self.resources.db
            )
        except AuthenticationFailed as error:
            response = _error_response(
                401,
                error.message,
                "UNAUTHENTICATED",
                **{"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            await response(scope, receive, send)
            return
        except AuthUnavailable:
            response = _error_response(
                503,
                "Sign-in is temporarily unavailable; retry shortly.",
                "AUTH_UNAVAILABLE",
                **{"Retry-After": "5"},
            )
            await response(scope, receive, send)
            return
        except PyMongoError:
            # The caller's grants could not be read (MongoDB away, e.g. a primary election):
            # a 503 to retry, not a 500.
            response = _error_response(
                503,
                "The service is briefly unavailable; retry shortly.",
                "UNAVAILABLE",
                **{"Retry-After": "2"},
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await super().__call__(scope, receive, send)

    async def run(self, request: Request | WebSocket, *args: Any, **kwargs: Any) -> Any:
        response = await super().run(request, *args, **kwargs)
        if isinstance(request, Request) and isinstance(response, Response):
            return finish(response, request.headers)
        return response

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        """A request error (nothing executed) has no ``data`` entry (GraphQL over HTTP)."""
        response = await super().process_result(request, result)
        if isinstance(result, PreExecutionError) and wants_graphql_response(request.headers):
            response.pop("data", None)
        return response

    async def pick_websocket_subprotocol(self, request: WebSocket) -> str | None:
        """The client's first protocol we speak; its connection pings in that protocol."""
        chosen = await super().pick_websocket_subprotocol(request)
        live = request.scope.get("state", {}).get("live")
        if isinstance(live, LiveConnection):
            live.protocol = chosen
        return chosen

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Not for a persisted query by GET (no ``query``, its hash in ``extensions``)."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Persisted queries first (APQ, or the allow-list), then Strawberry; the status code of
        GraphQL over HTTP, and whether the answer may be cached."""
        resolved = await self.persisted.resolve(
            request_data.query, request_data.extensions, request_data.operation_name
        )
        if isinstance(resolved, Refused):
            result: ExecutionResult = PreExecutionError(data=None, errors=[resolved.error()])
        else:
            query, to_register = resolved
            request_data = dataclasses.replace(request_data, query=query)
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
            if to_register and query is not None and result.data is not None:
                await self.persisted.register(to_register, query)
        headers = request_adapter.headers
        if isinstance(result, PreExecutionError) and wants_graphql_response(request.headers):
            sub_response.status_code = 400  # a request error: nothing was executed
        elif (
            request_adapter.method == "GET"
            and not result.errors
            and not headers.get("authorization")
            and request_data.query is not None
            and self.public_reads(request_data.query, request_data.operation_name)
        ):
            sub_response.headers["cache-control"] = PUBLIC
        return result

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, Any] | None:
        """``connection_init``: sign in with its bearer token, count the connection against the
        user's cap, and close it when the token expires."""
        if not isinstance(context, LiveContext) or context.live.websocket is None:
            raise ConnectionRejectionError()
        if context.live.counted_as is not None:
            raise ConnectionRejectionError()  # one count per socket (the handlers say 4429 first)
        websocket = context.live.websocket
        authorization = authorization_of(context, websocket.headers.get("authorization"))
        try:
            signed_in = await self.authenticator.sign_in(authorization, self.resources.db)
        except (AuthenticationFailed, AuthUnavailable):
            raise ConnectionRejectionError() from None
        if signed_in.expires_at is not None and signed_in.expires_at <= self.clock.now():
            raise ConnectionRejectionError()
        key = signed_in.principal.uid or f"address:{context.client_ip}"
        # Held by the connection before it is written: ``end`` releases it whatever happens.
        connection_id = context.live.counted_as = self.connections.new_id()
        try:
            acquired = await self.connections.acquire(key, connection_id)
        except PyMongoError:
            acquired = False  # the cap cannot be checked: refuse rather than overrun it
        if not acquired:
            raise ConnectionRejectionError()
        context.principal = signed_in.principal
        if signed_in.expires_at is not None:
            context.live.close_at(signed_in.expires_at, self.clock)
        context.live.keep_alive(self.clock)
        return cast(UnsetType, UNSET)  # acknowledged without a payload

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        state = request.scope.get("state", {})
        if isinstance(request, WebSocket):
            live: LiveConnection = state["live"]
            live.websocket = request
            return LiveContext(
                resources=self.resources,
                principal=ANONYMOUS,
                language=parse_accept_language(request.headers.get("accept-language")),
                request_id=state.get("request_id", "-"),
                client_ip=request.client.host if request.client else None,
                live=live,
            )
        return RequestContext(
            resources=self.resources,
            principal=state.get("principal", ANONYMOUS),
            language=parse_accept_language(request.headers.get("accept-language")),
            request_id=state.get("request_id", "-"),
            client_ip=request.client.host if request.client else None,
            app_check_token=request.headers.get("x-firebase-appcheck"),
        )
