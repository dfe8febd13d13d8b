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
from domains.search.spec import IndexSpec, Ranking, TextField

__all__ = [
    "Catalogue",
    "CatalogueIndex",
    "Catalogues",
    "GeoPoints",
    "IndexSpec",
    "QueryTooLong",
    "Ranking",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "SearchUnavailable",
    "TextField",
    "catalogue_key",
]
