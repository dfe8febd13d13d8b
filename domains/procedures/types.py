from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

import strawberry

from domains.kernel.i18n import LocalizedText, LocalizedTextInput, pick
from domains.kernel.node import Node, global_id
from domains.procedures.models import ProcedureDocument
from domains.procedures.repository import FieldCount


@strawberry.enum(description="Administrative level that handles a procedure.")
class AdministrativeLevel(Enum):
    CENTRAL = "central"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


@strawberry.enum(description="How far a procedure can be done online.")
class OnlineLevel(Enum):
    FULL = "full"  # toàn trình: from application to result, online
    PARTIAL = "partial"  # một phần: some steps need a visit


@strawberry.type(description="A document in the application file.")
class RequiredDocument:
    name: str
    originals: int | None = strawberry.field(description="Number of originals; null if not stated.")
    copies: int | None = strawberry.field(description="Number of copies; null if not stated.")
    form: str | None = strawberry.field(description="Official form (template) to use, if any.")


@strawberry.type
class ProcessingTime:
    text: str | None = strawberry.field(description="The deadline as published.")
    working_days: float | None = strawberry.field(
        description="Working days when the deadline is one number (0: same day); else null."
    )


@strawberry.type(description="A fee or charge and when it applies.")
class Fee:
    amount_vnd: int = strawberry.field(description="Amount in đồng; 0 means free.")
    condition: str | None


@strawberry.type
class LegalBasis:
    document: str
    articles: str | None


@strawberry.type(description="Where the facts of a record were published.")
class Source:
    name: str
    url: str | None


@strawberry.type(
    description="Every localized text of a procedure in all stored languages (editors)."
)
class ProcedureTranslations:
    name: LocalizedText
    field: LocalizedText
    agency: LocalizedText
    applicants: LocalizedText | None
    documents: list[LocalizedText] = strawberry.field(description="Document names, in order.")
    steps: list[LocalizedText]
    processing_time: LocalizedText | None
    fees: list[LocalizedText | None] = strawberry.field(description="Fee conditions, in order.")
    conditions: LocalizedText | None
    result: LocalizedText | None
    # No `notes`: editors' internal notes are stored (imports carry them) but never served.


def _localized(value: Mapping[str, Any] | None) -> LocalizedText | None:
    return LocalizedText.from_document(value) if value else None


def _translations(root: "Procedure") -> ProcedureTranslations:
    d = root.document
    time: Mapping[str, Any] = d.get("processingTime") or {}
    return ProcedureTranslations(
        name=LocalizedText.from_document(d.get("name")),
        field=LocalizedText.from_document(d.get("field")),
        agency=LocalizedText.from_document(d.get("agency")),
        applicants=_localized(d.get("applicants")),
        documents=[LocalizedText.from_document(x["name"]) for x in d.get("documents", [])],
        steps=[LocalizedText.from_document(step) for step in d.get("steps", [])],
        processing_time=_localized(time.get("text")),
        fees=[_localized(fee.get("condition")) for fee in d.get("fees", [])],
        conditions=_localized(d.get("conditions")),
        result=_localized(d.get("result")),
    )


# The nested and longer fields are resolved only when a query asks for them: a search page
# asks for a few scalars of each row, and building every field of every row cost more than the
# search itself.


def _applicants(root: "Procedure") -> str | None:
    return pick(root.document.get("applicants"), root.lang)


def _documents(root: "Procedure") -> list[RequiredDocument]:
    return [
        RequiredDocument(
            name=pick(x["name"], root.lang) or "",
            originals=x.get("originals"),
            copies=x.get("copies"),
            form=x.get("form"),
        )
        for x in root.document.get("documents", [])
    ]


def _steps(root: "Procedure") -> list[str]:
    return [text for step in root.document.get("steps", []) if (text := pick(step, root.lang))]


def _processing_time(root: "Procedure") -> ProcessingTime | None:
    time = root.document.get("processingTime")
    if not time:
        return None
    return ProcessingTime(
        text=pick(time.get("text"), root.lang), working_days=time.get("workingDays")
    )


def _fees(root: "Procedure") -> list[Fee]:
    return [
        Fee(amount_vnd=fee["amountVnd"], condition=pick(fee.get("condition"), root.lang))
        for fee in root.document.get("fees", [])
    ]


def _conditions(root: "Procedure") -> str | None:
    return pick(root.document.get("conditions"), root.lang)


