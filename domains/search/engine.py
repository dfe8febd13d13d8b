"""A catalogue's search index held in memory: build, update, search.

MongoDB stays the source of truth; an index is rebuilt from it whenever in doubt. Writes commit
and reload the reader before they return, so the next search in this process sees them. Searches
take well under a millisecond on catalogue-sized indexes (docs/search.md), so callers run them
inline on the event loop; a whole rebuild belongs in ``asyncio.to_thread``.
"""

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import tantivy

from domains.search.analysis import (
    EXACT,
    FOLDED,
    KEYWORD,
    KEYWORD_WORDS,
    folded_tokens,
    initials,
    keyword,
    normalize,
    query_tokens,
    register_analyzers,
)
from domains.search.coverage import Loose, Name, Pairs, coverage, idf, originals, parse_name
from domains.search.errors import QueryTooLong
from domains.search.query import (
    EXACT_SUFFIX,
    INITIALS_SUFFIX,
    QueryBuilder,
    Synonym,
    prepare_synonyms,
)
from domains.search.spec import IndexSpec, Ranking

ID = "_id"
PAYLOAD = "_payload"
NAMES = "_names"  # the folded words of each name (the first text field), for coverage
# A 64-bit digest of a record's ``NAMES`` (a fast field): a search finds its window's parsed names
# by it without reading their stored documents (``SearchIndex._names_of``).
NAMES_KEY = "_names_key"
# tantivy's minimum per indexing thread; the arena grows page by page, so this is a ceiling.
WRITER_HEAP_BYTES = 15_000_000
MAX_LIMIT = 100
# Names whose total weight, and pairs of names whose difference, are kept between writes (most
# catalogues have fewer; the province's 2,000 procedures met about 3,000 pairs in 445 searches,
# a pair a few hundred bytes); past that the table starts afresh.
MAX_TOTALS = 16_384
MAX_PAIRS = 16_384

Document = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One record found: its id, BM25 score, margin over the next hit and stored fields."""

    id: str
    score: float
    margin: float
    """(score − next score) / score: 0 for a tie, 1 when nothing else matched."""
    payload: bytes = field(repr=False)
    """The stored fields as the index keeps them (JSON); read through ``fields``."""

    @property
    def fields(self) -> Mapping[str, Any]:
        """The stored fields, decoded when asked for (the catalogues render from their own)."""
        decoded: Mapping[str, Any] = json.loads(self.payload)
        return decoded


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    """Records that matched at all (the hits are the best ``limit`` of them)."""

    @property
    def margin(self) -> float:
        """The top hit's margin over the runner-up (0 when nothing was found)."""
        return self.hits[0].margin if self.hits else 0.0


