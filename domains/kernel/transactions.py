"""The one way to run a multi-document transaction, optionally after this process's earlier work
on the same keys."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from typing import TypeVar

from domains.kernel.types import Database, Session

Result = TypeVar("Result")


class KeyedLocks:
    """Work on one key in this process waits its turn instead of racing.

    Correctness never depends on it: transactions and conditional updates do. But transactions
    that write one document at once abort each other and the driver retries them with growing
    pauses; 200 patients racing for one slot then take minutes to be answered. Queued here, each
    transaction meets only the few running in other processes. One instance per process, made by
    the app's lifespan (never at import: it belongs to one event loop).
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}

    @contextlib.asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    @contextlib.asynccontextmanager
    async def turns(self, keys: Iterable[Hashable]) -> AsyncIterator[None]:
        """Wait for every key, always in one order (sorted by text), so two callers never
        deadlock."""
        async with contextlib.AsyncExitStack() as stack:
            for key in sorted(set(keys), key=str):
                await stack.enter_async_context(self.turn(key))
            yield

    def __len__(self) -> int:
        """Keys in use now (for tests and metrics)."""
        return len(self._locks)


class NoLocks(KeyedLocks):
    """Every caller goes at once: for proving that the transaction alone keeps an invariant."""

    @contextlib.asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        yield


async def in_transaction(
    db: Database,
    work: Callable[[Session], Awaitable[Result]],
    *,
    locks: KeyedLocks | None = None,
    keys: Iterable[Hashable] = (),
) -> Result:
    """Run ``work`` in one transaction, retried by the driver on transient errors; with
    ``locks`` and ``keys``, after this process's earlier transactions on those keys."""
    async with contextlib.AsyncExitStack() as stack:
        if locks is not None:
            await stack.enter_async_context(locks.turns(keys))
        async with db.client.start_session() as session:
            return await session.with_transaction(work)
