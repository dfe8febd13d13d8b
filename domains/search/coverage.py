"""How much of a record's name a query explains, each name word weighed by its rarity.

A person names what they want; the words of a name they did not type are qualifications they did
not ask for ("… có yếu tố nước ngoài", "… cấp lại"). ``coverage`` is the share of a name's weight
that the query holds, where each distinct word weighs its inverse document frequency across the
catalogue's names (BM25's idf): "cấp", "giấy", "đăng ký", found in many names, weigh little, and
the words that tell one record from another decide. A name word counts as held when it was typed
(without accents and equal once folded, or with the same accents), brought in by a synonym, typed
within one edit (a typo in a word at least ``Ranking.fuzzy_min_length`` long, as the query
tolerates), or begun by the last word typed (as-you-type). The search engine multiplies the best
hits' scores by ``1 + Ranking.coverage × coverage`` (``SearchIndex``).
"""

import functools
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, eq=False)
class Name:
    """A name's distinct words, folded, and which folded word each accented spelling is
    (compared and hashed by identity: ``parse_name`` gives one object per stored name)."""

    folded: frozenset[str]
    accents: dict[str, str]

    def within(self, other: "Name") -> bool:
        """Whether ``other`` holds all of this name's words, accents included, and more."""
        return self.folded < other.folded and self.accents.items() <= other.accents.items()


@functools.lru_cache(maxsize=4096)
def parse_name(stored: str) -> Name:
    """A name from its stored form, ``folded:accented folded:accented …`` (``SearchIndex``).
    Words are interned: the names kept here share one string per word."""
    pairs = [word.partition(":") for word in stored.split()]
    return Name(
        frozenset(sys.intern(f) for f, _, _ in pairs),
        {sys.intern(a): sys.intern(f) for f, _, a in pairs if a != f},
    )


@dataclass(frozen=True, slots=True)
class Typed:
    """What a query holds, as coverage counts it (``QueryBuilder.words``)."""

    plain: frozenset[str]
    """Folded words typed without accents, and the words of the synonyms they bring in."""
    accented: frozenset[str]
    """Words typed with accents, as typed (they hold only a word with the same accents)."""
    fuzzy: tuple[str, ...] = ()
    """Folded typed words long enough for typo tolerance (a name word one edit away is held)."""
    prefix: str = ""
    """The last word typed, folded, when long enough to match as a prefix."""
    folded: frozenset[str] = frozenset()
    """Every word typed, folded (accented ones too)."""
    accented_folded: frozenset[str] = frozenset()
    """The words typed with accents, folded."""


@functools.lru_cache(maxsize=65_536)
def one_edit_apart(typed: str, word: str) -> bool:
    """True when ``word`` is ``typed`` with one letter changed, added, dropped, or two adjacent
    letters swapped (what tantivy's fuzzy query with transpositions accepts at distance 1)."""
    if typed == word or abs(len(typed) - len(word)) > 1:
        return False
    start = 0
    while start < min(len(typed), len(word)) and typed[start] == word[start]:
        start += 1
    a, b = typed[start:], word[start:]
    if len(a) == len(b):
        return a[1:] == b[1:] or (len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:])
    return a[1:] == b if len(a) > len(b) else a == b[1:]


_NOTHING = frozenset[str]()


def idf(records: int, holding: int) -> float:
    """BM25's inverse document frequency of a word ``holding`` of ``records`` names hold."""
    holding = min(max(holding, 0), records)
    return math.log(1 + (records - holding + 0.5) / (holding + 0.5))


class Loose:
    """The words of a search's candidate names that the query holds loosely: begun by the last
    word typed, or one edit from a long typed word. Worked out once per search, over the words
    of every name it rescores; each name's share is kept for the search (``held``)."""

    def __init__(self, typed: Typed, words: frozenset[str], typos: Iterable[str]) -> None:
        """``typos``: the long typed words to read as possible typos (``Typed.fuzzy`` but the
        words some name holds as typed: a word of the catalogue is taken as meant)."""
        self.prefix = typed.prefix
        begun = (word for word in words if word.startswith(typed.prefix)) if typed.prefix else ()
        self.begun = frozenset(begun) - {typed.prefix}
        self.near = {
            typo: frozenset(
                word
                for word in words
                if abs(len(word) - len(typo)) <= 1 and one_edit_apart(typo, word)
            )
            for typo in typos
        }
        # Nothing held loosely at all (most searches): every name holds none.
        self._none = not self.begun and not any(self.near.values())
        self._held: dict[frozenset[str], frozenset[str]] = {}

    def held(self, name: frozenset[str]) -> frozenset[str]:
        """The words of ``name`` held loosely. A typed word found in the name as it is explains
        only that word: it is not also read as a prefix or typo of another one ("hôn" does not
        explain "hỏng" as well as "hôn")."""
        if self._none:
            return _NOTHING
        held = self._held.get(name)
        if held is None:
            held = self._held[name] = self._held_by(name)
        return held

    def _held_by(self, name: frozenset[str]) -> frozenset[str]:
        held = _NOTHING
        if self.begun and self.prefix not in name:
            held = name & self.begun
        for typo, near in self.near.items():
            if near and typo not in name:
                held = held | (name & near)
        return held


