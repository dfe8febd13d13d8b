"""The procedures catalogue's search index: built from MongoDB, kept current by the change feed.

One per process (wired by ``module.py``). ``start()`` registers the index as not ready
(``/readyz`` answers 503 ``"search.procedures": "building"``) and starts a ``ChangeFeed`` on the
collection; the feed's first ``on_reset`` builds the whole index in a thread and marks it ready.
Changes from any process arrive as feed events: they are queued (the latest per code wins) and
applied in batches (one commit each) by a background task. Writes made through this process's
API are applied directly after the write as well (``written``), so they are searchable at once.

Beside the index, the component keeps what ``Procedure`` renders of each record (every catalogue
field but the internal notes, as JSON bytes: about 6 KB a record), so a page of results is served
without reading MongoDB. Kept outside tantivy's document store on purpose: fetching 10 stored
payloads from it cost about 0.7 ms per search, a dictionary look-up costs nothing.

Retired procedures stay in the index under ``status: retired`` and are filtered out of every
search that does not ask for them (administrators' ``includeRetired``).
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domains.kernel.change_feed import ChangeEvent, ChangeFeed
from domains.kernel.errors import DomainError
from domains.kernel.folding import fold
from domains.kernel.readiness import Readiness
from domains.kernel.resources import Key
from domains.kernel.types import Database
from domains.procedures.ranking import normalize, synonyms
from domains.procedures.repository import SEARCH_ONLY, ProcedureRepository
from domains.search import IndexSpec, SearchIndex, SearchResult, TextField

logger = logging.getLogger("xuthanh.procedures.search")

READINESS_NAME = "search.procedures"
LIVE, RETIRED = "live", "retired"
# How long a search waits for the first build before it gives up (/readyz keeps traffic away).
BUILD_WAIT_SECONDS = 30.0

SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True),  # Vietnamese and English names
        TextField("aliases", boost=2.0),  # abbreviations/everyday words whose expansion is named
        TextField("body", expand=False),  # documents, steps, agency, field, result
    ),
    code_fields=("code",),
    filter_fields=("fieldKey", "agencyKey", "level", "onlineLevel", "status"),
    id_field="id",
)
# What a search result renders (JSON-safe: the timestamps and internal notes are left out).
RENDERED_FIELDS = (
    "_id",
    "name",
    "field",
    "agency",
    "level",
    "onlineLevel",
    "legacyOnlineLevel",
    "applicants",
    "documents",
    "steps",
    "processingTime",
    "fees",
    "conditions",
    "result",
    "legalBasis",
    "onlineUrl",
    "source",
    "updatedAt",
    "fieldKey",
    "agencyKey",
    "retired",
)


class SearchUnavailable(DomainError):
    code = "UNAVAILABLE"


def aliases(name: Mapping[str, str]) -> list[str]:
    """Synonym-list phrases whose expansion the name contains ("gplx" for "giấy phép lái xe")."""
    folded = [f" {fold(normalize(text))} " for text in name.values() if text]
    return [
        phrase
        for phrase, expansions in synonyms().items()
        if any(f" {expansion} " in text for expansion in expansions for text in folded)
    ]


def _localized(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [normalize(str(text)) for text in value.values() if text]
    return []


def index_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the index holds of one stored procedure."""
    name = document.get("name") or {}
    body: list[str] = [
        *_localized(document.get("field")),
        *_localized(document.get("agency")),
        *_localized(document.get("result")),
    ]
    for required in document.get("documents") or []:
        body += _localized(required.get("name"))
    for step in document.get("steps") or []:
        body += _localized(step)
    return {
        "id": document["_id"],
        "code": document["_id"],
        "name": _localized(name),
        "aliases": aliases(name),
        "body": body,
        "fieldKey": document.get("fieldKey"),
        "agencyKey": document.get("agencyKey"),
        "level": document.get("level"),
        "onlineLevel": document.get("onlineLevel"),
        "status": RETIRED if document.get("retired") else LIVE,
    }


def rendered(document: Mapping[str, Any]) -> bytes:
    """What a search result renders of one stored procedure, as JSON."""
    fields = {key: document[key] for key in RENDERED_FIELDS if key in document}
    return json.dumps(fields, ensure_ascii=False).encode()


