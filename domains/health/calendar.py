"""Where the slots are, in memory: ``availableSlots`` across many facilities without a scan.

``availableSlots(near:)`` (and with no facility at all) asks for the earliest bookable slots of
dozens of facilities. The embedded database cannot read that from an index without reading every
slot of the province in the time window (``windows.py``), and "near" facilities are a small
share of them. So each API process keeps, per slot, the few fields the rule needs (facility,
start, status, places left, booking window, department, specialty, doctor) in start order per
facility: about 60,000 small tuples at province size. A page merges the near facilities' lists
from ``from`` on, picks the first bookable ids, then reads those slots by ``_id`` and checks the
rule again on what MongoDB holds (the source of truth: a slot taken meanwhile is skipped and
the next one read).

Built from MongoDB at start-up (``/readyz`` waits for ``health.slots``) and kept current by the
kernel's ``ChangeFeed`` (resume token, reload when the stream is lost). A slot published or
booked in any process reaches it within the feed's delay; until then a page may miss a new
slot or show one with its old count, never a slot the rule refuses (the second check).
"""

import asyncio
import bisect
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, cast

from bson import ObjectId
from bson.raw_bson import RawBSONDocument

from domains.health.repositories import SlotRepository
from domains.kernel.change_feed import ChangeEvent, Subscription
from domains.kernel.clock import as_utc
from domains.kernel.live import ChangeFeeds
from domains.kernel.readiness import Readiness
from domains.kernel.resources import Key
from domains.kernel.types import Database

logger = logging.getLogger("xuthanh.health.calendar")

READINESS_NAME = "health.slots"
BUILD_WAIT_SECONDS = 30.0
PROJECTION = {
    "hospitalId": 1,
    "start": 1,
    "status": 1,
    "remaining": 1,
    "bookableFrom": 1,
    "bookableUntil": 1,
    "departmentId": 1,
    "specialty": 1,
    "doctorId": 1,
}
Position = tuple[datetime, ObjectId]
T = TypeVar("T")
# Distinct values kept for sharing (Entry.of); a province holds a few thousand.
SHARED_MOST = 100_000


class Entry(NamedTuple):
    """What the rule of ``availableSlots`` reads of one slot."""

    hospital_id: str
    start: datetime
    status: str
    remaining: int
    bookable_from: datetime
    bookable_until: datetime
    department_id: str
    specialty: str
    doctor_id: str

    @classmethod
    def of(cls, document: dict[str, Any], shared: dict[Any, Any] | None = None) -> "Entry":
        """``shared``: one object per distinct value (facility, department, times), so that
        tens of thousands of slots hold a few thousand strings and datetimes, not each a copy."""
        table: dict[Any, Any] = {} if shared is None else shared

        def one(value: T) -> T:
            return cast(T, table.setdefault(value, value))

        return cls(
            one(document["hospitalId"]),
            one(as_utc(document["start"])),
            one(document["status"]),
            int(document["remaining"]),
            one(as_utc(document["bookableFrom"])),
            one(as_utc(document["bookableUntil"])),
            one(document["departmentId"]),
            one(document["specialty"]),
            one(document.get("doctorId") or ""),
        )

    def bookable(self, now: datetime) -> bool:
        return (
            self.status == "free"
            and self.remaining > 0
            and self.bookable_from <= now < self.bookable_until
        )


class SlotCalendar:
    """Every slot's ``Entry``, and each facility's slots in start order."""

    def __init__(
        self, db: Database, *, readiness: Readiness | None = None, feeds: ChangeFeeds | None = None
    ) -> None:
        self.collection = db[SlotRepository.collection_name]
        # Loads read raw BSON, decoded one slot at a time: a whole batch (up to 16 MB) decoded
        # at once left the process a heap of about 100 MB after the load.
        self._raw = self.collection.with_options(
            codec_options=self.collection.codec_options.with_options(document_class=RawBSONDocument)
        )
        # The process's feed of the slots, shared with the live updates (slotAvailability).
        self.feeds = feeds or ChangeFeeds(db)
        self._owns_feeds = feeds is None
        self.readiness = readiness or Readiness()
        self._entries: dict[ObjectId, Entry] = {}
        self._by_hospital: dict[str, list[Position]] = {}
        self._shared: dict[Any, Any] = {}  # see Entry.of
        self._subscription: Subscription | None = None
        self._built = asyncio.Event()

    def __len__(self) -> int:
        return len(self._entries)

    async def start(self) -> None:
        if self._subscription is not None:
            return
        self.readiness.pending(READINESS_NAME, "building")
        running = self.feeds.feed(SlotRepository.collection_name).ready
        self._subscription = self.feeds.subscribe(
            SlotRepository.collection_name, self._on_change, self.refresh
        )
        if running:  # the feed's first load is past: this subscriber loads by itself
            await self.refresh()

    async def stop(self) -> None:
        if self._subscription is not None:
            self._subscription.cancel()
            self._subscription = None
        if self._owns_feeds:
            await self.feeds.stop()

    async def refresh(self) -> None:
        """Reload every slot from MongoDB (at start-up, and when the feed is lost)."""
        started = time.monotonic()
        shared: dict[Any, Any] = {}
        entries = {
            document["_id"]: Entry.of(document, shared)
            async for document in self._raw.find({}, PROJECTION)
        }
        by_hospital: dict[str, list[Position]] = {}
        for slot_id, entry in entries.items():
            by_hospital.setdefault(entry.hospital_id, []).append((entry.start, slot_id))
        for positions in by_hospital.values():
            positions.sort()
        self._entries, self._by_hospital, self._shared = entries, by_hospital, shared
        logger.info(
            "slot calendar built: %d slots in %.2f s", len(entries), time.monotonic() - started
        )
        self._built.set()
        self.readiness.ready(READINESS_NAME)

    async def wait_built(self) -> None:
        if not self._built.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._built.wait(), BUILD_WAIT_SECONDS)

    @property
    def built(self) -> bool:
        return self._built.is_set()

    async def _on_change(self, event: ChangeEvent) -> None:
        self.put(event.document_id, event.document)

    def put(self, slot_id: ObjectId, document: dict[str, Any] | None) -> None:
        """Apply one slot as stored now (None: deleted)."""
        old = self._entries.pop(slot_id, None)
        if old is not None:
            positions = self._by_hospital.get(old.hospital_id, [])
            at = bisect.bisect_left(positions, (old.start, slot_id))
            if at < len(positions) and positions[at] == (old.start, slot_id):
                del positions[at]
        if document is None:
            return
        if len(self._shared) > SHARED_MOST:  # values of slots long gone: start a new table
            self._shared = {}
        entry = Entry.of(document, self._shared)
        self._entries[slot_id] = entry
        bisect.insort(self._by_hospital.setdefault(entry.hospital_id, []), (entry.start, slot_id))

    def entry(self, slot_id: ObjectId) -> Entry | None:
        return self._entries.get(slot_id)

    def earliest(
        self, hospital_ids: Collection[str] | None, after: Position
    ) -> Iterator[tuple[Position, Entry]]:
        """The slots of these facilities (None: all) after ``after``, earliest first."""
        chosen = self._by_hospital.keys() if hospital_ids is None else hospital_ids
        lists = [self._by_hospital.get(h, []) for h in chosen]
        streams = [
            itertools.islice(positions, bisect.bisect_right(positions, after), None)
            for positions in lists
            if positions
        ]
        for position in heapq.merge(*streams):
            entry = self._entries.get(position[1])
            if entry is not None:
                yield position, entry


SLOT_CALENDAR: Key[SlotCalendar] = Key("health.slot_calendar")
