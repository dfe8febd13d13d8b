"""The client operation documents in graphql/operations stay valid against the schema."""

from pathlib import Path

import pytest

from api.schema import build_schema
from api.settings import Settings
from graphql import parse, validate
from tests.conftest import ROOT

DOCUMENTS = sorted((ROOT / "graphql" / "operations").glob("*.graphql"))


def test_there_are_operation_documents() -> None:
    assert DOCUMENTS, "graphql/operations/*.graphql holds the documents the apps send"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_operation_document_is_valid(path: Path, settings: Settings) -> None:
    schema = build_schema(settings)._schema
    errors = validate(schema, parse(path.read_text(encoding="utf-8")))
    assert not errors, [error.message for error in errors]