def _build_schema(spec: IndexSpec) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field(PAYLOAD, stored=True)
    builder.add_text_field(NAMES, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field(NAMES_KEY, fast=True)
    for text in spec.text_fields:
        builder.add_text_field(text.name, tokenizer_name=FOLDED)
        if text.exact:
            # Only a boost: frequencies without positions are enough.
            exact_name = text.name + EXACT_SUFFIX
            builder.add_text_field(exact_name, tokenizer_name=EXACT, index_option="freq")
        if text.initials:
            builder.add_text_field(
                text.name + INITIALS_SUFFIX, tokenizer_name=KEYWORD_WORDS, index_option="basic"
            )
    for name in (*spec.code_fields, *spec.filter_fields):
        builder.add_text_field(name, tokenizer_name=KEYWORD, index_option="basic")
    return builder.build()


def _count(found: tantivy.SearchResult) -> int:
    # ``count`` exists at run time (asked for with count=True) but is missing from the stubs.
    count = getattr(found, "count", None)
    return int(count) if count is not None else 0


def _names_key(names: Sequence[str]) -> int:
    """The digest of a record's stored names (``NAMES_KEY``): equal names, equal keys; two
    different ones share a key with odds of about 2⁻⁶⁴ per pair."""
    digest = hashlib.blake2b("\n".join(names).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, Iterable):
        return [text for item in value for text in _texts(item)]
    return [str(value)]


class SearchIndex:
    """One catalogue's in-memory index; writes are serialised, searches run concurrently."""

    def __init__(
        self,
        spec: IndexSpec,
        *,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        ranking: Ranking | None = None,
    ) -> None:
        self.spec = spec
        self.ranking = ranking or Ranking()
        self._schema = _build_schema(spec)
        self._synonyms: list[Synonym] = prepare_synonyms(synonyms or {})
        self._queries = QueryBuilder(
            self._schema, spec, self.ranking, self._synonyms, rarity=self._word_rarity
        )
        self._write_lock = threading.Lock()
        self._index = self._empty_index()
        # Writes so far: a query weighing sets of words is built anew after one (its words'
        # rarity may have changed; ``QueryBuilder.build``).
        self._writes = 0
        # Opened at the first write after a build (most read sides never write between builds):
        # an open writer holds its indexing thread and arena, about 2 MB per catalogue.
        self._open_writer: tantivy.IndexWriter | None = None
        # Name words' rarity and names' total (``_rarity``), counted as searches need them,
        # and which names hold which (``coverage.Pairs``); emptied by writes.
        self._weights: dict[str, float] = {}
        self._totals: dict[Name, float] = {}
        self._pairs: Pairs = {}
        # Parsed names by ``NAMES_KEY``: keyed by content, never stale, so kept across writes.
        self._names: dict[int, list[Name]] = {}

    def _empty_index(self) -> tantivy.Index:
        index = tantivy.Index(self._schema)
        register_analyzers(index)
        # Reload explicitly after each commit: a write is visible to the very next search.
        index.config_reader(reload_policy="manual")
        return index

    @property
    def _writer(self) -> tantivy.IndexWriter:
        """The current index's writer (the caller holds ``_write_lock``)."""
        if self._open_writer is None:
            self._open_writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        return self._open_writer

    def _document(self, source: Document) -> tantivy.Document:
        spec = self.spec
        document = tantivy.Document()
        document.add_text(ID, self._id_of(source))
        payload = {name: source.get(name) for name in spec.stored_fields}
        document.add_bytes(PAYLOAD, json.dumps(payload, ensure_ascii=False).encode())
        names = [
            " ".join(f"{t.folded}:{t.accented or t.folded}" for t in query_tokens(name))
            for name in _texts(source.get(spec.text_fields[0].name))
        ]
        for name in names:
            document.add_text(NAMES, name)
        document.add_unsigned(NAMES_KEY, _names_key(names))
        for text_field in spec.text_fields:
            for text in _texts(source.get(text_field.name)):
                normalized = normalize(text)
                document.add_text(text_field.name, normalized)
                if text_field.exact:
                    document.add_text(text_field.name + EXACT_SUFFIX, normalized)
                if text_field.initials:
                    document.add_text(text_field.name + INITIALS_SUFFIX, " ".join(initials(text)))
        for name in (*spec.code_fields, *spec.filter_fields):
            for value in _texts(source.get(name)):
                document.add_text(name, value)
        return document

    def _id_of(self, source: Document) -> str:
        value = source.get(self.spec.id_field)
        if value is None:
            raise ValueError(f"Document without {self.spec.id_field!r}.")
        return str(value)

    def _commit(self) -> None:
        self._writer.commit()
        self._index.reload()
        self._forget_counts()

    def _forget_counts(self) -> None:
        """What was counted from the index, after a write (the caller holds ``_write_lock``)."""
        self._weights, self._totals, self._pairs = {}, {}, {}
        self._writes += 1

    def replace_all(self, documents: Iterable[Document]) -> int:
        """Build a fresh index from ``documents`` and swap it in whole; returns how many."""
        index = self._empty_index()
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        count = 0
        for source in documents:
            writer.add_document(self._document(source))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        with self._write_lock:
            self._index, self._open_writer = index, None
            self._forget_counts()
        return count

    def upsert(self, source: Document) -> None:
        """Add or replace one record (by id); visible to the next search."""
        self.upsert_many([source])

    def upsert_many(self, sources: Iterable[Document]) -> None:
        """Add or replace several records in one commit."""
        documents = [(self._id_of(source), self._document(source)) for source in sources]
        with self._write_lock:
            for record_id, document in documents:
                self._writer.delete_documents_by_term(ID, record_id)
                self._writer.add_document(document)
            self._commit()

    def delete(self, record_id: Any) -> None:
        """Remove one record (no error when it is absent); visible to the next search."""
        with self._write_lock:
            self._writer.delete_documents_by_term(ID, str(record_id))
            self._commit()

    def __len__(self) -> int:
        return self._index.searcher().num_docs

    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        offset: int = 0,
        filters: Mapping[str, str | Sequence[str]] | None = None,
    ) -> SearchResult:
        """The best ``limit`` records for what the user typed after the first ``offset``, best
        first (``offset`` pages through a ranked list)."""
        if len(text) > self.ranking.max_query_length:
            raise QueryTooLong(len(text), self.ranking.max_query_length)
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}.")
        if offset < 0:
            raise ValueError("offset must not be negative.")
        query = self._queries.build(text, self._writes)
        if query is None:
            return SearchResult()
        if filters:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), *self._filter_clauses(filters)]
            )
        searcher = self._index.searcher()
        window = self.ranking.coverage_window if self.ranking.coverage else 0
        if offset >= window:
            # Beyond the reordered window: BM25's order. One extra hit gives the last its margin.
            found = searcher.search(query, limit + 1, count=True, offset=offset)
            ranked = [(score, address) for score, address in found.hits]
        else:
            found = searcher.search(query, max(window, offset + limit + 1), count=True)
            ranked = self._by_coverage(searcher, found.hits, text, window)[offset:]
        hits = []
        for position, (score, address) in enumerate(ranked[:limit]):
            # Only the returned hits' stored fields are read; the extra hit gives a score only.
            document = searcher.doc(address)
            next_score = ranked[position + 1][0] if position + 1 < len(ranked) else 0.0
            hits.append(
                SearchHit(
                    id=str(document.get_first(ID)),
                    score=score,
                    margin=max(0.0, (score - next_score) / score) if score > 0 else 0.0,
                    payload=document.get_all(PAYLOAD)[0],
                )
            )
        return SearchResult(hits=hits, total=_count(found))

    def _by_coverage(
        self,
        searcher: tantivy.Searcher,
        found: list[tuple[float, tantivy.DocAddress]],
        text: str,
        window: int,
    ) -> list[tuple[float, tantivy.DocAddress]]:
        """``found`` (best first) with the first ``window`` rescored by how much of their name
        the query covers (``Ranking.coverage``) and whether they are a qualified copy of another
        of them (``Ranking.redundant``; ``domains/search/coverage.py``), put in that order."""
        typed = self._queries.words(text)
        hits = self._names_of(searcher, [address for _score, address in found[:window]])
        every = frozenset[str]().union(*(name.folded for names in hits for name in names))
        weights = self._rarity(searcher, every | typed.folded)
        names_field = self.spec.text_fields[0].name
        typos = [word for word in typed.fuzzy if not searcher.doc_freq(names_field, word)]
        loose = Loose(typed, every, typos)
        shares = []
        for names in hits:
            best = 0.0
            for name in names:
                share = coverage(name, typed, loose, weights, self._total(name, weights))
                if share > best:
                    best = share
            shares.append(best)
        boost = self.ranking.coverage
        covered = [score * (1 + boost * c) for (score, _), c in zip(found, shares, strict=False)]
        # A copy that explains little more than a record found too comes after it: it scores
        # at most that record's share ``redundant`` (``domains/search/coverage.py``).
        pairs = self._pairs
        if len(pairs) > MAX_PAIRS:
            pairs.clear()
        copied = originals(hits, typed, loose, weights, pairs)
        # Past the window BM25's order stands: no score in the window falls below its best.
        floor = found[window][0] if len(found) > window else 0.0
        rescored = []
        for position, (_, address) in enumerate(found[:window]):
            adjusted = covered[position]
            original = copied[position]
            if original is not None:
                adjusted = min(adjusted, covered[original]) * self.ranking.redundant
            rescored.append((max(adjusted, floor), address))
        # Stable: equal scores keep BM25's order.
        rescored.sort(key=lambda hit: -hit[0])
        return rescored + list(found[window:])

    def _names_of(
        self, searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress]
    ) -> list[list[Name]]:
        """Each hit's names (``NAMES``), parsed: found by their key (``NAMES_KEY``), read from
        the stored document and parsed only the first time these names are met."""
        known = self._names
        hits = []
        keys = searcher.fast_field_values(NAMES_KEY, addresses)
        for key, address in zip(keys, addresses, strict=True):
            names = known.get(key) if isinstance(key, int) else None
            if names is None:
                stored = searcher.doc(address).get_all(NAMES)
                names = [name for name in (parse_name(str(s)) for s in stored) if name.folded]
                if isinstance(key, int):
                    if len(known) >= MAX_TOTALS:
                        known.clear()
                    known[key] = names
            hits.append(names)
        return hits

    def _rarity(self, searcher: tantivy.Searcher, words: frozenset[str]) -> dict[str, float]:
        """The weight of each name word, its idf among the names of the records ``searcher``
        sees: counted as searches need them and kept until the next write (``_commit``,
        ``replace_all``), which starts a fresh table."""
        weights = self._weights
        missing = words - weights.keys()
        if missing:
            records = searcher.num_docs
            for word in missing:
                weights[word] = idf(records, self._records_with(searcher, word))
        return weights

    def _word_rarity(self, word: str) -> float:
        """A folded word's rarity (``_rarity``) in the index as it is now: a field scored as a
        set of words (``TextField.word_set``) weighs its words by it."""
        weight = self._weights.get(word)
        if weight is None:
            weight = self._rarity(self._index.searcher(), frozenset((word,)))[word]
        return weight

    def _total(self, name: Name, weights: Mapping[str, float]) -> float:
        """The weight of a whole name (kept with the word weights, emptied with them)."""
        totals = self._totals
        total = totals.get(name)
        if total is None:
            if len(totals) >= MAX_TOTALS:
                totals.clear()
            total = totals[name] = sum(map(weights.__getitem__, name.folded))
        return total

    def _filter_clauses(
        self, filters: Mapping[str, str | Sequence[str]]
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        clauses = []
        for name, wanted in filters.items():
            if name not in self.spec.filter_fields:
                raise ValueError(f"{name!r} is not a filter field of this index.")
            values = [keyword(value) for value in _texts(wanted)]
            if len(values) == 1:
                # The same constant score as the set's, at a third of its cost: a term set
                # builds an automaton per search (0.2 ms of a 0.5 ms search at 2,000 records).
                term = tantivy.Query.term_query(self._schema, name, values[0])
                clause = tantivy.Query.const_score_query(term, 1.0)
            else:
                clause = tantivy.Query.term_set_query(self._schema, name, values)
            clauses.append((tantivy.Occur.Must, clause))
        return clauses

    def document_frequency(self, word: str) -> int:
        """Records holding ``word`` (folded) in any text field."""
        words = folded_tokens(word)
        if len(words) != 1:
            raise ValueError("document_frequency takes one word.")
        return self._records_with(self._index.searcher(), words[0])

    def _records_with(self, searcher: tantivy.Searcher, word: str) -> int:
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, text.name, word))
                for text in self.spec.text_fields
            ]
        )
        return _count(searcher.search(query, 1, count=True))

    def common_terms(self, threshold_fraction: float) -> dict[str, float]:
        """Words found in more than ``threshold_fraction`` of the records, with their share."""
        searcher = self._index.searcher()
        total = searcher.num_docs
        if total == 0:
            return {}
        threshold = threshold_fraction * total
        upper_bounds: dict[str, int] = {}
        for text in self.spec.text_fields:
            for word, frequency in searcher.terms_with_prefix(text.name, ""):
                upper_bounds[word] = upper_bounds.get(word, 0) + frequency
        shares: dict[str, float] = {}
        # The per-field counts only bound the real count (a record can hold a word twice over).
        for word, bound in upper_bounds.items():
            if bound > threshold:
                records = self._records_with(searcher, word)
                if records > threshold:
                    shares[word] = records / total
        return dict(sorted(shares.items(), key=lambda item: (-item[1], item[0])))