class ProcedureSearch:
    """The in-memory index of the procedures collection and the feed that keeps it current."""

    def __init__(
        self,
        db: Database,
        *,
        readiness: Readiness | None = None,
        hold: asyncio.Event | None = None,
        max_await_ms: int = 500,
    ) -> None:
        self.collection = db[ProcedureRepository.collection_name]
        self.index = SearchIndex(SPEC, synonyms=synonyms())
        self.readiness = readiness or Readiness()
        self._hold = hold  # tests hold the first build to observe /readyz meanwhile
        self._max_await_ms = max_await_ms
        self._feed: ChangeFeed | None = None
        self._applier: asyncio.Task[None] | None = None
        self._built = asyncio.Event()
        # Serialises rebuilds and writes, so a stale batch never lands on a newer rebuild.
        self._lock = asyncio.Lock()
        self._pending: dict[str, dict[str, Any] | None] = {}
        self._rendered: dict[str, bytes] = {}
        self._wake = asyncio.Event()
        self.builds = 0

    @property
    def built(self) -> bool:
        return self._built.is_set()

    async def start(self) -> None:
        """Start following the collection; the first build runs in the background."""
        if self._feed is not None:
            return
        self.readiness.pending(READINESS_NAME, "building")
        self._feed = ChangeFeed(self.collection, max_await_ms=self._max_await_ms)
        self._feed.subscribe(self._on_change, self._rebuild)
        self._applier = asyncio.create_task(self._apply_loop(), name="procedures search writes")
        self._feed.start()

    async def stop(self) -> None:
        if self._feed is not None:
            await self._feed.stop()
            self._feed = None
        if self._applier is not None:
            self._applier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._applier
            self._applier = None

    async def wait_built(self) -> None:
        """Return once the first build is done (SearchUnavailable after BUILD_WAIT_SECONDS)."""
        if not self._built.is_set():
            try:
                await asyncio.wait_for(self._built.wait(), BUILD_WAIT_SECONDS)
            except TimeoutError:
                raise SearchUnavailable("Search is starting up; try again in a moment.") from None

    async def search(
        self,
        text: str,
        *,
        limit: int,
        offset: int = 0,
        filters: Mapping[str, str | Sequence[str]] | None = None,
    ) -> SearchResult:
        """Ranked hits (ids, scores, margins) from the index; QueryTooLong for long text."""
        await self.wait_built()
        return self.index.search(normalize(text), limit=limit, offset=offset, filters=filters)

    def rendered(self, code: str) -> dict[str, Any] | None:
        """The fields a result renders of ``code`` (None if it left the index meanwhile)."""
        raw = self._rendered.get(code)
        if raw is None:
            return None
        fields: dict[str, Any] = json.loads(raw)
        return fields

    async def refresh(self) -> None:
        """Rebuild the whole index from the collection now (also what the feed does on reset)."""
        await self._rebuild()

    async def written(self, documents: Iterable[Mapping[str, Any]]) -> None:
        """Apply procedures this process just wrote (as stored), before the feed brings them."""
        documents = list(documents)
        if not documents:
            return
        async with self._lock:
            await asyncio.to_thread(self._write, documents, [])

    async def written_codes(self, codes: Sequence[str]) -> None:
        """Like ``written``, reading the stored procedures back first (bulk imports)."""
        if not codes:
            return
        found = self.collection.find({"_id": {"$in": list(codes)}}, SEARCH_ONLY)
        await self.written([document async for document in found])

    async def _rebuild(self) -> None:
        if self._hold is not None:
            await self._hold.wait()
        async with self._lock:
            # Everything queued so far is older than the load below (the feed's contract).
            self._pending.clear()
            started = time.monotonic()
            logger.info("procedures search index: loading from MongoDB")
            stored = [document async for document in self.collection.find({}, SEARCH_ONLY)]
            loaded = time.monotonic()
            count = await asyncio.to_thread(self._replace_all, stored)
            self.builds += 1
        logger.info(
            "procedures search index built: %d procedures in %.2f s (read %.2f s, index %.2f s)",
            count,
            time.monotonic() - started,
            loaded - started,
            time.monotonic() - loaded,
        )
        self._built.set()
        self.readiness.ready(READINESS_NAME)

    async def _on_change(self, event: ChangeEvent) -> None:
        # Queued, not applied here: a burst (an import elsewhere) becomes one commit per batch.
        self._pending[str(event.document_id)] = event.document
        self._wake.set()

    async def _apply_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._apply_pending()
            except Exception:
                logger.exception("procedures search index: applying changes failed; rebuilding")
                await self._rebuild()

    async def _apply_pending(self) -> None:
        async with self._lock:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            upserts = [doc for doc in batch.values() if doc is not None]
            deletes = [code for code, doc in batch.items() if doc is None]
            await asyncio.to_thread(self._write, upserts, deletes)
        logger.debug("procedures search index: %d changes applied", len(batch))

    def _replace_all(self, stored: list[dict[str, Any]]) -> int:
        renders = {str(document["_id"]): rendered(document) for document in stored}
        count = self.index.replace_all(index_document(document) for document in stored)
        self._rendered = renders
        return count

    def _write(self, upserts: Sequence[Mapping[str, Any]], deletes: Sequence[str]) -> None:
        for code in deletes:
            self.index.delete(code)
            self._rendered.pop(code, None)
        if upserts:
            # Rendered fields first: a hit found in the index always has them.
            for document in upserts:
                self._rendered[str(document["_id"])] = rendered(document)
            self.index.upsert_many([index_document(document) for document in upserts])


PROCEDURE_SEARCH: Key[ProcedureSearch] = Key("procedures.search")
