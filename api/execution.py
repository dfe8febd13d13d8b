"""GraphQL execution with a short path for plain fields (issue 13: CPU per request of lists).

A page of 20 search hits asks for about 8 scalar fields on each: graphql-core builds a
ResolveInfo, checks twice for an awaitable and walks ``complete_value`` for every one of them,
about a third of the API's CPU for a search. Most of those fields are Strawberry's *basic* fields
(an attribute read: no resolver, no extension, no permission, no argument). For a leaf (scalar or
enum) the value only needs the read and the type's ``coerce_output_value``; for an object (an
edge's ``node``) the read, Strawberry's own type check and the sub-selection.

``LeafFastExecutor`` takes that path for such a field when nothing wraps resolvers (no schema
extension with a ``resolve`` hook). Any other field, and any value that is not plain (``None`` in
a non-null field, an exception, an awaitable, a value the type refuses), goes through
graphql-core's own ``execute_field``, which reads the attribute again: results, errors, their
paths and null propagation are exactly graphql-core's. Fields with a resolver or an extension
(permission guards, sensitive fields) are never basic fields: Strawberry gives them its own
resolver.
"""

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel, is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)

# Strawberry's resolver for a field without resolver, extension or exception handler
# (schema_converter.from_resolver). Its ``_resolver`` for a field with extensions is also marked
# ``_is_default``, so the name is what tells them apart. Its ``is_type_of`` for an object with
# interfaces (``Node``) only looks at the value. tests/api/test_execution.py checks that the
# search page's fields are still recognised.
BASIC_RESOLVER = "_get_basic_result"
STRAWBERRY_IS_TYPE_OF = "_get_is_type_of.<locals>.is_type_of"
# Values no check below can find unusual: skip the awaitable and exception checks.
_PLAIN = frozenset({str, int, float, bool})


class Plan(NamedTuple):
    resolve: Callable[..., Any]
    named: Any  # the leaf type (scalar or enum) or the object type
    non_null: bool
    field_type: GraphQLOutputType
    leaf: bool
    is_type_of: Callable[..., Any] | None = None


def plan_of(field: GraphQLField) -> Plan | None:
    """How to execute ``field`` on the short path, or None when it must take the normal one."""
    resolve = field.resolve
    if resolve is None or getattr(resolve, "__name__", None) != BASIC_RESOLVER:
        return None
    if not getattr(resolve, "_is_default", False) or field.args:
        return None
    named: Any = field.type
    non_null = isinstance(named, GraphQLNonNull)
    if non_null:
        named = named.of_type
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return Plan(resolve, named, non_null, field.type, leaf=True)
    if not isinstance(named, GraphQLObjectType):
        return None
    check = named.is_type_of
    if check is not None and not getattr(check, "__qualname__", "").endswith(STRAWBERRY_IS_TYPE_OF):
        return None
    return Plan(resolve, named, non_null, field.type, leaf=False, is_type_of=check)


# Per schema: id(field) -> (field, its plan); the field is held so that its id stays its own.
_PLANS: "WeakKeyDictionary[GraphQLSchema, dict[int, tuple[GraphQLField, Plan | None]]]" = (
    WeakKeyDictionary()
)


def _plans(schema: GraphQLSchema) -> dict[int, tuple[GraphQLField, Plan | None]]:
    plans = _PLANS.get(schema)
    if plans is None:
        plans = _PLANS[schema] = {}
    return plans


class LeafFastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with plain fields read and completed directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares
        self._plans = _plans(self.schema)

    def _plan(self, parent_type: GraphQLObjectType, field_name: str) -> Plan | None:
        field = self.schema.get_field(parent_type, field_name)
        if field is None:
            return None
        known = self._plans.get(id(field))
        if known is None or known[0] is not field:
            known = self._plans[id(field)] = (field, plan_of(field))
        return known[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's ``execute_fields``, with the short path tried first for each field."""
        if not self._fast:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        pending: list[str] = []
        try:
            for name, details in grouped_field_set.items():
                node = details[0].node
                plan = None if node.arguments else self._plan(parent_type, node.name.value)
                if plan is not None and plan.leaf:
                    result = _read_leaf(plan, source_value)
                    if result is not Undefined:
                        results[name] = result
                        continue
                elif plan is not None:
                    field_path = Path(path, name, parent_type.name)
                    result = self._object_field(
                        plan, source_value, details, field_path, position_context
                    )
                else:
                    result = Undefined
                if result is Undefined:
                    field_path = Path(path, name, parent_type.name)
                    result = self.execute_field(
                        parent_type, source_value, details, field_path, position_context
                    )
                    if result is Undefined:
                        continue
                results[name] = result
                if is_awaitable(result):
                    pending.append(name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        return _gathered(results, pending) if pending else results

    def _object_field(
        self, plan: Plan, source: Any, details: FieldDetailsList, path: Path, position: Any
    ) -> AwaitableOrValue[Any]:
        """An object read from an attribute, its sub-selection executed; Undefined: normal path."""
        try:
            value = plan.resolve(source, None)
        except Exception:  # graphql-core reads it again and reports the error
            return Undefined
        if value is None or value is Undefined:
            return Undefined if plan.non_null else None
        if isinstance(value, Exception) or is_awaitable(value):
            return Undefined
        if plan.is_type_of is not None:
            try:
                if plan.is_type_of(value, None) is not True:
                    return Undefined
            except Exception:  # graphql-core checks it again and reports the error
                return Undefined
        try:
            completed = self.collect_and_execute_subfields(
                plan.named, details, path, value, position
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field_type, details, path)
            return None
        if is_awaitable(completed):
            return self._await_object(completed, plan.field_type, details, path)
        return completed

    async def _await_object(
        self,
        completed: Awaitable[Any],
        field_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)
            return None


def _read_leaf(plan: Plan, source: Any) -> Any:
    """The field's value, or Undefined when graphql-core must complete it (same read again)."""
    try:
        value = plan.resolve(source, None)
    except Exception:  # graphql-core reads it again and reports the error
        return Undefined
    if value is None or value is Undefined:
        return Undefined if plan.non_null else None
    if type(value) not in _PLAIN and (isinstance(value, Exception) or is_awaitable(value)):
        return Undefined
    try:
        coerced = plan.named.coerce_output_value(value)
    except Exception:  # graphql-core coerces it again and reports the error
        return Undefined
    return Undefined if coerced is None else coerced


async def _gathered(results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
    """The results with their awaitables awaited (together, cancelling the rest on an error)."""
    if len(pending) == 1:
        results[pending[0]] = await results[pending[0]]
    else:
        done = await gather_with_cancel(*(results[name] for name in pending))
        results.update(zip(pending, done, strict=True))
    return results
