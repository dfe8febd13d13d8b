"""A fix for PyMongo's async API on Python 3.11 and 3.12, applied once per process.

PyMongo waits on its topology and pool conditions with ``asyncio.wait_for``, which before Python
3.12 runs the wait in a task of its own. When the waiting task is cancelled (a change feed
stopped, a request abandoned) while MongoDB cannot be reached, that inner task can re-take the
topology lock after its caller has gone: the lock is never released and every later operation of
the client, ``close()`` included, waits for ever (seen as `make test` hanging on shutdown after the
database went away). ``asyncio.timeout`` waits in the caller's own task, so the lock is released by
the same ``async with`` that took it. Python 3.13 is left alone (PyMongo uses asyncio's own
primitives there).
"""

import asyncio
import sys
from typing import Any

_applied = False


async def _cond_wait(condition: Any, timeout: float | None) -> bool:  # noqa: ASYNC109 - PyMongo's signature
    try:
        async with asyncio.timeout(timeout):
            return bool(await condition.wait())
    except TimeoutError:
        return False


def apply() -> None:
    """Install the cancellation-safe condition wait into PyMongo (idempotent)."""
    global _applied
    if _applied or sys.version_info >= (3, 13):
        return
    import pymongo.lock
    from pymongo.asynchronous import pool, topology

    for module in (pymongo.lock, pool, topology):
        module._async_cond_wait = _cond_wait  # type: ignore[attr-defined]
    _applied = True
