"""Follow one MongoDB collection's changes and hand them to subscribers.

Start-up contract: the stream is opened first, then every subscriber's ``on_reset`` loads the
collection, then the events are followed from the stream's position taken before that load, so
a write made during the load is delivered rather than missed (subscribers apply events as
idempotent upserts and deletes by id). The same reset runs whenever the stream cannot resume:
the resume token is no longer valid, or the collection was dropped or renamed (``invalidate``).
Any other error (a lost connection, a primary stepping down) resumes from the last token, after
a pause that grows while the database stays unreachable.

Used by the search indexes; built to serve GraphQL subscriptions as well.

A feed made with ``stream=`` (a ``DatabaseStream``, domains/kernel/database_stream.py) opens no
stream of its own: it joins one database-level stream that serves every feed of the process, with
the same contract (see there). The process's feeds are made that way; a feed without ``stream``
(or resuming from a stored token) watches its collection alone.
"""

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure, PyMongoError

if TYPE_CHECKING:
    from domains.kernel.database_stream import DatabaseStream

logger = logging.getLogger(__name__)

ResumeToken = Mapping[str, Any]


class ChangeOperation(enum.StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


DATA_OPERATIONS = frozenset(operation.value for operation in ChangeOperation)
# Events after which the stream is closed and everything a subscriber holds may be stale.
_INVALIDATING = frozenset({"invalidate", "drop", "rename", "dropDatabase"})


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One change to one document."""

    operation: ChangeOperation
    document_id: Any
    document: dict[str, Any] | None
    """The document as it is now (looked up for updates); None when deleted since."""
    resume_token: ResumeToken


OnChange = Callable[[ChangeEvent], Awaitable[None]]
OnReset = Callable[[], Awaitable[None]]


async def _nothing_to_reset() -> None:
    return None


@dataclass(eq=False)
class Subscription:
    """A subscriber's callbacks; ``cancel()`` stops deliveries to it."""

    on_change: OnChange
    on_reset: OnReset
    feed: "ChangeFeed"

    def cancel(self) -> None:
        self.feed.unsubscribe(self)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between attempts to reopen a lost stream: immediately first, then doubling."""

    first: float = 0.1
    longest: float = 5.0

    def delay(self, attempt: int) -> float:
        return 0.0 if attempt == 0 else min(self.longest, self.first * 2 ** (attempt - 1))


# The resume token can no longer be used: history lost (286), fatal (280), invalid (260),
# not found on older servers (40585, 40615), unparsable (9: SecantusDB on a foreign token).
_TOKEN_UNUSABLE = frozenset({9, 260, 280, 286, 40585, 40615})


def needs_reload(error: PyMongoError) -> bool:
    """Whether ``error`` means the stream cannot continue from its token (else: resume)."""
    return isinstance(error, OperationFailure) and error.code in _TOKEN_UNUSABLE


class ChangeFeed:
    """Watches one collection; run it as a task with ``start()`` and end it with ``stop()``."""

    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        *,
        resume_token: ResumeToken | None = None,
        max_await_ms: int = 1000,
        backoff: Backoff | None = None,
        stream: "DatabaseStream | None" = None,
    ) -> None:
        if stream is not None and resume_token is not None:
            raise ValueError("a feed resuming from a stored token watches its collection alone")
        self.collection = collection
        self._stream = stream
        self._token: ResumeToken | None = resume_token
        self._max_await_ms = max_await_ms
        self._backoff = backoff or Backoff()
        self._subscriptions: list[Subscription] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._heard_at: float | None = None
        self.resets = 0
        self.resumes = 0

    @property
    def name(self) -> str:
        return self.collection.full_name

    @property
    def resume_token(self) -> ResumeToken | None:
        """Where the feed would resume: after the last event delivered to every subscriber. On a
        shared stream, the stream's: after the last event read (applied, or queued for its
        feed: a lost stream resumes there and the queue keeps what was read)."""
        return self._token if self._stream is None else self._stream.resume_token

    @property
    def ready(self) -> bool:
        """True once the first load (or resume from a given token) has completed."""
        return self._ready.is_set()

    @property
    def heard_at(self) -> float | None:
        """``time.monotonic()`` when the stream was last asked for more and answered that there
        was nothing: every change made before then has been delivered. None while the stream is
        not followed (not started yet, loading, lost, stopped)."""
        return self._heard_at

    async def wait_ready(self) -> None:
        await self._ready.wait()

    def subscribe(self, on_change: OnChange, on_reset: OnReset | None = None) -> Subscription:
        """Deliver every later change to ``on_change``; ``on_reset`` (re)loads everything.

        Subscribe before ``start()`` to take part in the initial load.
        """
        subscription = Subscription(on_change, on_reset or _nothing_to_reset, self)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with contextlib.suppress(ValueError):
            self._subscriptions.remove(subscription)

    def start(self) -> "asyncio.Task[None]":
        if self._stream is not None:
            return self._stream.join(self)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name=f"change feed {self.name}")
        return self._task

    async def stop(self) -> None:
        """Cancel the feed and wait until its stream is closed."""
        task, self._task = self._task, None
        self._heard_at = None
        if self._stream is not None:
            await self._stream.leave(self)
            return
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def run(self) -> None:
        """Follow the collection until cancelled."""
        must_reset = self._token is None
        attempt = 0
        while True:
            delay = self._backoff.delay(attempt)
            if delay:
                await asyncio.sleep(delay)
            attempt += 1
            try:
                stream = await self._open(None if must_reset else self._token)
            except PyMongoError as error:
                stop_if_cancelled()
                if not must_reset and needs_reload(error):
                    logger.warning("%s: cannot resume (%s); reloading", self.name, error)
                    must_reset = True
                    attempt = 0
                else:
                    logger.warning("%s: cannot open the change stream: %s", self.name, error)
                continue
            async with stream:
                try:
                    if must_reset:
                        # The position before the load: nothing written during it is missed.
                        self._token = stream.resume_token
                        await self._reset_all()
                        must_reset = False
                    elif self._ready.is_set():
                        self.resumes += 1
                    self._ready.set()
                    attempt = 0
                    must_reset = await self._follow(stream)
                except PyMongoError as error:
                    self._heard_at = None
                    stop_if_cancelled()
                    must_reset = must_reset or needs_reload(error)
                    logger.warning(
                        "%s: change stream lost (%s); %s",
                        self.name,
                        error,
                        "reloading" if must_reset else "resuming",
                    )

    async def _open(self, token: ResumeToken | None) -> AsyncChangeStream[dict[str, Any]]:
        return await self.collection.watch(
            full_document="updateLookup",
            resume_after=token,
            max_await_time_ms=self._max_await_ms,
        )

    async def _follow(self, stream: AsyncChangeStream[dict[str, Any]]) -> bool:
        """Deliver events until the stream is invalidated (returns True: reload needed)."""
        while True:
            asked = time.monotonic()
            change = await stream.try_next()
            if change is None:
                self._heard_at = asked
            else:
                kind = change["operationType"]
                if kind in _INVALIDATING:
                    logger.info("%s: %s; reloading", self.name, kind)
                    self._heard_at = None
                    return True
                if kind in DATA_OPERATIONS:
                    await self._deliver(event_of(change))
            # Also moves on while idle (post-batch token), so a resume never starts far back.
            if stream.resume_token is not None:
                self._token = stream.resume_token

    # What a ``DatabaseStream`` does to the feeds it serves ---------------------------------------

    async def reload(self) -> None:
        """Every subscriber reloads (the stream is open at a position taken before the load)."""
        await self._reset_all()
        self._ready.set()

    async def deliver(self, event: ChangeEvent) -> None:
        await self._deliver(event)

    def heard(self, at: float | None) -> None:
        """The stream answered at ``at`` that there was nothing more (None: not followed now)."""
        self._heard_at = at

    def count_resume(self) -> None:
        self.resumes += 1

    async def _deliver(self, event: ChangeEvent) -> None:
        for subscription in list(self._subscriptions):
            try:
                await subscription.on_change(event)
            except PyMongoError:
                # The database failed, not the subscriber: resume and deliver this event again.
                raise
            except Exception:
                # A subscriber that failed to apply a change no longer mirrors the collection.
                logger.exception("%s: subscriber failed on a change; reloading it", self.name)
                await self._reset(subscription)

    async def _reset_all(self) -> None:
        self.resets += 1
        for subscription in list(self._subscriptions):
            await self._reset(subscription)

    async def _reset(self, subscription: Subscription) -> None:
        try:
            await subscription.on_reset()
        except PyMongoError:
            raise
        except Exception:
            logger.exception("%s: subscriber failed to reload", self.name)


def event_of(change: Mapping[str, Any]) -> ChangeEvent:
    """The ``ChangeEvent`` of a change stream's insert, update, replace or delete event."""
    return ChangeEvent(
        operation=ChangeOperation(change["operationType"]),
        document_id=change["documentKey"]["_id"],
        document=change.get("fullDocument"),
        resume_token=change["_id"],
    )


def stop_if_cancelled() -> None:
    """PyMongo's async API may answer a cancellation that arrives while it selects a server with a
    PyMongoError instead of the CancelledError: a feed being stopped must then stop, not retry
    (``stop()`` would wait for it for ever)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
