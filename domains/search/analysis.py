"""Vietnamese text analysis shared by indexing and querying, so both see identical tokens."""

import unicodedata
from dataclasses import dataclass

import tantivy

FOLDED = "vi_folded"
EXACT = "vi_exact"
KEYWORD = "keyword"
KEYWORD_WORDS = "keyword_words"  # whitespace-separated keywords, e.g. initials
# Longer tokens are noise (URLs, base64); tantivy's own default tokenizer drops them too.
MAX_TOKEN_LENGTH = 40


def _analyzer(tokenizer: tantivy.Tokenizer, *filters: tantivy.Filter) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tokenizer)
    for text_filter in filters:
        builder = builder.filter(text_filter)
    return builder.build()


_FOLDED = _analyzer(
    tantivy.Tokenizer.simple(),
    tantivy.Filter.remove_long(MAX_TOKEN_LENGTH),
    tantivy.Filter.lowercase(),
    tantivy.Filter.ascii_fold(),
)
_EXACT = _analyzer(
    tantivy.Tokenizer.simple(),
    tantivy.Filter.remove_long(MAX_TOKEN_LENGTH),
    tantivy.Filter.lowercase(),
)
_KEYWORD = _analyzer(tantivy.Tokenizer.raw(), tantivy.Filter.lowercase())
_KEYWORD_WORDS = _analyzer(tantivy.Tokenizer.whitespace(), tantivy.Filter.lowercase())


def register_analyzers(index: tantivy.Index) -> None:
    """Make the analyzers known to ``index`` under the names the schema uses."""
    index.register_tokenizer(FOLDED, _FOLDED)
    index.register_tokenizer(EXACT, _EXACT)
    index.register_tokenizer(KEYWORD, _KEYWORD)
    index.register_tokenizer(KEYWORD_WORDS, _KEYWORD_WORDS)


def normalize(text: str) -> str:
    """NFC form: decomposed input (combining accents) would otherwise split words apart."""
    return unicodedata.normalize("NFC", text)


def folded_tokens(text: str) -> list[str]:
    """Lower-case, accent-free tokens (``Đăng ký`` → ``dang``, ``ky``)."""
    return _FOLDED.analyze(normalize(text))


def keyword(text: str) -> str:
    """The single lower-case token a keyword field stores for ``text``."""
    return normalize(text).strip().lower()


@dataclass(frozen=True, slots=True)
class QueryToken:
    """One word of the user's text: folded, and as typed (lower case) when it carries accents."""

    folded: str
    accented: str | None


def query_tokens(text: str) -> list[QueryToken]:
    """The words of ``text`` in order; ``accented`` is set only where diacritics were typed."""
    normalized = normalize(text)
    folded = _FOLDED.analyze(normalized)
    exact = _EXACT.analyze(normalized)
    if len(folded) != len(exact):
        return [QueryToken(token, None) for token in folded]
    return [
        QueryToken(plain, typed if typed != plain else None)
        for plain, typed in zip(folded, exact, strict=True)
    ]


# Runs of this many words give initials (``initials``): three letters at least, as two-letter
# initials are everyday syllables ("bo", "to"); eight covers most names in full.
INITIALS_WORDS = (3, 8)


def initials(text: str) -> list[str]:
    """The initials of every run of 3 to 8 consecutive words of ``text`` without digits, folded
    ("Bệnh viện Y học cổ truyền" → "bvy", "bvyh", …, "yhct", …)."""
    letters = [word[0] for word in folded_tokens(text) if word.isalpha()]
    shortest, longest = INITIALS_WORDS
    return list(
        dict.fromkeys(
            "".join(letters[start : start + size])
            for size in range(shortest, min(longest, len(letters)) + 1)
            for start in range(len(letters) - size + 1)
        )
    )
