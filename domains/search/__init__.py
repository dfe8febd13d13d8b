"""In-process full-text search (tantivy, BM25): one in-memory index per catalogue."""

from domains.search.engine import SearchHit, SearchIndex, SearchResult
from domains.search.errors import QueryTooLong
from domains.search.spec import IndexSpec, Ranking, TextField

__all__ = [
    "IndexSpec",
    "QueryTooLong",
    "Ranking",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "TextField",
]
