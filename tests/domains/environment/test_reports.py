"""Citizens' pollution reports: photos (EXIF gone, non-images refused) sent as GraphQL multipart
requests, the lifecycle with its actor matrix, review and hiding, similar reports, limits."""

import io
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from PIL import Image

from domains.environment import personal_data
from domains.environment.photos import PhotoStore, clean_photo
from domains.kernel.auth import Role
from domains.kernel.errors import InvalidInput
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from tests.conftest import GraphQLClient
from tests.domains.environment.support import FILE, REVIEW, jpeg_with_gps, multipart

CHANGE = """mutation($id: ID!, $s: PollutionReportStatus!, $note: String, $photos: [Upload!]) {
  changePollutionReportStatus(id: $id, status: $s, note: $note, photos: $photos) {
    __typename
    ... on PollutionReport { status rejectReason resultPhotos { id } history { status note } }
    ... on UserError { code message }
    ... on ValidationFailed { field }
  } }"""
ONE = """query($id: ID!) { pollutionReport(id: $id) {
  text approximate mine location { lat lng } photos { id thumbnailDataUrl } } }"""
HAC_THANH = {"lat": 19.8071, "lng": 105.7763}


def test_a_photo_comes_out_without_its_exif() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is there
    clean = clean_photo(original)
    for data in (clean.image, clean.thumbnail):
        with Image.open(io.BytesIO(data)) as opened:
            assert opened.format == "JPEG" and dict(opened.getexif()) == {}
            assert b"PhoneMaker" not in data and "exif" not in opened.info
    assert (clean.width, clean.height) == (64, 48)


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4 not an image", b"GIF89a" + bytes(40), b"", b"\xff\xd8\xff broken jpeg"]
)
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as error:
        clean_photo(data)
    assert error.value.details["field"] == "photos"


async def test_filing_with_photos_and_refusing_a_non_image(
    http: httpx.AsyncClient, db: Database, dev_token: Any
) -> None:
    token = dev_token("reporter-1")
    variables = {"c": "BURNING_WASTE", "t": "Đốt rác thải nhựa ven đường mỗi tối", **HAC_THANH}
    body = await multipart(http, FILE, variables, [jpeg_with_gps()], token)
    filed = body["data"]["filePollutionReport"]
    assert filed["__typename"] == "PollutionReportFiled" and not filed["joinedExisting"]
    report = filed["report"]
    assert report["status"] == "RECEIVED" and report["areaName"] == "Phường Hạc Thành"
    assert report["agency"] == "UBND phường/xã"
    (photo,) = report["photos"]
    stored = await PhotoStore(db).read(ObjectId(photo["id"]))
    assert stored is not None and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as opened:
        assert dict(opened.getexif()) == {}
    refused = await multipart(http, FILE, {**variables, **{"lat": 19.9}}, [b"%PDF-1.7"], token)
    assert refused["data"]["filePollutionReport"]["field"] == "photos"


async def file(gql: GraphQLClient, token: str, category: str, lat: float, lng: float) -> Any:
    variables = {"c": category, "t": "Nước thải màu đen chảy ra sông", "lat": lat, "lng": lng}
    return (await gql(FILE, variables, token=token))["data"]["filePollutionReport"]


async def test_lifecycle_and_who_may_move_a_report(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database, dev_token: Any
) -> None:
    reporter, other = dev_token("reporter-2"), dev_token("neighbour")
    report = (await file(gql, reporter, "POLLUTED_WATER", 19.75, 105.85))["report"]
    assert report["agency"] == "Sở Nông nghiệp và Môi trường"
    rid = report["id"]
    seen = (await gql(ONE, {"id": rid}, token=other))["data"]["pollutionReport"]
    assert seen["text"] is None and seen["approximate"] is True and seen["mine"] is False
    assert seen["location"] == {"lat": 19.75, "lng": 105.85}
    for token, code in (
        (None, "UNAUTHENTICATED"),
        (other, "FORBIDDEN"),
        (reporter, "FORBIDDEN"),
        (dev_token("nurse", Role.HOSPITAL_STAFF, hospitals=("h",)), "FORBIDDEN"),
        (dev_token("op", Role.STATION_OPERATOR, stations=("s",)), "FORBIDDEN"),
    ):
        refused = await gql(CHANGE, {"id": rid, "s": "ASSIGNED"}, token=token)
        assert refused["errors"][0]["extensions"]["code"] == code
    staff, admin = dev_token("agency", Role.ENVIRONMENT_STAFF), dev_token("root", Role.ADMIN)
    moved = (await gql(CHANGE, {"id": rid, "s": "ASSIGNED"}, token=staff))["data"]
    assert moved["changePollutionReportStatus"]["status"] == "ASSIGNED"
    skip = await gql(CHANGE, {"id": rid, "s": "ASSIGNED"}, token=staff)
    assert skip["data"]["changePollutionReportStatus"]["code"] == "REPORT_STATUS_CONFLICT"
    await gql(CHANGE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)
    no_photo = await gql(CHANGE, {"id": rid, "s": "RESOLVED"}, token=staff)
    assert no_photo["data"]["changePollutionReportStatus"]["field"] == "photos"
    done = await multipart(http, CHANGE, {"id": rid, "s": "RESOLVED"}, [jpeg_with_gps()], staff)
    resolved = done["data"]["changePollutionReportStatus"]
    assert resolved["status"] == "RESOLVED" and len(resolved["resultPhotos"]) == 1
    pushes = db["notifications"].find({"audience.userIds": "reporter-2"})
    statuses = [n["data"]["status"] async for n in pushes]
    assert statuses == ["assigned", "in_progress", "resolved"]


