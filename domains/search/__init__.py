"""In-process full-text search (tantivy, BM25) and "near me": one read side per catalogue."""

from domains.search.catalogue import (
    Catalogue,
    CatalogueIndex,
    Catalogues,
    SearchUnavailable,
    catalogue_key,
)
from domains.search.engine import SearchHit, SearchIndex, SearchResult
from domains.search.errors import QueryTooLong
from domains.search.geo import GeoPoints
from domains.search.ranked import (
    MARGIN_DESCRIPTION,
    SCORE_DESCRIPTION,
    Ranked,
    margin_of,
    score_of,
    scored,
    with_margins,
)
from domains.search.spec import IndexSpec, Ranking, TextField
from domains.search.synonyms import synonyms_file

__all__ = [
    "MARGIN_DESCRIPTION",
    "SCORE_DESCRIPTION",
    "Catalogue",
    "CatalogueIndex",
    "Catalogues",
    "GeoPoints",
    "IndexSpec",
    "QueryTooLong",
    "Ranked",
    "Ranking",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "SearchUnavailable",
    "TextField",
    "catalogue_key",
    "margin_of",
    "score_of",
    "scored",
    "synonyms_file",
    "with_margins",
]
