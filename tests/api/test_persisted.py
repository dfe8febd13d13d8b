"""Persisted queries (Apollo's APQ, the allow-list of production), HTTP caching of public GET
reads, and the GraphQL-over-HTTP media type."""

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.persisted import PersistedQueries, load_allow_list
from tests.domains.health.support import add_hospital

HOSPITAL = "query HospitalName($id: String!) { hospital(id: $id) { id name } }"
ME = "query Me { me { uid isAnonymous } }"
H = "bv-persisted"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}


async def post(http: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await http.post("/graphql", json=body, headers=headers)


async def get(
    http: httpx.AsyncClient, text: str, variables: dict[str, Any], **headers: str
) -> httpx.Response:
    """A persisted query by GET, as Apollo clients send it (hash, variables; no document)."""
    params = {
        "extensions": json.dumps(persisted(text)),
        "variables": json.dumps(variables),
    }
    return await http.get("/graphql", params=params, headers=headers)


@pytest.fixture(scope="module")
async def hospital(db: Any) -> str:
    return await add_hospital(db, H)


async def test_automatic_persisted_queries_as_apollo_sends_them(
    http: httpx.AsyncClient, db: Any, hospital: str
) -> None:
    variables = {"id": hospital}
    first = await post(http, {"extensions": persisted(HOSPITAL), "variables": variables})
    assert first.status_code == 200
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    body = {"query": HOSPITAL, "extensions": persisted(HOSPITAL), "variables": variables}
    registered = await post(http, body)
    assert registered.json()["data"]["hospital"]["id"] == hospital

    again = await post(http, {"extensions": persisted(HOSPITAL), "variables": variables})
    assert again.json()["data"]["hospital"]["id"] == hospital
    # Stored in MongoDB: another replica (nothing in its memory) knows the hash.
    resolved = await PersistedQueries(db, allow_list=None).resolve(None, persisted(HOSPITAL), None)
    assert resolved == (HOSPITAL, None)

    wrong = {"query": ME, "extensions": persisted(HOSPITAL)}
    mismatch = await post(http, wrong)
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "INVALID_PERSISTED_QUERY"


async def test_registrations_are_bounded(db: Any) -> None:
    queries = PersistedQueries(db, allow_list=None, limit=10)
    await queries.repository.collection.delete_many({})
    documents = [f"query Q{i} {{ __typename }}" for i in range(12)]
    for document in documents:
        await queries.register(sha(document), document)
    stored = {d["query"] async for d in queries.repository.collection.find({})}
    assert stored == set(documents[2:])  # the oldest registrations made room


@pytest.fixture
def allow_list(app: Any) -> Iterator[None]:
    """The app in production's mode: only the committed operations run."""
    view = app.state.runtime.graphql
    before = view.persisted
    view.persisted = PersistedQueries(view.resources.db, allow_list=load_allow_list())
    try:
        yield
    finally:
        view.persisted = before


async def test_the_allow_list_runs_only_the_apps_operations(
    http: httpx.AsyncClient, allow_list: None
) -> None:
    refused = await post(http, {"query": "{ __typename }"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    # The app's own operation, laid out differently: it is the same operation.
    me = "query Me {\n me { uid roles hospitalIds isAnonymous schoolIds } }"
    reordered = await post(http, {"query": me})
    assert reordered.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    same = "query   Me { me {\n uid isAnonymous roles hospitalIds schoolIds } }"
    allowed = await post(http, {"query": same})
    assert allowed.json()["data"]["me"]["isAnonymous"] is True
    digest = next(d for d, body in load_allow_list().items() if body.startswith("query Me "))
    by_hash = await post(
        http, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    )
    assert by_hash.json()["data"]["me"]["uid"] is None
    # Apollo's APQ with the list: an unknown hash asks for the text, which runs only if listed.
    other = "query X { __typename }"
    unknown = await post(http, {"extensions": persisted(other)})
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    sent = await post(http, {"query": other, "extensions": persisted(other)})
    assert sent.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    assert (await post(http, {"extensions": persisted(other)})).json()["errors"][0]["extensions"][
        "code"
    ] == "PERSISTED_QUERY_NOT_FOUND"  # never stored
    apollo = await post(http, {"query": same, "extensions": persisted(same)})
    assert apollo.json()["data"]["me"]["isAnonymous"] is True
    again = await post(http, {"extensions": persisted(same)})  # the client's own hash
    assert again.json()["data"]["me"]["isAnonymous"] is True


async def test_public_reads_by_get_are_cacheable_and_revalidated(
    http: httpx.AsyncClient, hospital: str
) -> None:
    registered = {"query": HOSPITAL, "extensions": persisted(HOSPITAL), "variables": {"id": H}}
    await post(http, registered)
    first = await get(http, HOSPITAL, {"id": hospital}, **{"Accept-Language": "vi"})
    assert first.status_code == 200, first.text
    assert first.json()["data"]["hospital"]["id"] == hospital, first.text
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["vary"] == "Accept-Language, Authorization"
    etag = first.headers["etag"]

    again = await get(http, HOSPITAL, {"id": hospital}, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag

    english = await get(http, HOSPITAL, {"id": hospital}, **{"Accept-Language": "en"})
    assert english.json()["data"]["hospital"]["name"].startswith("Test hospital")
    assert english.headers["etag"] != etag


async def test_what_depends_on_the_caller_is_never_cached(
    http: httpx.AsyncClient, hospital: str, dev_token: Any
) -> None:
    token = dev_token("cache-user")
    signed_in = await get(http, HOSPITAL, {"id": hospital}, Authorization=f"Bearer {token}")
    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"] == "private, no-store"
    assert "etag" not in signed_in.headers
    await post(http, {"query": ME, "extensions": persisted(ME)})
    mine = await get(http, ME, {})
    assert mine.headers["cache-control"] == "private, no-store"
    posted = await post(http, {"query": HOSPITAL, "variables": {"id": hospital}})
    assert posted.headers["cache-control"] == "private, no-store"


async def test_graphql_response_media_type_and_status_codes(http: httpx.AsyncClient) -> None:
    accept = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
    ok = await post(http, {"query": "{ __typename }"}, **accept)
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    invalid = await post(http, {"query": "{ noSuchField }"}, **accept)
    assert invalid.status_code == 400 and invalid.json()["errors"]
    unparsable = await post(http, {"query": "{"}, **accept)
    assert unparsable.status_code == 400
    # Clients asking for application/json keep the 200 of the older convention.
    legacy = await post(http, {"query": "{ noSuchField }"}, Accept="application/json")
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
