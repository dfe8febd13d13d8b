"""Events: browsing by date and place, reminders through the event's topic, and changes of plan."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from domains.kernel.clock import utcnow
from domains.notifications.push import DevelopmentSink
from domains.notifications.worker import Worker, WorkerConfig
from tests.conftest import GraphQLClient
from tests.domains.tourism.conftest import attraction_id, event_id

pytestmark = pytest.mark.usefixtures("seeded")

EVENTS = """query($from: DateTime, $to: DateTime, $near: NearInput,
                  $status: [TourismEventStatus!]) {
  events(from: $from, to: $to, near: $near, status: $status, first: 50) {
    nodes { slug startsAt status distanceKm }
  } }"""
CREATE = """mutation($input: TourismEventInput!) { createEvent(input: $input) {
  __typename ... on TourismEvent { id status } ... on ValidationFailed { field message } } }"""
UPDATE = """mutation($id: ID!, $input: TourismEventInput!) { updateEvent(id: $id, input: $input) {
  __typename ... on TourismEvent { id status startsAt } ... on ValidationFailed { field } } }"""
SUBSCRIBE = """mutation($id: ID!) { subscribeToEvent(eventId: $id) {
  __typename
  ... on EventSubscription { remindersScheduled event { isSubscribed } }
  ... on EventNotOpenError { code message }
  ... on NotFoundError { message } } }"""
UNSUBSCRIBE = """mutation($id: ID!) { unsubscribeFromEvent(eventId: $id) {
  __typename ... on TourismEvent { isSubscribed } } }"""
INBOX = (
    """{ notifications(unreadOnly: false, first: 50) { nodes { category data { key value } } } }"""
)


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def test_events_in_a_window_come_in_start_order(gql: GraphQLClient) -> None:
    body = await gql(
        EVENTS, {"from": "2027-03-01T00:00:00+07:00", "to": "2027-03-31T23:59:00+07:00"}
    )
    slugs = [n["slug"] for n in body["data"]["events"]["nodes"]]
    assert slugs == ["xuan-pha-festival", "ba-trieu-temple-festival", "song-son-temple-festival"]


async def test_upcoming_events_by_default(gql: GraphQLClient) -> None:
    body = await gql(EVENTS, {})
    nodes = body["data"]["events"]["nodes"]
    starts = [n["startsAt"] for n in nodes]
    assert starts == sorted(starts) and len(nodes) >= 10
    assert all(datetime.fromisoformat(s) > utcnow() - timedelta(days=200) for s in starts)


async def test_events_near_a_place(gql: GraphQLClient) -> None:
    body = await gql(EVENTS, {"near": {"lat": 19.7430, "lng": 105.9000, "radiusKm": 10}})
    nodes = body["data"]["events"]["nodes"]
    assert [n["slug"] for n in nodes] == ["sam-son-sea-tourism-opening"]
    assert nodes[0]["distanceKm"] < 1


async def test_window_ending_before_it_starts_is_refused(gql: GraphQLClient) -> None:
    body = await gql(
        EVENTS, {"from": "2027-05-01T00:00:00+07:00", "to": "2027-04-01T00:00:00+07:00"}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "`to`" in body["errors"][0]["message"]


async def test_event_detail_links_its_place_and_recurrence(gql: GraphQLClient, seeded: Any) -> None:
    lam_kinh = await event_id(seeded, "lam-kinh-festival")
    query = """query($id: ID!) { event(id: $id, lang: EN) {
      name venue status place { slug name }
      recurrence { calendar rule nextDates } } }"""
    body = await gql(query, {"id": lam_kinh})
    event = body["data"]["event"]
    assert event["place"] == {"slug": "lam-kinh-historic-site", "name": "Lam Kinh Historic Site"}
    assert event["venue"] == "Lam Kinh Historic Site"
    assert event["recurrence"]["calendar"] == "LUNAR"
    assert "8th lunar month" in event["recurrence"]["rule"]
    free = await gql(query, {"id": await event_id(seeded, "mai-an-tiem-festival")})
    assert free["data"]["event"]["place"] is None
    assert "Nga Sơn" in free["data"]["event"]["venue"]


def event_input(slug: str, starts: datetime, hours: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": {"vi": f"Sự kiện {slug}", "en": f"Event {slug}"},
        "description": {"vi": "Mô tả", "en": "Description"},
        "startsAt": iso(starts),
        "endsAt": iso(starts + timedelta(hours=hours)),
        **extra,
    }


async def outbox(db: Any, event: str) -> list[dict[str, Any]]:
    return await db["notifications"].find({"data.eventId": event}).sort("_id", 1).to_list()


async def create_event(gql: GraphQLClient, token: str, data: dict[str, Any]) -> str:
    body = await gql(CREATE, {"input": data}, token=token)
    created = body["data"]["createEvent"]
    assert created["__typename"] == "TourismEvent", created
    return str(created["id"])


async def followers(db: Any, event: str) -> set[str]:
    rows = await db["notification_subscriptions"].find({"topic": f"event.{event}"}).to_list()
    return {row["userId"] for row in rows}


async def inbox_kinds(gql: GraphQLClient, token: str, event: str) -> list[str]:
    body = await gql(INBOX, token=token)
    nodes = body["data"]["notifications"]["nodes"]
    data = [{d["key"]: d["value"] for d in n["data"]} for n in nodes]
    return [d["kind"] for d in data if d.get("eventId") == event and "kind" in d]


async def deliver_due(db: Any, resources: Any, reminder_id: ObjectId) -> None:
    """Make one reminder due now and let a real worker fan it out (to no phone)."""
    await db["notifications"].update_one(
        {"_id": reminder_id}, {"$set": {"sendAt": utcnow() - timedelta(seconds=1)}}
    )
    await Worker(resources, DevelopmentSink(), WorkerConfig(idle_poll=0.05)).drain()


async def test_subscribing_follows_the_event_topic_whose_reminders_postponing_cancels(
    gql: GraphQLClient, seeded: Any, dev_token: Any, admin_token: str
) -> None:
    beach = await attraction_id(seeded, "hai-hoa-beach")
    starts = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    data = event_input("kite-day", starts, attractionId=beach)
    event = await create_event(gql, admin_token, data)

    first = await gql(SUBSCRIBE, {"id": event}, token=dev_token("tourist-1"))
    assert first["data"]["subscribeToEvent"] == {
        "__typename": "EventSubscription",
        "remindersScheduled": 2,
        "event": {"isSubscribed": True},
    }
    # Subscribing again changes nothing; a second subscriber adds no outbox document: each
    # reminder is ONE notification to the event's topic, fanned out when it is due.
    await gql(SUBSCRIBE, {"id": event}, token=dev_token("tourist-1"))
    await gql(SUBSCRIBE, {"id": event}, token=dev_token("tourist-2"))
    assert await followers(seeded, event) == {"tourist-1", "tourist-2"}
    reminders = await outbox(seeded, event)
    assert len(reminders) == 2
    assert all(r["audience"] == {"topic": f"event.{event}"} for r in reminders)
    assert sorted(r["sendAt"] for r in reminders) == [
        starts - timedelta(days=1),
        starts - timedelta(hours=2),
    ]
    assert {r["category"] for r in reminders} == {"tourism.event.reminder"}
    assert all(r["status"] == "pending" and r["scheduled"] for r in reminders)
    assert reminders[0]["title"]["en"].endswith("Event kite-day")
    # No personal data in the payload: only the event's id and the reminder kind.
    assert set(reminders[0]["data"]) == {"eventId", "kind"}

    postponed = await gql(
        UPDATE, {"id": event, "input": {**data, "status": "POSTPONED"}}, token=admin_token
    )
    assert postponed["data"]["updateEvent"]["status"] == "POSTPONED"
    after = await outbox(seeded, event)
    reminder_states = {r["status"] for r in after if r["category"] == "tourism.event.reminder"}
    assert reminder_states == {"cancelled"}
    pushes = [r for r in after if r["category"] == "tourism.event.changed"]
    assert len(pushes) == 1
    assert pushes[0]["audience"] == {"topic": f"event.{event}"}
    assert pushes[0]["title"]["en"].startswith("Postponed")
    assert not pushes[0]["scheduled"]

    # Back on a new date: the reminders are scheduled again at the new times, and people told.
    later = starts + timedelta(days=7)
    moved = {**event_input("kite-day", later, attractionId=beach), "status": "RESCHEDULED"}
    body = await gql(UPDATE, {"id": event, "input": moved}, token=admin_token)
    assert body["data"]["updateEvent"]["status"] == "RESCHEDULED"
    final = await outbox(seeded, event)
    pending = [
        r for r in final if r["status"] == "pending" and r["category"] == "tourism.event.reminder"
    ]
    assert sorted(r["sendAt"] for r in pending) == [
        later - timedelta(days=1),
        later - timedelta(hours=2),
    ]
    news = [r for r in final if r["category"] == "tourism.event.changed"]
    assert [n["title"]["en"].split(":")[0] for n in news] == ["Postponed", "New date"]


async def test_cancelling_tells_subscribers_and_closes_subscriptions(
    gql: GraphQLClient, seeded: Any, dev_token: Any, admin_token: str
) -> None:
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    data = event_input(
        "night-market",
        starts,
        location={"lat": 19.8, "lng": 105.77},
        venue={"vi": "Quảng trường Lam Sơn"},
    )
    event = await create_event(gql, admin_token, data)
    await gql(SUBSCRIBE, {"id": event}, token=dev_token("tourist-3"))
    await gql(UPDATE, {"id": event, "input": {**data, "status": "CANCELLED"}}, token=admin_token)
    documents = await outbox(seeded, event)
    assert {r["status"] for r in documents if r["category"] == "tourism.event.reminder"} == {
        "cancelled"
    }
    assert [r["title"]["vi"] for r in documents if r["category"] == "tourism.event.changed"] == [
        "Đã hủy: Sự kiện night-market"
    ]
    late = await gql(SUBSCRIBE, {"id": event}, token=dev_token("tourist-4"))
    assert late["data"]["subscribeToEvent"]["__typename"] == "EventNotOpenError"
    assert "cancelled" in late["data"]["subscribeToEvent"]["message"]


async def test_unsubscribing_stops_only_your_reminders(
    gql: GraphQLClient, seeded: Any, resources: Any, dev_token: Any, admin_token: str
) -> None:
    starts = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    event = await create_event(
        gql, admin_token, event_input("choir", starts, location={"lat": 19.8, "lng": 105.77})
    )
    leaving, staying = dev_token("tourist-5"), dev_token("tourist-6")
    await gql(SUBSCRIBE, {"id": event}, token=leaving)
    await gql(SUBSCRIBE, {"id": event}, token=staying)
    body = await gql(UNSUBSCRIBE, {"id": event}, token=leaving)
    assert body["data"]["unsubscribeFromEvent"]["isSubscribed"] is False
    assert await followers(seeded, event) == {"tourist-6"}
    reminders = await outbox(seeded, event)
    assert {r["status"] for r in reminders} == {"pending"} and len(reminders) == 2
    day_before = next(r for r in reminders if r["data"]["kind"] == "reminder-1d")
    await deliver_due(seeded, resources, day_before["_id"])
    assert await inbox_kinds(gql, staying, event) == ["reminder-1d"]
    assert await inbox_kinds(gql, leaving, event) == []
    # Subscribing again works, and the reminders still ahead stand for everyone.
    again = await gql(SUBSCRIBE, {"id": event}, token=leaving)
    assert again["data"]["subscribeToEvent"]["remindersScheduled"] == 2
    assert len(await outbox(seeded, event)) == 2


async def test_reminders_already_past_are_not_scheduled(
    gql: GraphQLClient, dev_token: Any, admin_token: str
) -> None:
    soon = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    event = await create_event(
        gql, admin_token, event_input("soon", soon, location={"lat": 19.8, "lng": 105.77})
    )
    body = await gql(SUBSCRIBE, {"id": event}, token=dev_token("tourist-7"))
    assert body["data"]["subscribeToEvent"]["remindersScheduled"] == 0
    anonymous = await gql(SUBSCRIBE, {"id": event})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unknown = await gql(SUBSCRIBE, {"id": str(ObjectId())}, token=dev_token("tourist-7"))
    assert unknown["data"]["subscribeToEvent"]["__typename"] == "NotFoundError"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"endsAt": "2027-01-01T00:00:00+07:00"}, "endsAt", "after `startsAt`"),
        ({"startsAt": "2027-06-01T08:00:00"}, "startsAt", "time zone"),
        ({"location": {"lat": 48.85, "lng": 2.35}}, "location", "outside Vietnam"),
        ({"location": None}, "location", "attractionId"),
    ],
)
async def test_invalid_events_are_refused_with_a_reason(
    gql: GraphQLClient, admin_token: str, change: dict[str, Any], field: str, words: str
) -> None:
    data = {
        **event_input(
            "bad", datetime(2027, 6, 1, 1, tzinfo=UTC), location={"lat": 19.8, "lng": 105.77}
        ),
        **change,
    }
    body = await gql(CREATE, {"input": data}, token=admin_token)
    result = body["data"]["createEvent"]
    assert result["__typename"] == "ValidationFailed"
    assert result["field"] == field and words in result["message"]


async def test_only_admins_manage_events(gql: GraphQLClient, dev_token: Any) -> None:
    data = event_input(
        "sneaky", datetime(2027, 6, 1, 1, tzinfo=UTC), location={"lat": 19.8, "lng": 105.77}
    )
    body = await gql(CREATE, {"input": data}, token=dev_token("visitor"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def _assistant_query(name: str) -> str:
    """A query string of the assistant's actions (bots/actions/places.py imports the Rasa SDK,
    not installed here): read from the source."""
    source = Path(__file__).resolve().parents[3] / "bots" / "actions" / "places.py"
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return str(ast.literal_eval(node.value))
    raise AssertionError(f"{name} not in {source}")


async def test_the_assistants_coming_up_in_the_province_leaves_out_called_off_events(
    gql: GraphQLClient, admin_token: str
) -> None:
    query = _assistant_query("PROVINCE_EVENTS")
    soon = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    called_off = {}
    for slug, status in (("called-off-fair", "CANCELLED"), ("put-off-fair", "POSTPONED")):
        data = event_input(slug, soon, location={"lat": 19.8, "lng": 105.77})
        event = await create_event(gql, admin_token, data)
        await gql(UPDATE, {"id": event, "input": {**data, "status": status}}, token=admin_token)
        called_off[slug] = data["name"]["vi"]
    body = await gql(query, {"first": 3, "lang": "VI"})
    names = [node["name"] for node in body["data"]["events"]["nodes"]]
    assert len(names) == 3 and not set(names) & set(called_off.values()), names
