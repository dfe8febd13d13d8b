"""A catalogue's read side: its search index, its points and what its pages render, in memory.

One ``CatalogueIndex`` per catalogue and process, configured by a ``Catalogue`` spec. ``start()``
registers ``search.<name>`` as not ready (``/readyz`` answers 503 ``"building"``) and starts a
``ChangeFeed`` on the collection (on the process's database-level stream when started by
``Catalogues``); the feed's first ``on_reset`` reads the collection and builds the index in a
thread (count and seconds logged), then marks it ready. Changes from any process arrive as feed
events: they are queued (the latest per id wins) and applied in batches (one commit each) by a
background task. Writes made through this process are applied at once with ``written`` (or
``written_ids``), so the next search in the process finds them.

Beside the index, it keeps what each record renders (``rendered``, pickled: about as small as
JSON and keeps dates and ObjectIds), so a page is served without reading MongoDB, and each
record's location (``location``) in a ``GeoPoints`` for "near me". Ids are ``str(_id)``.
"""

import asyncio
import contextlib
import logging
import pickle
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import bson
from bson.raw_bson import RawBSONDocument

from domains.kernel.change_feed import ChangeEvent, ChangeFeed
from domains.kernel.database_stream import DatabaseStream
from domains.kernel.errors import DomainError
from domains.kernel.live import change_feeds
from domains.kernel.readiness import Readiness
from domains.kernel.resources import Key, Resources
from domains.kernel.types import Database
from domains.search.engine import SearchIndex, SearchResult
from domains.search.geo import GeoPoints
from domains.search.memory import release_free_memory
from domains.search.spec import IndexSpec, Ranking

logger = logging.getLogger("xuthanh.search.catalogue")

# How long a search waits for the first build before it gives up (/readyz keeps traffic away).
BUILD_WAIT_SECONDS = 30.0

Stored = Mapping[str, Any]
Filters = Mapping[str, str | Sequence[str]]


