"""`xuthanh import-procedures`: JSON and CSV files, a report of accepted and rejected rows."""

import csv
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.settings import Settings
from domains.procedures.importer import CSV_COLUMNS, ImportFileError, read_rows
from domains.procedures.records import validate_record
from domains.procedures.service import import_records


def record(code: str, name: str = "Cấp phép khai thác cát sỏi", **changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "code": code,
        "name": {"vi": name, "en": "Sand mining permit"},
        "field": {"vi": "Khoáng sản", "en": "Minerals"},
        "agency": {"vi": "Sở Nông nghiệp và Môi trường"},
        "level": "province",
        "onlineLevel": "partial",
        "legacyOnlineLevel": 3,
        "documents": [{"name": {"vi": "Đơn đề nghị"}, "originals": 1, "copies": 0, "form": None}],
        "steps": [{"vi": "Nộp hồ sơ", "en": "Apply"}, {"vi": "Nhận kết quả"}],
        "processingTime": {"text": {"vi": "30 ngày"}, "workingDays": 30},
        "fees": [{"amountVnd": 1500000, "condition": None}],
        "legalBasis": [{"document": "Luật Địa chất và khoáng sản 2024", "articles": None}],
        "onlineUrl": None,
        "source": {"name": "Cổng Dịch vụ công quốc gia", "url": "https://dichvucong.gov.vn"},
        "updatedAt": "2025-07-01",
    }
    value.update(changes)
    return value


async def test_bad_rows_are_reported_and_write_nothing(db, tmp_path: Path) -> None:
    rows = [
        record("2.100001"),
        record("2.100002", fees=[{"amountVnd": -1}], level="county"),
        record("2100003"),
        record("2.100001", name="Trùng mã"),
        "not an object",
        record("2.100005", steps=[{"en": "English only"}]),
    ]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    report = await import_records(
        db=db, rows=read_rows(path), by="test", progress=lambda d, t: seen.append((d, t))
    )
    assert (report.total, report.accepted, report.created) == (6, 1, 1)
    reasons = {r.row: [(p.field, p.message) for p in r.problems] for r in report.rejected}
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert ("fees[0].amountVnd", "must be 0 or more; got -1.") in reasons[2]
    assert any(field == "level" and "commune" in message for field, message in reasons[2])
    assert reasons[3][0][0] == "code"
    assert reasons[4] == [("code", "2.100001 appears again (first in row 1).")]
    assert reasons[5] == [("record", "must be a JSON object.")]
    assert reasons[6][0][0] == "steps[0].vi"
    stored = await db["procedures"].find({"_id": {"$regex": "^2\\.1000"}}).to_list()
    assert [d["_id"] for d in stored] == ["2.100001"]
    assert stored[0]["name"]["vi"] == "Cấp phép khai thác cát sỏi"
    assert seen[-1][0] == seen[-1][1] and all(a <= b for a, b in itertools.pairwise(seen))


async def test_reimport_updates_whole_records_and_keeps_retirement(db, tmp_path: Path) -> None:
    path = tmp_path / "first.json"
    path.write_text(json.dumps([record("2.200001"), record("2.200002")]), encoding="utf-8")
    await import_records(db=db, rows=read_rows(path), by="test")
    await db["procedures"].update_one({"_id": "2.200002"}, {"$set": {"retired": True}})
    changed = record("2.200001", conditions=None, fees=[], onlineUrl="https://dichvucong.gov.vn")
    path.write_text(json.dumps([changed, record("2.200002")]), encoding="utf-8")
    report = await import_records(db=db, rows=read_rows(path), by="test")
    assert (report.created, report.updated, report.rejected) == (0, 2, [])
    first = await db["procedures"].find_one({"_id": "2.200001"})
    assert first is not None and first["fees"] == [] and first["onlineUrl"].startswith("https")
    second = await db["procedures"].find_one({"_id": "2.200002"})
    assert second is not None and second["retired"] is True