async def test_rejection_needs_a_reason(gql: GraphQLClient, dev_token: Any) -> None:
    rid = (await file(gql, dev_token("reporter-3"), "NOISE", 19.70, 105.70))["report"]["id"]
    staff = dev_token("agency", Role.ENVIRONMENT_STAFF)
    bare = await gql(CHANGE, {"id": rid, "s": "REJECTED"}, token=staff)
    assert bare["data"]["changePollutionReportStatus"]["field"] == "note"
    note = "Tiếng ồn trong giới hạn cho phép."
    rejected = await gql(CHANGE, {"id": rid, "s": "REJECTED", "note": note}, token=staff)
    assert rejected["data"]["changePollutionReportStatus"]["rejectReason"] == note


async def test_review_publishes_and_hiding_removes(gql: GraphQLClient, dev_token: Any) -> None:
    reporter, other = dev_token("reporter-4"), dev_token("neighbour")
    rid = (await file(gql, reporter, "DUST", 19.80, 105.70))["report"]["id"]
    staff = dev_token("agency", Role.ENVIRONMENT_STAFF)
    assert (await gql(REVIEW, {"id": rid, "p": True}, token=other))["errors"]
    await gql(REVIEW, {"id": rid, "p": True}, token=staff)
    public = (await gql(ONE, {"id": rid}))["data"]["pollutionReport"]
    assert public["text"] and public["approximate"] is False and public["mine"] is False
    await gql(REVIEW, {"id": rid, "p": False}, token=staff)
    assert (await gql(ONE, {"id": rid}, token=other))["data"]["pollutionReport"] is None
    assert (await gql(ONE, {"id": rid}, token=reporter))["data"]["pollutionReport"]["mine"]


async def test_a_similar_report_nearby_adds_weight(gql: GraphQLClient, dev_token: Any) -> None:
    first = (await file(gql, dev_token("reporter-5"), "DUMPED_RUBBISH", 19.76, 105.78))["report"]
    second = await file(gql, dev_token("reporter-6"), "DUMPED_RUBBISH", 19.7603, 105.7802)
    assert second["joinedExisting"] is True and second["report"]["id"] == first["id"]
    assert second["report"]["supporterCount"] == 1


async def test_open_reports_are_capped(gql: GraphQLClient, dev_token: Any) -> None:
    token = dev_token("busy-reporter")
    for i in range(3):
        assert (await file(gql, token, "NOISE", 19.5 + i / 10, 105.6))["report"]
    capped = await file(gql, token, "NOISE", 19.95, 105.6)
    assert capped["__typename"] == "ReportLimitReachedError"
    assert capped["code"] == "REPORT_LIMIT_REACHED"


async def test_erasure_takes_the_reports_and_photos_and_the_purge_orphans(
    http: httpx.AsyncClient, db: Database, resources: Resources, dev_token: Any
) -> None:
    token = dev_token("leaving")
    variables = {"c": "DUST", "t": "Bụi từ công trường phủ kín đường", "lat": 19.6, "lng": 105.9}
    body = await multipart(http, FILE, variables, [jpeg_with_gps()], token)
    photo = ObjectId(body["data"]["filePollutionReport"]["report"]["photos"][0]["id"])
    holder = personal_data.holder(resources)
    exported = await holder.export("leaving")
    assert [r["text"] for r in exported["environment_reports"]] == [variables["t"]]
    assert await holder.erase("leaving") == 1
    assert await PhotoStore(db).read(photo) is None
    assert (await holder.export("leaving"))["environment_reports"] == []
    orphan = await PhotoStore(db).put(clean_photo(jpeg_with_gps()))
    later = datetime.now(UTC) + timedelta(days=2)
    assert await personal_data.purge(resources, later) >= 1
    assert await PhotoStore(db).read(orphan) is None


async def test_a_photo_larger_than_a_json_body_may_be_uploaded(
    http: httpx.AsyncClient, dev_token: Any
) -> None:
    big = io.BytesIO()
    Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(big, format="PNG")
    assert big.tell() > 1024 * 1024  # over GRAPHQL_MAX_BODY_BYTES (512 KiB)
    variables = {"c": "DUST", "t": "Bụi mịn từ nhà máy gạch tuynel", "lat": 19.55, "lng": 105.9}
    body = await multipart(http, FILE, variables, [big.getvalue()], dev_token("big-photo"))
    report = body["data"]["filePollutionReport"]["report"]
    assert len(report["photos"]) == 1


async def test_the_map_lists_reports_nearest_first(gql: GraphQLClient, dev_token: Any) -> None:
    near = await file(gql, dev_token("map-1"), "NOISE", 19.421, 105.761)
    far = await file(gql, dev_token("map-2"), "DUST", 19.43, 105.77)
    query = """{ pollutionReportsNear(near: {lat: 19.42, lng: 105.76, radiusKm: 3}) {
      id text approximate } }"""
    found = (await gql(query))["data"]["pollutionReportsNear"]
    assert [r["id"] for r in found] == [near["report"]["id"], far["report"]["id"]]
    assert all(r["text"] is None and r["approximate"] for r in found)
