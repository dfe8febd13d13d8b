"""What the assistant knows of the words people use: the language's own words, and words that
no catalogue and no question it was built for holds.

Pure Python (no Rasa imports), tested from tests/bots/.

- ``common_words``: words found in much of the catalogues' descriptive text ("in", "the", "và",
  "của"). They are the language, not a name: alone they single out no record.
- ``Vocabulary``: every word of the catalogues (names, descriptions, the everyday names of the
  synonym list that lead to a catalogue name) and of the assistant's own questions (its training
  examples, the aspect words). A question's words outside it ("thất nghiệp", "visa", "A1") name
  something no record is about: a procedure question holding one is not answered with a
  neighbouring procedure (actions/resolve.py, actions/ask.py).
"""

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Sequence, Set, Tuple

import yaml

from actions import text
from actions.resolve import (
    CHANGE_ASKED,
    COPY_ASKED,
    EXPIRY_ASKED,
    KIND_ABBREVIATIONS,
    LOSS_ASKED,
    WORD_ABBREVIATIONS,
)
from actions.text import fold, tone_placed

# A word in more than this share of one language's descriptions is a word of the language.
COMMON_SHARE = 0.3
# Fewer descriptions than this say nothing about the language.
COMMON_MIN_TEXTS = 10
# Letters a word needs to count as unknown (digits and letters mixed: any length, "a1").
UNKNOWN_MIN_LETTERS = 2
TYPO_MIN_LENGTH = 7
MAX_REMEMBERED = 50_000
# An age as people type it ("con 6t", "16t": 16 tuổi): a number, not a word no catalogue knows.
AGE_TYPED = re.compile(r"\d{1,3}t")


# Intents whose examples are not the assistant's questions (their words are what it lacks).
NOT_OURS = {"out_of_scope", "nlu_fallback"}
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _nlu_examples(nlu_data: Path) -> Iterator[Tuple[str, str]]:
    """(intent, example line as written, its list dash dropped) of every training example in
    ``nlu_data``'s files."""
    for path in sorted(nlu_data.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for item in data.get("nlu") or []:
            if isinstance(item.get("examples"), str):
                for line in item["examples"].splitlines():
                    yield str(item.get("intent")), line.strip().lstrip("- ")


def question_texts(nlu_data: Path) -> List[str]:
    """The words the assistant's own questions use: its training examples in ``nlu_data``
    (annotations dropped; not those of out_of_scope), the aspect phrases and language words
    it reads, the kind abbreviations and the words of a change asked of a paper."""
    found = [
        ANNOTATION.sub(r"\1", line)
        for intent, line in _nlu_examples(nlu_data)
        if intent not in NOT_OURS
    ]
    for table in text.ASPECT_TABLES.values():
        found.extend(phrase for _, phrases in table for phrase in phrases)
    found.extend(text.VI_WORDS | text.VI_WRITTEN | text.EN_WORDS | text.PEOPLE_WORDS)
    found.extend(text.EN_GRAMMAR | text.EN_WHERE)
    found.extend(KIND_ABBREVIATIONS)
    found.extend(WORD_ABBREVIATIONS)
    # How a question says what it wants done to a paper it has ("a replacement", "renew",
    # "expired", "a copy"): read by the resolver, naming no record the catalogues lack. (Not a
    # loss: "lost" alone, of a passport, still says what no record is about. Single words: a
    # pair such as "gia hạn" is a record's own, no pair of how questions ask; review R17.)
    found.extend(
        word for word in (CHANGE_ASKED | EXPIRY_ASKED | COPY_ASKED) - LOSS_ASKED if " " not in word
    )
    return found


def outside_texts(nlu_data: Path) -> List[str]:
    """The out-of-scope training examples in ``nlu_data`` ("thời tiết ngày mai thế nào")."""
    return [line for intent, line in _nlu_examples(nlu_data) if intent == "out_of_scope" and line]


def outside_terms(outside: Sequence[str], vocabulary: "Vocabulary") -> Set[str]:
    """What only the out-of-scope examples hold ("weather", "bitcoin"; in Vietnamese the pair,
    "thoi tiet", since a lone syllable is other words too: "chi tiết", "bà bầu", review R18):
    a question holding one is about something the assistant does not answer."""
    terms: Set[str] = set()
    for line in outside:
        folded = fold(line).split()
        if text.detect_lang(line) == "en":
            terms.update(w for w in folded if w.isalpha() and not vocabulary.knows(w))
            continue
        terms.update(
            f"{a} {b}"
            for a, b in zip(folded, folded[1:])
            if a.isalpha() and b.isalpha() and not (vocabulary.knows(a) and vocabulary.knows(b))
        )
    return terms


def common_words(*texts_per_language: Sequence[str]) -> Set[str]:
    """Folded words found in more than ``COMMON_SHARE`` of the texts of one language."""
    found: Set[str] = set()
    for texts in texts_per_language:
        if len(texts) < COMMON_MIN_TEXTS:
            continue
        counts: Counter = Counter()
        for text in texts:
            counts.update(set(fold(text).split()))
        found.update(word for word, held in counts.items() if held > COMMON_SHARE * len(texts))
    return found


def pairs(texts: Iterable[str]) -> Set[str]:
    """Every adjacent word pair of the texts (folded, "thu tuc")."""
    found: Set[str] = set()
    for text in texts:
        tokens = fold(text).split()
        found.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))
    return found


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def usable_synonyms(synonyms: Dict[str, List[str]], names: Iterable[str]) -> List[str]:
    """The synonym list's phrases (keys and expansions) that lead to words of some name: an
    everyday name of a record the catalogue has ("gplx"), not of one it lacks ("bhtn")."""
    folded = [f" {fold(name)} " for name in names]
    found = []
    for key, phrases in synonyms.items():
        if any(f" {phrase} " in name for phrase in phrases for name in folded):
            found.append(key)
            found.extend(phrases)
    return found


