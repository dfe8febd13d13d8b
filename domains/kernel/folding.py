"""Vietnamese text folding for search.

MongoDB's text indexes have no Vietnamese analyser (and SecantusDB has none at all), so every
searchable document stores a folded key and its tokens; queries are folded the same way.
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Keep dotted procedure codes such as 1.001193 as one token.
_CODE = re.compile(r"\b\d+(?:\.\d+)+\b")


def fold(text: str) -> str:
    """Lower case, strip diacritics, map đ to d, turn punctuation into single spaces."""
    lowered = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _NON_WORD.sub(" ", stripped).strip()


def tokens(text: str) -> list[str]:
    """Folded, de-duplicated tokens in order of first appearance; dotted codes stay whole."""
    codes = _CODE.findall(text)
    seen: dict[str, None] = dict.fromkeys(codes)
    for token in fold(text).split():
        seen.setdefault(token, None)
    return list(seen)
