"""Reading procedure files for `xuthanh import-procedures`: a JSON array or a CSV file.

CSV columns (header row required; see docs/procedures.md):
  code, name_vi, name_en, field_vi, field_en, agency_vi, agency_en, level, online_level,
  legacy_online_level, applicants_vi, applicants_en, steps_vi, steps_en (one step per line in the
  cell), processing_time_vi, processing_time_en, working_days, conditions_vi, conditions_en,
  result_vi, result_en, online_url, source_name, source_url, updated_at, notes,
  and documents, fees, legal_basis as JSON arrays in the data-file shape.
Only ``code`` is required as a column; every other column may be left out.
"""

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from domains.procedures.records import Problem

Row = tuple[int, dict[str, Any] | None, list[Problem]]

LOCALIZED_COLUMNS = {
    "name": "name",
    "field": "field",
    "agency": "agency",
    "applicants": "applicants",
    "conditions": "conditions",
    "result": "result",
}
PLAIN_COLUMNS = {
    "code": "code",
    "level": "level",
    "online_level": "onlineLevel",
    "online_url": "onlineUrl",
    "updated_at": "updatedAt",
    "notes": "notes",
}
JSON_COLUMNS = {"documents": "documents", "fees": "fees", "legal_basis": "legalBasis"}
OTHER_COLUMNS = (
    "legacy_online_level",
    "steps_vi",
    "steps_en",
    "processing_time_vi",
    "processing_time_en",
    "working_days",
    "source_name",
    "source_url",
)
CSV_COLUMNS = (
    *PLAIN_COLUMNS,
    *(f"{base}_{lang}" for base in LOCALIZED_COLUMNS for lang in ("vi", "en")),
    *JSON_COLUMNS,
    *OTHER_COLUMNS,
)


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing was imported."""


def read_rows(path: Path) -> list[Row]:
    """Rows of a .json or .csv file, numbered as a person finds them in the file."""
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist or is not a file.")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{path} is not UTF-8 text ({error.reason}); save it as UTF-8."
        ) from error
    if suffix == ".json":
        return list(_json_rows(text))
    if suffix == ".csv":
        return list(_csv_rows(text))
    raise ImportFileError(f"{path}: use a .json (array of records) or a .csv file.")


def _json_rows(text: str) -> Iterator[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"Not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
        ) from error
    if not isinstance(data, list):
        raise ImportFileError("The JSON file must hold an array of procedure records.")
    for number, item in enumerate(data, start=1):
        if isinstance(item, dict):
            yield number, item, []
        else:
            yield number, None, [Problem("record", "must be a JSON object.")]


def _csv_rows(text: str) -> Iterator[Row]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    unknown = [column for column in header if column not in CSV_COLUMNS]
    if unknown:
        raise ImportFileError(
            f"Unknown CSV column(s): {', '.join(unknown)}. Known columns: {', '.join(CSV_COLUMNS)}."
        )
    if "code" not in header:
        raise ImportFileError("The CSV file needs a `code` column.")
    for row in reader:
        # reader.line_num is the last line of this row: rows may span lines (steps cells).
        record, problems = csv_record(row)
        yield reader.line_num, record, problems


def _cell(row: dict[str, Any], column: str) -> str | None:
    value = row.get(column)
    if value is None or not str(value).strip():
        return None
    return str(value).strip()


def _localized(row: dict[str, Any], base: str) -> dict[str, str] | None:
    value = {lang: text for lang in ("vi", "en") if (text := _cell(row, f"{base}_{lang}"))}
    return value or None


def csv_record(row: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A CSV row in the data-file shape, plus problems only the CSV form can have."""
    problems: list[Problem] = []
    if None in row:
        problems.append(Problem("row", "has more cells than the header has columns."))
    record: dict[str, Any] = {key: _cell(row, column) for column, key in PLAIN_COLUMNS.items()}
    for column, key in LOCALIZED_COLUMNS.items():
        record[key] = _localized(row, column)
    for column, key in JSON_COLUMNS.items():
        cell = _cell(row, column)
        if cell is None:
            record[key] = []
            continue
        try:
            record[key] = json.loads(cell)
        except json.JSONDecodeError as error:
            problems.append(
                Problem(column, f"must be a JSON array ({error.msg}, char {error.pos}).")
            )
    legacy = _cell(row, "legacy_online_level")
    record["legacyOnlineLevel"] = _number(legacy, "legacy_online_level", problems, whole=True)
    steps = {
        lang: [
            line.strip()
            for line in (_cell(row, f"steps_{lang}") or "").splitlines()
            if line.strip()
        ]
        for lang in ("vi", "en")
    }
    if steps["en"] and len(steps["en"]) != len(steps["vi"]):
        problems.append(
            Problem(
                "steps_en", f"has {len(steps['en'])} lines but steps_vi has {len(steps['vi'])}."
            )
        )
    record["steps"] = [
        {"vi": vi, **({"en": steps["en"][i]} if i < len(steps["en"]) else {})}
        for i, vi in enumerate(steps["vi"])
    ]
    days = _number(_cell(row, "working_days"), "working_days", problems, whole=False)
    time_text = _localized(row, "processing_time")
    record["processingTime"] = (
        {"text": time_text, "workingDays": days} if time_text or days is not None else None
    )
    source_name, source_url = _cell(row, "source_name"), _cell(row, "source_url")
    record["source"] = (
        {"name": source_name, "url": source_url} if source_name or source_url else None
    )
    return record, problems


def _number(text: str | None, column: str, problems: list[Problem], *, whole: bool) -> Any:
    if text is None:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        problems.append(Problem(column, f"must be a number; got {text!r}."))
        return None
    if whole:
        if not value.is_integer():
            problems.append(Problem(column, f"must be a whole number; got {text!r}."))
            return None
        return int(value)
    return value
