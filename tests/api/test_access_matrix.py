"""The access matrix per object, from one table: what each actor class (anonymous, citizen A who
owns the objects, citizen B, staff of the facility/school/station that holds them, staff of
another, an administrator) may read of A's personal data and do to A's objects.

- Reads: every object type of the schema is classified; every field of a personal type has a row
  naming the sentinel (A's value) that stands for it. Every read path to personal data runs for
  every actor with a selection generated from the schema (so a new field is read at once), and
  each sentinel must appear exactly for the actors its row allows.
- Writes: every mutation has a row (here or in tests/domains/health/test_access.py, which holds
  health's bookings and waitlist with their exact answers) naming who may act on A's object, with
  valid arguments aimed at it: the allowed actors must succeed (AFTER_PERMISSION names the two
  checks made after the decision), the others must be refused (not signed in, forbidden, or told
  it does not exist) and learn nothing.

A new mutation, object type or field on a personal type without a row fails the suite."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from domains.kernel.resources import Resources
from domains.kernel.types import Database
from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)
from tests.api.access_world import (
    ACTORS,
    ANON_DEVICE,
    NEW_DEVICE,
    ST,
    UIDS,
    S,
    World,
    build_world,
)
from tests.api.test_authorization_matrix import operation
from tests.conftest import GraphQLClient
from tests.domains.education.test_admin_and_announcements import round_input, school_input
from tests.domains.health.test_access import MUTATION_CASES, WAITLIST_CASES
from tests.domains.procedures.test_admin import new_procedure
from tests.domains.tourism.test_attractions import ATTRACTION_INPUT
from tests.domains.tourism.test_events import event_input

SETTINGS_OVERRIDES = {"graphql_max_cost": 10_000_000, "graphql_max_tokens": 100_000}
SETTINGS_OVERRIDES |= {"graphql_max_depth": 20}

A, B, HERE, OTHER, ADMIN = "citizen_a", "citizen_b", "staff_here", "staff_other", "admin"
SIGNED_IN = frozenset({A, B, HERE, OTHER, ADMIN})
EVERYONE = SIGNED_IN | {"anonymous"}

# --- reads --------------------------------------------------------------------------------------

# Who may see each of A's values (world.values / world.ids).
SEEN_BY: dict[str, frozenset[str]] = {
    "patient_name": frozenset({A, HERE}),  # the facility's staff, for the visit
    "patient_phone": frozenset({A, HERE}),
    "patient_birth": frozenset({A, HERE}),
    "bhyt": frozenset({A}),  # never staff: they see hasBhyt
    "reason": frozenset({A, HERE}),
    "booking_code": frozenset({A, HERE}),
    "patient": frozenset({A, HERE, ADMIN}),  # the id: staffReads shows it to administrators
    "appointment": frozenset({A, HERE, ADMIN}),  # administrators see operational fields only
    "waitlist_entry": frozenset({A}),  # staff see counts (slotWaitlist), never entries
    "device_token": frozenset({A}),  # in A's own export; others see a suffix at most
    "uid_a": frozenset({A, ADMIN}),  # a follower's uid: never the school's staff
    "uid_staff": frozenset({A, HERE, ADMIN}),  # who read what: admins, and A in A's export
    "inbox_title": frozenset({A, ADMIN}),  # the recipient, and the sender (an admin)
    "inbox_entry": frozenset({A}),
    "report_text": frozenset({A, HERE, ADMIN}),  # unreviewed: the reporter and the agency
    "review_text": EVERYONE,  # public (the author is not: `mine` only)
}


def names(text: str) -> list[str]:
    return text.split()


OPERATIONAL = "operational"  # not personal alone: shown with the object to whoever may see it
# Each field of a personal type: the sentinel that stands for it, or OPERATIONAL.
PERSONAL: dict[str, dict[str, str]] = {
    "PatientProfile": {
        "id": "patient",
        "fullName": "patient_name",
        "dateOfBirth": "patient_birth",
        "phone": "patient_phone",
        "hasBhyt": "patient_name",  # same visibility as the name
        "bhytNumber": "bhyt",
        "consent": "bhyt",  # the owner only
    },
    "Consent": dict.fromkeys(
        ("purpose", "policyVersion", "givenAt", "withdrawnAt", "history"), "bhyt"
    ),
    "ConsentChange": dict.fromkeys(("action", "policyVersion", "at"), "bhyt"),
    "Appointment": {
        **dict.fromkeys(
            names(
                "status queueNumber start end hospitalId departmentId doctorId createdAt changedAt "
                "rescheduledToId hospital department doctor slot"
            ),
            OPERATIONAL,
        ),
        "id": "appointment",
        "bookingCode": "booking_code",
        "cancelReason": "reason",
        "reason": "reason",
        "patient": "patient_name",
    },
    "WaitlistEntry": dict.fromkeys(
        names(
            "id status hospitalId departmentId date slotId patientProfileId holdExpiresAt "
            "appointmentId createdAt changedAt hospital department"
        ),
        "waitlist_entry",
    ),
    "Device": {
        "tokenSuffix": "device_token",
        "platform": OPERATIONAL,
        "locale": OPERATIONAL,
        "appVersion": OPERATIONAL,
        "signedIn": OPERATIONAL,
        "lastSeenAt": OPERATIONAL,
    },
    "TopicSubscription": {"topic": "device_token", "createdAt": OPERATIONAL},
    "InboxNotification": {
        **dict.fromkeys(("category", "createdAt", "readAt", "read"), OPERATIONAL),
        "id": "inbox_entry",
        "title": "inbox_title",
        "body": "inbox_title",
        "data": "inbox_title",
    },
    "InboxUpdate": {"unreadCount": "inbox_entry", "latest": "inbox_entry"},
    "NotificationStatus": {
        **dict.fromkeys(
            names(
                "id category state audience sendAt createdAt recipients counts "
                "developmentSinkOnly results"
            ),
            OPERATIONAL,
        ),
        "title": "inbox_title",
        "body": "inbox_title",
    },
    "TokenResult": {
        **dict.fromkeys(
            names(
                "platform state attempts errorCode errorMessage nextAttemptAt lastAttemptAt doneAt"
            ),
            OPERATIONAL,
        ),
        "tokenSuffix": "device_token",
        "userId": "uid_a",
    },
    "DeliveryCounts": dict.fromkeys(
        names("total pending sent failed deadLettered skipped developmentSink"), OPERATIONAL
    ),
    "AttractionReview": {
        **dict.fromkeys(
            names("id rating createdAt updatedAt hidden hiddenReason mine attraction"), OPERATIONAL
        ),
        "text": "review_text",
    },
    "DeletedAttractionReview": {"id": OPERATIONAL},
    "PollutionReport": {
        **dict.fromkeys(
            names(
                "id category status areaCode areaName agency approximate supporterCount mine "
                "reviewed hidden demo createdAt updatedAt history rejectReason resultPhotos"
            ),
            OPERATIONAL,
        ),
        "text": "report_text",
        "location": "report_text",  # exact place: with the text (approximate otherwise)
        "photos": "report_text",
    },
    "PollutionReportFiled": {"report": "report_text", "joinedExisting": OPERATIONAL},
    "ReportPhoto": dict.fromkeys(("id", "url", "thumbnailUrl", "thumbnailDataUrl"), "report_text"),
    "ReportStep": {"status": OPERATIONAL, "at": OPERATIONAL, "note": OPERATIONAL},
    "ChatMessage": dict.fromkeys(("text", "buttons", "links"), OPERATIONAL),  # to the sender
    "ChatReply": {"messages": OPERATIONAL, "sessionId": OPERATIONAL, "degraded": OPERATIONAL},
    "Grant": {
        **dict.fromkeys(
            ("roles", "hospitalIds", "schoolIds", "stationIds", "updatedAt"), OPERATIONAL
        ),
        "id": "uid_staff",  # opaque, made from the uid
        "uid": "uid_staff",
        "updatedBy": OPERATIONAL,  # an administrator's uid
    },
    "GrantChange": {
        **dict.fromkeys(("action", "role", "scopeId", "at"), OPERATIONAL),
        "uid": "uid_staff",
        "by": OPERATIONAL,
    },
    "StaffRead": {
        "reader": "uid_staff",
        "patientProfileId": "patient",
        "hospitalId": OPERATIONAL,
        "day": OPERATIONAL,
        "firstAt": OPERATIONAL,
    },
    "Viewer": {
        "uid": "uid_a",
        **dict.fromkeys(names("isAnonymous roles hospitalIds schoolIds stationIds"), OPERATIONAL),
    },
    "Erasure": dict.fromkeys(("status", "requestedAt", "finishedAt", "erasedDomains"), OPERATIONAL),
    "EventSubscription": {"event": OPERATIONAL, "remindersScheduled": OPERATIONAL},
    "NotificationPreferences": {"lockScreenDetail": OPERATIONAL},
    "QueueStatus": dict.fromkeys(
        names("appointmentId status queueNumber servingNumber called ahead estimatedWaitMinutes"),
        "appointment",
    ),
    "MarkReadResult": {"updated": OPERATIONAL, "unreadCount": OPERATIONAL},
    "DataEntry": {"key": OPERATIONAL, "value": OPERATIONAL},
}
# Object types that hold nothing about a person (catalogues, places, schedules, counts).
NOT_PERSONAL = set(
    names(
        """AdmissionDocument AdmissionRound AirQualityBand AirQualityHistory AirQualityPoint
    AreaAirQuality Attraction AttractionContacts AttractionHours AttractionRating
    AttractionSpecialDay AttractionTickets BookingPolicyInfo CancelSlotsPayload Catchment
    CatchmentLookup CatchmentMatch CatchmentPoint ChatButton ChatLink Commune EnvironmentAlertSent
    Fee GeoPoint Hospital HospitalDepartment HospitalDoctor Itinerary ItineraryStop LegalBasis
    LocalizedText MonitoringStation PageInfo PlannedSlot PollutantValue Procedure ProcedureField
    ProcedureTranslations ProcessingTime PublishSlotsPayload PublishSlotsPreview ReadingsReport
    RejectedReading RequiredDocument School SchoolAnnouncement SchoolContacts Slot
    SlotAvailability SlotClash SlotPlaces SlotWaitlist Source StationAirQuality StationLocation
    TourismEvent TourismLocation TourismRecurrence"""
    )
)

# Every read path to A's data, with A's ids: (root field, arguments).
READS: list[tuple[str, Callable[[World], dict[str, Any]]]] = [
    ("me", lambda w: {}),
    ("myData", lambda w: {}),
    ("myPatientProfiles", lambda w: {}),
    ("myAppointments", lambda w: {}),
    ("myWaitlist", lambda w: {}),
    ("hospitalAppointments", lambda w: {"hospitalId": "bv-matrix-here", "date": w.day}),
    ("node", lambda w: {"id": w.ids["appointment"], "on": "Appointment"}),
    ("node", lambda w: {"id": w.ids["patient"], "on": "PatientProfile"}),
    ("node", lambda w: {"id": w.ids["waitlist_entry"], "on": "WaitlistEntry"}),
    ("node", lambda w: {"id": w.ids["inbox_entry"], "on": "InboxNotification"}),
    ("node", lambda w: {"id": w.ids["school_broadcast"], "on": "NotificationStatus"}),
    ("node", lambda w: {"id": w.ids["direct_notification"], "on": "NotificationStatus"}),
    ("node", lambda w: {"id": w.ids["report"], "on": "PollutionReport"}),
    ("notifications", lambda w: {}),
    ("notificationStatus", lambda w: {"id": w.ids["school_broadcast"]}),
    ("notificationStatus", lambda w: {"id": w.ids["direct_notification"]}),
    ("mySubscriptions", lambda w: {}),
    ("grants", lambda w: {}),
    ("grantHistory", lambda w: {}),
    ("staffReads", lambda w: {}),
    ("pollutionReports", lambda w: {}),
    ("pollutionReports", lambda w: {"mine": True}),
    ("pollutionReport", lambda w: {"id": w.ids["report"]}),
    ("pollutionReportsNear", lambda w: {"near": {"lat": 19.8071, "lng": 105.7763, "radiusKm": 2}}),
    ("myFavorites", lambda w: {}),
    ("reviews", lambda w: {"attractionId": w.ids["attraction"]}),
    ("reviews", lambda w: {"attractionId": w.ids["attraction"], "includeHidden": True}),
]


def selection(type_: Any, depth: int = 0) -> str:
    """Every field (without required arguments) to a depth, fragments for unions/interfaces."""
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    if isinstance(type_, GraphQLUnionType | GraphQLInterfaceType):
        if depth > 5:
            return "{ __typename }"
        members = type_.types if isinstance(type_, GraphQLUnionType) else []
        parts = " ".join(f"... on {m.name} {selection(m, depth + 1)}" for m in members)
        return f"{{ __typename {parts} }}"
    if not isinstance(type_, GraphQLObjectType):
        return ""
    fields = []
    for name, definition in type_.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) for a in definition.args.values()):
            continue
        inner = definition.type
        while isinstance(inner, GraphQLNonNull | GraphQLList):
            inner = inner.of_type
        if isinstance(inner, GraphQLObjectType | GraphQLUnionType | GraphQLInterfaceType):
            if depth < 5:
                fields.append(f"{name} {selection(inner, depth + 1)}")
        else:
            fields.append(name)
    return "{ " + " ".join(fields or ["__typename"]) + " }"


def graphql_literal(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {graphql_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def read_query(schema: GraphQLSchema, name: str, args: dict[str, Any]) -> str:
    field = schema.query_type.fields[name]  # type: ignore[union-attr]
    on = args.pop("on", None)  # node(id:): the fragment of the type A's id names
    literal = ", ".join(f"{k}: {graphql_literal(v)}" for k, v in args.items())
    call = f"{name}({literal})" if literal else name
    body = selection(field.type)
    if on is not None:
        body = f"{{ __typename ... on {on} {selection(schema.type_map[on], 1)} }}"
    return f"{{ {call} {body} }}"


@pytest.fixture(scope="module")
async def world(gql: GraphQLClient, db: Database, resources: Resources, dev_token: Any) -> World:
    return await build_world(gql, db, resources, dev_token)


def test_every_object_type_is_classified(app: Starlette) -> None:
    schema = app.state.schema._schema
    objects = {
        name
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType)
        and not name.startswith("__")
        and name not in ("Query", "Mutation", "Subscription")
        and not name.endswith(("Connection", "Edge"))
        and schema.type_map["UserError"] not in type_.interfaces
    }
    assert objects - set(PERSONAL) - NOT_PERSONAL == set(), "classify: PERSONAL or NOT_PERSONAL"
    assert (set(PERSONAL) | NOT_PERSONAL) - objects == set(), "remove the rows of types now gone"


@pytest.mark.parametrize("type_name", sorted(PERSONAL))
def test_every_field_of_a_personal_type_has_a_row(app: Starlette, type_name: str) -> None:
    fields = set(app.state.schema._schema.type_map[type_name].fields)
    rows = PERSONAL[type_name]
    assert fields - set(rows) == set(), f"add rows to PERSONAL[{type_name!r}]"
    assert set(rows) - fields == set(), f"remove rows of fields gone from {type_name}"
    assert set(rows.values()) - set(SEEN_BY) - {OPERATIONAL} == set()


@pytest.fixture(scope="module")
async def answers(app: Starlette, gql: GraphQLClient, world: World) -> dict[str, str]:
    """Every read path as every actor: the text of all answers per actor."""
    schema = app.state.schema._schema
    texts: dict[str, str] = {}
    for actor in ACTORS:
        parts = []
        for name, args in READS:
            body = await gql(read_query(schema, name, args(world)), token=world.tokens[actor])
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
            assert "INTERNAL_SERVER_ERROR" not in codes and None not in codes, (name, body)
            parts.append(json.dumps(body, ensure_ascii=False))
        texts[actor] = "\n".join(parts)
    return texts


@pytest.mark.parametrize("sentinel", sorted(SEEN_BY))
async def test_each_personal_value_reaches_exactly_whom_its_row_allows(
    world: World, answers: dict[str, str], sentinel: str
) -> None:
    value = world.values.get(sentinel) or world.ids[sentinel]
    seen = {actor for actor, text in answers.items() if value in text}
    assert seen == SEEN_BY[sentinel], (sentinel, value)


async def test_marking_read_touches_only_ones_own_inbox(gql: GraphQLClient, world: World) -> None:
    """Others may call markNotificationsRead with A's entry id: it marks nothing of A's."""
    mark = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) { updated } }"
    mark_all = "mutation { markAllNotificationsRead { updated } }"
    unread = "{ unreadCount }"
    owner = world.tokens[A]
    before = (await gql(unread, token=owner))["data"]["unreadCount"]
    assert before >= 1
    for actor in sorted(SIGNED_IN - {A}):
        token = world.tokens[actor]
        body = await gql(mark, {"ids": [world.ids["inbox_entry"]]}, token=token)
        assert body["data"]["markNotificationsRead"]["updated"] == 0, (actor, body)
        await gql(mark_all, token=token)
    assert (await gql(unread, token=owner))["data"]["unreadCount"] == before


# --- writes -------------------------------------------------------------------------------------

REFUSED = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "ACCOUNT_REQUIRED", "REPORT_NOT_FOUND"}
Target = Callable[[World], dict[str, Any]]


DEVICE = ANON_DEVICE  # a device's token: the credential when signed out
TOPIC = f"school.{S}"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)


def readings(world: World) -> dict[str, Any]:
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return {
        "stationId": ST,
        "readings": [{"pollutant": "PM25", "time": hour.isoformat(), "value": 12.5}],
    }


def event(slug: str, world: World) -> dict[str, Any]:
    return event_input(slug, SOON, attractionId=world.ids["attraction"])


def itinerary(world: World) -> dict[str, Any]:
    stops = [{"attractionId": world.ids["attraction"], "minutes": 60}]
    title, description = {"vi": "Nửa ngày Hàm Rồng"}, {"vi": "Núi và đền."}
    return {"slug": "matrix-half-day", "title": title, "description": description} | {
        "theme": "HERITAGE",
        "stops": stops,
    }


def outcome(body: dict[str, Any], name: str) -> str:
    """The error's code, the union member's code, or 'success'."""
    if body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code", "NO_CODE"))
    value = body["data"][name]
    return str(value["code"]) if isinstance(value, dict) and "code" in value else "success"


def no_target(world: World) -> dict[str, Any]:
    return {}


# mutation: (who may act on the world's object, the arguments that aim at it). Rows run in this
# order (erasure last); refused actors first, then the allowed ones.
WRITES: dict[str, tuple[frozenset[str], Target]] = {
    "grantRole": (
        frozenset({ADMIN}),
        lambda w: {"uid": UIDS[B], "role": "SCHOOL_STAFF", "schoolId": S},
    ),
    "revokeRole": (
        frozenset({ADMIN}),
        lambda w: {"uid": UIDS[B], "role": "SCHOOL_STAFF", "schoolId": S},
    ),
    "createProcedure": (frozenset({ADMIN}), lambda w: {"input": new_procedure("1.999777")}),
    "updateProcedure": (
        frozenset({ADMIN}),
        lambda w: {"code": w.ids["procedure"], "patch": {"conditions": {"vi": "Có hộ khẩu"}}},
    ),
    "retireProcedure": (frozenset({ADMIN}), lambda w: {"code": w.ids["procedure"]}),
    "registerDevice": (
        EVERYONE,
        lambda w: {"input": {"token": NEW_DEVICE, "platform": "ANDROID", "locale": "VI"}},
    ),
    "unregisterDevice": (EVERYONE, no_target),  # the token is the credential
    "subscribe": (EVERYONE, lambda w: {"topic": TOPIC, "deviceToken": DEVICE}),
    "unsubscribe": (EVERYONE, lambda w: {"topic": TOPIC, "deviceToken": DEVICE}),
    "setNotificationPreferences": (SIGNED_IN, no_target),  # one's own
    "markNotificationsRead": (SIGNED_IN, lambda w: {"ids": [w.ids["inbox_entry"]]}),
    "markAllNotificationsRead": (SIGNED_IN, no_target),
    "sendNotification": (
        frozenset({HERE, ADMIN}),
        lambda w: {
            "input": {
                "audience": {"topic": f"school.{S}"},
                "title": {"vi": "Họp"},
                "body": {"vi": "Thứ bảy"},
            }
        },
    ),
    "withdrawPatientConsent": (
        frozenset({A}),
        lambda w: {"profileId": w.ids["consent_patient"]},
    ),
    "createSchool": (frozenset({ADMIN}), lambda w: {"input": school_input()}),
    "updateSchool": (  # details: administrators
        frozenset({ADMIN}),
        lambda w: {"id": S, "input": school_input(address="Phường Hàm Rồng")},
    ),
    "createAdmissionRound": (frozenset({ADMIN}), lambda w: {"input": round_input()}),
    "updateAdmissionRound": (
        frozenset({ADMIN}),
        lambda w: {"id": w.ids["round"], "input": round_input(quota=150)},
    ),
    "publishAnnouncement": (
        frozenset({HERE, ADMIN}),
        lambda w: {"input": {"schoolId": S, "title": {"vi": "Họp"}, "body": {"vi": "Sáng"}}},
    ),
    "subscribeToSchool": (EVERYONE, lambda w: {"schoolId": S, "deviceToken": DEVICE}),
    "unsubscribeFromSchool": (EVERYONE, lambda w: {"schoolId": S, "deviceToken": DEVICE}),
    "addReview": (SIGNED_IN, lambda w: {"attractionId": w.ids["attraction"], "rating": 5}),
    "updateReview": (frozenset({A}), lambda w: {"id": w.ids["review"], "rating": 3}),
    "hideReview": (frozenset({ADMIN}), lambda w: {"id": w.ids["review"], "hidden": False}),
    "deleteReview": (frozenset({A}), lambda w: {"id": w.ids["review"]}),
    "addFavorite": (SIGNED_IN, lambda w: {"attractionId": w.ids["attraction"]}),
    "removeFavorite": (SIGNED_IN, lambda w: {"attractionId": w.ids["attraction"]}),
    "subscribeToEvent": (SIGNED_IN, lambda w: {"eventId": w.ids["event"]}),
    "unsubscribeFromEvent": (SIGNED_IN, lambda w: {"eventId": w.ids["event"]}),
    "createAttraction": (
        frozenset({ADMIN}),
        lambda w: {"input": ATTRACTION_INPUT | {"slug": "matrix-lagoon"}},
    ),
    "updateAttraction": (
        frozenset({ADMIN}),
        lambda w: {"id": w.ids["attraction"], "input": ATTRACTION_INPUT | {"slug": "matrix-pond"}},
    ),
    "createEvent": (frozenset({ADMIN}), lambda w: {"input": event("matrix-fair", w)}),
    "updateEvent": (
        frozenset({ADMIN}),
        lambda w: {"id": w.ids["event"], "input": event("matrix-fete", w)},
    ),
    "createItinerary": (frozenset({ADMIN}), lambda w: {"input": itinerary(w)}),
    "updateItinerary": (
        frozenset({ADMIN}),
        lambda w: {"id": w.ids["itinerary"], "input": itinerary(w) | {"slug": "matrix-walk"}},
    ),
    "filePollutionReport": (
        SIGNED_IN,
        lambda w: {"category": "DUST", "text": "Bụi từ công trường", "lat": 19.8, "lng": 105.77},
    ),
    "reviewPollutionReport": (
        frozenset({HERE, ADMIN}),
        lambda w: {"id": w.ids["report"], "publish": False},
    ),
    "changePollutionReportStatus": (
        frozenset({HERE, ADMIN}),
        lambda w: {"id": w.ids["report"], "status": "ASSIGNED"},
    ),
    "submitAirReadings": (frozenset({HERE, ADMIN}), readings),
    "sendEnvironmentAlert": (frozenset({HERE, ADMIN}), lambda w: {"areaCodes": ["15499"]}),
    "sendChatMessage": (EVERYONE, no_target),
    "eraseMyData": (SIGNED_IN, no_target),
}
# Allowed actors must succeed (a result that is not a refusal could be validation or "not
# found" before the decision: that would prove nothing). The exceptions, each a check made after
# the actor was let through:
AFTER_PERMISSION = {
    ("addReview", A): "ALREADY_REVIEWED",  # A reviewed the attraction when the world was built
    ("changePollutionReportStatus", ADMIN): "REPORT_STATUS_CONFLICT",  # staff assigned it first
}
HEALTH = set(MUTATION_CASES) | set(WAITLIST_CASES) | {"rescheduleAppointment"}


def test_every_mutation_has_a_per_object_row(app: Starlette) -> None:
    mutations = set(app.state.schema._schema.mutation_type.fields)
    assert mutations - set(WRITES) - HEALTH == set(), "add the new mutations to WRITES"
    assert set(WRITES) - mutations == set(), "remove the rows of mutations that are gone"
    assert set(WRITES) & HEALTH == set()


def merged(sample: Any, aimed: Any) -> Any:
    if isinstance(sample, dict) and isinstance(aimed, dict):
        return {k: merged(sample.get(k), v) for k, v in aimed.items()} | {
            k: v for k, v in sample.items() if k not in aimed
        }
    return aimed


@pytest.mark.parametrize("name", list(WRITES))
async def test_who_may_act_on_each_object(
    app: Starlette, gql: GraphQLClient, world: World, answers: dict[str, str], name: str
) -> None:
    allowed, target = WRITES[name]
    schema = app.state.schema._schema
    query, variables = operation(schema, name)
    aimed = target(world)
    declared = schema.mutation_type.fields[name].args
    extra = {k: v for k, v in aimed.items() if k not in variables}
    if extra:  # optional arguments the row aims with: declare them too
        types = ", ".join(f"${k}: {declared[k].type}" for k in extra)
        passed = ", ".join(f"{k}: ${k}" for k in extra)
        head, rest = query.split(" {", 1)
        head = head.replace(")", f", {types})") if "(" in head else f"{head}({types})"
        call = f"{name}(" if f"{name}(" in rest else name
        opened = f"{name}({passed}, " if call.endswith("(") else f"{name}({passed})"
        rest = rest.replace(call, opened, 1)
        query = f"{head} {{{rest}"
    variables = merged(variables, aimed)
    results = {}
    for actor in sorted(ACTORS, key=lambda a: a in allowed):  # refused ones first
        body = await gql(query, variables, token=world.tokens[actor])
        results[actor] = outcome(body, name)
        if actor not in allowed:
            text = json.dumps(body, ensure_ascii=False)
            assert all(value not in text for value in world.values.values()), (actor, body)
    refused = {actor for actor, result in results.items() if result in REFUSED}
    assert refused == set(ACTORS) - allowed, results
    expected = {actor: AFTER_PERMISSION.get((name, actor), "success") for actor in allowed}
    assert {actor: results[actor] for actor in allowed} == expected, results
    assert "INTERNAL_SERVER_ERROR" not in results.values(), results


# Live updates (graphql-transport-ws): the per-object cases run over a real websocket in
# tests/api/test_live.py (test_only_the_patient_and_the_facility_follow_a_queue, the inbox tests).
SUBSCRIPTIONS = {
    "inbox": SIGNED_IN,  # one's own inbox only
    "queueStatus": frozenset({A, HERE}),  # the patient and the facility's staff
    "slotAvailability": EVERYONE,  # public places, no one's data
}


def test_every_subscription_has_a_row(app: Starlette) -> None:
    assert set(app.state.schema._schema.subscription_type.fields) == set(SUBSCRIPTIONS)
