"""The catalogues as the assistant sees them through the API: names, search, one record.

- ``names()``: every record's names (vi and en) per catalogue, fetched once and kept for
  ``NAMES_TTL_SECONDS`` (the word rarities of actions/resolve.py are computed from them).
- ``search(text)``: one GraphQL request searching every catalogue with the user's words.
- ``record(kind, id)``: the fields an answer needs, for one record.
"""

import json
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from actions.api import graphql, nodes
from actions.everyday import PLACE_DOMAINS, place_synonyms
from actions.everyday import merged as merged_synonyms
from actions.place_kinds import district_spellings, markets
from actions.resolve import (
    Candidate,
    NameIndex,
    district_pairs,
    domain_markers,
    kind_words,
    localities,
    towns,
)
from actions.text import fold
from actions.vocabulary import (
    Vocabulary,
    common_words,
    outside_texts,
    outside_terms,
    pairs,
    question_texts,
    usable_synonyms,
)

NAMES_TTL_SECONDS = 600.0
PAGE = 100
MAX_PAGES = 50
SEARCH_HITS = 6

# kind -> (catalogue, root field, node selection with both names, id field)
NAME_QUERIES: Dict[str, Tuple[str, str]] = {
    "procedure": (
        "procedures",
        "procedures(first: $first, after: $after, lang: VI) { pageInfo { hasNextPage endCursor } "
        "nodes { id: code vi: name } }",
    ),
    "procedure_en": (
        "procedures",
        "procedures(first: $first, after: $after, lang: EN) { pageInfo { hasNextPage endCursor } "
        "nodes { id: code en: name } }",
    ),
    "attraction": (
        "tourism",
        "attractions(first: $first, after: $after) { pageInfo { hasNextPage endCursor } "
        "nodes { id vi: name(lang: VI) en: name(lang: EN) district category "
        "dvi: description(lang: VI) den: description(lang: EN) } }",
    ),
    "event": (
        "tourism",
        "events(first: $first, after: $after) { pageInfo { hasNextPage endCursor } "
        "nodes { id vi: name(lang: VI) en: name(lang: EN) district "
        "dvi: description(lang: VI) den: description(lang: EN) } }",
    ),
    "itinerary": (
        "tourism",
        "itineraries(first: $first, after: $after) { pageInfo { hasNextPage endCursor } "
        "nodes { id vi: title(lang: VI) en: title(lang: EN) "
        "dvi: description(lang: VI) den: description(lang: EN) } }",
    ),
    "hospital": (
        "health",
        "hospitals(first: $first, after: $after) { pageInfo { hasNextPage endCursor } "
        "nodes { id vi: name(lang: VI) en: name(lang: EN) district } }",
    ),
    "school": (
        "education",
        "schools(first: $first, after: $after) { pageInfo { hasNextPage endCursor } "
        "nodes { id vi: name nameTranslations { vi en } district } }",
    ),
}
KIND_DOMAIN = {
    "procedure": "procedures",
    "attraction": "tourism",
    "event": "tourism",
    "itinerary": "tourism",
    "hospital": "health",
    "school": "education",
}


