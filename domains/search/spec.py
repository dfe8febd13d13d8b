"""What one catalogue's index holds, and how queries are weighted."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextField:
    """A searched text field.

    ``exact`` adds a copy with diacritics kept, scored when they match; ``expand`` also matches
    phrases, typos and prefixes in it (costly on long text: off for bodies, see docs/search.md);
    ``initials`` indexes the initials of its runs of words; ``word_set`` scores it as a set of
    words.
    """

    name: str
    boost: float = 1.0
    exact: bool = False
    expand: bool = True
    initials: bool = False
    """Also matched by the initials of runs of its words, as people abbreviate names ("yhct"
    for "y học cổ truyền", "bvdk" for "bệnh viện đa khoa"): for short texts such as names."""
    word_set: bool = False
    """Scored as a set of words: a word (or a phrase) found in it counts its rarity in the
    catalogue once (idf over the records holding it in any text field, as the name coverage
    weighs words), however often the record holds it and however long the field is (BM25
    with b = 0 and a frequency of one). For lists that grow at will, such as everyday names:
    a record's score must not fall because someone wrote many names for another record (BM25
    normalises by the field's average length), nor rise because a word recurs across its own.
    Not with ``exact`` or ``initials`` (their copies are scored by BM25)."""

    def __post_init__(self) -> None:
        if self.word_set and (self.exact or self.initials):
            raise ValueError(f"{self.name!r}: a word_set field has no accented or initials copy.")


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """The fields of one catalogue.

    The first text field is the record's name: how much of it a query covers adjusts the top of
    the ranking (``Ranking.coverage``). Documents are plain dicts keyed by these names. Text
    fields take a string, a list of strings or a localized ``{"vi": ..., "en": ...}`` dict;
    ``code_fields`` and ``filter_fields`` take a string or a list of strings, matched whole
    (case-insensitive); ``stored_fields`` are returned with each hit as given (JSON-serialisable
    values).
    """

    text_fields: tuple[TextField, ...]
    code_fields: tuple[str, ...] = ()
    filter_fields: tuple[str, ...] = ()
    stored_fields: tuple[str, ...] = ()
    id_field: str = "id"

    def __post_init__(self) -> None:
        if not self.text_fields:
            raise ValueError("An index needs at least one text field.")
        names = [
            *(text.name for text in self.text_fields),
            *self.code_fields,
            *self.filter_fields,
        ]
        if len(set(names)) != len(names):
            raise ValueError(f"Field names must be distinct: {names}")
        if any(name.startswith("_") or "__" in name for name in names):
            raise ValueError("Field names may not start with '_' or contain '__' (reserved).")


@dataclass(frozen=True, slots=True)
class Ranking:
    """Weights of the query parts, relative to a plain BM25 term match in a field (1.0 × boost)."""

    phrase: float = 1.5
    """Adjacent syllables typed, found adjacent (``khai sinh``)."""
    exact_diacritics: float = 1.0
    """A word typed with accents that match the record's accents exactly."""
    synonym: float = 0.8
    """An alternative from the synonym map, slightly below the words typed."""
    initials: float = 0.8
    """A typed word equal to the initials of a run of a name's words (``TextField.initials``),
    as much as a synonym: it stands for those words."""
    fuzzy: float = 0.4
    """A word found within one edit (constant score: tantivy gives fuzzy matches no BM25)."""
    prefix: float = 0.4
    """The last word as the start of a longer one, for as-you-type (constant score)."""
    code: float = 100.0
    """A code typed whole (``1.001193``): a constant score, far above any text match."""
    fuzzy_min_length: int = 5
    prefix_min_length: int = 2
    coverage: float = 0.5
    """Up to this share more score for a record whose name the query covers: the score is
    multiplied by ``1 + coverage × c``, where ``c`` is the share of the name's distinct words
    that the query holds (typed, or brought in by a synonym; the best of its names). Of two
    records matching the same words, the one whose name has fewer words nobody asked for (a
    qualifier such as "có yếu tố nước ngoài") comes first."""
    redundant: float = 0.5
    """A qualified copy of another hit of the window (a record whose name holds all of the
    other's words and more, the more mostly not typed, by weight: "… cấp lại", "… có yếu tố
    nước ngoài" when the record without them is found too) scores at most this share of that
    record's score: it explains little the other does not, and comes after it and after the
    records that add something (``domains/search/coverage.py``)."""
    coverage_window: int = 30
    """The best this many hits (by BM25) are reordered by coverage and copies; the rest keep
    BM25's order (no score in the window is set below theirs, so the list stays in score
    order). Wide enough for a record and a few dozen qualified copies that may tie with it; each
    hit costs about 10–15 µs of CPU (docs/search.md), so 50 would cost 0.2–0.3 ms more a search."""
    field_tie_breaker: float = 0.3
    """A word found in several fields counts its best field plus this share of the others."""
    max_query_length: int = 200
    max_query_words: int = 16
