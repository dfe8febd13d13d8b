"""Open311 GeoReport v2 read side: the specification's field names, its filters and errors, and
only what the public may see (plus the public photo files)."""

from typing import Any

import httpx
import pytest

from domains.kernel.auth import Role
from tests.conftest import GraphQLClient
from tests.domains.environment.support import FILE, REVIEW, jpeg_with_gps, multipart

SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
TEXT = "Khói đốt rác bay vào khu dân cư"


@pytest.fixture(scope="module")
async def filed(http: httpx.AsyncClient, gql: GraphQLClient, dev_token: Any) -> dict[str, Any]:
    staff = dev_token("agency", Role.ENVIRONMENT_STAFF)
    variables = {"c": "BURNING_WASTE", "t": TEXT, "lat": 19.8071, "lng": 105.7763}
    body = await multipart(http, FILE, variables, [jpeg_with_gps()], dev_token("citizen-1"))
    public = body["data"]["filePollutionReport"]["report"]
    water = {"c": "POLLUTED_WATER", "t": "Nước sông có mùi hôi", "lat": 19.9, "lng": 105.8}
    pending = (await gql(FILE, water, token=dev_token("citizen-2")))["data"]
    hidden = (await gql(FILE, {**water, "lat": 19.5}, token=dev_token("citizen-3")))["data"]
    photo = public["photos"][0]["url"]
    assert (await http.get(photo)).status_code == 404  # not reviewed yet
    await gql(REVIEW, {"id": public["id"], "p": True}, token=staff)
    hidden_id = hidden["filePollutionReport"]["report"]["id"]
    await gql(REVIEW, {"id": hidden_id, "p": False}, token=staff)
    return {
        "public": public["id"],
        "pending": pending["filePollutionReport"]["report"]["id"],
        "hidden": hidden_id,
        "photo": photo,
    }


async def test_services_use_the_specifications_fields(http: httpx.AsyncClient) -> None:
    response = await http.get("/open311/v2/services.json", headers={"accept-language": "en"})
    services = response.json()
    assert response.status_code == 200 and len(services) == 5
    assert all(set(service) == SERVICE_FIELDS for service in services)
    burning = next(s for s in services if s["service_code"] == "burning_waste")
    assert burning["service_name"] == "Open burning of waste" and burning["type"] == "realtime"


async def test_requests_show_what_the_public_may_see(
    http: httpx.AsyncClient, filed: dict[str, Any]
) -> None:
    rows = (await http.get("/open311/v2/requests.json")).json()
    assert all(set(row) == REQUEST_FIELDS for row in rows)
    by_id = {row["service_request_id"]: row for row in rows}
    assert filed["hidden"] not in by_id
    public, pending = by_id[filed["public"]], by_id[filed["pending"]]
    assert public["description"] == TEXT and public["status"] == "open"
    assert public["lat"] == 19.8071 and public["media_url"].endswith(filed["photo"])
    assert public["address"] == "Phường Hạc Thành" and public["requested_datetime"].endswith(
        "+07:00"
    )
    assert pending["description"] is None and pending["media_url"] is None
    assert (pending["lat"], pending["long"]) == (19.9, 105.8)
    assert (await http.get(filed["photo"])).headers["content-type"] == "image/jpeg"


async def test_filters_single_request_tokens_and_errors(
    http: httpx.AsyncClient, filed: dict[str, Any]
) -> None:
    water = (await http.get("/open311/v2/requests.json?service_code=polluted_water")).json()
    assert [row["service_request_id"] for row in water] == [filed["pending"]]
    closed = (await http.get("/open311/v2/requests.json?status=closed")).json()
    assert closed == []
    both = f"{filed['public']},{filed['pending']}"
    listed = (await http.get(f"/open311/v2/requests.json?service_request_id={both}")).json()
    assert {row["service_request_id"] for row in listed} == {filed["public"], filed["pending"]}
    one = (await http.get(f"/open311/v2/requests/{filed['public']}.json")).json()
    assert [row["service_request_id"] for row in one] == [filed["public"]]
    for path in (f"requests/{filed['hidden']}.json", "requests/nope.json", "tokens/nope.json"):
        missing = await http.get(f"/open311/v2/{path}")
        assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    token = (await http.get(f"/open311/v2/tokens/{filed['public']}.json")).json()
    assert token == [{"service_request_id": filed["public"], "token": filed["public"]}]
    bad = await http.get("/open311/v2/requests.json?service_code=fireworks")
    assert bad.status_code == 400 and "service_code" in bad.json()[0]["description"]
    naive = await http.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00")
    assert naive.status_code == 400


async def test_filing_a_request_needs_the_citizens_token(
    http: httpx.AsyncClient, dev_token: Any
) -> None:
    form = {
        "service_code": "dumped_rubbish",
        "lat": "19.7",
        "long": "105.85",
        "description": "Rác thải xây dựng đổ dưới chân cầu",
        "api_key": "city-tool",
    }
    anonymous = await http.post("/open311/v2/requests.json", data=form)
    assert anonymous.status_code == 401 and anonymous.json()[0]["code"] == 401
    token = {"Authorization": f"Bearer {dev_token('open311-citizen')}"}
    filed = await http.post("/open311/v2/requests.json", data=form, headers=token)
    (row,) = filed.json()
    assert filed.status_code == 200 and set(row) == {
        "service_request_id",
        "service_notice",
        "account_id",
    }
    mine = (await http.get(f"/open311/v2/requests/{row['service_request_id']}.json")).json()
    assert mine[0]["service_code"] == "dumped_rubbish" and mine[0]["status"] == "open"
    bad = await http.post(
        "/open311/v2/requests.json", data={**form, "service_code": "x"}, headers=token
    )
    assert bad.status_code == 400
    short = await http.post(
        "/open311/v2/requests.json", data={**form, "description": "rác"}, headers=token
    )
    assert short.status_code == 400 and "text" in short.json()[0]["description"]
