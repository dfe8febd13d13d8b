"""What the chat relay needs from other domains, declared here and wired by the composition root
(api/registry.py): the relay never imports the domains that implement these."""

import time
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol

from domains.kernel.resources import Key, Resources

# How long the places' names are kept before they are read again (names change rarely; a new
# temple's name masked for a few minutes is the cost).
PLACE_NAMES_TTL_SECONDS = 600.0
# The longest run of a name's words kept as a phrase ("Đền Bà Triệu" -> "bà triệu").
LONGEST_PHRASE = 6


class PlaceNames(Protocol):
    """A catalogue's names of the places it holds ("Đền Cô Tiên", "Hồ Công Cave"), every
    language."""

    def place_names(self) -> Iterable[str]: ...


def _bare(text: str) -> str:
    """Lower case without accents ("Cô Tiên" -> "co tien"), words single-spaced."""
    lowered = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class PlaceNameSources:
    """Every catalogue's place names as phrases (runs of two or more of a name's words, without
    accents), read lazily from the sources and kept ``PLACE_NAMES_TTL_SECONDS``: the masking of
    people's names leaves a place's name as typed ("lên Cô Tiên": a temple, not Ms Tiên)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._sources: list[PlaceNames] = []
        self._clock = clock
        self._phrases: frozenset[str] = frozenset()
        self._read_at: float | None = None

    def add(self, source: PlaceNames) -> None:
        self._sources.append(source)
        self.refresh()

    def refresh(self) -> None:
        """Read the names again at the next question (a catalogue just changed)."""
        self._read_at = None

    def holds(self, phrase: str) -> bool:
        """Whether ``phrase`` (any case and accents) is a run of words of some place's name."""
        now = self._clock()
        if self._read_at is None or now - self._read_at >= PLACE_NAMES_TTL_SECONDS:
            self._phrases = frozenset(
                run
                for source in self._sources
                for name in source.place_names()
                for run in _runs(_bare(name).split())
            )
            self._read_at = now
        return _bare(phrase) in self._phrases


def _runs(words: list[str]) -> Iterable[str]:
    for start in range(len(words)):
        for end in range(start + 2, min(len(words), start + LONGEST_PHRASE) + 1):
            yield " ".join(words[start:end])


PLACE_NAMES: Key[PlaceNameSources] = Key("chatbot.place-names")


def place_name_sources(resources: Resources) -> PlaceNameSources:
    """The process's sources of place names, made by the first domain that adds one."""
    sources = resources.find(PLACE_NAMES)
    if sources is None:
        sources = PlaceNameSources()
        resources.provide(PLACE_NAMES, sources)
    return sources
