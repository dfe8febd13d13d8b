"""What a use case runs against: the database, the process's key locks, and the components the
composition root wired (another domain's implementation of a protocol, a domain's settings),
what the process still waits for before serving, and what to stop when it ends."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from domains.kernel.readiness import Readiness
from domains.kernel.transactions import KeyedLocks
from domains.kernel.types import Database

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Key(Generic[T]):
    """A typed name for a component: ``resources.get(PATIENT_DIRECTORY)`` is typed."""

    name: str


class MissingComponent(LookupError):
    def __init__(self, key: Key[Any]) -> None:
        super().__init__(
            f"No component {key.name!r} is wired: add it to the domain module that provides it "
            "(api/registry.py composes them)."
        )


@dataclass(slots=True)
class Resources:
    """One per process, made by the lifespan (tests build their own)."""

    db: Database
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    components: dict[str, Any] = field(default_factory=dict)
    readiness: Readiness = field(default_factory=Readiness)
    _closers: list[Callable[[], Awaitable[None]]] = field(
        default_factory=list, init=False, repr=False
    )

    def on_close(self, stop: Callable[[], Awaitable[None]]) -> None:
        """Run ``stop`` when the process ends (background tasks a ``start`` hook began)."""
        self._closers.append(stop)

    async def close(self) -> None:
        """Stop what ``start`` hooks began, last started first."""
        while self._closers:
            stop = self._closers.pop()
            try:
                await stop()
            except Exception:
                logger.exception("a component failed to stop")

    def provide(self, key: Key[T], component: T) -> None:
        self.components[key.name] = component

    def get(self, key: Key[T]) -> T:
        try:
            component: T = self.components[key.name]
        except KeyError:
            raise MissingComponent(key) from None
        return component

    def find(self, key: Key[T]) -> T | None:
        """The component, or None when no domain provides it."""
        component: T | None = self.components.get(key.name)
        return component
