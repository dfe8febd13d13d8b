"""The client operation documents in graphql/operations stay valid against the schema."""

from pathlib import Path

import pytest

from api.persisted import MANIFEST_PATH, manifest_text
from api.schema import build_schema
from api.settings import Settings
from graphql import FieldNode, OperationDefinitionNode, parse, validate
from tests.conftest import ROOT

DOCUMENTS = sorted((ROOT / "graphql" / "operations").glob("*.graphql"))


def test_there_are_operation_documents() -> None:
    assert DOCUMENTS, "graphql/operations/*.graphql holds the documents the apps send"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_operation_document_is_valid(path: Path, settings: Settings) -> None:
    schema = build_schema(settings)._schema
    errors = validate(schema, parse(path.read_text(encoding="utf-8")))
    assert not errors, [error.message for error in errors]


def test_the_allow_list_of_production_is_current() -> None:
    """Production runs only these operations: `xuthanh persisted-queries` lists them (from
    graphql/operations and the assistant's documents in bots/actions)."""
    assert MANIFEST_PATH.read_text("utf-8") == manifest_text(), (
        "api/persisted_queries.json is out of date: run `.venv/bin/xuthanh persisted-queries`"
    )


def test_operation_names_are_unique() -> None:
    """Code generators (Apollo Kotlin/iOS, GraphQL Code Generator) name types after them."""
    seen: dict[str, str] = {}
    for path in DOCUMENTS:
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            name = getattr(getattr(definition, "name", None), "value", None)
            assert name is None or seen.setdefault(name, path.name) == path.name, (name, path)


def test_every_root_field_has_an_operation(settings: Settings) -> None:
    """Production runs only listed operations: a query, mutation or subscription no document
    uses could not be called there at all."""
    schema = build_schema(settings)._schema
    used: set[tuple[str, str]] = set()
    for path in DOCUMENTS:
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(definition, OperationDefinitionNode):
                kind = definition.operation.value
                for selection in definition.selection_set.selections:
                    if isinstance(selection, FieldNode):
                        used.add((kind, selection.name.value))
    roots = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }
    missing = sorted(
        f"{kind} {name}"
        for kind, root in roots.items()
        if root is not None
        for name in root.fields
        if (kind, name) not in used
    )
    assert not missing, f"no document in graphql/operations uses: {missing}"