def csv_row(values: dict[str, Any]) -> dict[str, Any]:
    return {column: values.get(column, "") for column in CSV_COLUMNS}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        writer.writerows(csv_row(row) for row in rows)


GOOD_CSV = {
    "code": "2.300001",
    "name_vi": "Cấp phép khai thác cát",
    "name_en": "Sand permit",
    "field_vi": "Khoáng sản",
    "agency_vi": "Sở Nông nghiệp và Môi trường",
    "level": "province",
    "steps_vi": "Nộp hồ sơ\nNhận kết quả",
    "steps_en": "Apply\nCollect",
    "processing_time_vi": "30 ngày",
    "working_days": "30",
    "fees": '[{"amountVnd": 1500000, "condition": {"vi": "Mỗi giấy phép"}}]',
    "documents": '[{"name": {"vi": "Đơn"}, "originals": 1, "copies": 0, "form": null}]',
    "source_name": "Cổng Dịch vụ công quốc gia",
    "updated_at": "2025-07-01",
}


def test_csv_rows_become_records() -> None:
    from domains.procedures.importer import csv_record

    raw, problems = csv_record(csv_row(GOOD_CSV))
    assert problems == []
    valid, found = validate_record(raw)
    assert found == [] and valid is not None
    assert valid["steps"] == [
        {"vi": "Nộp hồ sơ", "en": "Apply"},
        {"vi": "Nhận kết quả", "en": "Collect"},
    ]
    assert valid["processingTime"] == {"text": {"vi": "30 ngày"}, "workingDays": 30.0}
    assert valid["fees"][0]["amountVnd"] == 1500000
    assert valid["onlineLevel"] is None and valid["applicants"] is None  # empty stays empty


def test_unreadable_files_are_refused_whole(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 1"):
        read_rows(bad)
    odd = tmp_path / "odd.csv"
    odd.write_text("code,nmae_vi\n1.000001,x\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="nmae_vi"):
        read_rows(odd)
    sheet = tmp_path / "procedures.xlsx"
    sheet.write_bytes(b"PK")
    with pytest.raises(ImportFileError, match=r"\.json"):
        read_rows(sheet)


def test_cli_imports_csv_and_reports_rejections(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    path = tmp_path / "procedures.csv"
    rows = [
        GOOD_CSV,
        {**GOOD_CSV, "code": "2.300002", "fees": '[{"amountVnd": -20000}]'},
        {**GOOD_CSV, "code": "2.300003", "documents": "[{broken"},
        {**GOOD_CSV, "code": "2.300004", "name_vi": ""},
    ]
    write_csv(path, rows)
    for key, value in {
        "APP_ENV": "test",
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DATABASE": settings.mongodb_database,
        "FIREBASE_PROJECT_ID": settings.firebase_project_id or "",
        "LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(key, value)
    # Only this domain's indexes: the command creates every registered repository's indexes,
    # and this test is about the import, not about other domains' index definitions.
    from domains.procedures.repository import ProcedureRepository

    monkeypatch.setattr("api.registry.REPOSITORIES", (ProcedureRepository,))
    assert main(["import-procedures", str(path), "--dry-run"]) == 1
    assert "1 of 4 rows accepted and would be written" in capsys.readouterr().err
    assert main(["import-procedures", str(path)]) == 1
    err = capsys.readouterr().err
    assert "1 of 4 rows accepted and written (1 new, 0 updated); 3 rejected." in err
    # Rows are numbered as a spreadsheet shows them: the header is row 1, and the multi-line
    # steps cells make each record span two lines.
    assert "(code 2.300002): fees[0].amountVnd: must be 0 or more; got -20000." in err
    assert "(code 2.300003): documents: must be a JSON array" in err
    assert "(code 2.300004): name" in err
    assert main(["import-procedures", str(tmp_path / "missing.json")]) == 2
    assert "Nothing was imported" in capsys.readouterr().err
    assert os.environ["MONGODB_DATABASE"] == settings.mongodb_database
