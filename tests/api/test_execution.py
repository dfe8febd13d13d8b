"""The short path (api/execution.py) answers exactly what graphql-core answers.

Each document runs on two copies of one schema, graphql-core's executor and ours, and the client
must see the same JSON: data, error messages, paths and locations, masked errors, nulls that
propagate from a non-null field, enums, custom scalars, aliases, directives, fragments, unions.
"""

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

from api.execution import LeafFastExecutor, plan_of
from api.schema import DomainErrorExtensions, build_schema, should_mask
from api.settings import Settings
from domains.kernel.errors import NotAuthenticated
from graphql import GraphQLObjectType


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Refused(BasePermission):
    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        raise NotAuthenticated("Sign in to read this.")


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag:
    label: str


@strawberry.type
class Ok:
    note: str


@strawberry.type
class Failed:
    reason: str


def _shout(root: "Item") -> str:
    if root.count == 1:
        raise ValueError("internal detail")
    return root.name.upper()


def _tally(parent: strawberry.Parent["Item"]) -> list[Tag]:
    return [Tag(label=str(parent.count))] if parent.count % 2 else []


@strawberry.type
class Item(Named):
    colour: Colour
    maybe_colour: Colour | None
    day: date
    at: datetime | None
    count: int
    ratio: float
    flag: bool
    nothing: str | None
    broken: str  # holds None in some items: a non-null field without a value
    odd_colour: Colour | None  # holds a value the enum does not have
    tag: Tag
    maybe_tag: Tag | None
    outcome: Ok | Failed
    tags: list[Tag]
    shelf: list[Tag | None]  # holds a None
    secret: str = strawberry.field(permission_classes=[Refused])
    shout: str | None = strawberry.field(resolver=_shout)
    tally: list[Tag] = strawberry.field(resolver=_tally)

    @strawberry.field
    def kind(self) -> Colour | None:
        return None if self.count == 3 else self.colour

    @strawberry.field
    def mine(self, info: strawberry.Info) -> bool:
        return info.context is None

    @strawberry.field
    def computed(self) -> str:
        if self.count == 2:
            raise ValueError("internal detail")
        return f"{self.name}!"

    @strawberry.field
    async def later(self) -> str:
        return self.name.upper()


def _item(n: int, **overrides: Any) -> Item:
    values: dict[str, Any] = {
        "name": f"item {n}",
        "colour": Colour.RED if n % 2 else Colour.BLUE,
        "maybe_colour": None if n % 2 else Colour.RED,
        "day": date(2026, 12, n + 1),
        "at": datetime(2026, 12, 6, 8, n, tzinfo=UTC) if n % 2 else None,
        "count": n,
        "ratio": n / 4,
        "flag": bool(n % 2),
        "nothing": None,
        "broken": "fine",
        "odd_colour": Colour.BLUE,
        "tag": Tag(label=f"t{n}"),
        "maybe_tag": None if n % 2 else Tag(label="m"),
        "outcome": Ok(note="done") if n % 2 else Failed(reason="no"),
        "tags": [Tag(label=f"a{n}"), Tag(label="b")],
        "shelf": [Tag(label="s"), None] if n % 2 else [],
        "secret": "hidden",
    }
    values.update(overrides)
    return Item(**values)


ITEMS = [
    *(_item(n) for n in range(3)),
    _item(3, broken=None),
    _item(4, odd_colour="green"),
    _item(5, tag=None),  # a non-null object field without a value
]


@strawberry.type
class Box:
    items: list[Item] | None
    named: list[Named]
    loose: list[Item | None]


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self) -> list[Box]:
        return [
            Box(items=ITEMS[:3], named=ITEMS[:2], loose=ITEMS[:2]),
            Box(items=ITEMS, named=[], loose=[ITEMS[3], *ITEMS[5:]]),  # a None deep down
            Box(items=[ITEMS[0], Tag(label="not an item")], named=[], loose=[]),  # type: ignore[list-item]
        ]

    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS

    @strawberry.field
    def first(self) -> Item:
        return ITEMS[0]

    @strawberry.field
    def strict(self) -> list[Item] | None:
        return ITEMS[3:4]


class Resolving(SchemaExtension):
    """Wraps every resolver (a middleware): the short path must step aside."""

    def resolve(self, _next: Callable[..., Any], root: Any, info: Any, **kwargs: Any) -> Any:
        return _next(root, info, **kwargs)


def _schemas(*extensions: Any) -> tuple[strawberry.Schema, strawberry.Schema]:
    masked = [
        functools.partial(MaskErrors, should_mask_error=should_mask, error_message="masked"),
        DomainErrorExtensions,
        *extensions,
    ]
    return (
        strawberry.Schema(Query, extensions=masked),
        strawberry.Schema(Query, extensions=masked, execution_context_class=LeafFastExecutor),
    )


