"""The demo procedures' names as the resolver indexes them, and the resolver's decision among
procedures ranked by the search: what the resolver's tests in this directory build alike."""

import json
from pathlib import Path
from typing import Any

from actions import resolve

PROCEDURES = (
    Path(__file__).resolve().parents[2] / "domains" / "procedures" / "data" / "procedures.json"
)
EVERYDAY_NAMES = PROCEDURES.parent / "synonyms.json"
# As actions/catalogue.py computes them from the descriptions (words in 30 % of them).
LANGUAGE_WORDS = frozenset(
    {"a", "and", "in", "of", "the", "to", "with", "co", "va", "trong", "voi"}
)


def procedure_index() -> resolve.NameIndex:
    """A NameIndex of every demo procedure's Vietnamese and English names, by code."""
    rows = json.loads(PROCEDURES.read_text(encoding="utf-8"))
    return resolve.NameIndex({row["code"]: [row["name"]["vi"], row["name"]["en"]] for row in rows})


def procedure_index_with_language_words() -> resolve.NameIndex:
    """``procedure_index`` knowing the language's small words, as the action server's does."""
    index = procedure_index()
    index.language_words = set(LANGUAGE_WORDS)
    return index


def everyday_names() -> dict[str, list[str]]:
    """The procedures' everyday names as the file writes them (phrase -> expansions)."""
    found: dict[str, list[str]] = json.loads(EVERYDAY_NAMES.read_text(encoding="utf-8"))
    return found


def decide_ranked(
    index: resolve.NameIndex,
    question: str,
    ranked: tuple[tuple[str, float], ...],
    synonyms: dict[str, list[str]],
    **options: Any,
) -> resolve.Decision:
    """The decision on ``question`` among procedures ranked by the search (code, its margin),
    as the action decides a procedure question (``rival_answers`` off, a phrase needed)."""
    candidates = [
        resolve.Candidate("procedure", code, code, score=1.0, margin=margin)
        for code, margin in ranked
    ]
    scored = resolve.score(question, candidates, index, synonyms)
    return resolve.decide(
        scored, index.min_evidence(), rival_answers=False, phrase_needed=True, **options
    )
