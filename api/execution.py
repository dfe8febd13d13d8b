"""GraphQL execution with a short path for plain fields (issue 13: CPU per request of lists).

A page of 20 search hits asks for about 8 scalar fields on each: graphql-core builds a
ResolveInfo, checks twice for an awaitable and walks ``complete_value`` for every one of them,
about a third of the API's CPU for a search. Most of those fields are Strawberry's *basic* fields
(an attribute read: no resolver, no extension, no permission, no argument). For a leaf (scalar or
enum) the value only needs the read and the type's ``coerce_output_value``; for an object (an
edge's ``node``) or a list of objects (a connection's ``edges``) the read, Strawberry's own type
check and the sub-selection of each.

A resolver that takes only the object (``def category(self)``; no ``info``, no argument, not
async, no extension) is called directly the same way, without the Info and argument conversion
Strawberry builds for it: it cannot see the request, so it cannot hold a per-user check.

``LeafFastExecutor`` takes that path for such a field when nothing wraps resolvers (no schema
extension with a ``resolve`` hook). Any other field, and any value that is not plain (``None`` in
a non-null field, an exception, an awaitable, a value the type refuses), goes through
graphql-core's own ``execute_field``, which reads the attribute again: results, errors, their
paths and null propagation are exactly graphql-core's (a resolver is then called a second
time). Fields with an extension (permission guards) or a resolver that sees the request never
take the short path.
"""

import functools
import operator
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel, is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)

# Strawberry's resolvers (schema_converter.from_resolver): ``_get_basic_result`` for a field
# without resolver, extension or exception handler, ``_resolver`` for a synchronous resolver
# (also marked ``_is_default`` when it has extensions but no resolver of its own: the name is
# what tells them apart). Its ``is_type_of`` for an object with interfaces (``Node``) only looks
# at the value. tests/api/test_execution.py checks that the search and near pages' fields are
# still recognised.
BASIC_RESOLVER = "_get_basic_result"
SYNC_RESOLVER = "_resolver"
DEFINITION = "strawberry-definition"  # GraphQLCoreConverter.DEFINITION_BACKREF
STRAWBERRY_IS_TYPE_OF = "_get_is_type_of.<locals>.is_type_of"
# Values no check below can find unusual: skip the awaitable and exception checks.
_PLAIN = frozenset({str, int, float, bool})


class Plan(NamedTuple):
    read: Callable[[Any], Any]  # the attribute read: what Strawberry's resolver returns
    named: Any  # the leaf type (scalar or enum) or the object type
    non_null: bool
    field_type: GraphQLOutputType
    kind: str  # LEAF, OBJECT or LIST (of objects)
    is_type_of: Callable[..., Any] | None = None
    item_type: GraphQLOutputType | None = None  # a list's item type, as declared


LEAF, OBJECT, LIST = "leaf", "object", "list"


Planned = tuple[str, FieldDetailsList, Plan | None]


def plan_of(field: GraphQLField, *, methods: bool = True) -> Plan | None:
    """How to execute ``field`` on the short path, or None when it must take the normal one.
    ``methods``: whether resolvers that take only the object may be called directly (not when
    the schema has exception handlers, which Strawberry wraps around resolvers)."""
    if field.resolve is None or field.args:
        return None
    read = _reader(field, field.resolve, methods)
    if read is None:
        return None
    named: Any = field.type
    non_null = isinstance(named, GraphQLNonNull)
    if non_null:
        named = named.of_type
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return Plan(read, named, non_null, field.type, LEAF)
    item_type = None
    if isinstance(named, GraphQLList):
        item_type = named.of_type
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    if not isinstance(named, GraphQLObjectType):
        return None
    check = named.is_type_of
    if check is not None and not getattr(check, "__qualname__", "").endswith(STRAWBERRY_IS_TYPE_OF):
        return None
    kind = OBJECT if item_type is None else LIST
    return Plan(read, named, non_null, field.type, kind, check, item_type)


def _reader(
    field: GraphQLField, resolve: Callable[..., Any], methods: bool
) -> Callable[[Any], Any] | None:
    """``source -> value`` as ``resolve`` computes it, or None: for a basic field
    ``getattr(source, python_name)`` (Strawberry's default resolver is ``getattr``) or the
    resolver itself; for a resolver of the object alone, that function."""
    definition = (field.extensions or {}).get(DEFINITION)
    kind = getattr(resolve, "__name__", None)
    if kind == BASIC_RESOLVER and getattr(resolve, "_is_default", False):
        name = getattr(definition, "python_name", None)
        if (
            isinstance(name, str)
            and getattr(definition, "default_resolver", None) is getattr
            and isinstance(definition, StrawberryField)
            and type(definition).get_result is StrawberryField.get_result
        ):
            return operator.attrgetter(name)
        # A field class of its own may check the value in its get_result: Strawberry's way.
        return functools.partial(resolve, info=None)
    if kind == SYNC_RESOLVER and methods and isinstance(definition, StrawberryField):
        return _of_the_object(definition)
    return None


def _of_the_object(definition: StrawberryField) -> Callable[[Any], Any] | None:
    """A synchronous resolver whose only parameter is the object (``self``, ``root`` or
    ``parent``), on a field without extensions (no permission, no guard): called as Strawberry
    calls it. It cannot see the request (no ``info``), so it cannot hold a per-user check."""
    resolver = definition.base_resolver
    if resolver is None or definition.extensions or resolver.is_async:
        return None
    if type(definition).get_result is not StrawberryField.get_result:
        return None  # a field class of its own decides how the resolver is called
    if resolver.info_parameter is not None or resolver.arguments:
        return None
    if len(resolver.signature.parameters) != 1:
        return None
    if resolver.self_parameter is not None:
        return resolver
    reserved = resolver.root_parameter or resolver.parent_parameter
    if reserved is None:
        return None
    name = reserved.name
    return lambda source: resolver(**{name: source})


