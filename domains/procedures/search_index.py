"""The procedures catalogue's read side: what the generic ``CatalogueIndex`` is told of it.

The index fields and weights (``SPEC``), what each stored procedure gives the index
(``index_document``: names, the synonym phrases its name expands, a body of documents and
steps) and what a result renders (``rendered``: every catalogue field but the internal notes,
kept beside the index so a page is served without MongoDB). Building at start-up, following the
change feed, ``/readyz`` (``search.procedures``) and writes visible at once are the generic
class's (``domains/search/catalogue.py``, docs/search.md).

Retired procedures stay in the index under ``status: retired`` and are filtered out of every
search that does not ask for them (administrators' ``includeRetired``).
"""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from domains.kernel.folding import fold
from domains.kernel.readiness import Readiness
from domains.kernel.resources import Key
from domains.kernel.types import Database
from domains.procedures.ranking import normalize, synonyms
from domains.procedures.repository import SEARCH_ONLY, ProcedureRepository
from domains.search import Catalogue, CatalogueIndex, Catalogues, IndexSpec, TextField

LIVE, RETIRED = "live", "retired"

SPEC = IndexSpec(
    text_fields=(
        TextField("name", boost=3.0, exact=True),  # Vietnamese and English names
        TextField("aliases", boost=2.0, word_set=True),  # everyday words whose expansion is named
        TextField("body", expand=False),  # documents, steps, agency, field, result
    ),
    code_fields=("code",),
    filter_fields=("fieldKey", "agencyKey", "level", "onlineLevel", "status"),
    id_field="id",
)
# What a search result renders (JSON-safe: the timestamps and internal notes are left out).
RENDERED_FIELDS = (
    "_id",
    "name",
    "field",
    "agency",
    "level",
    "onlineLevel",
    "legacyOnlineLevel",
    "applicants",
    "documents",
    "steps",
    "processingTime",
    "fees",
    "conditions",
    "result",
    "legalBasis",
    "onlineUrl",
    "source",
    "updatedAt",
    "fieldKey",
    "agencyKey",
    "retired",
)


def aliases(name: Mapping[str, str]) -> list[str]:
    """Synonym-list phrases whose expansion the name contains ("gplx" for "giấy phép lái xe",
    "sổ đỏ"), but none sharing a word with the name: "làm thẻ bhyt cho con" would let "thẻ",
    "cho", "con" match the record on their own (the query-time expansion still reads it)."""
    folded = [f" {fold(normalize(text))} " for text in name.values() if text]
    own = {word for text in folded for word in text.split()}
    return [
        phrase
        for phrase, expansions in synonyms().items()
        if not own.intersection(phrase.split())
        and any(f" {expansion} " in text for expansion in expansions for text in folded)
    ]


def _localized(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [normalize(str(text)) for text in value.values() if text]
    return []


def index_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the index holds of one stored procedure."""
    name = document.get("name") or {}
    body: list[str] = [
        *_localized(document.get("field")),
        *_localized(document.get("agency")),
        *_localized(document.get("result")),
    ]
    for required in document.get("documents") or []:
        body += _localized(required.get("name"))
    for step in document.get("steps") or []:
        body += _localized(step)
    return {
        "id": document["_id"],
        "code": document["_id"],
        "name": _localized(name),
        "aliases": aliases(name),
        "body": body,
        "fieldKey": document.get("fieldKey"),
        "agencyKey": document.get("agencyKey"),
        "level": document.get("level"),
        "onlineLevel": document.get("onlineLevel"),
        "status": RETIRED if document.get("retired") else LIVE,
    }


def rendered(document: Mapping[str, Any]) -> dict[str, Any]:
    """What a search result renders of one stored procedure."""
    return {key: document[key] for key in RENDERED_FIELDS if key in document}


def catalogue() -> Catalogue:
    """The procedures catalogue as the generic read side takes it (synonyms read once)."""
    return Catalogue(
        name="procedures",
        collection=ProcedureRepository.collection_name,
        index=SPEC,
        index_document=index_document,
        synonyms=synonyms(),
        rendered=rendered,
        projection=SEARCH_ONLY,
        query_text=normalize,
        # The most read procedures unpickled (about 15 KB each as objects): search pages copy
        # the fields they add to (service._ranked_page) and never change the rest.
        shared_renders=512,
    )


READINESS_NAME = "search.procedures"


class ProcedureSearch(CatalogueIndex):
    """The procedures catalogue's read side (``CatalogueIndex``), under its historic name."""

    def __init__(
        self,
        db: Database,
        *,
        readiness: Readiness | None = None,
        hold: asyncio.Event | None = None,
        max_await_ms: int = 500,
    ) -> None:
        super().__init__(catalogue(), db, readiness=readiness, hold=hold, max_await_ms=max_await_ms)

    async def written_codes(self, codes: Sequence[str]) -> None:
        """Like ``written``, reading the stored procedures back first (bulk imports)."""
        await self.written_ids(codes)


PROCEDURE_SEARCH: Key[ProcedureSearch] = Key("procedures.search")
CATALOGUES = Catalogues.custom(
    PROCEDURE_SEARCH, lambda resources: ProcedureSearch(resources.db, readiness=resources.readiness)
)
"""Wired and started by ``module.py``."""
