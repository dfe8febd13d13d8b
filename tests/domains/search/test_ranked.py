"""Margins of a ranked list, as the assistant reads them to tell a clear answer from a guess."""

import pytest

from domains.search import Ranked, margin_of, score_of, scored, with_margins


def test_each_margin_is_over_the_next_match_and_the_last_over_nothing() -> None:
    ranked = with_margins([("a", 4.0), ("b", 3.0), ("c", 3.0)])
    assert [(r.id, r.score) for r in ranked] == [("a", 4.0), ("b", 3.0), ("c", 3.0)]
    assert [r.margin for r in ranked] == [pytest.approx(0.25), 0.0, 1.0]
    assert with_margins([]) == []


def test_a_row_carries_its_score_and_margin_and_others_have_none() -> None:
    row = scored({"_id": "x", "name": "Sầm Sơn"}, Ranked("x", 2.5, 0.4))
    assert (score_of(row), margin_of(row)) == (2.5, 0.4)
    assert (score_of({"_id": "y"}), margin_of({"_id": "y"})) == (None, None)
