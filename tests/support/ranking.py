"""What every searchable list's ``searchScore`` / ``searchMargin`` must satisfy."""

from typing import Any

import pytest


def assert_ranked(nodes: list[dict[str, Any]], following: float | None = None) -> None:
    """Best first, each margin over the next row ((score − next) / score; ``following``: the
    next page's first score, None when the list ends here)."""
    scores = [node["searchScore"] for node in nodes]
    assert scores and all(score > 0 for score in scores), nodes
    assert scores == sorted(scores, reverse=True), nodes
    for node, after in zip(nodes, [*scores[1:], following or 0.0], strict=True):
        expected = (node["searchScore"] - after) / node["searchScore"]
        assert node["searchMargin"] == pytest.approx(expected, abs=1e-6), nodes


def assert_unranked(nodes: list[dict[str, Any]]) -> None:
    assert nodes
    assert all(n["searchScore"] is None and n["searchMargin"] is None for n in nodes), nodes