class SearchUnavailable(DomainError):
    code = "UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What a domain declares of one catalogue; ``CatalogueIndex`` does the rest.

    ``index_document(stored)`` gives what the engine indexes (plain dict of ``index`` fields;
    the id field is set from ``_id``), or None to keep the record out of the catalogue (out of
    search, ``near`` and ``rendered`` alike). ``rendered(stored)`` gives the fields a page
    renders (None: nothing kept). ``location(stored)`` gives ``(lat, lng)`` in degrees, or None
    for a record without a point. ``projection`` limits what the build reads; ``query_text``
    normalises the text typed before the engine sees it.
    """

    name: str
    collection: str
    index: IndexSpec
    index_document: Callable[[Stored], dict[str, Any] | None]
    synonyms: Mapping[str, Sequence[str]] = field(default_factory=dict)
    rendered: Callable[[Stored], dict[str, Any] | None] | None = None
    location: Callable[[Stored], tuple[float, float] | None] | None = None
    projection: Mapping[str, Any] | None = None
    query_text: Callable[[str], str] | None = None
    ranking: Ranking | None = None
    # Keep this many records' rendered fields unpickled (most recently read): ``rendered`` then
    # returns the same dict for them each time, so callers must copy before changing it. 0: a
    # fresh copy every time. Unpickling cost 25 µs a record (a procedure; 10 per page).
    shared_renders: int = 0

    @property
    def readiness_name(self) -> str:
        return f"search.{self.name}"


# A record's pickled rendered fields: bytes (written since the build) or a view into the build's
# one block (``_packed``).
Render = bytes | memoryview


def _packed(renders: dict[str, bytes | None]) -> dict[str, Render | None]:
    """The renders of a build as views into one block, under new copies of their ids, made once
    the build's decoded documents are freed. The bytes and ids made while the documents were
    decoded sit among them and keep their pages from being returned to the system."""
    block = memoryview(b"".join(render for render in renders.values() if render is not None))
    packed: dict[str, Render | None] = {}
    at = 0
    for record_id, render in renders.items():
        fresh = record_id.encode().decode()
        if render is None:
            packed[fresh] = None
        else:
            packed[fresh] = block[at : at + len(render)]
            at += len(render)
    return packed


@dataclass(slots=True)
class _Built:
    """A complete read side made from one read of the collection (swapped in whole)."""

    renders: dict[str, bytes | None]
    points: GeoPoints
    count: int


class CatalogueIndex:
    """The in-memory read side of one collection and the feed that keeps it current."""

    def __init__(
        self,
        catalogue: Catalogue,
        db: Database,
        *,
        readiness: Readiness | None = None,
        hold: asyncio.Event | None = None,
        max_await_ms: int = 500,
        stream: DatabaseStream | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.collection = db[catalogue.collection]
        # Builds read raw BSON, decoded one record at a time (``_build``): the whole collection
        # decoded at once left its pages to the heap, pinned by what the read side keeps.
        self._raw = self.collection.with_options(
            codec_options=self.collection.codec_options.with_options(document_class=RawBSONDocument)
        )
        self.index = SearchIndex(
            catalogue.index, synonyms=catalogue.synonyms, ranking=catalogue.ranking
        )
        self.points = GeoPoints()
        self.readiness = readiness or Readiness()
        self._hold = hold  # tests hold the first build to observe /readyz meanwhile
        self._max_await_ms = max_await_ms
        self._stream = stream  # the process's database-level stream (None: one of its own)
        self._feed: ChangeFeed | None = None
        self._applier: asyncio.Task[None] | None = None
        self._built = asyncio.Event()
        # Serialises rebuilds and writes, so a stale batch never lands on a newer rebuild.
        self._lock = asyncio.Lock()
        self._pending: dict[str, dict[str, Any] | None] = {}
        # Every id in the catalogue, with its pickled rendered fields (None: none kept).
        self._renders: dict[str, Render | None] = {}
        # Unpickled renders (``shared_renders``), each with the bytes it came from: a write or a
        # rebuild stores new bytes, so a stale entry is never returned (identity check).
        self._decoded: dict[str, tuple[Render, dict[str, Any]]] = {}
        self._wake = asyncio.Event()
        self.builds = 0

    @property
    def name(self) -> str:
        return self.catalogue.name

    @property
    def built(self) -> bool:
        return self._built.is_set()

    @property
    def following(self) -> bool:
        """Whether the change feed runs (between ``start`` and ``stop``)."""
        return self._feed is not None

    def __len__(self) -> int:
        return len(self._renders)

    # Life cycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start following the collection; the first build runs in the background."""
        if self._feed is not None:
            return
        self.readiness.pending(self.catalogue.readiness_name, "building")
        self._feed = ChangeFeed(
            self.collection, max_await_ms=self._max_await_ms, stream=self._stream
        )
        self._feed.subscribe(self._on_change, self._rebuild)
        self._applier = asyncio.create_task(self._apply_loop(), name=f"{self.name} index writes")
        self._feed.start()

    def share_stream(self, stream: DatabaseStream) -> None:
        """Follow the collection on ``stream`` (the process's) rather than on a stream of its
        own, from the next ``start()``, unless given one when made."""
        if self._stream is None:
            self._stream = stream

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

    async def refresh(self) -> None:
        """Rebuild everything from the collection now (also what the feed does on reset)."""
        await self._rebuild()

    # Reads ------------------------------------------------------------------------------------

    async def search(
        self, text: str, *, limit: int, offset: int = 0, filters: Filters | None = None
    ) -> SearchResult:
        """Ranked hits (ids, scores, margins) from the index; QueryTooLong for long text."""
        await self.wait_built()
        if self.catalogue.query_text is not None:
            text = self.catalogue.query_text(text)
        return self.index.search(text, limit=limit, offset=offset, filters=filters)

    async def near(
        self,
        lat: float,
        lng: float,
        radius_km: float,
        *,
        limit: int,
        offset: int = 0,
        filter: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, float]]:
        """``(id, distance_km)`` of the records within ``radius_km``, nearest first.

        ``filter(id)`` keeps a record (e.g. ``lambda id: index.rendered(id)["open"]``); the
        page is the ``limit`` kept records after the first ``offset``.
        """
        await self.wait_built()
        return self.points.near(lat, lng, radius_km, limit=limit, offset=offset, keep=filter)

    def rendered(self, record_id: str) -> dict[str, Any] | None:
        """The fields kept for ``record_id`` (None if not in the catalogue or none kept): a fresh
        copy, or with ``Catalogue.shared_renders`` a dict shared between calls (do not change)."""
        raw = self._renders.get(record_id)
        if raw is None:
            return None
        keep = self.catalogue.shared_renders
        decoded = self._decoded.pop(record_id, None) if keep else None
        if decoded is not None and decoded[0] is raw:
            self._decoded[record_id] = decoded  # most recent last
            return decoded[1]
        # Only ever bytes this process pickled itself (``_render``), never input from outside.
        fields: dict[str, Any] = pickle.loads(raw)  # noqa: S301
        if keep:
            if len(self._decoded) >= keep:
                del self._decoded[next(iter(self._decoded))]  # the least recently read
            self._decoded[record_id] = (raw, fields)
        return fields

    def ids(self) -> frozenset[str]:
        """Every id in the catalogue now."""
        return frozenset(self._renders)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._renders

    # Writes -----------------------------------------------------------------------------------

    async def written(self, documents: Iterable[Stored]) -> None:
        """Apply records this process just wrote (as stored), before the feed brings them."""
        batch = {str(document["_id"]): dict(document) for document in documents}
        if batch:
            async with self._lock:
                await self._write(batch)

    async def written_ids(self, ids: Sequence[Any]) -> None:
        """Like ``written``, reading the stored records back first (bulk imports, deletes)."""
        if not ids:
            return
        found = self.collection.find({"_id": {"$in": list(ids)}}, self.catalogue.projection)
        stored = {str(document["_id"]): document async for document in found}
        batch = {str(record_id): stored.get(str(record_id)) for record_id in ids}
        async with self._lock:
            await self._write(batch)

    async def _rebuild(self) -> None:
        if self._hold is not None:
            await self._hold.wait()
        async with self._lock:
            # Everything queued so far is older than the load below (the feed's contract).
            self._pending.clear()
            started = time.monotonic()
            logger.info("%s index: loading from MongoDB", self.name)
            found = self._raw.find({}, self.catalogue.projection)
            stored = [document async for document in found]
            loaded = time.monotonic()
            built = await asyncio.to_thread(self._build, stored)
            del stored, found  # freed before the renders are packed (``_packed``)
            self._renders, self.points = _packed(built.renders), built.points
            built.renders = {}
            self._decoded = {}
            self.builds += 1
        logger.info(
            "%s index built: %d records (%d located) in %.2f s (read %.2f s, index %.2f s)",
            self.name,
            built.count,
            len(built.points),
            time.monotonic() - started,
            loaded - started,
            time.monotonic() - loaded,
        )
        self._built.set()
        self.readiness.ready(self.catalogue.readiness_name)
        await asyncio.to_thread(release_free_memory)

    def _build(self, stored: list[RawBSONDocument]) -> _Built:
        """Runs in a thread: the new index is swapped in by the engine, the rest by the caller."""
        entries: list[dict[str, Any]] = []
        renders: dict[str, bytes | None] = {}
        points: list[tuple[str, float, float]] = []
        codec = self.collection.codec_options
        for raw in stored:
            document: dict[str, Any] = bson.decode(raw.raw, codec_options=codec)
            self._keep(document)
            record_id = str(document["_id"])
            entry = self.catalogue.index_document(document)
            if entry is None:
                continue
            entries.append(self._entry(record_id, entry))
            renders[record_id] = self._render(document)
            if (place := self._location(document)) is not None:
                points.append((record_id, *place))
        count = self.index.replace_all(entries)
        return _Built(renders, GeoPoints(points), count)

    def _keep(self, document: dict[str, Any]) -> None:
        """Called by ``_build`` with each record read, decoded: a subclass keeping its own copy
        of what it serves takes it here (the document is freed after)."""

    def _entry(self, record_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        return {**entry, self.catalogue.index.id_field: record_id}

    def _render(self, document: Stored) -> bytes | None:
        if self.catalogue.rendered is None:
            return None
        fields = self.catalogue.rendered(document)
        return None if fields is None else pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL)

    def _location(self, document: Stored) -> tuple[float, float] | None:
        return None if self.catalogue.location is None else self.catalogue.location(document)

    async def _on_change(self, event: ChangeEvent) -> None:
        # Queued, not applied here: a burst (an import elsewhere) becomes one commit per batch.
        self._pending[str(event.document_id)] = event.document
        self._wake.set()

    async def _apply_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                async with self._lock:
                    batch, self._pending = self._pending, {}
                    await self._write(batch)
            except Exception:
                logger.exception("%s index: applying changes failed; rebuilding", self.name)
                await self._rebuild()

    async def _write(self, batch: Mapping[str, Stored | None]) -> None:
        """Upsert or delete (None) each record; the caller holds the lock."""
        if not batch:
            return
        for record_id, document in batch.items():
            if document is None:  # out of ``near`` before it leaves the index
                self.points.remove(record_id)
        places = await asyncio.to_thread(self._write_index, batch)
        # The points change on the event loop, where ``near`` reads them.
        for record_id, place in places.items():
            if place is None:
                self.points.remove(record_id)
            else:
                self.points.put(record_id, *place)
        logger.debug("%s index: %d changes applied", self.name, len(batch))

    def _write_index(
        self, batch: Mapping[str, Stored | None]
    ) -> dict[str, tuple[float, float] | None]:
        """Runs in a thread: rendered fields first, so a hit found in the index has them."""
        upserts: list[dict[str, Any]] = []
        places: dict[str, tuple[float, float] | None] = {}
        for record_id, document in batch.items():
            entry = None if document is None else self.catalogue.index_document(document)
            if entry is None or document is None:
                self.index.delete(record_id)
                self._renders.pop(record_id, None)
                places[record_id] = None
            else:
                self._renders[record_id] = self._render(document)
                upserts.append(self._entry(record_id, entry))
                places[record_id] = self._location(document)
        if upserts:
            self.index.upsert_many(upserts)
        return places


