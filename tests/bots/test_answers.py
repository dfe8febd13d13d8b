"""The assistant's answer wording (bots/actions/answers.py: pure Python, no Rasa needed).

Checked on the demo procedure records as the API returns them: every answer names the procedure
and its code, states the asked aspect from the record, and says when a field is missing.
"""

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "domains" / "procedures" / "data" / "procedures.json"


def _load_answers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bot_answers", ROOT / "bots/actions/answers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


answers = _load_answers()


def as_api_returns(record: dict[str, Any], lang: str) -> dict[str, Any]:
    """The record in the shape of the GraphQL `Procedure` type (text in one language)."""

    def text(value: Any) -> Any:
        return value.get(lang) or value.get("vi") if isinstance(value, dict) else value

    return {
        "code": record["code"],
        "name": text(record["name"]),
        "agency": text(record["agency"]),
        "level": record["level"].upper(),
        "onlineLevel": (record.get("onlineLevel") or "").upper() or None,
        "documents": [{**d, "name": text(d["name"])} for d in record.get("documents") or []],
        "steps": [text(step) for step in record.get("steps") or []],
        "processingTime": {
            "text": text((record.get("processingTime") or {}).get("text")),
            "workingDays": (record.get("processingTime") or {}).get("workingDays"),
        },
        "fees": [
            {"amountVnd": f["amountVnd"], "condition": text(f.get("condition"))}
            for f in record.get("fees") or []
        ],
        "legalBasis": record.get("legalBasis") or [],
        "onlineUrl": record.get("onlineUrl"),
    }


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in json.loads(CATALOGUE.read_text(encoding="utf-8"))}


def test_fee_answer_names_the_procedure_and_states_each_fee(catalogue: dict) -> None:
    record = as_api_returns(catalogue["3.000347"], "vi")
    text, links = answers.procedure_answer(record, "fee", "vi")
    assert text.startswith(f'Thủ tục "{record["name"]}" (mã 3.000347)')
    for fee in record["fees"]:
        assert f"{fee['amountVnd']:,}".replace(",", ".") + " đồng" in text
    if record["onlineUrl"]:
        assert links == [{"title": "Nộp trực tuyến", "url": record["onlineUrl"]}]


def test_free_and_english_amounts() -> None:
    record = {"code": "9.9", "name": "X", "fees": [{"amountVnd": 0}, {"amountVnd": 1500000}]}
    vi, _ = answers.procedure_answer(record, "fee", "vi")
    en, _ = answers.procedure_answer(record, "fee", "en")
    assert "Miễn phí" in vi and "1.500.000 đồng" in vi
    assert "Free" in en and "VND 1,500,000" in en


@pytest.mark.parametrize(
    ("aspect", "missing_vi"),
    [
        ("fee", "chưa ghi lệ phí"),
        ("documents", "chưa ghi thành phần hồ sơ"),
        ("time", "chưa ghi thời hạn"),
        ("steps", "chưa ghi các bước"),
        ("agency", "chưa ghi cơ quan"),
        ("online", "có làm trực tuyến được hay không"),
        ("legal", "chưa ghi căn cứ pháp lý"),
    ],
)
def test_a_missing_field_is_said_to_be_missing(aspect: str, missing_vi: str) -> None:
    bare = {"code": "1.000001", "name": "Thủ tục thử", "fees": [], "documents": [], "steps": []}
    text, links = answers.procedure_answer(bare, aspect, "vi")
    assert "1.000001" in text
    assert missing_vi in text
    assert links == []


def test_every_aspect_of_every_demo_record_answers_from_the_record(catalogue: dict) -> None:
    for raw in catalogue.values():
        for lang in ("vi", "en"):
            record = as_api_returns(raw, lang)
            for aspect in answers.ASPECTS:
                text, _ = answers.procedure_answer(record, aspect, lang)
                assert record["code"] in text and record["name"] in text
            documents, _ = answers.procedure_answer(record, "documents", lang)
            for document in record["documents"]:
                assert document["name"] in documents
            time_text, _ = answers.procedure_answer(record, "time", lang)
            if record["processingTime"]["text"]:
                assert record["processingTime"]["text"] in time_text
