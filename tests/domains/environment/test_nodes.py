"""node(id:) refetches stations and reports with the visibility of their own queries."""

from typing import Any

import httpx

from domains.environment.seed import seed_demo
from domains.kernel.auth import Role
from tests.conftest import GraphQLClient
from tests.domains.environment.support import FILE, REVIEW, jpeg_with_gps, multipart

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on MonitoringStation { name } ... on PollutionReport { text mine }
  ... on ReportPhoto { url } } }"""
ONE = "query($id: ID!) { pollutionReport(id: $id) { __typename id text mine } }"


async def node(gql: GraphQLClient, node_id: str, token: str | None = None) -> Any:
    body = await gql(NODE, {"id": node_id}, token=token)
    assert "errors" not in body, body
    return body["data"]["node"]


async def test_stations_are_refetched_by_anyone(gql: GraphQLClient, db: Any) -> None:
    await seed_demo(db=db, progress=lambda done, total: None)
    (station, *_) = (await gql("{ monitoringStations { id name } }"))["data"]["monitoringStations"]
    assert await node(gql, station["id"]) == {"__typename": "MonitoringStation", **station}
    assert await node(gql, "th-no-such-station") is None


async def test_a_report_and_its_photo_are_refetched_as_pollution_report_shows_them(
    gql: GraphQLClient, http: httpx.AsyncClient, dev_token: Any
) -> None:
    reporter, neighbour = dev_token("node-reporter"), dev_token("node-neighbour")
    staff = dev_token("node-agency", Role.ENVIRONMENT_STAFF)
    variables = {"c": "DUST", "t": "Bụi mù mịt cả ngày", "lat": 19.79, "lng": 105.71}
    filed = await multipart(http, FILE, variables, [jpeg_with_gps()], reporter)
    report = filed["data"]["filePollutionReport"]["report"]["id"]
    (photo,) = filed["data"]["filePollutionReport"]["report"]["photos"]
    shown = {"__typename": "ReportPhoto", "id": photo["id"], "url": photo["url"]}
    for token, visible in ((reporter, True), (staff, True), (neighbour, False), (None, False)):
        assert await node(gql, photo["id"], token) == (shown if visible else None)  # unreviewed
    await gql(REVIEW, {"id": report, "p": False}, token=staff)  # hidden after review
    for token in (None, reporter, neighbour, staff):
        same = (await gql(ONE, {"id": report}, token=token))["data"]["pollutionReport"]
        assert await node(gql, report, token) == same
    assert (await node(gql, report, reporter))["mine"] is True
    assert await node(gql, report, neighbour) is None