# Per schema: id(field) -> (field, its plan); the field is held so that its id stays its own.
# A memo of a pure function of the schema's fields (like an lru_cache), weakly keyed: it holds no
# request's or process's state, which is why it may live at module level.
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
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        converter = getattr(strawberry_schema, "schema_converter", None)
        self._methods = not getattr(converter, "_exception_handler_specs", True)
        # Per grouped field set (an edge's node has the same one on every edge): its fields'
        # plans, the set held so that its id stays its own.
        self._sets: dict[int, tuple[GroupedFieldSet, GraphQLObjectType, list[Planned]]] = {}

    def _plan(self, parent_type: GraphQLObjectType, field_name: str) -> Plan | None:
        field = self.schema.get_field(parent_type, field_name)
        if field is None:
            return None
        known = self._plans.get(id(field))
        if known is None or known[0] is not field:
            known = self._plans[id(field)] = (field, plan_of(field, methods=self._methods))
        return known[1]

    def _planned(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Planned]:
        known = self._sets.get(id(fields))
        if known is not None and known[0] is fields and known[1] is parent_type:
            return known[2]
        planned = []
        for name, details in fields.items():
            node = details[0].node
            plan = None if node.arguments else self._plan(parent_type, node.name.value)
            if plan is not None and plan.kind == LIST and any(d.node.directives for d in details):
                plan = None  # @stream, or any directive: graphql-core's list completion
            planned.append((name, details, plan))
        self._sets[id(fields)] = (fields, parent_type, planned)
        return planned

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
            for name, details, plan in self._planned(parent_type, grouped_field_set):
                if plan is not None and plan.kind == LEAF:
                    result = _read_leaf(plan, source_value)
                    if result is not Undefined:
                        results[name] = result
                        continue
                elif plan is not None:
                    field_path = Path(path, name, parent_type.name)
                    complete = self._object_field if plan.kind == OBJECT else self._list_field
                    result = complete(plan, source_value, details, field_path, position_context)
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
            value = plan.read(source)
        except Exception:  # graphql-core reads it again and reports the error
            return Undefined
        if value is None or value is Undefined:
            return Undefined if plan.non_null else None
        if not _plain_object(plan, value):
            return Undefined
        return self._completed(
            lambda: self.collect_and_execute_subfields(plan.named, details, path, value, position),
            plan.field_type,
            details,
            path,
        )

    def _list_field(
        self, plan: Plan, source: Any, details: FieldDetailsList, path: Path, position: Any
    ) -> AwaitableOrValue[Any]:
        """A list of objects read from an attribute, each item's sub-selection executed;
        Undefined: normal path (anything but a list of plain objects of the type)."""
        try:
            items = plan.read(source)
        except Exception:  # graphql-core reads it again and reports the error
            return Undefined
        if items is None or items is Undefined:
            return Undefined if plan.non_null else None
        if type(items) is not list or not all(_plain_object(plan, item) for item in items):
            return Undefined
        return self._completed(
            lambda: self._list_items(plan, items, details, path, position),
            plan.field_type,
            details,
            path,
        )

    def _completed(
        self,
        complete: Callable[[], AwaitableOrValue[Any]],
        field_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
    ) -> AwaitableOrValue[Any]:
        """What ``complete`` gives, an error in it reported as graphql-core reports a field's."""
        try:
            completed = complete()
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)
            return None
        if is_awaitable(completed):
            return self._await_object(completed, field_type, details, path)
        return completed

    def _list_items(
        self, plan: Plan, items: list[Any], details: FieldDetailsList, path: Path, position: Any
    ) -> AwaitableOrValue[list[Any]]:
        """graphql-core's ``complete_iterable_value`` for items known to be of the type."""
        item_type: Any = plan.item_type
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                try:
                    value = self.collect_and_execute_subfields(
                        plan.named, details, item_path, item, position
                    )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, details, item_path)
                    value = None
                else:
                    if is_awaitable(value):
                        value = self._await_object(value, item_type, details, item_path)
                        pending.append(index)
                completed.append(value)
        except Exception:
            if pending:
                self.settle_in_background([completed[index] for index in pending])
            raise
        return _gathered(completed, pending) if pending else completed

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
        value = plan.read(source)
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


def _plain_object(plan: Plan, item: Any) -> bool:
    """Whether ``item`` is a value of the field's object type (no None, exception or awaitable,
    and Strawberry's type check passes): else graphql-core completes the field."""
    if item is None or isinstance(item, Exception) or is_awaitable(item):
        return False
    if plan.is_type_of is None:
        return True
    try:
        return plan.is_type_of(item, None) is True
    except Exception:  # graphql-core checks it again and reports the error
        return False


# The results of a field set (by response name) or the items of a list (by index).
Completed = TypeVar("Completed", dict[str, Any], list[Any])


async def _gathered(completed: Completed, pending: Sequence[Any]) -> Completed:
    """``completed`` with its awaitables (at ``pending``) awaited, together, cancelling the rest
    on an error."""
    if len(pending) == 1:
        completed[pending[0]] = await completed[pending[0]]
    else:
        done = await gather_with_cancel(*(completed[key] for key in pending))
        for key, value in zip(pending, done, strict=True):
            completed[key] = value
    return completed
