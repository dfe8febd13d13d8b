"""Every mutation, from one table: who may call it at all. Arguments are made from the schema, so
each mutation runs as an anonymous visitor, a citizen and a member of staff; none may answer an
internal error, anonymous visitors are refused what needs a sign-in, and citizens never succeed at
what needs staff or an administrator. A mutation without a row here fails the suite."""

import enum
import functools
from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette
from strawberry.extensions import MaskErrors

from api.schema import DomainErrorExtensions, Schema, build_schema, should_mask
from api.settings import Settings
from domains.kernel.auth import Role
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
)
from tests.conftest import GraphQLClient

PUBLIC, CITIZEN, STAFF, ADMIN = "public", "citizen", "staff", "admin"


@strawberry.enum
class ReportKind(enum.Enum):
    SMOKE = "smoke"


# Who may call each mutation at all (the use case then checks the object: own school, own
# appointment, ...). Tests of each domain cover those per-object rules.
WHO = {
    "grantRole": ADMIN,
    "revokeRole": ADMIN,
    "eraseMyData": CITIZEN,
    "createProcedure": ADMIN,
    "updateProcedure": ADMIN,
    "retireProcedure": ADMIN,
    "registerDevice": PUBLIC,
    "unregisterDevice": PUBLIC,
    "subscribe": PUBLIC,
    "unsubscribe": PUBLIC,
    "setNotificationPreferences": CITIZEN,
    "markNotificationsRead": CITIZEN,
    "markAllNotificationsRead": CITIZEN,
    "sendNotification": STAFF,
    "createPatientProfile": CITIZEN,
    "withdrawPatientConsent": CITIZEN,
    "bookAppointment": CITIZEN,
    "cancelAppointment": CITIZEN,
    "rescheduleAppointment": CITIZEN,
    "publishSlots": STAFF,
    "cancelSlots": STAFF,
    "closeSlot": STAFF,
    "reopenSlot": STAFF,
    "checkIn": STAFF,
    "markNoShow": STAFF,
    "callNext": STAFF,
    "completeAppointment": STAFF,
    "joinWaitlist": CITIZEN,
    "acceptWaitlistOffer": CITIZEN,
    "declineWaitlistOffer": CITIZEN,
    "leaveWaitlist": CITIZEN,
    "createSchool": ADMIN,
    "updateSchool": ADMIN,
    "createAdmissionRound": ADMIN,
    "updateAdmissionRound": ADMIN,
    "publishAnnouncement": STAFF,
    "subscribeToSchool": PUBLIC,
    "unsubscribeFromSchool": PUBLIC,
    "addReview": CITIZEN,
    "updateReview": CITIZEN,
    "deleteReview": CITIZEN,
    "hideReview": ADMIN,
    "addFavorite": CITIZEN,
    "removeFavorite": CITIZEN,
    "subscribeToEvent": CITIZEN,
    "unsubscribeFromEvent": CITIZEN,
    "createAttraction": ADMIN,
    "updateAttraction": ADMIN,
    "createEvent": ADMIN,
    "updateEvent": ADMIN,
    "createItinerary": ADMIN,
    "updateItinerary": ADMIN,
    "submitAirReadings": STAFF,
    "sendEnvironmentAlert": STAFF,
    "sendChatMessage": PUBLIC,
    "filePollutionReport": CITIZEN,
    "reviewPollutionReport": STAFF,
    "changePollutionReportStatus": STAFF,
}
SAMPLES = {
    "ID": "0" * 24,
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "DateTime": "2030-01-01T08:00:00+07:00",
    "Date": "2030-01-01",
    "JSON": {},
}


# Values fuzzing found internal errors with (empty topic keys, malformed ids).
ODD_SAMPLES = {**SAMPLES, "ID": "not-an-id", "String": "", "Int": -1, "Float": -1e308}
# Edges: largest values, operator-looking text, control characters, far dates.
EDGE_SAMPLES = {
    **SAMPLES,
    "ID": "$where",
    "String": '{"$gt": ""}\u0000ạ',
    "Int": 2**31 - 1,
    "Float": 1e308,
    "Boolean": True,
    "DateTime": "0001-01-01T00:00:00Z",
    "Date": "9999-12-31",
    "JSON": {"$where": "1"},
}


