"""HTTP caching of GET /graphql, and the GraphQL-over-HTTP media type.

A GET of public catalogue reads (every root field below) by an anonymous client is cacheable:
``Cache-Control: public, max-age=60``, a strong ``ETag`` of the body, ``304 Not Modified`` on a
matching ``If-None-Match``, and ``Vary: Accept-Language, Authorization`` (names and texts follow
the language). Any other answer of /graphql says ``Cache-Control: private, no-store``: nothing
that may depend on who is signed in is ever kept by a shared cache. Mobile clients send these
reads as persisted queries by GET (a short URL: the hash and the variables).
"""

import hashlib
from collections import OrderedDict

from starlette.datastructures import Headers
from starlette.responses import Response

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse

# Root fields whose answer is the same for every anonymous caller (per language).
PUBLIC_FIELDS = frozenset(
    {
        "procedure",
        "procedures",
        "procedureFields",
        "hospitals",
        "hospital",
        "communes",
        "schools",
        "school",
        "schoolsForLocation",
        "schoolsForCommune",
        "admissionRounds",
        "admissionRound",
        "announcements",
        "attractions",
        "attraction",
        "events",
        "event",
        "itineraries",
        "itinerary",
        "reviews",
    }
)
PUBLIC = "public, max-age=60"
PRIVATE = "private, no-store"
VARY = "Accept-Language, Authorization"
GRAPHQL_RESPONSE = "application/graphql-response+json"


class PublicReads:
    """Whether a document's operation reads public catalogue fields only (remembered)."""

    def __init__(self, size: int = 1000) -> None:
        self._size = size
        self._seen: OrderedDict[str, bool] = OrderedDict()

    def __call__(self, query: str, operation_name: str | None) -> bool:
        key = hashlib.sha256(f"{operation_name}\n{query}".encode()).hexdigest()
        public = self._seen.get(key)
        if public is None:
            public = _public(query, operation_name)
            self._seen[key] = public
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        return public


def _public(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return False
    selections = chosen[0].selection_set.selections
    return bool(selections) and all(
        isinstance(s, FieldNode) and (s.name.value in PUBLIC_FIELDS or s.name.value == "__typename")
        for s in selections
    )


def wants_graphql_response(headers: Headers) -> bool:
    """The client accepts application/graphql-response+json (GraphQL over HTTP) and does not
    prefer application/json by listing it first."""
    accept = headers.get("accept", "")
    media = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE not in media:
        return False
    return "application/json" not in media or media.index(GRAPHQL_RESPONSE) < media.index(
        "application/json"
    )


def finish(response: Response, request_headers: Headers) -> Response:
    """Caching headers (and 304) on a /graphql answer; the media type the client asked for."""
    if wants_graphql_response(request_headers) and response.media_type != "text/html":
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
    if response.headers.get("cache-control") != PUBLIC or response.status_code != 200:
        response.headers["cache-control"] = PRIVATE
        return response
    etag = '"' + hashlib.sha256(bytes(response.body)).hexdigest()[:32] + '"'
    response.headers["etag"] = etag
    response.headers["vary"] = VARY
    if etag in [tag.strip() for tag in request_headers.get("if-none-match", "").split(",")]:
        headers = {"etag": etag, "cache-control": PUBLIC, "vary": VARY}
        return Response(status_code=304, headers=headers)
    return response
