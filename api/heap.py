"""The garbage collector in an API process: the read sides out of its reach, fewer young passes.

An API process holds its read sides in memory (search catalogues, the slot calendar, the grant
list: hundreds of thousands of objects at province scale) and never frees them while it runs.
CPython's cyclic collector walked all of them at every full (generation 2) collection: 75–115
ms with the event loop held, every few hundred requests under load, so every request in flight
waited that long (the gap between p50 and p95). ``freeze_long_lived`` moves everything alive
once the read sides are built into the permanent generation, which collections skip (they are
still freed by reference counting when a rebuild replaces them); it runs again after each
rebuild (``Readiness.when_settled``), unfreezing first so that a replaced side's cycles, if
any, are collected then rather than kept.

Young collections ran every 700 net allocations, several per request, and promoted the objects
of requests still in flight: ``YOUNG_THRESHOLD`` lets most of a request's objects die first
(GC CPU per 1,000 ``availableSlots(near:)`` requests 215 → 61 ms with the freeze;
``python -m bench.graphql_profile --operation slots-near --concurrency 16``).

The read sides also grow while the process runs (slots published, records imported: the change
feeds bring them), and those objects are not frozen. ``RefreezeAfterLongCollections`` (a
``gc.callbacks`` hook) freezes what survived a full collection that took longer than
``LONG_FULL_COLLECTION`` of CPU: the next ones are short again. What it freezes that later
becomes cyclic garbage (the requests in flight at that moment: task, coroutine, exception and
traceback cycles) the collector does not see: each refreeze would keep some for the life of
the process, a leak growing with the write traffic that causes the refreezes. So the first
full collection ``RELEASE_AFTER`` seconds or more after the last release (or the start), with
refreezes since, has the hook schedule a release on the event loop (``freeze_long_lived``:
unfreeze, one full collection of the whole heap, freeze again): what the refreezes since the
last release froze and has died since is freed. That is the 75–115 ms pause, but at most once
per ``RELEASE_AFTER`` instead of every few hundred requests.

Only ``xuthanh serve`` turns this on (``create_app(..., settle_heap=True)``): a test process
creating many apps would pay a full collection of its whole heap at every start.
"""

import asyncio
import gc
import logging
import time
from collections.abc import Callable

logger = logging.getLogger("xuthanh.heap")

# Net container allocations between two young collections (CPython's default: 700).
YOUNG_THRESHOLD = 10_000
# A full collection longer than this (CPU seconds) freezes what survived it.
LONG_FULL_COLLECTION = 0.02
# Seconds between two releases of what refreezes froze (collected if dead since).
RELEASE_AFTER = 600.0


def soon(step: Callable[[], None]) -> bool:
    """Run ``step`` on this thread's event loop once the current callback is over (a
    collection cannot run inside a ``gc.callbacks`` hook). Without a loop on this thread (a
    worker thread), not at all: False, and a later full collection on the loop's thread
    schedules it."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    loop.call_soon(step)
    return True


class RefreezeAfterLongCollections:
    """A ``gc.callbacks`` hook: after a full collection that took longer than ``longer_than``
    seconds of this thread's CPU, everything that survived it is frozen. The first full
    collection ending ``release_after`` seconds (``clock``) or more after the last release,
    with refreezes since, has ``schedule`` run ``release`` (once that collection is over)."""

    def __init__(
        self,
        longer_than: float = LONG_FULL_COLLECTION,
        *,
        release_after: float = RELEASE_AFTER,
        clock: Callable[[], float] = time.monotonic,
        schedule: Callable[[Callable[[], None]], bool] = soon,
    ) -> None:
        self.longer_than = longer_than
        self.release_after = release_after
        self.clock = clock
        self.schedule = schedule
        self.began = 0.0
        self.refrozen = 0
        self.released = 0
        self.caught = 0  # refreezes since the last release
        self.released_at = clock()
        self.release_scheduled = False

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self.began = time.thread_time()
            return
        if time.thread_time() - self.began > self.longer_than:
            gc.freeze()  # the collection is over: only the survivors are left to move
            self.refrozen += 1
            self.caught += 1
        if (
            self.caught
            and not self.release_scheduled
            and self.clock() - self.released_at >= self.release_after
        ):
            self.release_scheduled = self.schedule(self.release)

    def release(self) -> None:
        """Unfreeze, collect, freeze: what earlier refreezes caught and has died since (the
        cycles of requests in flight then) is freed; the living are frozen again."""
        logger.info("heap: releasing what %d refreezes froze", self.caught)
        freeze_long_lived()
        self.released += 1
        self.caught = 0
        self.released_at = self.clock()
        self.release_scheduled = False


def install_refreeze(hook: RefreezeAfterLongCollections | None = None) -> None:
    """Add the hook to ``gc.callbacks`` once per process."""
    if not any(isinstance(c, RefreezeAfterLongCollections) for c in gc.callbacks):
        gc.callbacks.append(hook or RefreezeAfterLongCollections())


def tune_collector() -> None:
    """Young collections every ``YOUNG_THRESHOLD`` allocations; the older generations as
    CPython sets them."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def freeze_long_lived() -> None:
    """Collect once, then freeze everything alive: later collections no longer walk it."""
    started = time.monotonic()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    logger.info(
        "heap frozen: %d objects out of the collector's reach (%.2f s)",
        gc.get_freeze_count(),
        time.monotonic() - started,
    )