def sample(type_: Any, depth: int = 0, samples: dict[str, Any] = SAMPLES) -> Any:
    """A value of a GraphQL input type (required fields only)."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type, depth, samples)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type, depth + 1, samples)] if depth < 3 else []
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: sample(field.type, depth + 1, samples)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    if isinstance(type_, GraphQLScalarType):
        return samples.get(type_.name, "x")
    raise AssertionError(f"no sample for {type_}")


def type_name(type_: Any) -> str:
    if isinstance(type_, GraphQLNonNull):
        return f"{type_name(type_.of_type)}!"
    if isinstance(type_, GraphQLList):
        return f"[{type_name(type_.of_type)}]"
    return str(type_.name)


def operation(
    schema: GraphQLSchema,
    name: str,
    samples: dict[str, Any] = SAMPLES,
    kind: str = "mutation",
    optional: bool = False,
) -> tuple[str, dict[str, Any]]:
    """The call with its required arguments (``optional``: every argument) from ``samples``."""
    root = schema.mutation_type if kind == "mutation" else schema.query_type
    field = root.fields[name]  # type: ignore[union-attr]
    required = {
        arg: definition
        for arg, definition in field.args.items()
        if optional
        or (isinstance(definition.type, GraphQLNonNull) and definition.default_value is Undefined)
    }
    declared = ", ".join(f"${a}: {type_name(d.type)}" for a, d in required.items())
    passed = ", ".join(f"{a}: ${a}" for a in required)
    result = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    selection = ""
    while isinstance(result, GraphQLNonNull | GraphQLList):
        result = result.of_type
    if isinstance(result, GraphQLUnionType):
        selection = "{ __typename ... on UserError { code } }"
    elif isinstance(result, GraphQLObjectType | GraphQLInterfaceType):
        selection = "{ __typename }"
    head = f"{kind}({declared})" if declared else kind
    call = f"{name}({passed})" if passed else name
    variables = {a: sample(d.type, samples=samples) for a, d in required.items()}
    return f"{head} {{ {call} {selection} }}", variables


def outcome(body: dict[str, Any], name: str) -> str:
    """UNAUTHENTICATED / FORBIDDEN / another error code / 'failure' / 'success'."""
    if body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code", "NO_CODE"))
    value = body["data"][name]
    if isinstance(value, dict) and "code" in value:
        return "failure"
    return "success"


def test_every_mutation_has_a_row(app: Starlette) -> None:
    mutations = set(app.state.schema._schema.mutation_type.fields)
    assert mutations - set(WHO) == set(), "add the new mutations to WHO"
    assert set(WHO) - mutations == set(), "remove the rows of mutations that are gone"


@pytest.mark.parametrize("name", sorted(WHO))
async def test_who_may_call_each_mutation(
    app: Starlette, gql: GraphQLClient, dev_token: Any, name: str
) -> None:
    schema = app.state.schema._schema
    if name not in schema.mutation_type.fields:
        pytest.skip("not in this schema")
    query, variables = operation(schema, name)
    citizen = dev_token("matrix-citizen")
    staff = dev_token(
        "matrix-staff",
        Role.HOSPITAL_STAFF,
        Role.SCHOOL_STAFF,
        hospitals=("matrix-h",),
        schools=("matrix-s",),
    )
    results = {
        actor: outcome(await gql(query, variables, token=token), name)
        for actor, token in (("anonymous", None), ("citizen", citizen), ("staff", staff))
    }
    assert "INTERNAL_SERVER_ERROR" not in results.values() and "NO_CODE" not in results.values(), (
        results
    )
    if WHO[name] != PUBLIC:
        assert results["anonymous"] == "UNAUTHENTICATED", results
    if WHO[name] in (STAFF, ADMIN):
        assert results["citizen"] != "success", results
    if WHO[name] == ADMIN:
        assert results["staff"] != "success", results


@pytest.mark.parametrize("name", sorted(WHO))
async def test_odd_input_is_never_an_internal_error(
    app: Starlette, gql: GraphQLClient, dev_token: Any, name: str
) -> None:
    schema = app.state.schema._schema
    if name not in schema.mutation_type.fields:
        pytest.skip("not in this schema")
    for samples, optional in ((ODD_SAMPLES, False), (ODD_SAMPLES, True), (EDGE_SAMPLES, True)):
        query, variables = operation(schema, name, samples, optional=optional)
        body = await gql(query, variables, token=dev_token("matrix-odd"))  # past the sign-in
        assert outcome(body, name) not in ("INTERNAL_SERVER_ERROR", "NO_CODE"), body


QUERIES = sorted(build_schema(Settings(app_env="test"))._schema.query_type.fields)


@pytest.mark.parametrize("name", QUERIES)
async def test_no_query_answers_an_internal_error(
    app: Starlette, gql: GraphQLClient, dev_token: Any, name: str
) -> None:
    """Every query with sample and odd arguments, anonymous and signed in (a schema-wide fuzz)."""
    schema = app.state.schema._schema
    reader = dev_token("matrix-reader")
    for samples, token, optional in (
        (SAMPLES, None, False),
        (ODD_SAMPLES, reader, False),
        (ODD_SAMPLES, reader, True),
        (ODD_SAMPLES, None, True),
        (EDGE_SAMPLES, reader, True),
    ):
        query, variables = operation(schema, name, samples, kind="query", optional=optional)
        body = await gql(query, variables, token=token)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        assert "INTERNAL_SERVER_ERROR" not in codes and None not in codes, body


async def test_a_variable_outside_its_enum_is_bad_input(gql: GraphQLClient, dev_token: Any) -> None:
    """Found by the per-object matrix: an unknown enum value in variables was an internal error."""
    query = """mutation($c: PollutionReportCategory!) { filePollutionReport(category: $c,
      text: "Khói", lat: 19.8, lng: 105.7) { __typename } }"""
    body = await gql(query, {"c": "NO_SUCH_CATEGORY"}, token=dev_token("matrix-enum"))
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    assert "NO_SUCH_CATEGORY" in error["message"] and "PollutionReportCategory" in error["message"]


async def test_other_graphql_errors_under_a_resolver_stay_masked() -> None:
    """Only a variable outside its type is unmasked: a GraphQLError raised by a library inside a
    resolver is an internal error, its text and its own code hidden from the client."""

    @strawberry.type
    class Query:
        @strawberry.field
        def boom(self) -> str:
            raise GraphQLError("driver detail: users.find failed", extensions={"code": "X"})

        @strawberry.field
        def kind(self, value: ReportKind) -> str:
            return value.value

    schema = Schema(
        query=Query,
        extensions=[
            functools.partial(MaskErrors, should_mask_error=should_mask, error_message="masked"),
            DomainErrorExtensions,
        ],
    )
    result = await schema.execute("{ boom }")
    (error,) = result.errors or []
    assert error.message == "masked" and not error.extensions, error
    result = await schema.execute("query($v: ReportKind!) { kind(value: $v) }", {"v": "NOPE"})
    (error,) = result.errors or []
    assert error.extensions == {"code": "BAD_USER_INPUT"} and "NOPE" in error.message, error


@pytest.mark.parametrize(
    "document",
    [
        'mutation { unsubscribeFromSchool(schoolId: "", deviceToken: "") }',
        'mutation { subscribeToSchool(schoolId: "", deviceToken: "") { __typename } }',
        'mutation { unsubscribe(topic: "", deviceToken: "") }',
        'mutation { subscribe(topic: "", deviceToken: "") { __typename } }',
    ],
)
async def test_the_issues_empty_topic_keys_are_bad_input(
    gql: GraphQLClient, dev_token: Any, document: str
) -> None:
    """The fuzz finding the issue names: empty school id and device token, anonymous and signed
    in, answer bad input (or a union member), never an internal error."""
    for token in (None, dev_token("matrix-empty")):
        body = await gql(document, token=token)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        assert "INTERNAL_SERVER_ERROR" not in codes and None not in codes, body
