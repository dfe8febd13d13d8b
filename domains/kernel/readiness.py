"""What a process still waits for before it should receive traffic (``/readyz`` reads it).

A component that builds something in the background at start-up (a search index) registers
itself as pending with a reason and marks itself ready when done; ``/readyz`` answers 503 with
every pending reason until none is left. Nothing else needs to know about each component.
"""

from dataclasses import dataclass, field


@dataclass(slots=True)
class Readiness:
    _pending: dict[str, str] = field(default_factory=dict)

    def pending(self, name: str, reason: str) -> None:
        """``name`` is not ready yet, because of ``reason`` (e.g. ``"building"``)."""
        self._pending[name] = reason

    def ready(self, name: str) -> None:
        self._pending.pop(name, None)

    @property
    def waiting_for(self) -> dict[str, str]:
        """Every pending component with its reason (empty when the process is ready)."""
        return dict(self._pending)