class Names:
    """Names per kind ({id: [names]}), one NameIndex per domain (its kinds together), the
    language's common words (from the descriptions: ``descriptions`` holds the Vietnamese ones
    and the English ones) and the vocabulary of everything the assistant knows."""

    def __init__(
        self,
        names: Dict[str, Dict[str, List[str]]],
        descriptions: Tuple[List[str], List[str]] = ([], []),
        general: Sequence[str] = (),
        districts: Optional[Dict[str, str]] = None,
        outside: Sequence[str] = (),
        categories: Optional[Dict[str, str]] = None,
    ) -> None:
        self.names = names
        # Each attraction's category ("HERITAGE"): what a kind asked covers ("di tích").
        self.categories = dict(categories or {})
        self.indexes: Dict[str, NameIndex] = {}
        for domain in set(KIND_DOMAIN.values()):
            merged: Dict[str, List[str]] = {}
            for kind, domain_of in KIND_DOMAIN.items():
                if domain_of == domain:
                    merged.update(names.get(kind, {}))
            self.indexes[domain] = NameIndex(merged)
        for domain, index in self.indexes.items():
            for other, other_index in self.indexes.items():
                if other != domain:
                    index.elsewhere.update(w for w in other_index.frequency if " " not in w)
        self.markers = domain_markers(self.indexes)
        # The same within tourism: "lễ hội", "festival" name an event, not a place.
        self.kind_markers = domain_markers(
            {kind: NameIndex(names.get(kind, {})) for kind in ("attraction", "event")}
        )
        # Their words ("le", "hoi", "festival"): no pair of them names one festival.
        self.event_words = kind_words(self.kind_markers.get("event", set()))
        common = common_words(*descriptions)
        asked = pairs(general)
        places = localities(self.indexes)
        for index in self.indexes.values():
            index.language_words = common
            index.question_pairs = asked
            index.localities = places
        for domain, index in self.indexes.items():
            index.places = domain != "procedures"
            # Where each place lies: its district's word pairs ("TP Thanh Hóa", "hoang-hoa").
            index.districts = {
                record_id: frozenset(pairs([district]))
                for record_id, district in (districts or {}).items()
                if record_id in index.names
            }
        # The towns the places lie in ("hoang hoa": "Hoằng Hóa"), and each place's as said.
        self.district_names = dict(districts or {})
        # Each place's district as people write it ("thanh-hoa-city": "TP Thanh Hóa").
        self.district_said = district_spellings(self.district_names)
        # The markets by the proper name people call them by ("chợ Hới": *Chợ cá Hới*).
        self.markets = markets(names.get("attraction", {}), self.district_said)
        self.towns = towns(self.district_names, self.indexes)
        # The places of each town (kind, id, names), for "đền ở Thọ Xuân".
        self.in_town: Dict[str, List[Tuple[str, str, List[str]]]] = {}
        for kind, records in names.items():
            if KIND_DOMAIN.get(kind) == "procedures":
                continue
            for record_id, record_names in records.items():
                for pair in district_pairs(self.district_names.get(record_id, "")):
                    if pair in self.towns:
                        self.in_town.setdefault(pair, []).append((kind, record_id, record_names))
        every_name = [n for found in names.values() for pair in found.values() for n in pair if n]
        # The procedures' everyday names and the places' ("BV tỉnh", "thành Hồ").
        every_synonym = merged_synonyms(synonyms(), *map(place_synonyms, PLACE_DOMAINS))
        everyday = usable_synonyms(every_synonym, every_name)
        # A key of several words is known as a whole (Vocabulary.phrases); its expansions and
        # one-word keys ("gplx") are words. (Every key is an everyday name: an English question
        # is searched with them whole, text.search_words.)
        phrases = [p for p in everyday if p in every_synonym]
        # (The towns the places lie in are known words: "hang động ở Thạch Thành".)
        self.vocabulary = Vocabulary(
            [*every_name, *descriptions[0], *descriptions[1], *general,
             *(p for p in everyday if p not in phrases), *set(self.district_said.values())],
            phrases,
        )
        self.outside_words = outside_terms(outside, self.vocabulary)

    def name(self, kind: str, record_id: str, lang: str) -> str:
        found = self.names.get(kind, {}).get(record_id) or [record_id]
        if lang == "en" and len(found) > 1 and found[1]:
            return found[1]
        return found[0]

    def kind_of(self, record_id: str) -> Optional[str]:
        for kind in ("procedure", "attraction", "event", "itinerary", "hospital", "school"):
            if record_id in self.names.get(kind, {}):
                return kind
        return None


