"""No N+1: a page of attractions with reviews, events and places costs a fixed few commands."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient, monitoring
from starlette.applications import Starlette

from api.graphql_app import GraphQLApp
from api.settings import Settings
from domains.kernel.clock import utcnow
from domains.kernel.geo import point
from domains.kernel.resources import Resources
from domains.tourism.repositories.attractions import AttractionRepository
from domains.tourism.repositories.events import EventRepository
from domains.tourism.repositories.reviews import ReviewRepository
from tests.domains.tourism.conftest import refresh_read_sides

CENTRE = (19.80, 105.77)
PAGE = """query($first: Int) {
  attractions(near: {lat: 19.80, lng: 105.77, radiusKm: 20}, first: $first) {
    nodes {
      name distanceKm openNow isFavorite rating { average count }
      reviews(first: 2) { rating text mine }
      upcomingEvents { name status isSubscribed place { name } }
    }
  } }"""
IGNORED = {"hello", "ismaster", "isMaster", "ping", "endSessions", "saslStart", "saslContinue"}


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in IGNORED:
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture(scope="module")
async def monitored(
    app: Starlette, settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, CommandCounter]]:
    """The same schema and sign-in as the app, over a client whose commands we count."""
    counter = CommandCounter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_uri, tz_aware=True, event_listeners=[counter]
    )
    runtime = app.state.runtime
    wired: Resources = runtime.resources
    endpoint = GraphQLApp(
        app.state.schema,
        resources=Resources(
            db=client[settings.mongodb_database],
            locks=wired.locks,
            components=wired.components,
        ),
        authenticator=runtime.graphql.authenticator,
        graphiql=False,
        allow_get=False,
    )
    transport = httpx.ASGITransport(app=endpoint)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http, counter
    await client.close()


@pytest.fixture(scope="module")
async def crowded(db: Any, resources: Resources) -> None:
    """30 attractions around one point, each with 3 reviews and 2 upcoming events."""
    now = utcnow()
    attractions, reviews, events = [], [], []
    for i in range(30):
        attraction_id = ObjectId()
        attractions.append(
            {
                "_id": attraction_id,
                "slug": f"crowd-{i}",
                "name": {"vi": f"Điểm {i}", "en": f"Spot {i}"},
                "description": {"vi": "Mô tả"},
                "category": "landmark",
                "location": point(CENTRE[0] + i * 0.001, CENTRE[1] + i * 0.001),
                "address": "TP Thanh Hóa",
                "district": "TP Thanh Hóa",
                "districtKey": "tp thanh hoa",
                "nameKey": f"diem {i:02d}",
                "openingHours": [
                    {"weekday": d, "opens": "07:00", "closes": "17:00"} for d in range(7)
                ],
                "specialDays": [],
                "tickets": {"free": True},
                "rating": {"sum": 12, "count": 3},
                "searchPrimary": [],
                "searchTerms": [],
                "createdAt": now,
                "updatedAt": now,
            }
        )
        for j in range(3):
            reviews.append(
                {
                    "attractionId": attraction_id,
                    "uid": f"u{j}",
                    "rating": 4,
                    "text": "ok",
                    "hidden": False,
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
        for j in range(2):
            events.append(
                {
                    "slug": f"crowd-{i}-{j}",
                    "name": {"vi": f"Hội {i}-{j}"},
                    "description": {"vi": "x"},
                    "startsAt": now + timedelta(days=300 + j),
                    "endsAt": now + timedelta(days=300 + j, hours=4),
                    "status": "scheduled",
                    "attractionId": attraction_id,
                    "location": point(CENTRE[0], CENTRE[1]),
                    "venue": {"vi": "x"},
                    "district": "",
                    "scheduleVersion": 1,
                    "searchPrimary": [],
                    "searchTerms": [],
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
    await AttractionRepository(db).collection.insert_many(attractions)
    await ReviewRepository(db).collection.insert_many(reviews)
    await EventRepository(db).collection.insert_many(events)
    await refresh_read_sides(resources)


async def commands_for(
    monitored: tuple[httpx.AsyncClient, CommandCounter], first: int, token: str | None = None
) -> list[str]:
    http, counter = monitored
    counter.names.clear()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": PAGE, "variables": {"first": first}}, headers=headers
    )
    body = response.json()
    assert "errors" not in body, body
    nodes = body["data"]["attractions"]["nodes"]
    assert len(nodes) == first
    assert all(len(n["reviews"]) == 2 and len(n["upcomingEvents"]) == 2 for n in nodes)
    assert all(e["place"]["name"] == n["name"] for n in nodes for e in n["upcomingEvents"])
    return list(counter.names)


@pytest.mark.usefixtures("crowded")
async def test_a_page_costs_the_same_few_commands_whatever_its_size(
    monitored: tuple[httpx.AsyncClient, CommandCounter], dev_token: Any
) -> None:
    # The loaders run concurrently, so their commands may start in either order.
    small = sorted(await commands_for(monitored, 5))
    large = sorted(await commands_for(monitored, 20))
    assert small == large
    # Latest reviews, upcoming events, event places (the attractions themselves come from the
    # in-process read side); isFavorite and isSubscribed cost nothing for an anonymous visitor.
    assert sorted(large) == ["aggregate", "find", "find"]
    signed_in = await commands_for(monitored, 20, token=dev_token("counter"))
    # Plus the favourites and subscriptions lookups, and the sign-in's role lookup.
    assert len(signed_in) <= len(large) + 3
