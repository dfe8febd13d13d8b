"""Bounds on what one request may ask, besides depth, aliases and tokens (api/schema.py): the
request body's size (413 beyond it), the length of every string in the document and its
variables, and an estimated cost (field weights times page sizes)."""

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from graphql.language import Visitor
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    visit,
)

# A list field without a `first` argument counts as this many items.
LIST_WEIGHT = 10
DEFAULT_PAGE = 20


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` is answered 413, read or not."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, upload_max_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Multipart requests (GraphQL file uploads: report photos) carry files, hence their own
        # limit; each file's own size is checked where it is read.
        self.upload_max_bytes = upload_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        limit = self.upload_max_bytes if multipart else self.max_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"The request body is over {limit} bytes.",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                    }
                ]
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        return max((_longest_string(v) for v in value.values()), default=0)
    if isinstance(value, list | tuple):
        return max((_longest_string(v) for v in value), default=0)
    return 0


class _Strings(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.longest = 0

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.longest = max(self.longest, len(node.value))


def _page_of(given: Any) -> int:
    return int(given) if isinstance(given, int) else DEFAULT_PAGE


def _unwrap(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


class _Cost:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.used: dict[str, int] = {}  # variable -> the page size it gave, as counted

    def _page(self, field: FieldNode, default: Any) -> int:
        for argument in field.arguments or ():
            if argument.name.value == "first":
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    page = _page_of(self.variables.get(value.name.value))
                    self.used[value.name.value] = page
                    return page
        return int(default) if isinstance(default, int) else DEFAULT_PAGE

    def of(self, selection_set: SelectionSetNode | None, parent: Any, depth: int = 0) -> int:
        if selection_set is None or depth > 50:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, depth)
            elif isinstance(selection, InlineFragmentNode):
                on = parent
                if selection.type_condition is not None:
                    on = self.schema.get_type(selection.type_condition.name.value) or parent
                total += self.of(selection.selection_set, on, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    on = self.schema.get_type(fragment.type_condition.name.value) or parent
                    total += self.of(fragment.selection_set, on, depth + 1)
        return total

    def _field(self, node: FieldNode, parent: Any, depth: int) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 1 + self.of(node.selection_set, None, depth + 1)
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 1
        child, is_list = _unwrap(definition.type)
        if parent.name.endswith("Connection") and node.name.value in ("nodes", "edges"):
            times = 1  # the page itself: its size was counted at the connection's `first`
        elif "first" in definition.args:
            times = self._page(node, definition.args["first"].default_value)
        else:
            times = LIST_WEIGHT if is_list else 1
        return 1 + max(1, times) * self.of(node.selection_set, child, depth + 1)


def estimated_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    return _costed(schema, operation, fragments, variables)[0]


def _costed(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> tuple[int, dict[str, int]]:
    """The estimated cost and the page size each variable it read gave."""
    root = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }[operation.operation.value]
    cost = _Cost(schema, fragments, variables)
    return cost.of(operation.selection_set, root), cost.used


class _Facts:
    """What RequestBounds learns from one parsed document, apart from the variables."""

    __slots__ = ("costs", "document", "fragments", "longest", "operations")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document  # held, so that its id is not reused while this is kept
        strings = _Strings()
        visit(document, strings)
        self.longest = strings.longest
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operations = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        # id(operation) -> (cost, the page size each variable it read gave)
        self.costs: dict[int, tuple[int, dict[str, int]]] = {}

    def cost(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> int:
        """The operation's estimated cost; computed again only when a variable it read as a
        page size gives another page size."""
        known = self.costs.get(id(operation))
        if known is not None and all(
            _page_of(variables.get(name)) == page for name, page in known[1].items()
        ):
            return known[0]
        known = _costed(schema, operation, self.fragments, variables)
        self.costs[id(operation)] = known
        return known[0]


class DocumentFacts:
    """The facts of the most recently used documents (Strawberry's ParserCache hands out the
    same DocumentNode for the same text, so apps' repeated documents are walked once)."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._facts: OrderedDict[int, _Facts] = OrderedDict()

    def of(self, document: DocumentNode) -> _Facts:
        facts = self._facts.get(id(document))
        if facts is not None and facts.document is document:
            self._facts.move_to_end(id(document))
            return facts
        facts = _Facts(document)
        self._facts[id(document)] = facts
        if len(self._facts) > self.maxsize:
            self._facts.popitem(last=False)
        return facts


class RequestBounds(SchemaExtension):
    """Refuses, before executing, a document or variables holding a string longer than
    ``max_string`` characters (BAD_USER_INPUT) and an operation whose estimated cost is over
    ``max_cost`` (QUERY_TOO_COSTLY)."""

    def __init__(
        self, *, max_string: int, max_cost: int, memo: DocumentFacts | None = None
    ) -> None:
        self.max_string = max_string
        self.max_cost = max_cost
        self.memo = memo  # shared by the schema's requests; None: walk every document

    def on_execute(self) -> Iterator[None]:
        problem = self._problem()
        if problem is not None:
            message, code = problem
            error = GraphQLError(message, extensions={"code": code})
            self.execution_context.result = ExecutionResult(data=None, errors=[error])
        yield

    def _problem(self) -> tuple[str, str] | None:
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return None
        facts = self.memo.of(document) if self.memo is not None else _Facts(document)
        variables = context.variables or {}
        longest = max(facts.longest, _longest_string(variables))
        if longest > self.max_string:
            return (
                f"A string of {longest} characters was sent; the limit is {self.max_string}.",
                "BAD_USER_INPUT",
            )
        wanted = context.operation_name
        for operation in facts.operations:
            if wanted and (operation.name is None or operation.name.value != wanted):
                continue
            cost = facts.cost(context.schema._schema, operation, variables)
            if cost > self.max_cost:
                return (
                    f"This operation would cost about {cost} (limit {self.max_cost}): ask for "
                    "smaller pages or fewer nested lists.",
                    "QUERY_TOO_COSTLY",
                )
        return None
