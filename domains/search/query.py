"""Builds a tantivy query from what a user typed, without tantivy's query syntax.

The text is only ever analysed into words; every part of the query is constructed through
``tantivy.Query``, so quotes, colons, ``*``, ``-``, ``AND`` or ``~`` are plain characters.
"""

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import tantivy

from domains.search.analysis import (
    INITIALS_WORDS,
    QueryToken,
    folded_tokens,
    keyword,
    normalize,
    query_tokens,
)
from domains.search.coverage import Typed
from domains.search.spec import IndexSpec, Ranking, TextField

EXACT_SUFFIX = "__exact"
INITIALS_SUFFIX = "__initials"

Should = tantivy.Occur.Should
CACHED_TEXTS = 512  # distinct query texts whose analysis each builder keeps
# A folded word's weight in the catalogue as the index holds it now: BM25's idf over the records
# holding it in any text field (``SearchIndex``).
Rarity = Callable[[str], float]


@dataclass(frozen=True, slots=True)
class Synonym:
    """A folded phrase of the map and the folded words of each alternative."""

    phrase: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]


def prepare_synonyms(synonyms: Mapping[str, Sequence[str]]) -> list[Synonym]:
    """Fold the caller's map once, so that ``CCCD``, ``cccd`` and ``sổ đỏ``/``so do`` all match."""
    prepared: list[Synonym] = []
    for phrase, alternatives in synonyms.items():
        words = tuple(folded_tokens(phrase))
        folded = tuple(
            dict.fromkeys(tuple(folded_tokens(alternative)) for alternative in alternatives)
        )
        usable = tuple(
            alternative for alternative in folded if alternative and alternative != words
        )
        if words and (usable or not alternatives):
            # No alternative given at all: a stop phrase, a longer name in which no shorter
            # phrase of the map is read ("trường chuyên biệt" is no "trường chuyên").
            prepared.append(Synonym(words, usable))
    return prepared


def _unstopped(words: Sequence[str], stops: Sequence[Synonym]) -> list[str]:
    """The words with the stop phrases' words replaced by a separator."""
    kept = list(words)
    for stop in stops:
        size = len(stop.phrase)
        for i in range(len(kept) - size + 1):
            if tuple(kept[i : i + size]) == stop.phrase:
                kept[i : i + size] = ["|"] * size
    return kept


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == tuple(phrase) for i in range(len(words) - size + 1))


def _has_digit(word: str) -> bool:
    return any(char.isdigit() for char in word)


def _code_candidates(text: str) -> list[str]:
    """Whitespace-separated chunks without surrounding punctuation, as a code field stores them."""
    chunks = (chunk.strip("\"'`()[]{}<>,;:!?") for chunk in normalize(text).split())
    return list(dict.fromkeys(keyword(chunk) for chunk in chunks if chunk))


