"""What a process still waits for before it should receive traffic (``/readyz`` reads it).

A component that builds something in the background at start-up (a search index) registers
itself as pending with a reason and marks itself ready when done; ``/readyz`` answers 503 with
every pending reason until none is left. Nothing else needs to know about each component.
``when_settled`` runs a step each time the last pending component (or a rebuilt one) reports
ready: the API process moves what the read sides built out of the garbage collector's reach.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class Readiness:
    _pending: dict[str, str] = field(default_factory=dict)
    _settled: asyncio.Event = field(default_factory=asyncio.Event)
    _on_settled: list[Callable[[], None]] = field(default_factory=list)

    def pending(self, name: str, reason: str) -> None:
        """``name`` is not ready yet, because of ``reason`` (e.g. ``"building"``)."""
        self._pending[name] = reason
        self._settled.clear()

    def ready(self, name: str) -> None:
        """``name`` is built (again: a rebuild reports ready too)."""
        self._pending.pop(name, None)
        if not self._pending:
            self._settled.set()
            for step in self._on_settled:
                step()

    def when_settled(self, step: Callable[[], None]) -> None:
        """Run ``step`` now if nothing is pending, and whenever a component reports ready
        with nothing else pending (the first builds done, a rebuild done)."""
        self._on_settled.append(step)
        if not self._pending:
            step()

    @property
    def waiting_for(self) -> dict[str, str]:
        """Every pending component with its reason (empty when the process is ready)."""
        return dict(self._pending)

    async def settle(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for every component to be ready; whether they all are."""
        if not self._pending:
            return True
        try:
            await asyncio.wait_for(self._settled.wait(), seconds)
        except TimeoutError:
            return False
        return True
