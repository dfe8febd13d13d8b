from datetime import datetime
from typing import Literal, TypedDict

LocalizedDict = dict[str, str]
Level = Literal["central", "province", "district", "commune"]
Online = Literal["full", "partial"]

LEVELS: tuple[Level, ...] = ("central", "province", "district", "commune")
ONLINE_LEVELS: tuple[Online, ...] = ("full", "partial")


class RequiredDocumentDocument(TypedDict):
    name: LocalizedDict
    originals: int | None
    copies: int | None
    form: str | None


class ProcessingTimeDocument(TypedDict):
    text: LocalizedDict | None
    workingDays: float | None


class FeeDocument(TypedDict):
    amountVnd: int
    condition: LocalizedDict | None


class LegalBasisDocument(TypedDict):
    document: str
    articles: str | None


class SourceDocument(TypedDict):
    name: str
    url: str | None


class ProcedureRecord(TypedDict):
    """The catalogue fields of a procedure, as written in the data files (``code`` included)."""

    code: str
    name: LocalizedDict
    field: LocalizedDict
    agency: LocalizedDict
    level: Level
    onlineLevel: Online | None
    legacyOnlineLevel: int | None
    applicants: LocalizedDict | None
    documents: list[RequiredDocumentDocument]
    steps: list[LocalizedDict]
    processingTime: ProcessingTimeDocument | None
    fees: list[FeeDocument]
    conditions: LocalizedDict | None
    result: LocalizedDict | None
    legalBasis: list[LegalBasisDocument]
    onlineUrl: str | None
    source: SourceDocument
    updatedAt: str  # ISO date (YYYY-MM-DD) of the published record
    notes: LocalizedDict | None


class ProcedureDocument(TypedDict, total=False):
    """``procedures`` collection: ``_id`` is the national procedure code (e.g. ``1.001193``)."""

    _id: str
    code: str  # same as _id
    name: LocalizedDict
    field: LocalizedDict
    agency: LocalizedDict
    level: Level
    onlineLevel: Online | None
    legacyOnlineLevel: int | None
    applicants: LocalizedDict | None
    documents: list[RequiredDocumentDocument]
    steps: list[LocalizedDict]
    processingTime: ProcessingTimeDocument | None
    fees: list[FeeDocument]
    conditions: LocalizedDict | None
    result: LocalizedDict | None
    legalBasis: list[LegalBasisDocument]
    onlineUrl: str | None
    source: SourceDocument
    updatedAt: str
    notes: LocalizedDict | None
    # Derived on every write, never given by a client:
    fieldKey: str  # slug of the Vietnamese field name: the `field` filter and the chips
    agencyKey: str  # slug of the Vietnamese agency name: the `agency` filter
    sortName: str  # folded Vietnamese name: alphabetical browsing
    # Ranked search results only (not stored): BM25 score and relative margin over the next hit.
    score: float
    margin: float
    retired: bool
    retiredAt: datetime | None
    modifiedAt: datetime
    modifiedBy: str