class Vocabulary:
    """Every word the texts hold: folded, and as written (accents kept, lower case), and each
    adjacent pair written as one ("viet nam" -> "vietnam")."""

    def __init__(self, texts: Iterable[str], phrases: Iterable[str] = ()) -> None:
        self.words: Set[str] = set()
        self.accented: Set[str] = set()
        for text in texts:
            tokens = fold(text).split()
            self.words.update(tokens)
            self.words.update(a + b for a, b in zip(tokens, tokens[1:]))
            self.accented.update(_written(text))
        # Everyday names of several words ("lost my id card", "mở quán cà phê"): their words
        # are known only together, where the question holds the whole name ("lost" alone, of a
        # passport, is not). One word ("gplx", "inherit") is a word.
        self.phrases: Dict[str, List[Tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(fold(phrase).split())
            if len(words) == 1:
                self.words.update(words)
            if words:
                self.phrases.setdefault(words[0], []).append(words)
        self._typos = [w for w in self.words if len(w) >= TYPO_MIN_LENGTH - 1 and w.isalpha()]
        self._near: Dict[str, List[str]] | None = None  # built at the first typo check
        self._known: Dict[str, bool] = {}

    def _one_typo_away(self, word: str) -> bool:
        """Whether a typo candidate is one edit from ``word`` (``_one_edit``). Two words one
        edit apart share one of the keys "the word itself or it with one letter dropped"
        (SymSpell): only the candidates indexed under ``word``'s own keys are compared, not
        all of them (a message of made-up words cost the action server ~200 ms before)."""
        if self._near is None:
            near: Dict[str, List[str]] = {}
            for candidate in self._typos:
                for key in _deletions(candidate):
                    near.setdefault(key, []).append(candidate)
            self._near = near
        return any(
            _one_edit(word, candidate)
            for key in _deletions(word)
            for candidate in self._near.get(key, ())
        )

    def knows(self, word: str) -> bool:
        """The word (folded), its English singular or plural ("beaches") or verb form
        ("getting"), a letter typed twice ("tienn"), or (words of 7+ letters, longer than a
        Vietnamese syllable) a word one typo away."""
        if word in self.words or (word.endswith("s") and word[:-1] in self.words):
            return True
        if word.endswith("es") and word[:-2] in self.words:
            return True  # "beaches" of "beach"
        if word.isalpha() and f"{word}s" in self.words:
            return True  # the singular of a name's plural ("rock" of "Trống Mái Rocks")
        if word.endswith("y") and f"{word[:-1]}ies" in self.words:
            return True  # "copy" of "copies"
        if any(stem in self.words for stem in _english_stems(word)):
            return True  # "getting" of "get", "applied" of "apply"
        doubled = [i for i in range(1, len(word)) if word[i] == word[i - 1]]
        if any(word[:i] + word[i + 1 :] in self.words for i in doubled):
            return True
        if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return False
        known = self._known.get(word)
        if known is None:
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
            known = self._known[word] = self._one_typo_away(word)
        return known

    def knows_written(self, word: str) -> bool:
        """Whether the word, as written (lower case), is known: with its accents where it has
        any ("chiêu" is a word, "chếu" none), else folded (``knows``)."""
        written = tone_placed(unicodedata.normalize("NFC", word))
        folded = fold(written)
        return written in self.accented if folded != written else self.knows(folded)

    def unknown(self, question: str, *, accents: bool = True) -> List[str]:
        """The question's words that nothing the assistant knows holds (digits alone aside).
        Typed with diacritics, a word with them must be known as written ("thất" is not
        "thật"); ``accents=False`` compares folded words only (fewer everyday words unknown:
        the texts hold fewer words with their accents than without)."""
        written = _written(question)
        accents = accents and any(fold(word) != word for word in written)
        named = self.in_phrases([fold(word) for word in written])
        found = []
        for position, word in enumerate(written):
            folded = fold(word)
            if position in named:
                continue
            if not folded or folded.isdigit() or " " in folded or AGE_TYPED.fullmatch(folded):
                continue
            if folded.isalpha() and len(folded) < UNKNOWN_MIN_LETTERS:
                continue
            if accents and folded != word and word.isalpha():
                if word not in self.accented:
                    found.append(folded)
            elif not self.knows(folded):
                found.append(folded)
        return found

    def in_phrases(self, words: Sequence[str]) -> Set[int]:
        """Positions of the words that belong to one of the everyday names (``phrases``, of one
        word or several)."""
        found: Set[int] = set()
        for start, word in enumerate(words):
            for phrase in self.phrases.get(word, ()):
                if tuple(words[start : start + len(phrase)]) == phrase:
                    found.update(range(start, start + len(phrase)))
        return found


# An English verb's forms ("getting", "registered", "applied"): no Vietnamese syllable ends so.
INFLECTIONS = ("ing", "ed")
# Letters the stem of an inflected English word keeps at least ("bed" is no form of "b").
STEM_MIN_LETTERS = 3


def _english_stems(word: str) -> Set[str]:
    """What an English verb form may be the form of: "getting" -> "get", "registered" ->
    "register", "moving" -> "move", "applied" -> "apply"."""
    for ending in INFLECTIONS:
        stem = word[: -len(ending)]
        if not word.endswith(ending) or len(stem) < STEM_MIN_LETTERS or not word.isalpha():
            continue
        found = {stem, f"{stem}e"}
        if len(stem) > STEM_MIN_LETTERS and stem[-1] == stem[-2]:
            found.add(stem[:-1])  # "getting", "transferred"
        if ending == "ed" and stem.endswith("i"):
            found.add(f"{stem[:-1]}y")  # "applied"
        return found
    return set()


def _deletions(word: str) -> Set[str]:
    """The word and every word it gives with one letter dropped."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _written(text: str) -> List[str]:
    """The words as written: lower case, accents kept."""
    # (One tone placement, "hoá" = "hóa".)
    return re.findall(r"[^\W_]+", tone_placed(unicodedata.normalize("NFC", text).lower()))
