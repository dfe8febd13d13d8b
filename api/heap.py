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
becomes cyclic garbage (the objects of requests in flight at that moment) is never collected:
a few hundred kilobytes at most, once per that much growth.

Only ``xuthanh serve`` turns this on (``create_app(..., settle_heap=True)``): a test process
creating many apps would pay a full collection of its whole heap at every start.
"""

import gc
import logging
import time

logger = logging.getLogger("xuthanh.heap")

# Net container allocations between two young collections (CPython's default: 700).
YOUNG_THRESHOLD = 10_000
# A full collection longer than this (CPU seconds) freezes what survived it.
LONG_FULL_COLLECTION = 0.02


class RefreezeAfterLongCollections:
    """A ``gc.callbacks`` hook: after a full collection that took longer than ``longer_than``
    seconds of this thread's CPU, everything that survived it is frozen."""

    def __init__(self, longer_than: float = LONG_FULL_COLLECTION) -> None:
        self.longer_than = longer_than
        self.began = 0.0
        self.refrozen = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self.began = time.thread_time()
        elif time.thread_time() - self.began > self.longer_than:
            gc.freeze()  # the collection is over: only the survivors are left to move
            self.refrozen += 1


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