C = TypeVar("C", bound="CatalogueIndex")


@dataclass(frozen=True, slots=True)
class _Entry(Generic[C]):
    key: Key[C]
    make: Callable[[Resources], C]


class Catalogues:
    """A domain's catalogues, wired and started from its ``module.py`` in two lines.

    ``CATALOGUES = Catalogues(ATTRACTIONS)`` (a ``Catalogue`` spec: its ``Key`` is
    ``catalogue_key(spec)``) or ``Catalogues.custom(KEY, make)`` for a subclass; then
    ``DomainModule(..., wire=CATALOGUES.wire, start=CATALOGUES.start)``, or call both from the
    domain's own ``wire``/``start``.
    """

    def __init__(self, *catalogues: Catalogue) -> None:
        self._entries: list[_Entry[Any]] = [
            _Entry(catalogue_key(spec), _maker(spec)) for spec in catalogues
        ]

    @classmethod
    def custom(cls, key: Key[C], make: Callable[[Resources], C]) -> "Catalogues":
        catalogues = cls()
        catalogues._entries.append(_Entry(key, make))
        return catalogues

    def __add__(self, other: "Catalogues") -> "Catalogues":
        both = Catalogues()
        both._entries = [*self._entries, *other._entries]
        return both

    def wire(self, resources: Resources) -> None:
        """One read side per catalogue and process (kept if a test provided its own)."""
        for entry in self._entries:
            if resources.find(entry.key) is None:
                resources.provide(entry.key, entry.make(resources))

    async def start(self, resources: Resources) -> None:
        """Start each one's feed; they build in the background (``/readyz`` waits for them)."""
        for entry in self._entries:
            index: CatalogueIndex = resources.get(entry.key)
            index.share_stream(change_feeds(resources).stream)
            await index.start()
            resources.on_close(index.stop)


def catalogue_key(catalogue: Catalogue) -> Key[CatalogueIndex]:
    """The component name of a catalogue's read side: ``search.<name>``."""
    return Key(catalogue.readiness_name)


def _maker(catalogue: Catalogue) -> Callable[[Resources], CatalogueIndex]:
    def make(resources: Resources) -> CatalogueIndex:
        return CatalogueIndex(catalogue, resources.db, readiness=resources.readiness)

    return make
