"""Text helpers of the catalogue: look-alike letters, filter slugs and the synonym list.

Ranking itself is the search engine's (``search_index.py``, ``domains/search``).
"""

import functools
import json
from pathlib import Path

from domains.kernel.folding import fold

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.json"
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
