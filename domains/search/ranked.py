"""A ranked row's score and margin, as every searchable list shows them.

A catalogue that serves ``search`` puts ``SCORE`` and ``MARGIN`` on each row of a ranked page
(``scored``); its GraphQL type reads them back (``score_of``, ``margin_of``) as
``searchScore`` / ``searchMargin``, described by ``SCORE_DESCRIPTION`` / ``MARGIN_DESCRIPTION``
so every catalogue means the same thing by them (docs/search.md).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SCORE = "searchScore"
MARGIN = "searchMargin"

SCORE_DESCRIPTION = (
    "Relevance (BM25) of this record to the list's `search`; null outside a ranked search "
    "(no `search`, or ordered by distance). Comparable only within one search."
)
MARGIN_DESCRIPTION = (
    "How far this record is ahead of the next match of the same search and filters: "
    "(score − next score) / score, 0 for a tie, 1 when nothing else matched; null outside a "
    "ranked search. See docs/search.md."
)


@dataclass(frozen=True, slots=True)
class Ranked:
    """One match of a ranked list: its id, score and margin over the next match kept."""

    id: str
    score: float
    margin: float


def with_margins(scored: Sequence[tuple[str, float]]) -> list[Ranked]:
    """The matches in order, each with its margin over the next one (the last: over nothing).

    Give one match more than will be shown, or every match, so the last shown has its rival.
    """
    ranked = []
    for position, (record_id, score) in enumerate(scored):
        following = scored[position + 1][1] if position + 1 < len(scored) else 0.0
        margin = (score - following) / score if score > 0 else 0.0
        ranked.append(Ranked(record_id, score, max(0.0, margin)))
    return ranked


def scored(row: Mapping[str, Any], match: Ranked) -> dict[str, Any]:
    """A copy of ``row`` carrying the match's score and margin."""
    return {**row, SCORE: match.score, MARGIN: match.margin}


def score_of(row: Mapping[str, Any]) -> float | None:
    value = row.get(SCORE)
    return float(value) if value is not None else None


def margin_of(row: Mapping[str, Any]) -> float | None:
    value = row.get(MARGIN)
    return float(value) if value is not None else None
