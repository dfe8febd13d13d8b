"""Rasa's MongoDB tracker store without the re-read on every save.

Rasa 3.6's ``MongoTrackerStore.save`` reads the whole stored conversation back to find which of
the tracker's events are new, then writes them: every message cost the tracker store two reads
and a write, the document decoded twice in Rasa and served twice by the database. This store
keeps the same documents (same ``$set`` of the tracker's state, same ``$push`` of the events
from the same position) but remembers, for each tracker it has read or created, how many events
of the conversation's latest session are stored; ``save`` uses that number instead of reading
it back, and keeps it up to date after writing. A new conversation's empty tracker is not
written until it has events (Rasa wrote it empty, then again with the message's events), so a
message costs one read and one write. That is the one visible difference: a tracker saved with no
events after a read found none (Rasa's new tracker; also a `PUT .../tracker/events` of `[]`, an
API the deployment does not enable) leaves no document where Rasa's store left an empty one.

Correct with several Rasa servers: Rasa reads a conversation's tracker and saves it while
holding that conversation's lock (the Redis lock store across servers), so nothing else writes
the conversation between this server's read and its saves. The number belongs to the tracker
*object* read or created here (by identity, never by conversation id): a tracker this store did
not produce (a copy, one built from a request) falls back to Rasa's read-back, as does any
tracker whose number does not fit its events.

The database calls run in a worker thread (``asyncio.to_thread``): Rasa's store calls PyMongo's
blocking client from its event loop, so the Rasa server did nothing else while the database
answered (about a fifth of its event loop's time per message, bench/chatbot.py); now other
conversations' messages are parsed meanwhile. Each call is still awaited before the store goes
on, so one conversation's read and writes keep their order.

What it writes holds no health condition a person stated ("tôi bị tiểu đường"): masked by
``stated_conditions`` in the events and the state written (the message was read as typed).

Configured in endpoints.yml as ``type: tracker_store.MongoTrackerStore`` (Rasa imports it from
its working directory, bots/, here and in the assistant image).
"""

import asyncio
import itertools
import weakref
from typing import Any, Dict, List, Optional, Text, Tuple

from pymongo import ReturnDocument
from rasa.core import tracker_store as rasa_stores
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

# Rasa imports this module by the name endpoints.yml gives: the place to install the other cut,
# and to keep conversation content out of Rasa's log. Rasa answers an ImportError here by
# quietly keeping conversations in memory (no storage, no erasure, no redaction): refuse instead.
try:
    import log_privacy
    import rasa_speedups
    import stated_conditions
except ImportError as error:
    raise RuntimeError(
        f"bots/tracker_store.py cannot import {error.name}: run Rasa from bots/ (its modules "
        "are imported from the working directory), as scripts/serve.sh and the image do."
    ) from error

rasa_speedups.apply()
log_privacy.apply()


class StoredCounts:
    """For each live tracker object: how many events of its latest session are stored."""

    def __init__(self) -> None:
        self._entries: Dict[int, Tuple["weakref.ref[DialogueStateTracker]", int]] = {}

    def remember(self, tracker: DialogueStateTracker, count: int) -> None:
        key = id(tracker)
        entries = self._entries

        def forget(reference: "weakref.ref[DialogueStateTracker]") -> None:
            entry = entries.get(key)
            if entry is not None and entry[0] is reference:
                del entries[key]

        entries[key] = (weakref.ref(tracker, forget), count)

    def get(self, tracker: DialogueStateTracker) -> Optional[int]:
        entry = self._entries.get(id(tracker))
        if entry is None or entry[0]() is not tracker:
            return None
        return entry[1]

    def __len__(self) -> int:
        return len(self._entries)


def stored_after_push(count: int, pushed: List[Dict[Text, Any]]) -> int:
    """Events of the latest session stored after ``pushed`` follow ``count`` such events."""
    for index in range(len(pushed) - 1, -1, -1):
        if pushed[index].get("event") == SessionStarted.type_name:
            return len(pushed) - index
    return count + len(pushed)


class MongoTrackerStore(rasa_stores.MongoTrackerStore):
    """``rasa.core.tracker_store.MongoTrackerStore`` with one read per message instead of two."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counts = StoredCounts()
        # Conversations whose last read found no stored events (the tracker Rasa creates for
        # them next starts from zero); refreshed by every read, consumed by the next save.
        self._found_empty: Dict[Text, bool] = {}

    @staticmethod
    def _current_tracker_state_without_events(tracker: DialogueStateTracker) -> Dict:
        # Rasa serialises every event for this state and then drops them: skip that work.
        state = tracker.current_state(EventVerbosity.NONE)
        state.pop("events", None)
        return state

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrieve_counted(sender_id, fetch_events_from_all_sessions=False)

    async def retrieve_full_tracker(
        self, conversation_id: Text
    ) -> Optional[DialogueStateTracker]:
        return await self._retrieve_counted(conversation_id, fetch_events_from_all_sessions=True)

    async def _retrieve_counted(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        stored = await asyncio.to_thread(self._find, sender_id)
        events = self._events_from_serialized_tracker(stored) if stored else None
        if events and not fetch_events_from_all_sessions:
            events = self._events_since_last_session_start(events)
        if not events:
            if len(self._found_empty) > 10_000:
                self._found_empty.clear()
            self._found_empty[sender_id] = True
            return None
        self._found_empty.pop(sender_id, None)
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        self.counts.remember(tracker, len(self._events_since_last_session_start(events)))
        return tracker

    def _find(self, sender_id: Text) -> Optional[Dict[Text, Any]]:
        """The stored conversation, read as Rasa's ``_retrieve`` reads it (blocking: run in a
        worker thread): conversations once stored under an ``int`` sender id are renamed."""
        stored: Optional[Dict[Text, Any]]
        stored = self.conversations.find_one({"sender_id": sender_id})
        if not stored and sender_id.isdigit():
            stored = self.conversations.find_one_and_update(
                {"sender_id": int(sender_id)},
                {"$set": {"sender_id": str(sender_id)}},
                return_document=ReturnDocument.AFTER,
            )
        return stored

    def _stored_count(self, sender_id: Text) -> int:
        """Rasa's read-back: events of the latest session in the stored conversation."""
        stored = self.conversations.find_one({"sender_id": sender_id}) or {}
        events = self._events_from_serialized_tracker(stored)
        return len(self._events_since_last_session_start(events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        count = self.counts.get(tracker)
        found_empty = self._found_empty.pop(tracker.sender_id, False)
        if count is None and found_empty and not tracker.events:
            # Rasa's new, still empty tracker for a conversation the read just before found
            # empty (the lock keeps others from writing it): nothing to store yet. Rasa's store
            # writes its state here, which the message's own save overwrites moments later.
            self.counts.remember(tracker, 0)
            return
        if count is None or count > len(tracker.events):
            count = await asyncio.to_thread(self._stored_count, tracker.sender_id)
        pushed = [
            event.as_dict()
            for event in itertools.islice(tracker.events, count, len(tracker.events))
        ]
        # What is stored holds no health condition someone stated (the assistant has read it).
        stored_events = stated_conditions.redact_events(pushed)
        stored_state = stated_conditions.redact_state(
            self._current_tracker_state_without_events(tracker)
        )
        await asyncio.to_thread(
            self.conversations.update_one,
            {"sender_id": tracker.sender_id},
            {
                "$set": stored_state,
                "$push": {"events": {"$each": stored_events}},
            },
            upsert=True,
        )
        self.counts.remember(tracker, stored_after_push(count, pushed))