_cache: Dict[str, Any] = {"at": 0.0, "names": None}
# The everyday names of procedures ("gplx", "sổ đỏ") the API's search also expands; the same
# file, read from the repository the action server runs in (empty if it is not there).
SYNONYMS = Path(__file__).resolve().parents[2] / "domains" / "procedures" / "data" / "synonyms.json"


def synonyms() -> Dict[str, List[str]]:
    if "synonyms" not in _cache:
        try:
            _cache["synonyms"] = json.loads(SYNONYMS.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _cache["synonyms"] = {}
    found: Dict[str, List[str]] = _cache["synonyms"]
    return found


def general_texts() -> List[str]:
    """The words of the assistant's own questions (actions/vocabulary.py), read once."""
    if "general" not in _cache:
        _cache["general"] = question_texts(NLU_DATA)
    general: List[str] = _cache["general"]
    return general


NLU_DATA = Path(__file__).resolve().parents[1] / "data" / "nlu"


async def _all_nodes(selection: str) -> List[Dict[str, Any]]:
    root = selection.split("(", 1)[0]
    query = f"query Names($first: Int, $after: String) {{ {selection} }}"
    found: List[Dict[str, Any]] = []
    after = None
    for _ in range(MAX_PAGES):
        data = await graphql(query, {"first": PAGE, "after": after})
        connection = data.get(root) or {}
        found += nodes(connection)
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            break
        after = info.get("endCursor")
    return found


async def names() -> Names:
    """Every record's names, refreshed every NAMES_TTL_SECONDS."""
    cached = _cache.get("names")
    if cached is not None and time.monotonic() - _cache["at"] < NAMES_TTL_SECONDS:
        return cached  # type: ignore[no-any-return]
    collected: Dict[str, Dict[str, List[str]]] = {}
    descriptions: Tuple[List[str], List[str]] = ([], [])
    districts: Dict[str, str] = {}
    categories: Dict[str, str] = {}
    for kind, (_, selection) in NAME_QUERIES.items():
        for node in await _all_nodes(selection):
            if node.get("district"):
                districts[node["id"]] = str(node["district"])
            if node.get("category"):
                categories[node["id"]] = str(node["category"])
            for position, key in enumerate(("dvi", "den")):
                if node.get(key):
                    descriptions[position].append(node[key])
            if kind == "procedure_en":
                pair = collected.setdefault("procedure", {}).setdefault(node["id"], ["", ""])
                pair[1] = node.get("en") or ""
                continue
            translations = node.get("nameTranslations") or {}
            vi = node.get("vi") or translations.get("vi") or ""
            en = node.get("en") or translations.get("en") or ""
            collected.setdefault(kind, {})[node["id"]] = [vi, en]
    result = Names(
        collected,
        descriptions,
        general_texts(),
        districts,
        outside=outside_texts(NLU_DATA),
        categories=categories,
    )
    _cache.update(at=time.monotonic(), names=result)
    return result


SEARCH = """
query Find($text: String!, $first: Int, $lang: Language) {
  procedures(search: $text, first: $first, lang: $lang) {
    nodes { code name searchScore searchMargin }
  }
  attractions(search: $text, first: $first, lang: $lang) {
    nodes { id name searchScore searchMargin }
  }
  events(search: $text, first: $first, lang: $lang) { nodes { id name searchScore searchMargin } }
  hospitals(search: $text, first: $first) {
    nodes { id name(lang: $lang) searchScore searchMargin }
  }
  schools(search: $text, first: $first, lang: $lang) {
    nodes { id name searchScore searchMargin }
  }
}
"""


def _candidates(kind: str, found: Any, key: str = "id") -> List[Candidate]:
    return [
        Candidate(kind, n[key], n["name"], n.get("searchScore"), n.get("searchMargin"))
        for n in nodes(found)
    ]


def merged(*lists: List[Candidate]) -> List[Candidate]:
    """Two searches' hits in one list, by score, each margin over the next hit of the merged
    list (attractions and events are one domain; a festival close behind a site is close)."""
    together = [c for found in lists for c in found]
    if any(c.score is None for c in together):
        return together
    together.sort(key=lambda c: -(c.score or 0.0))
    result = []
    for position, candidate in enumerate(together):
        following = together[position + 1].score if position + 1 < len(together) else None
        score = candidate.score or 0.0
        margin = candidate.margin
        if following is not None and score > 0:
            margin = (score - following) / score
        result.append(Candidate(candidate.kind, candidate.id, candidate.name, score, margin))
    return result


def lang_enum(lang: str) -> str:
    return "EN" if lang == "en" else "VI"


async def search(text: str, lang: str) -> Dict[str, List[Candidate]]:
    """The best matches of the user's words in every catalogue, by domain, best first."""
    data = await graphql(
        SEARCH, {"text": text[:200], "first": SEARCH_HITS, "lang": lang_enum(lang)}, lang=lang
    )
    found: Dict[str, List[Candidate]] = {
        "procedures": _candidates("procedure", data.get("procedures"), "code"),
        "tourism": merged(
            _candidates("attraction", data.get("attractions")),
            _candidates("event", data.get("events")),
        ),
        "health": _candidates("hospital", data.get("hospitals")),
        "education": _candidates("school", data.get("schools")),
    }
    return found


PROCEDURE = """
query Procedure($id: String!, $lang: Language) {
  procedure(code: $id, lang: $lang) {
    code name agency level onlineLevel applicants conditions
    documents { name originals copies form }
    steps processingTime { text workingDays } fees { amountVnd condition }
    legalBasis { document articles } onlineUrl
  }
}
"""
ATTRACTION = """
query Attraction($id: ID!, $lang: Language) {
  attraction(id: $id, lang: $lang) {
    slug name(lang: $lang) description(lang: $lang) address district openNow
    location { lat lng }
    openingHours { weekday opens closes }
    tickets { free adultVnd childVnd note(lang: $lang) }
    contacts { phone website }
    upcomingEvents(first: 3) { name(lang: $lang) startsAt endsAt }
  }
}
"""
EVENT = """
query Event($id: ID!, $lang: Language) {
  event(id: $id, lang: $lang) {
    slug name(lang: $lang) description(lang: $lang) startsAt endsAt status
    venue(lang: $lang) recurrence { rule(lang: $lang) }
  }
}
"""
ITINERARY = """
query Itinerary($id: ID!, $lang: Language) {
  itinerary(id: $id, lang: $lang) {
    slug title(lang: $lang) description(lang: $lang) totalMinutes
    stops { minutes attraction { name(lang: $lang) } }
  }
}
"""
HOSPITAL = """
query Hospital($id: String!, $lang: Language) {
  hospital(id: $id) {
    id name(lang: $lang) address district phone location { lat lng }
    departments { name(lang: $lang) specialty }
    bookingPolicy { daysAhead cutoff }
  }
}
"""
SCHOOL = """
query School($id: ID!, $lang: Language) {
  school(id: $id, lang: $lang) {
    id name address district lat lng contacts { phone } website levels
    catchment { provinceWide communes { name } }
    admissionRounds { name schoolYear grade opensOn closesOn examOn quota }
  }
}
"""
RECORD_QUERIES = {
    "procedure": ("procedure", PROCEDURE),
    "attraction": ("attraction", ATTRACTION),
    "event": ("event", EVENT),
    "itinerary": ("itinerary", ITINERARY),
    "hospital": ("hospital", HOSPITAL),
    "school": ("school", SCHOOL),
}


async def record(kind: str, record_id: str, lang: str) -> Optional[Dict[str, Any]]:
    """The record an answer is made from (None when it is gone)."""
    root, query = RECORD_QUERIES[kind]
    data = await graphql(query, {"id": record_id, "lang": lang_enum(lang)}, lang=lang)
    found: Optional[Dict[str, Any]] = data.get(root)
    return found
