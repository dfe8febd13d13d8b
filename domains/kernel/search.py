"""Accent-insensitive, ranked search without text indexes.

Each searchable document stores two arrays of folded terms (syllables plus adjacent-syllable pairs,
so a phrase match counts more than scattered words): ``searchPrimary`` from its name and
``searchTerms`` from everything searchable. A multikey index on ``searchTerms`` serves the match;
the score counts matched terms, name matches weighted higher.
"""

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domains.kernel.folding import fold, tokens

PRIMARY_FIELD = "searchPrimary"
TERMS_FIELD = "searchTerms"
PRIMARY_WEIGHT = 3
MAX_QUERY_TERMS = 32


def terms(text: str) -> list[str]:
    """Folded syllables and syllable pairs (``khai_sinh``) of ``text``; dotted codes stay whole."""
    words = tokens(text)
    pairs = [f"{a}_{b}" for a, b in itertools.pairwise(words) if "." not in a + b]
    return list(dict.fromkeys([*words, *pairs]))


def _texts(values: Iterable[str | Mapping[str, Any] | None]) -> list[str]:
    texts: list[str] = []
    for value in values:
        if isinstance(value, Mapping):
            texts.extend(str(v) for v in value.values() if v)
        elif value:
            texts.append(value)
    return texts


def search_fields(
    *,
    primary: Iterable[str | Mapping[str, Any] | None],
    secondary: Iterable[str | Mapping[str, Any] | None] = (),
) -> dict[str, list[str]]:
    """The fields to store on a document; localized dicts contribute every language."""
    primary_terms: dict[str, None] = {}
    for text in _texts(primary):
        primary_terms.update(dict.fromkeys(terms(text)))
    all_terms = dict(primary_terms)
    for text in _texts(secondary):
        all_terms.update(dict.fromkeys(terms(text)))
    return {PRIMARY_FIELD: list(primary_terms), TERMS_FIELD: list(all_terms)}


def query_terms(text: str, synonyms: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Terms of a user's query, with synonym expansions (keys and values are folded phrases)."""
    folded = f" {fold(text)} "
    found = terms(text)
    for phrase, expansions in (synonyms or {}).items():
        if f" {phrase} " in folded:
            for expansion in expansions:
                found.extend(terms(expansion))
    return list(dict.fromkeys(found))[:MAX_QUERY_TERMS]


def match_filter(query: Sequence[str]) -> dict[str, Any]:
    """Documents sharing at least one term with the query (served by the multikey index)."""
    return {TERMS_FIELD: {"$in": list(query)}}


def score_expression(query: Sequence[str]) -> dict[str, Any]:
    """Aggregation expression: matched terms, counting name matches PRIMARY_WEIGHT more times."""
    wanted = list(query)
    return {
        "$add": [
            {"$size": {"$setIntersection": [f"${TERMS_FIELD}", wanted]}},
            {
                "$multiply": [
                    {"$size": {"$setIntersection": [f"${PRIMARY_FIELD}", wanted]}},
                    PRIMARY_WEIGHT,
                ]
            },
        ]
    }
