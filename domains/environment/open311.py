"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2), read side, as a small JSON facade over
the pollution reports, with the specification's field names; and the public photo files.

What a city tool reads here is what the public sees (``reports.visibility`` for an anonymous
caller): before staff review, no description, a rounded place and no media; hidden reports are
not listed. ``POST requests.json`` files a report for the signed-in citizen: the specification's
``api_key`` names an application, not a person, so the citizen's ``Authorization: Bearer`` token
is required instead, and ``media_url`` is not fetched (a server fetching any URL it is given is a
request-forgery risk): photos go through ``filePollutionReport``.
"""

from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domains.environment import reports
from domains.environment.areas import load_areas
from domains.environment.models import ReportDocument
from domains.environment.photos import PhotoStore
from domains.environment.report_types import photo_url
from domains.environment.reports import AGENCIES, ReportCategory, Visibility, visibility
from domains.environment.repository import EnvironmentStore
from domains.kernel.auth import ANONYMOUS
from domains.kernel.caller import Caller
from domains.kernel.clock import PROVINCE_TZ, as_utc, utcnow
from domains.kernel.errors import DomainError
from domains.kernel.http import principal_of, resources_of
from domains.kernel.i18n import parse_accept_language, pick
from domains.kernel.repository import parse_object_id

PREFIX = "/open311/v2"
MAX_RESULTS = 200
DEFAULT_SPAN = timedelta(days=90)
SERVICES = {
    ReportCategory.BURNING_WASTE: (
        {"vi": "Đốt rác, chất thải ngoài trời", "en": "Open burning of waste"},
        "đốt rác,khói,burning,smoke",
    ),
    ReportCategory.DUMPED_RUBBISH: (
        {"vi": "Đổ rác, chất thải trái phép", "en": "Illegally dumped rubbish"},
        "rác,đổ trộm,rubbish,dumping",
    ),
    ReportCategory.POLLUTED_WATER: (
        {"vi": "Ô nhiễm nguồn nước", "en": "Polluted water"},
        "nước thải,sông,water,sewage",
    ),
    ReportCategory.DUST: ({"vi": "Bụi", "en": "Dust"}, "bụi,công trường,dust,construction"),
    ReportCategory.NOISE: ({"vi": "Tiếng ồn", "en": "Noise"}, "tiếng ồn,noise"),
}
GROUP = {"vi": "Ô nhiễm môi trường", "en": "Environmental pollution"}


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _w3c(value: datetime) -> str:
    return as_utc(value).astimezone(PROVINCE_TZ).isoformat(timespec="seconds")


def _store(request: Request) -> EnvironmentStore:
    return EnvironmentStore.of(resources_of(request))


async def services(request: Request) -> Response:
    language = parse_accept_language(request.headers.get("accept-language"))
    return JSONResponse(
        [
            {
                "service_code": category.value,
                "service_name": pick(name, language),
                "description": pick(name, language),
                "metadata": False,
                "type": "realtime",
                "keywords": keywords,
                "group": pick(GROUP, language),
            }
            for category, (name, keywords) in SERVICES.items()
        ]
    )


def service_request(report: ReportDocument, language: str, base: str) -> dict[str, Any]:
    """One report with the GeoReport v2 field names, as the public may see it."""
    seen = visibility(report, ANONYMOUS)
    public = seen is Visibility.PUBLIC
    lng, lat = report["location"]["coordinates"]
    area = load_areas().get(report["areaCode"]) if report["areaCode"] else None
    photos = report["photoIds"]
    notes = report.get("rejectReason") if report["status"] == "rejected" else None
    return {
        "service_request_id": str(report["_id"]),
        "status": "open" if report["open"] else "closed",
        "status_notes": notes or report["status"].replace("_", " "),
        "service_name": pick(SERVICES[ReportCategory(report["category"])][0], language),
        "service_code": report["category"],
        "description": report["text"] if public else None,
        "agency_responsible": pick(AGENCIES[report["agency"]], language),
        "service_notice": None,
        "requested_datetime": _w3c(report["createdAt"]),
        "updated_datetime": _w3c(report["updatedAt"]),
        "expected_datetime": None,
        "address": pick(area.name, language) if area else None,
        "address_id": report["areaCode"],
        "zipcode": None,
        "lat": lat if public else round(lat, 2),
        "long": lng if public else round(lng, 2),
        "media_url": base + photo_url(photos[0]) if public and photos else None,
    }


def _date(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"`{name}` needs a time zone offset (W3C format).")
    return as_utc(parsed)


async def requests(request: Request) -> Response:
    """GET requests.json: service_request_id (comma-separated), service_code, start_date,
    end_date, status (open, closed); by default the last 90 days, newest first."""
    language = parse_accept_language(request.headers.get("accept-language"))
    try:
        end = _date(request, "end_date") or utcnow()
        start = _date(request, "start_date") or end - DEFAULT_SPAN
    except ValueError as error:
        return _error(400, str(error))
    ids_param = request.query_params.get("service_request_id")
    ids = None
    if ids_param:
        ids = [parse_object_id(part.strip()) for part in ids_param.split(",")[:MAX_RESULTS]]
    code = request.query_params.get("service_code")
    if code is not None and code not in {c.value for c in ReportCategory}:
        return _error(400, f"Unknown service_code {code[:40]!r}: see services.json.")
    status = request.query_params.get("status")
    if status not in (None, "open", "closed"):
        return _error(400, "`status` must be open or closed.")
    found = await _store(request).reports.open311(
        ids=[i for i in ids if i is not None] if ids is not None else None,
        category=code,
        start=start,
        end=end,
        open_only=None if status is None else status == "open",
        limit=MAX_RESULTS,
    )
    base = str(request.base_url).rstrip("/")
    return JSONResponse([service_request(report, language, base) for report in found])


async def create_request(request: Request) -> Response:
    """POST requests.json (form-encoded): service_code, lat, long, description."""
    principal = await principal_of(request)
    if principal is None or principal.uid is None:
        return _error(401, "Send the citizen's Firebase ID token as `Authorization: Bearer ...`.")
    form = await request.form()
    fields = {name: str(form.get(name) or "").strip() for name in ("service_code", "lat", "long")}
    missing = [name for name, value in fields.items() if not value]
    if missing:
        return _error(400, f"Missing {', '.join(missing)}.")
    try:
        category = ReportCategory(fields["service_code"])
        lat, lng = float(fields["lat"]), float(fields["long"])
    except ValueError:
        return _error(400, "`service_code` must be one of services.json; `lat`/`long` numbers.")
    try:
        filed = await reports.file_report(
            caller=Caller(_store(request), principal),
            category=category,
            text=str(form.get("description") or ""),
            lat=lat,
            lng=lng,
            photos=[],
        )
    except DomainError as error:
        return _error(400, error.message)
    notice = "Joined a similar open report nearby." if filed.joined else ""
    return JSONResponse(
        [
            {
                "service_request_id": str(filed.report["_id"]),
                "service_notice": notice,
                "account_id": None,
            }
        ]
    )


async def one_request(request: Request) -> Response:
    language = parse_accept_language(request.headers.get("accept-language"))
    object_id = parse_object_id(str(request.path_params["id"]))
    report = await _store(request).reports.find(object_id) if object_id else None
    if report is None or visibility(report, ANONYMOUS) is None:
        return _error(404, "No service request has this id.")
    return JSONResponse([service_request(report, language, str(request.base_url).rstrip("/"))])


async def token(request: Request) -> Response:
    """Reports get their id when filed, so a token is the id itself."""
    value = str(request.path_params["token"])
    object_id = parse_object_id(value)
    report = await _store(request).reports.find(object_id) if object_id else None
    if report is None or visibility(report, ANONYMOUS) is None:
        return _error(404, "No service request has this token.")
    return JSONResponse([{"service_request_id": value, "token": value}])


async def photo(request: Request) -> Response:
    """A report photo, to anyone only while its report is public (reviewed, not hidden)."""
    name = str(request.path_params["name"])
    thumbnail = name.endswith("-thumb")
    photo_id = parse_object_id(name.removesuffix("-thumb"))
    store = _store(request)
    report = await store.reports.showing_photo(photo_id) if photo_id else None
    if report is None or photo_id is None or visibility(report, ANONYMOUS) is not Visibility.PUBLIC:
        return Response("Not Found", status_code=404)
    data = await PhotoStore(store.db).read(photo_id, thumbnail=thumbnail)
    if data is None:
        return Response("Not Found", status_code=404)
    return Response(
        data, media_type="image/jpeg", headers={"cache-control": "public, max-age=3600"}
    )


ROUTES = (
    Route(f"{PREFIX}/services.json", services, methods=["GET"]),
    Route(f"{PREFIX}/requests.json", requests, methods=["GET"]),
    Route(f"{PREFIX}/requests.json", create_request, methods=["POST"]),
    Route(f"{PREFIX}/requests/{{id}}.json", one_request, methods=["GET"]),
    Route(f"{PREFIX}/tokens/{{token}}.json", token, methods=["GET"]),
    Route("/environment/photos/{name}.jpg", photo, methods=["GET"]),
)
