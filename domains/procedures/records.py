"""Validation of procedure records, shared by the admin mutations, the importer and the seeder.

A record is checked whole before anything is written; every problem is reported with the path of
the field (``fees[1].amountVnd``) and what to do about it, so one pass fixes a file.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from domains.procedures.models import (
    LEVELS,
    ONLINE_LEVELS,
    FeeDocument,
    LegalBasisDocument,
    LocalizedDict,
    ProcedureRecord,
    ProcessingTimeDocument,
    RequiredDocumentDocument,
    SourceDocument,
)

CODE_PATTERN = re.compile(r"^\d\.\d{6}$")
LANGUAGES = ("vi", "en")
MAX_TEXT = 5000
MAX_ITEMS = 100
# GraphQL's Int is 32-bit; no fee or charge of a procedure comes near this.
MAX_FEE_VND = 2_000_000_000
LEGACY_ONLINE_LEVELS = (1, 2, 3, 4)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

FIELDS = (
    "code",
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
    "notes",
)
# Checked here; localized required fields, source and updatedAt are checked where they are parsed.
REQUIRED = ("code", "level")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a record: where (a field path) and what."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def is_procedure_code(text: str) -> bool:
    return CODE_PATTERN.fullmatch(text.strip()) is not None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def text(self, value: Any, path: str, *, required: bool) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(path, "is required and must not be empty.")
            return None
        if not isinstance(value, str):
            self.fail(path, f"must be text; got {type(value).__name__}.")
            return None
        if len(value) > MAX_TEXT:
            self.fail(path, f"is {len(value)} characters long; at most {MAX_TEXT} are allowed.")
            return None
        return value.strip()

    def localized(self, value: Any, path: str, *, required: bool) -> LocalizedDict | None:
        """``{"vi": ..., "en": ...}`` with Vietnamese required; plain text counts as Vietnamese."""
        if isinstance(value, str):
            value = {"vi": value}
        if value is None or value == {}:
            if required:
                self.fail(path, 'is required: give at least the Vietnamese text, {"vi": "..."}.')
            return None
        if not isinstance(value, Mapping):
            self.fail(path, 'must be localized text such as {"vi": "...", "en": "..."}.')
            return None
        unknown = sorted(str(key) for key in value if key not in LANGUAGES)
        if unknown:
            self.fail(path, f"has unknown language(s) {', '.join(unknown)}; use vi and en.")
            return None
        result: LocalizedDict = {}
        for language in LANGUAGES:
            text = self.text(value.get(language), f"{path}.{language}", required=False)
            if text:
                result[language] = text
        if "vi" not in result:
            if "en" in result or required:
                self.fail(f"{path}.vi", "Vietnamese text is required (English is optional).")
            return None
        return result

    def count(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"must be a whole number of 0 or more; got {value!r}.")
            return None
        if value < 0:
            self.fail(path, f"must be 0 or more; got {value}.")
            return None
        return value

    def url(self, value: Any, path: str, *, required: bool) -> str | None:
        text = self.text(value, path, required=required)
        if text is not None and not _URL.match(text):
            self.fail(
                path, f"must be an http(s) address such as https://dichvucong.gov.vn; got {text!r}."
            )
            return None
        return text

    def items(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, f"must be a list; got {type(value).__name__}.")
            return []
        if len(value) > MAX_ITEMS:
            self.fail(path, f"has {len(value)} items; at most {MAX_ITEMS} are allowed.")
            return []
        return value

    def mapping(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"must be an object; got {type(value).__name__}.")
            return None
        return value


def _document(c: _Checker, value: Any, path: str) -> RequiredDocumentDocument | None:
    item = c.mapping(value, path)
    if item is None:
        return None
    name = c.localized(item.get("name"), f"{path}.name", required=True)
    originals = c.count(item.get("originals"), f"{path}.originals")
    copies = c.count(item.get("copies"), f"{path}.copies")
    form = c.text(item.get("form"), f"{path}.form", required=False)
    if name is None:
        return None
    return {"name": name, "originals": originals, "copies": copies, "form": form}


def _fee(c: _Checker, value: Any, path: str) -> FeeDocument | None:
    item = c.mapping(value, path)
    if item is None:
        return None
    amount = item.get("amountVnd")
    condition = c.localized(item.get("condition"), f"{path}.condition", required=False)
    if amount is None:
        c.fail(f"{path}.amountVnd", "is required (0 for a free procedure).")
        return None
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    if isinstance(amount, bool) or not isinstance(amount, int):
        c.fail(f"{path}.amountVnd", f"must be a whole number of đồng; got {amount!r}.")
        return None
    if amount < 0:
        c.fail(f"{path}.amountVnd", f"must be 0 or more; got {amount}.")
        return None
    if amount > MAX_FEE_VND:
        c.fail(f"{path}.amountVnd", f"is above {MAX_FEE_VND:,} đồng; check the amount.")
        return None
    return {"amountVnd": amount, "condition": condition}


def _legal_basis(c: _Checker, value: Any, path: str) -> LegalBasisDocument | None:
    item = c.mapping(value, path)
    if item is None:
        return None
    document = c.text(item.get("document"), f"{path}.document", required=True)
    articles = c.text(item.get("articles"), f"{path}.articles", required=False)
    if document is None:
        return None
    return {"document": document, "articles": articles}


def _processing_time(c: _Checker, value: Any) -> ProcessingTimeDocument | None:
    if value is None:
        return None
    item = c.mapping(value, "processingTime")
    if item is None:
        return None
    text = c.localized(item.get("text"), "processingTime.text", required=False)
    days = item.get("workingDays")
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int | float) or days < 0
    ):
        c.fail("processingTime.workingDays", f"must be a number of 0 or more; got {days!r}.")
        days = None
    if text is None and days is None:
        return None
    return {"text": text, "workingDays": float(days) if days is not None else None}


def _source(c: _Checker, value: Any) -> SourceDocument | None:
    if value is None:
        c.fail(
            "source",
            'is required: {"name": "...", "url": "https://..."} of where it was published.',
        )
        return None
    item = c.mapping(value, "source")
    if item is None:
        return None
    name = c.text(item.get("name"), "source.name", required=True)
    url = c.url(item.get("url"), "source.url", required=False)
    if name is None:
        return None
    return {"name": name, "url": url}


def _updated_at(c: _Checker, value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    text = c.text(value, "updatedAt", required=True)
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        c.fail("updatedAt", f"must be a date written YYYY-MM-DD; got {text!r}.")
        return None


def _check_shape_and_enums(c: _Checker, raw: Mapping[str, Any]) -> str | None:
    """Unknown and missing fields, and the enumerated ones; the code when it is well formed."""
    unknown = sorted(str(key) for key in raw if key not in FIELDS)
    for key in unknown:
        c.fail(key, f"is not a procedure field; known fields: {', '.join(FIELDS)}.")
    for key in REQUIRED:
        if raw.get(key) in (None, "", {}):
            c.fail(key, "is required.")
    level = raw.get("level")
    if level is not None and level not in LEVELS:
        c.fail("level", f"must be one of {', '.join(LEVELS)}; got {level!r}.")
    online = raw.get("onlineLevel")
    if online is not None and online not in ONLINE_LEVELS:
        c.fail("onlineLevel", f"must be one of {', '.join(ONLINE_LEVELS)} or null; got {online!r}.")
    legacy = raw.get("legacyOnlineLevel")
    if legacy is not None and (isinstance(legacy, bool) or legacy not in LEGACY_ONLINE_LEVELS):
        c.fail("legacyOnlineLevel", f"must be 1, 2, 3, 4 or null; got {legacy!r}.")
    code = raw.get("code")
    if code is not None and (not isinstance(code, str) or not is_procedure_code(code)):
        c.fail("code", f"must look like 1.001193 (a digit, a dot, six digits); got {code!r}.")
        return None
    return code.strip() if isinstance(code, str) else None


def validate_record(raw: Any) -> tuple[ProcedureRecord | None, list[Problem]]:
    """The clean record, or None with every problem found (never a partial record)."""
    c = _Checker()
    if not isinstance(raw, Mapping):
        return None, [Problem("record", f"must be an object; got {type(raw).__name__}.")]
    code = _check_shape_and_enums(c, raw)
    record = {
        "code": code,
        "name": c.localized(raw.get("name"), "name", required=True),
        "field": c.localized(raw.get("field"), "field", required=True),
        "agency": c.localized(raw.get("agency"), "agency", required=True),
        "level": raw.get("level"),
        "onlineLevel": raw.get("onlineLevel"),
        "legacyOnlineLevel": raw.get("legacyOnlineLevel"),
        "applicants": c.localized(raw.get("applicants"), "applicants", required=False),
        "documents": [
            _document(c, item, f"documents[{i}]")
            for i, item in enumerate(c.items(raw.get("documents"), "documents"))
        ],
        "steps": [
            c.localized(item, f"steps[{i}]", required=True)
            for i, item in enumerate(c.items(raw.get("steps"), "steps"))
        ],
        "processingTime": _processing_time(c, raw.get("processingTime")),
        "fees": [
            _fee(c, item, f"fees[{i}]") for i, item in enumerate(c.items(raw.get("fees"), "fees"))
        ],
        "conditions": c.localized(raw.get("conditions"), "conditions", required=False),
        "result": c.localized(raw.get("result"), "result", required=False),
        "legalBasis": [
            _legal_basis(c, item, f"legalBasis[{i}]")
            for i, item in enumerate(c.items(raw.get("legalBasis"), "legalBasis"))
        ],
        "onlineUrl": c.url(raw.get("onlineUrl"), "onlineUrl", required=False),
        "source": _source(c, raw.get("source")),
        "updatedAt": _updated_at(c, raw.get("updatedAt")),
        "notes": c.localized(raw.get("notes"), "notes", required=False),
    }
    problems = c.problems
    if problems:
        return None, problems
    return cast(ProcedureRecord, record), []


def record_from_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The catalogue fields of a stored procedure, in the data-file shape (for edits, exports)."""
    record: dict[str, Any] = {key: document.get(key) for key in FIELDS if key != "code"}
    record["code"] = document["_id"]
    return record
