"""Synonym lists kept as data: one JSON file per catalogue, read by the search and the assistant.

Each key is what people type (an everyday or short name: "BV tỉnh", "biển Sầm Sơn", "cấp 2"),
each value the phrases of the names it means. The engine folds both (``prepare_synonyms``), so a
key typed with or without accents matches; the assistant (``bots/actions/everyday.py``) reads the
same file.
"""

import json
from pathlib import Path


def synonyms_file(path: Path) -> dict[str, list[str]]:
    """The list in ``path`` (a JSON object of phrase -> phrases, or phrase -> phrase)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        str(key): [str(values)] if isinstance(values, str) else [str(value) for value in values]
        for key, values in raw.items()
    }