def _result(root: "Procedure") -> str | None:
    return pick(root.document.get("result"), root.lang)


def _legal_basis(root: "Procedure") -> list[LegalBasis]:
    return [
        LegalBasis(document=x["document"], articles=x.get("articles"))
        for x in root.document.get("legalBasis", [])
    ]


def _source(root: "Procedure") -> Source | None:
    source = root.document.get("source")
    return Source(name=source["name"], url=source.get("url")) if source else None


@strawberry.type(
    description=(
        "An administrative procedure (thủ tục hành chính) as published on the National Public "
        "Service Portal. Text is in the requested language with Vietnamese as fallback; a field "
        "that is not known is null or empty, never guessed."
    )
)
class Procedure(Node):
    id: strawberry.ID = strawberry.field(
        description="Opaque and stable, for `node(id:)`; the code is the procedure's key."
    )
    code: str = strawberry.field(description="National procedure code, e.g. 1.001193.")
    name: str
    field: str = strawberry.field(description="Field (lĩnh vực).")
    agency: str = strawberry.field(description="Implementing agency.")
    level: AdministrativeLevel
    online_level: OnlineLevel | None
    legacy_online_level: int | None = strawberry.field(
        description='The former "level 2/3/4" online rating, for records that still carry it.'
    )
    applicants: str | None = strawberry.field(resolver=_applicants, description="Who may apply.")
    documents: list[RequiredDocument] = strawberry.field(resolver=_documents)
    steps: list[str] = strawberry.field(resolver=_steps)
    processing_time: ProcessingTime | None = strawberry.field(resolver=_processing_time)
    fees: list[Fee] = strawberry.field(
        resolver=_fees, description="Fees and charges; empty when not known."
    )
    conditions: str | None = strawberry.field(resolver=_conditions)
    result: str | None = strawberry.field(
        resolver=_result, description="What the applicant receives."
    )
    legal_basis: list[LegalBasis] = strawberry.field(resolver=_legal_basis)
    online_url: str | None = strawberry.field(description="Where to apply online, if possible.")
    source: Source | None = strawberry.field(resolver=_source)
    updated_at: date | None = strawberry.field(description="Date of the published facts.")
    retired: bool = strawberry.field(description="No longer in force; hidden from search.")
    search_score: float | None = strawberry.field(
        description="Relevance (BM25) of this record to `procedures(search:)`; null outside a "
        "ranked search. Comparable only within one search."
    )
    search_margin: float | None = strawberry.field(
        description="How far this record is ahead of the next match of the same search: "
        "(score − next score) / score, 0 for a tie, 1 when nothing else matched (or a code "
        "matched); null outside a ranked search. See docs/search.md."
    )
    document: strawberry.Private[ProcedureDocument]
    lang: strawberry.Private[str]

    translations: ProcedureTranslations = strawberry.field(
        resolver=_translations, description="All languages of every text field, for editors."
    )

    @classmethod
    def from_document(cls, d: ProcedureDocument, lang: str) -> "Procedure":
        updated = d.get("updatedAt")
        online = d.get("onlineLevel")
        return cls(
            id=global_id("Procedure", d["_id"]),
            code=d["_id"],
            name=pick(d.get("name"), lang) or "",
            field=pick(d.get("field"), lang) or "",
            agency=pick(d.get("agency"), lang) or "",
            level=AdministrativeLevel(d["level"]),
            online_level=OnlineLevel(online) if online else None,
            legacy_online_level=d.get("legacyOnlineLevel"),
            online_url=d.get("onlineUrl"),
            updated_at=date.fromisoformat(updated) if updated else None,
            retired=bool(d.get("retired", False)),
            search_score=d.get("score"),
            search_margin=d.get("margin"),
            document=d,
            lang=lang,
        )


@strawberry.type(description="A field (lĩnh vực) with its number of procedures, for filter chips.")
class ProcedureField:
    key: str = strawberry.field(description="Pass as `procedures(field:)`; the name works too.")
    name: str
    count: int

    @classmethod
    def from_count(cls, count: FieldCount, lang: str) -> "ProcedureField":
        return cls(key=count.key, name=pick(count.name, lang) or count.key, count=count.count)


# ---- inputs (admin edits); converted to the data-file record shape and validated there ----


@strawberry.input
class RequiredDocumentInput:
    name: LocalizedTextInput
    originals: int | None = None
    copies: int | None = None
    form: str | None = None


@strawberry.input
class ProcessingTimeInput:
    text: LocalizedTextInput | None = None
    working_days: float | None = None