class QueryBuilder:
    """Turns text into one boolean query over the fields of an index spec."""

    def __init__(
        self,
        schema: tantivy.Schema,
        spec: IndexSpec,
        ranking: Ranking,
        synonyms: Sequence[Synonym],
        rarity: Rarity | None = None,
    ) -> None:
        """``rarity`` weighs the words of the fields scored as sets of words
        (``TextField.word_set``): required when the spec has one."""
        self.schema = schema
        self.spec = spec
        self.ranking = ranking
        self.synonyms = [synonym for synonym in synonyms if synonym.alternatives]
        self.stops = [synonym for synonym in synonyms if not synonym.alternatives]
        self.weighs_sets = any(field.word_set for field in spec.text_fields)
        if self.weighs_sets and rarity is None:
            raise ValueError("A spec with a word_set field needs the words' rarity.")
        self._rarity = rarity
        # Apps send the same texts over and over (suggestions, popular searches): analyse each
        # once. A built query is only read by searches; one weighing sets of words holds the
        # rarity of the words as the index was when it was built (``build``'s ``writes``).
        self._built = functools.lru_cache(maxsize=CACHED_TEXTS)(self._build)
        self._words = functools.lru_cache(maxsize=CACHED_TEXTS)(self._words_of)

    def build(self, text: str, writes: int = 0) -> tantivy.Query | None:
        """The query for ``text``, or None when it holds no searchable word or code.
        ``writes``: the index's writes so far; a query weighing sets of words is built anew
        after a write (its words' rarity may have changed), the others are kept."""
        return self._built(text, writes if self.weighs_sets else 0)

    def words(self, text: str) -> Typed:
        """What a query for ``text`` looks for, as name coverage counts it (``Typed``)."""
        return self._words(text)

    def _build(self, text: str, _writes: int) -> tantivy.Query | None:
        tokens = query_tokens(text)[: self.ranking.max_query_words]
        words = [token.folded for token in tokens]
        clauses: list[tantivy.Query] = []
        for token in dict.fromkeys(tokens[:-1]):
            clauses.append(self._word(token, is_last=False))
        if tokens:
            clauses.append(self._word(tokens[-1], is_last=True))
        for token in dict.fromkeys(tokens):
            if token.accented is not None:
                clauses.extend(self._accented(token.accented))
        for first, second in itertools.pairwise(words):
            clauses.append(self._phrase([first, second], self.ranking.phrase))
        if len(words) >= 2 and len(words[-1]) >= self.ranking.prefix_min_length:
            clauses.append(self._phrase_prefix(words[-2:]))
        read = _unstopped(words, self.stops)
        present = set(read)
        for synonym in self.synonyms:
            # The set test first: most phrases of the map share no word with the text.
            if synonym.phrase[0] in present and _contains(read, synonym.phrase):
                clauses.extend(
                    self._alternative(alternative) for alternative in synonym.alternatives
                )
        clauses.extend(self._initials(words))
        clauses.extend(self._codes(text))
        if not clauses:
            return None
        return tantivy.Query.boolean_query([(Should, clause) for clause in clauses])

    def _words_of(self, text: str) -> Typed:
        ranking = self.ranking
        tokens = query_tokens(text)[: ranking.max_query_words]
        typed = [token.folded for token in tokens]
        plain = {token.folded for token in tokens if token.accented is None}
        read = _unstopped(typed, self.stops)
        every = set(read)
        for synonym in self.synonyms:
            # Accents typed or not, as the query's synonym clauses (``_build``).
            if synonym.phrase[0] in every and _contains(read, synonym.phrase):
                plain.update(word for alternative in synonym.alternatives for word in alternative)
        accented = {token.accented for token in tokens if token.accented is not None}
        # As the query's own clauses (``_word``): typos in long words, the last word as a prefix.
        plain_words = [word for word in dict.fromkeys(typed) if not _has_digit(word)]
        fuzzy = tuple(word for word in plain_words if len(word) >= ranking.fuzzy_min_length)
        last = typed[-1] if typed else ""
        prefix = last if len(last) >= ranking.prefix_min_length and not _has_digit(last) else ""
        accented_folded = frozenset(token.folded for token in tokens if token.accented is not None)
        return Typed(
            frozenset(plain), frozenset(accented), fuzzy, prefix, frozenset(typed), accented_folded
        )

    def _across_fields(self, per_field: list[tantivy.Query]) -> tantivy.Query:
        if not per_field:
            return tantivy.Query.empty_query()
        if len(per_field) == 1:
            return per_field[0]
        return tantivy.Query.disjunction_max_query(per_field, self.ranking.field_tie_breaker)

    def _scored(
        self, field: TextField, query: tantivy.Query, words: Sequence[str], weight: float
    ) -> tantivy.Query:
        """``query`` (of ``words`` in ``field``) weighed ``field.boost × weight``: by BM25, or
        in a field scored as a set of words by the words' rarity, whatever the field's length
        and however often the record holds them (BM25 with b = 0 and a frequency of one)."""
        if not field.word_set or self._rarity is None:
            return tantivy.Query.boost_query(query, field.boost * weight)
        rarity = sum(map(self._rarity, words))
        return tantivy.Query.const_score_query(query, field.boost * weight * rarity)

    def _term(self, field: TextField, word: str, weight: float = 1.0) -> tantivy.Query:
        query = tantivy.Query.term_query(self.schema, field.name, word)
        return self._scored(field, query, [word], weight)

    def _word(self, token: QueryToken, *, is_last: bool) -> tantivy.Query:
        word = token.folded
        ranking = self.ranking
        # Digits are parts of codes and numbers: an edit away is another number, not a typo.
        has_digit = _has_digit(word)
        per_field: list[tantivy.Query] = []
        for field in self.spec.text_fields:
            variants = [self._term(field, word)]
            if not field.expand:
                per_field.append(variants[0])
                continue
            if not has_digit and len(word) >= ranking.fuzzy_min_length:
                fuzzy = tantivy.Query.fuzzy_term_query(self.schema, field.name, word, 1, True)
                variants.append(tantivy.Query.boost_query(fuzzy, field.boost * ranking.fuzzy))
            if is_last and not has_digit and len(word) >= ranking.prefix_min_length:
                prefix = tantivy.Query.fuzzy_term_query(
                    self.schema, field.name, word, 0, False, prefix=True
                )
                variants.append(tantivy.Query.boost_query(prefix, field.boost * ranking.prefix))
            # Within one field the best variant counts: an exact match must not also collect
            # the fuzzy and prefix scores it trivially satisfies.
            per_field.append(tantivy.Query.disjunction_max_query(variants, 0.0))
        return self._across_fields(per_field)

    def _accented(self, accented: str) -> list[tantivy.Query]:
        return [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, field.name + EXACT_SUFFIX, accented),
                field.boost * self.ranking.exact_diacritics,
            )
            for field in self.spec.text_fields
            if field.exact
        ]

    def _phrase(
        self, words: Sequence[str], weight: float, *, every_field: bool = False
    ) -> tantivy.Query:
        per_field = [
            self._scored(
                field,
                tantivy.Query.phrase_query(self.schema, field.name, list(words)),
                words,
                weight,
            )
            for field in self.spec.text_fields
            if field.expand or every_field
        ]
        return self._across_fields(per_field)

    def _phrase_prefix(self, words: Sequence[str]) -> tantivy.Query:
        # A word and a prefix: tantivy scores it 1 wherever found, whatever the field's length.
        per_field = [
            tantivy.Query.boost_query(
                tantivy.Query.phrase_prefix_query(self.schema, field.name, list(words)),
                field.boost * self.ranking.phrase,
            )
            for field in self.spec.text_fields
            if field.expand
        ]
        return self._across_fields(per_field)

    def _alternative(self, words: Sequence[str]) -> tantivy.Query:
        if len(words) > 1:
            # A synonym was asked for by name: worth a phrase search in long text too.
            return self._phrase(words, self.ranking.synonym, every_field=True)
        return self._across_fields(
            [self._term(field, words[0], self.ranking.synonym) for field in self.spec.text_fields]
        )

    def _initials(self, words: Sequence[str]) -> list[tantivy.Query]:
        """A typed word may be the initials of a run of a name's words ("yhct")."""
        shortest = INITIALS_WORDS[0]
        return [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, field.name + INITIALS_SUFFIX, word),
                field.boost * self.ranking.initials,
            )
            for word in dict.fromkeys(words)
            if len(word) >= shortest and word.isalpha()
            for field in self.spec.text_fields
            if field.initials
        ]

    def _codes(self, text: str) -> list[tantivy.Query]:
        if not self.spec.code_fields:
            return []
        return [
            tantivy.Query.const_score_query(
                tantivy.Query.term_query(self.schema, field, candidate), self.ranking.code
            )
            for candidate in _code_candidates(text)
            for field in self.spec.code_fields
        ]
