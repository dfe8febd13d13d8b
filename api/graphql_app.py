"""The /graphql endpoint: sign-in first, then Strawberry with our request context."""

import json

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.auth import AuthenticationFailed, Authenticator, AuthUnavailable
from domains.kernel.auth import ANONYMOUS
from domains.kernel.context import RequestContext
from domains.kernel.i18n import parse_accept_language
from domains.kernel.resources import Resources


def _error_response(status: int, message: str, code: str, **headers: str) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(
        json.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


class GraphQLApp(GraphQL[RequestContext, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        resources: Resources,
        authenticator: Authenticator,
        graphiql: bool,
        allow_get: bool,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=allow_get,
            subscription_protocols=(),
        )
        self.resources = resources
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
        scope.setdefault("state", {})["principal"] = principal
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        state = request.scope.get("state", {})
        return RequestContext(
            resources=self.resources,
            principal=state.get("principal", ANONYMOUS),
            language=parse_accept_language(request.headers.get("accept-language")),
            request_id=state.get("request_id", "-"),
            client_ip=request.client.host if request.client else None,
        )