@strawberry.input
class FeeInput:
    amount_vnd: int
    condition: LocalizedTextInput | None = None


@strawberry.input
class LegalBasisInput:
    document: str
    articles: str | None = None


@strawberry.input
class SourceInput:
    name: str
    url: str | None = None


def _loc(value: LocalizedTextInput | None) -> dict[str, str] | None:
    return value.to_document() if value is not None else None


def _record_value(name: str, value: Any) -> Any:
    """An input value in the data-file shape."""
    if value is None:
        return None
    if isinstance(value, LocalizedTextInput):
        return value.to_document()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_record_value(name, item) for item in value]
    if isinstance(value, RequiredDocumentInput):
        return {
            "name": value.name.to_document(),
            "originals": value.originals,
            "copies": value.copies,
            "form": value.form,
        }
    if isinstance(value, ProcessingTimeInput):
        return {"text": _loc(value.text), "workingDays": value.working_days}
    if isinstance(value, FeeInput):
        return {"amountVnd": value.amount_vnd, "condition": _loc(value.condition)}
    if isinstance(value, LegalBasisInput):
        return {"document": value.document, "articles": value.articles}
    if isinstance(value, SourceInput):
        return {"name": value.name, "url": value.url}
    return value


_INPUT_FIELDS = {
    "name": "name",
    "field": "field",
    "agency": "agency",
    "level": "level",
    "online_level": "onlineLevel",
    "legacy_online_level": "legacyOnlineLevel",
    "applicants": "applicants",
    "documents": "documents",
    "steps": "steps",
    "processing_time": "processingTime",
    "fees": "fees",
    "conditions": "conditions",
    "result": "result",
    "legal_basis": "legalBasis",
    "online_url": "onlineUrl",
    "source": "source",
    "updated_at": "updatedAt",
}


@strawberry.input(description="A new procedure; every rule of the data files applies.")
class ProcedureInput:
    code: str
    name: LocalizedTextInput
    field: LocalizedTextInput
    agency: LocalizedTextInput
    level: AdministrativeLevel
    source: SourceInput
    updated_at: date = strawberry.field(description="Date of the published facts.")
    online_level: OnlineLevel | None = None
    legacy_online_level: int | None = None
    applicants: LocalizedTextInput | None = None
    documents: list[RequiredDocumentInput] = strawberry.field(default_factory=list)
    steps: list[LocalizedTextInput] = strawberry.field(default_factory=list)
    processing_time: ProcessingTimeInput | None = None
    fees: list[FeeInput] = strawberry.field(default_factory=list)
    conditions: LocalizedTextInput | None = None
    result: LocalizedTextInput | None = None
    legal_basis: list[LegalBasisInput] = strawberry.field(default_factory=list)
    online_url: str | None = None

    def to_record(self) -> dict[str, Any]:
        record = {
            key: _record_value(key, getattr(self, attr)) for attr, key in _INPUT_FIELDS.items()
        }
        record["code"] = self.code
        return record


@strawberry.input(
    description="Fields to change; omitted fields keep their value, null clears an optional one."
)
class ProcedurePatch:
    name: LocalizedTextInput | None = strawberry.UNSET
    field: LocalizedTextInput | None = strawberry.UNSET
    agency: LocalizedTextInput | None = strawberry.UNSET
    level: AdministrativeLevel | None = strawberry.UNSET
    source: SourceInput | None = strawberry.UNSET
    updated_at: date | None = strawberry.UNSET
    online_level: OnlineLevel | None = strawberry.UNSET
    legacy_online_level: int | None = strawberry.UNSET
    applicants: LocalizedTextInput | None = strawberry.UNSET
    documents: list[RequiredDocumentInput] | None = strawberry.UNSET
    steps: list[LocalizedTextInput] | None = strawberry.UNSET
    processing_time: ProcessingTimeInput | None = strawberry.UNSET
    fees: list[FeeInput] | None = strawberry.UNSET
    conditions: LocalizedTextInput | None = strawberry.UNSET
    result: LocalizedTextInput | None = strawberry.UNSET
    legal_basis: list[LegalBasisInput] | None = strawberry.UNSET
    online_url: str | None = strawberry.UNSET

    def to_changes(self) -> dict[str, Any]:
        return {
            key: _record_value(key, getattr(self, attr))
            for attr, key in _INPUT_FIELDS.items()
            if getattr(self, attr) is not strawberry.UNSET
        }
