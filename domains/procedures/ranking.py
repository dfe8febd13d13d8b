"""How procedures are found: the kernel's folded terms, look-alike letters, and the synonym list.

Ranking itself is the kernel's (``kernel.search.score``): matched terms, name matches weighted
more, and among equal scores the procedure whose name the query covers best ("Đăng ký khai sinh"
before "Đăng ký khai sinh có yếu tố nước ngoài").
"""

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from domains.kernel.folding import fold
from domains.kernel.search import (
    query_terms,
    search_fields,
)

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.json"
MAX_QUERY_LENGTH = 200
# Look-alikes of đ/Đ (the Icelandic eth), which some keyboards and OCR produce.
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})


def normalize(text: str) -> str:
    return text.translate(_LOOKALIKES)


def slug(text: str) -> str:
    """A stable key for a field or agency name: "Hộ tịch" → "ho-tich"."""
    return "-".join(fold(normalize(text)).split())


@functools.cache
def synonyms(path: Path = SYNONYMS_PATH) -> dict[str, list[str]]:
    """The abbreviation and synonym list kept as data (folded phrase → folded expansions)."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    result: dict[str, list[str]] = {}
    for key, values in raw.items():
        if isinstance(values, str):
            values = [values]
        folded_key = fold(normalize(str(key)))
        if folded_key:
            expansions = [fold(normalize(str(value))) for value in values if value]
            result.setdefault(folded_key, []).extend(e for e in expansions if e)
    return result


def document_search_fields(
    *,
    code: str,
    name: Mapping[str, str],
    secondary: Sequence[Mapping[str, str] | str | None],
) -> dict[str, list[str]]:
    """``searchPrimary`` (name and code) and ``searchTerms`` (everything searchable)."""

    def clean(value: Mapping[str, str] | str | None) -> Mapping[str, str] | str | None:
        if isinstance(value, str):
            return normalize(value)
        if value is None:
            return None
        return {key: normalize(text) for key, text in value.items()}

    return search_fields(
        primary=[clean(name), code],
        secondary=[clean(value) for value in secondary],
    )


def terms_for_query(
    text: str, synonym_list: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """Folded terms of what a user typed, with abbreviations (CCCD, GPLX, ...) expanded."""
    return query_terms(normalize(text), synonyms() if synonym_list is None else synonym_list)
