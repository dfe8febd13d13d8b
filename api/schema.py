"""One schema composed from every domain, with the limits and masking that protect it."""

import functools
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.execution import LeafFastExecutor
from api.limits import DocumentFacts, RequestBounds
from api.nodes import NodeQuery
from api.registry import MUTATIONS, QUERIES, SUBSCRIPTIONS
from api.settings import PROJECT_ROOT, Settings
from domains.kernel.errors import DomainError
from graphql import DocumentNode, GraphQLError, GraphQLSchema

logger = logging.getLogger("xuthanh.graphql")

SCHEMA_PATH = PROJECT_ROOT / "graphql" / "schema.graphql"

_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def is_bad_variable(error: GraphQLError) -> bool:
    """A variable that does not fit its type (an unknown enum value): graphql-core reports it for
    the whole request (no path), wrapping the coercion's own GraphQLError. Bad input, not an
    internal error; any other GraphQLError raised under a resolver stays masked."""
    return (
        error.path is None
        and isinstance(error.original_error, GraphQLError)
        and error.message.startswith("Variable '$")
    )


def should_mask(error: GraphQLError) -> bool:
    """Domain errors, GraphQL validation errors and variables that do not fit their type go to
    the client; the rest is masked and logged."""
    original = error.original_error
    if original is None or isinstance(original, DomainError) or is_bad_variable(error):
        return False
    logger.error(
        "unexpected error in resolver",
        exc_info=original,
        extra={"path": ".".join(str(p) for p in error.path or [])},
    )
    return True


class DomainErrorExtensions(SchemaExtension):
    """Adds the machine-readable ``code`` of domain errors to the error's ``extensions``."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            if isinstance(error.original_error, DomainError):
                error.extensions = {**(error.extensions or {}), **error.original_error.extensions}
            elif is_bad_variable(error) and isinstance(error.original_error, GraphQLError):
                code = (error.original_error.extensions or {}).get("code", "BAD_USER_INPUT")
                error.extensions = {**(error.extensions or {}), "code": code}


class HideFieldSuggestions(SchemaExtension):
    """Without introspection, "Did you mean ...?" hints would leak the schema field by field."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            error.message = _SUGGESTION.sub("", error.message)


class ValidatedDocuments:
    """Validation errors (usually none) of the most recently used documents, by identity.

    Strawberry's ValidationCache keys an ``lru_cache`` by the document, and graphql-core's nodes
    are frozen dataclasses: every lookup hashed the whole document again. ParserCache hands out
    the same DocumentNode for the same text, so its identity is the key here (held, so that the
    id is not reused while the entry lives)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._known: OrderedDict[tuple[int, int, tuple[Any, ...]], tuple[Any, Any, Any]] = (
            OrderedDict()
        )

    def errors(
        self, schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        key = (id(schema), id(document), rules)
        known = self._known.get(key)
        if known is not None and known[0] is schema and known[1] is document:
            self._known.move_to_end(key)
            return known[2]  # type: ignore[no-any-return]
        errors = validate_document(schema, document, rules)
        self._known[key] = (schema, document, errors)
        if len(self._known) > self.maxsize:
            self._known.popitem(last=False)
        return errors


class ValidationByDocument(SchemaExtension):
    """Validates each parsed document once for the same rules (see ValidatedDocuments)."""

    def __init__(self, *, memo: ValidatedDocuments) -> None:
        self.memo = memo

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            context.pre_execution_errors = self.memo.errors(
                context.schema._schema, document, tuple(context.validation_rules)
            )
        yield


class Schema(strawberry.Schema):
    """Strawberry's default logs every error with the query text around it, which can hold
    personal data typed into arguments. Client errors are counted by code here instead; unexpected
    errors are logged (with the exception, without the document) by ``should_mask``."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        codes = sorted({str((e.extensions or {}).get("code", "GRAPHQL_ERROR")) for e in errors})
        logger.info("graphql errors", extra={"errors": len(errors), "codes": codes})


def build_schema(
    settings: Settings, extra_extensions: Sequence[type[SchemaExtension]] = ()
) -> strawberry.Schema:
    query = merge_types("Query", (*QUERIES, NodeQuery))
    mutation = merge_types("Mutation", tuple(MUTATIONS))
    subscription = merge_types("Subscription", tuple(SUBSCRIPTIONS)) if SUBSCRIPTIONS else None
    # The limiters build their validation rule classes when constructed. Build them once per
    # schema, so the rules are the same objects on every request and ValidatedDocuments can hit.
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    if not settings.introspection_enabled:
        rules += DisableIntrospection().validation_rules
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        functools.partial(AddValidationRules, rules),
        functools.partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        functools.partial(
            RequestBounds,
            max_string=settings.graphql_max_string_length,
            max_cost=settings.graphql_max_cost,
            memo=DocumentFacts(maxsize=256),  # as the ParserCache below: one walk per document
        ),
        # Apps send the same few documents over and over: parse and validate each once (bounded
        # LRUs; the token limit above still applies to every new document). Validation was most
        # of the API's own CPU time per request before this.
        functools.partial(ParserCache, maxsize=256),
        functools.partial(ValidationByDocument, memo=ValidatedDocuments(maxsize=256)),
        functools.partial(
            MaskErrors,
            should_mask_error=should_mask,
            error_message="Internal error; quote the request id when reporting it.",
        ),
        DomainErrorExtensions,
        *extra_extensions,
    ]
    if not settings.introspection_enabled:
        extensions.append(HideFieldSuggestions)
    return Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        extensions=extensions,
        execution_context_class=LeafFastExecutor,
    )


def export_sdl(schema: strawberry.Schema, path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema.as_str() + "\n", encoding="utf-8")
    return path
