"""The two websocket protocols of /graphql as Strawberry speaks them, with two rules of ours:

- every operation a socket sends passes the persisted-query rules of HTTP
  (``api/persisted.py``): in production only the operations of ``graphql/operations/`` run, by
  text or by hash (``payload.extensions.persistedQuery``, as Apollo clients send it); elsewhere
  a known hash stands for its document. Sockets never register a document (HTTP does), so an
  unknown hash answers ``PersistedQueryNotFound`` and the client sends the text.
- the legacy ``graphql-ws`` refuses a second ``connection_init`` (``connection_error``, close
  4429) as ``graphql-transport-ws`` does, so one socket never counts twice against the cap.
"""

from collections.abc import Mapping
from typing import Any, Protocol, cast

from pymongo.errors import PyMongoError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    SubscribeMessage,
    SubscribeMessagePayload,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage,
    StartMessage,
    StartMessagePayload,
)

from api.persisted import PersistedQueries, Refused
from domains.kernel.context import RequestContext
from graphql import GraphQLError

TOO_MANY_INITS = "Too many initialisation requests"
NO_QUERY = GraphQLError(
    "Send the operation's `query`, or the hash of a persisted one in `extensions`.",
    extensions={"code": "BAD_REQUEST"},
)
UNAVAILABLE = GraphQLError(
    "The service is briefly unavailable; retry shortly.", extensions={"code": "UNAVAILABLE"}
)


class _WithPersisted(Protocol):
    persisted: PersistedQueries


async def _document(view: object, payload: Mapping[str, Any]) -> str | GraphQLError:
    """The document to run for a socket's operation, or the error its client gets."""
    persisted = cast(_WithPersisted, view).persisted
    query, extensions = payload.get("query"), payload.get("extensions")
    try:
        resolved = await persisted.resolve(
            query if isinstance(query, str) else None,
            extensions if isinstance(extensions, dict) else None,
            payload.get("operationName"),
        )
    except PyMongoError:
        return UNAVAILABLE  # an APQ hash could not be looked up
    if isinstance(resolved, Refused):
        return resolved.error()
    document, _ = resolved
    return NO_QUERY if document is None else document


class TransportWSHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """``graphql-transport-ws``: its operations pass the persisted-query rules first."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message["payload"]
        refused_by_strawberry = not self.connection_acknowledged or message["id"] in self.operations
        if refused_by_strawberry or not isinstance(payload, dict):
            await super().handle_subscribe(message)  # Strawberry closes the socket (4401/4409/…)
            return
        document = await _document(self.view, payload)
        if document is NO_QUERY:
            await super().handle_subscribe(message)  # an invalid message: Strawberry's 4400
            return
        if isinstance(document, GraphQLError):
            error = {"id": message["id"], "type": "error", "payload": [document.formatted]}
            await self.send_message(cast(Any, error))
            return
        subscribe = cast(SubscribeMessagePayload, {**payload, "query": document})
        await super().handle_subscribe({**message, "payload": subscribe})


class LegacyWSHandler(BaseGraphQLWSHandler[RequestContext, None]):
    """``graphql-ws`` (subscriptions-transport-ws): one ``connection_init``, and its operations
    pass the persisted-query rules first."""

    init_received = False

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.init_received:
            await self.send_message(
                {"type": "connection_error", "payload": {"message": TOO_MANY_INITS}}
            )
            await self.websocket.close(code=4429, reason=TOO_MANY_INITS)
            return
        self.init_received = True
        await super().handle_connection_init(message)

    async def handle_start(self, message: StartMessage) -> None:
        if not self.connection_acknowledged:
            await super().handle_start(message)  # Strawberry closes the socket (4401)
            return
        payload = cast(Mapping[str, Any], message.get("payload") or {})
        document = await _document(self.view, payload)
        if isinstance(document, GraphQLError):
            error = {"type": "error", "id": message["id"], "payload": document.formatted}
            await self.send_message(cast(Any, error))
            return
        start = cast(StartMessagePayload, {**payload, "query": document})
        await super().handle_start({**message, "payload": start})
