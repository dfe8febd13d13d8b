"""Shared by the report tests: the filing and review documents, a photo with GPS EXIF, and a
GraphQL multipart request."""

import io
import json
from typing import Any

import httpx
from PIL import Image

FILE = """mutation($c: PollutionReportCategory!, $t: String!, $lat: Float!, $lng: Float!,
  $photos: [Upload!]) {
  filePollutionReport(category: $c, text: $t, lat: $lat, lng: $lng, photos: $photos) {
    __typename
    ... on PollutionReportFiled { joinedExisting report { id status agency areaName
      supporterCount photos { id url } } }
    ... on ReportLimitReachedError { code message }
    ... on ValidationFailed { field message }
  } }"""
REVIEW = """mutation($id: ID!, $p: Boolean!) { reviewPollutionReport(id: $id, publish: $p) {
  __typename ... on PollutionReport { reviewed hidden } } }"""


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x8825] = {1: "N", 2: (19.0, 48.0, 25.0), 3: "E", 4: (105.0, 46.0, 34.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def multipart(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], files: list[bytes], token: str
) -> Any:
    """A GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec)."""
    variables = {**variables, "photos": [None] * len(files)}
    mapping = {str(i): [f"variables.photos.{i}"] for i in range(len(files))}
    response = await http.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps(mapping),
        },
        files={str(i): (f"p{i}.jpg", data, "image/jpeg") for i, data in enumerate(files)},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.json()
