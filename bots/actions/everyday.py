"""Everyday names of places: what people call attractions, events, hospitals and schools.

Pure Python (no Rasa imports). The same JSON files the API's search expands a query with
(``domains/<domain>/data/synonyms.json``: "BV tỉnh" -> "Bệnh viện Đa khoa tỉnh Thanh Hóa",
"thành Hồ" -> "Thành nhà Hồ", "cấp 2" -> "trung học cơ sở"), read from the repository the
action server runs in (empty, with a warning, where a file is not there), folded as the
resolver reads them.
"""

import json
import logging
from pathlib import Path
from typing import Dict, List

from actions.resolve import spelled_out
from actions.text import fold

DOMAINS = Path(__file__).resolve().parents[2] / "domains"
PLACE_DOMAINS = ("tourism", "health", "education")
_cache: Dict[str, Dict[str, List[str]]] = {}
LOG = logging.getLogger(__name__)


def _read(path: Path) -> Dict[str, List[str]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        # Said, not silent: an image without the lists answers without the everyday names.
        LOG.warning("everyday names not read from %s: %s", path, type(error).__name__)
        return {}
    found: Dict[str, List[str]] = {}
    for key, values in raw.items():
        phrases = [values] if isinstance(values, str) else list(values)
        folded = [fold(str(phrase)) for phrase in phrases if fold(str(phrase))]
        # A key with no phrase is a stop phrase: a longer name no shorter key may match
        # inside ("trường chuyên biệt" is no "trường chuyên"; resolve.synonym_keys).
        if fold(str(key)):
            found.setdefault(fold(str(key)), []).extend(folded)
    return found


def place_synonyms(domain: str) -> Dict[str, List[str]]:
    """One place catalogue's everyday names (folded key -> folded name phrases)."""
    if domain not in _cache:
        path = DOMAINS / domain / "data" / "synonyms.json"
        _cache[domain] = _read(path) if domain in PLACE_DOMAINS else {}
    return _cache[domain]


def merged(*lists: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """Several synonym lists as one (a key in two keeps both lists' phrases)."""
    together: Dict[str, List[str]] = {}
    for found in lists:
        for key, phrases in found.items():
            together.setdefault(key, [])
            together[key] += [p for p in phrases if p not in together[key]]
    return together


def spelled(synonyms: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """The list with its keys as the resolver reads a question: kind abbreviations written
    out ("bv tinh" -> "benh vien tinh", resolve.spelled_out runs before the keys are looked
    up, so "bv ..." keys would never match); a key that becomes its own phrase is dropped."""
    found: Dict[str, List[str]] = {}
    for key, phrases in synonyms.items():
        name = fold(spelled_out(key))
        kept = [phrase for phrase in phrases if phrase != name]
        if phrases and not kept:
            continue
        found.setdefault(name, [])
        found[name] += [phrase for phrase in kept if phrase not in found[name]]
    return found