DOCUMENTS = {
    "leaves": "{ items { name colour maybeColour day at count ratio flag nothing } }",
    "objects": "{ items { tag { label } maybeTag { label } } first { tag { label } } }",
    "aliases": "{ items { a: name b: name c: colour tag { x: label } } }",
    "directives": """query($yes: Boolean!) { items { name @skip(if: $yes) count @include(if: $yes)
        tag @include(if: $yes) { label } } }""",
    "fragments": """{ items { ...Bits ... on Item { flag } __typename } }
        fragment Bits on Named { name ... on Item { colour tag { ...Label } } }
        fragment Label on Tag { label __typename }""",
    "unions": "{ items { outcome { __typename ... on Ok { note } ... on Failed { reason } } } }",
    "resolvers": "{ items { name computed later } }",
    "resolvers of the object": "{ items { shout tally { label } kind mine } }",
    "lists": "{ items { tags { label } shelf { label } } }",
    "async items": "{ boxes { items { name later tags { label } } named { name } } }",
    "lists of lists": """{ boxes { items { name later computed tags { label } }
        named { name } loose { name tag { label } } } }""",
    "directive on a list": "query($yes: Boolean!) { boxes { items @include(if: $yes) { name } } }",
    "null propagation": "{ items { name broken } strict { name broken } }",
    "refused enum value": "{ items { name oddColour } }",
    "sensitive": "{ first { name secret } }",
}


@pytest.mark.parametrize("extensions", [(), (Resolving,)], ids=["plain", "middleware"])
@pytest.mark.parametrize("name", list(DOCUMENTS))
async def test_a_client_sees_what_graphql_core_answers(name: str, extensions: Any) -> None:
    reference, fast = _schemas(*extensions)
    answers = []
    for schema in (reference, fast):
        for yes in (True, False):
            result = await schema.execute(DOCUMENTS[name], variable_values={"yes": yes})
            answers.append((result.data, [e.formatted for e in result.errors or []]))
    assert answers[:2] == answers[2:]


async def test_errors_and_refusals_reach_the_client_unchanged() -> None:
    """The cases the short path hands back to graphql-core: spelled out once."""
    _, fast = _schemas()
    result = await fast.execute(DOCUMENTS["null propagation"])
    assert result.data is not None
    assert result.data["items"][3] is None and result.data["items"][0]["broken"] == "fine"
    assert result.data["strict"] is None  # non-null all the way up to a nullable field
    errors = [(e.message, e.path) for e in result.errors or []]
    assert errors == [("masked", ["items", 3, "broken"]), ("masked", ["strict", 0, "broken"])]

    result = await fast.execute(DOCUMENTS["sensitive"])
    assert result.data is None
    errors = [(e.message, e.extensions) for e in result.errors or []]
    assert errors == [("Sign in to read this.", {"code": "UNAUTHENTICATED"})]

    result = await fast.execute(DOCUMENTS["resolvers"])
    assert result.data is not None and result.data["items"][2] is None
    assert [e.message for e in result.errors or []] == ["masked"]


def _fields(schema: strawberry.Schema) -> dict[str, Any]:
    return {
        f"{type_.name}.{name}": field
        for type_ in schema._schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
    }


def test_only_reads_of_the_object_take_the_short_path() -> None:
    """On the app's schema: a field with an extension (permission guards), arguments, or a
    resolver that sees the request (``info``: per-user checks) or is async never takes the short
    path; the search and near pages' fields do."""
    fields = _fields(build_schema(Settings(app_env="test", log_level="WARNING")))
    short = {name for name, field in fields.items() if plan_of(field) is not None}
    for name in short:
        definition = fields[name].extensions["strawberry-definition"]
        assert not definition.extensions and not definition.arguments, name
        resolver = definition.base_resolver
        assert resolver is None or not (resolver.info_parameter or resolver.is_async), name
    pages = {"ProcedureEdge.node", "ProcedureConnection.edges", "Procedure.code", "Procedure.level"}
    pages |= {"Attraction.category", "Attraction.distanceKm", "Attraction.location"}
    assert pages <= short
    assert {"ProcedureConnection.totalCount", "Attraction.name", "Attraction.reviews"}.isdisjoint(
        short
    )
    test_fields = _fields(_schemas()[1])
    assert plan_of(test_fields["Item.secret"]) is None and plan_of(test_fields["Item.mine"]) is None
    assert plan_of(test_fields["Item.shout"]) is not None
    assert plan_of(test_fields["Item.shout"], methods=False) is None


def test_the_app_schema_uses_the_short_path() -> None:
    schema = build_schema(Settings(app_env="test", log_level="WARNING"))
    assert schema.execution_context_class is LeafFastExecutor


class OwnerOnlyField(StrawberryField):
    """A field class that hides the value unless the person shares it: Strawberry still calls it
    a basic field (no resolver, no extension) and reads it through this get_result."""

    def get_result(self, source: Any, info: Any, args: Any, kwargs: Any) -> Any:
        if not source.shared:
            return None
        return super().get_result(source, info, args, kwargs)


@strawberry.type
class Person:
    name: str
    shared: strawberry.Private[bool]
    phone: str | None = OwnerOnlyField()


@strawberry.type
class PeopleQuery:
    @strawberry.field
    def people(self) -> list[Person]:
        return [
            Person(name="a", shared=False, phone="0912 345 678"),
            Person(name="b", shared=True, phone="0987"),
        ]


async def test_a_field_class_that_checks_the_value_is_asked_on_the_short_path_too() -> None:
    schema = strawberry.Schema(PeopleQuery, execution_context_class=LeafFastExecutor)
    result = await schema.execute("{ people { name phone } }")
    assert result.data == {"people": [{"name": "a", "phone": None}, {"name": "b", "phone": "0987"}]}