def coverage(
    name: Name, typed: Typed, loose: Loose, weights: Mapping[str, float], total: float
) -> float:
    """The share of the name's weight (``weights[folded word]``, ``total`` for the whole name)
    that ``typed`` holds, in [0, 1]. A word counts once, however many spellings the name has.
    A name word typed with other accents ("Sâm" for "Sầm") is another word: it counts against
    the name, its weight added once more to the whole."""
    if total <= 0:
        return 0.0
    folded = name.folded
    held = set(folded & typed.plain)
    contradicted = _NOTHING
    if typed.accented:
        accents = name.accents
        held.update(accents[word] for word in typed.accented if word in accents)
        contradicted = (folded & typed.accented_folded) - held
    held.update(loose.held(folded))
    against = sum(map(weights.__getitem__, contradicted)) if contradicted else 0.0
    return min(1.0, sum(map(weights.__getitem__, held)) / (total + against))


Pairs = dict[tuple[Name, Name], frozenset[str] | None]
"""Per pair of names (a name, another), the words the first adds to the second when it holds all
of the second's, accents included, and more (None otherwise): no query changes it, so an index
keeps the pairs its searches met until its next write (``originals``)."""


def added(mine: Name, other: Name, pairs: Pairs) -> frozenset[str] | None:
    """The words ``mine`` adds to ``other`` when it holds all of them and more (else None),
    kept in ``pairs``."""
    key = (mine, other)
    if key in pairs:
        return pairs[key]
    extra = pairs[key] = mine.folded - other.folded if other.within(mine) else None
    return extra


def _holders(hits: list[list[Name]]) -> dict[str, int]:
    """Which hits hold each word of their first name, as bits: the hits holding all of a name's
    words are found with one AND per word instead of a test per pair."""
    holders: dict[str, int] = {}
    for position, names in enumerate(hits):
        if names:
            for word in names[0].folded:
                holders[word] = holders.get(word, 0) | (1 << position)
    return holders


def originals(
    hits: list[list[Name]],
    typed: Typed,
    loose: Loose,
    weights: Mapping[str, float],
    pairs: Pairs | None = None,
) -> list[int | None]:
    """For each hit, given its names (one per language, in the same order for every hit), the
    first hit it is a qualified copy of (None: none): in each language, its name holds all of
    the other's words, accents included, and more, and the more is mostly not what was typed
    and explains less than half of the query, by weight (``weights`` holds every name word and
    every typed word) ("Đăng ký
    khai sinh cho người Việt Nam định cư ở nước ngoài" when "Đăng ký khai sinh" is found too and
    the query was "khai sinh cho con": of the words it adds, only the common "cho" was typed).
    It explains little the other does not, and says more. ``pairs``: the index's ``Pairs``
    (a fresh table when not given)."""
    asked = typed.plain | typed.folded
    weight = weights.__getitem__
    query = sum(map(weight, typed.folded))
    known: Pairs = {} if pairs is None else pairs

    def adds_little(mine: Name, other: Name) -> bool:
        extra = added(mine, other, known)
        if extra is None:
            return False
        loosely = loose.held(mine.folded)
        if extra.isdisjoint(asked) and extra.isdisjoint(loosely):
            # Nothing added was asked for (most copies): every weight being positive, it adds
            # little whenever the query weighs anything.
            return query > 0
        held = (extra & asked) | (loosely & extra)
        adds = sum(map(weight, held))
        # Nor is it a copy when its added words explain most of the query ("… cấp thẻ bảo hiểm
        # y tế cho trẻ em" holds "Đăng ký khai sinh", but "BHYT cho trẻ em" asks for the part
        # it adds).
        return adds < sum(map(weight, extra - held)) and 2 * adds < query

    holders = _holders(hits)
    found: list[int | None] = [None] * len(hits)
    copies = 0  # bits of the hits already known to be copies
    for other, theirs in enumerate(hits):
        if not theirs:
            continue
        within = -1
        for word in theirs[0].folded:
            within &= holders[word]
        within &= ~((1 << other) | copies)
        while within:
            position = (within & -within).bit_length() - 1
            within &= within - 1
            names = hits[position]
            if len(names) != len(theirs):
                continue
            for mine, it in zip(names, theirs, strict=True):
                if not adds_little(mine, it):
                    break
            else:
                found[position] = other
                copies |= 1 << position
    return found
