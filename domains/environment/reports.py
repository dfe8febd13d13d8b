"""Citizens' pollution reports (phản ánh hiện trường): filing one, "similar report nearby", the
limits against abuse, and what each caller may see of a report."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bson import ObjectId

from domains.environment.access import is_agency_staff
from domains.environment.areas import load_areas
from domains.environment.errors import ReportLimitReached, ReportNotFound
from domains.environment.models import ReportDocument
from domains.environment.photos import clean_photo
from domains.environment.repository import EnvironmentStore
from domains.kernel.auth import Principal, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.geo import check_inside_vietnam, distance_km, point
from domains.kernel.repository import parse_object_id
from domains.kernel.validation import required_text


class ReportCategory(Enum):
    BURNING_WASTE = "burning_waste"
    DUMPED_RUBBISH = "dumped_rubbish"
    POLLUTED_WATER = "polluted_water"
    DUST = "dust"
    NOISE = "noise"


# Who handles what: waste in the open is the ward/commune's to clear; water, dust and noise from
# works and plants are the provincial department's to inspect.
AGENCIES = {
    "commune": {"vi": "UBND phường/xã", "en": "Ward/commune People's Committee"},
    "department": {
        "vi": "Sở Nông nghiệp và Môi trường",
        "en": "Department of Agriculture and Environment",
    },
}
ROUTING = {
    ReportCategory.BURNING_WASTE: "commune",
    ReportCategory.DUMPED_RUBBISH: "commune",
    ReportCategory.POLLUTED_WATER: "department",
    ReportCategory.DUST: "department",
    ReportCategory.NOISE: "department",
}
MAX_PHOTOS = 3
MAX_PER_DAY = 5
MAX_OPEN = 3
SIMILAR_RADIUS_M = 200.0
SIMILAR_WITHIN = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Filed:
    report: ReportDocument
    joined: bool  # True: a similar open report nearby got the citizen's support instead


def nearest_area(lat: float, lng: float) -> str | None:
    """The ward/commune whose centre is nearest (within 15 km), by code."""
    best: tuple[float, str] | None = None
    for area in load_areas().areas:
        distance = distance_km(lat, lng, area.lat, area.lng)
        if distance <= 15 and (best is None or distance < best[0]):
            best = (distance, area.code)
    return best[1] if best else None


async def _check_limits(store: EnvironmentStore, uid: str, now: datetime) -> None:
    if await store.reports.count_since(uid, now - timedelta(days=1)) >= MAX_PER_DAY:
        raise ReportLimitReached(f"At most {MAX_PER_DAY} reports a day; try again tomorrow.")
    if await store.reports.open_count(uid) >= MAX_OPEN:
        raise ReportLimitReached(
            f"You have {MAX_OPEN} reports still open; wait until one is resolved."
        )


async def file_report(
    *,
    caller: Caller[EnvironmentStore],
    category: ReportCategory,
    text: str,
    lat: float,
    lng: float,
    photos: Sequence[bytes],
    now: datetime | None = None,
) -> Filed:
    """File a report (signed-in citizens), or support the same open report nearby."""
    uid = require_user(caller.principal)
    now = now or utcnow()
    text = required_text(text, field="text", limit=2000, minimum=10)
    check_inside_vietnam(lat, lng)
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"At most {MAX_PHOTOS} photos.", field="photos")
    store = caller.store
    similar = await store.reports.similar_open(
        category=category.value,
        lat=lat,
        lng=lng,
        radius_m=SIMILAR_RADIUS_M,
        since=now - SIMILAR_WITHIN,
    )
    if similar is not None:
        if similar["reporterUid"] == uid:
            return Filed(similar, joined=True)
        return Filed(await store.reports.add_supporter(similar["_id"], uid, now), joined=True)
    await _check_limits(store, uid, now)
    cleaned = [clean_photo(data) for data in photos]
    photo_ids = [await store.photos.put(photo) for photo in cleaned]
    report: ReportDocument = {
        "_id": ObjectId(),
        "reporterUid": uid,
        "category": category.value,
        "text": text,
        "location": point(lat, lng),
        "areaCode": nearest_area(lat, lng),
        "agency": ROUTING[category],
        "status": "received",
        "open": True,
        "photoIds": photo_ids,
        "resultPhotoIds": [],
        "reviewed": False,
        "hidden": False,
        "supporters": [],
        "history": [{"status": "received", "at": now, "by": "reporter"}],
        "createdAt": now,
        "updatedAt": now,
    }
    await store.reports.insert(report)
    return Filed(report, joined=False)


class Visibility(Enum):
    """How much of a report a caller sees."""

    FULL = "full"  # its reporter and agency staff
    PUBLIC = "public"  # reviewed by staff: text, exact place, photos; never the reporter
    SUMMARY = "summary"  # not reviewed yet: category, status, ward and a rounded place only


def visibility(report: ReportDocument, principal: Principal) -> Visibility | None:
    """None when the caller may not see the report at all (hidden, not theirs)."""
    if is_agency_staff(principal) or report["reporterUid"] == principal.uid:
        return Visibility.FULL
    if report["hidden"]:
        return None
    return Visibility.PUBLIC if report["reviewed"] else Visibility.SUMMARY


async def get_report(
    *, caller: Caller[EnvironmentStore], report_id: str
) -> tuple[ReportDocument, Visibility]:
    object_id = parse_object_id(report_id)
    report = await caller.store.reports.find(object_id) if object_id else None
    seen = visibility(report, caller.principal) if report else None
    if report is None or seen is None:
        raise ReportNotFound()
    return report, seen


async def get_photo(*, caller: Caller[EnvironmentStore], photo_id: str) -> ObjectId | None:
    """A photo's id when `pollutionReport` would show it to the caller: a result photo with
    its report, a reporter's photo where the report's text is shown too."""
    object_id = parse_object_id(photo_id)
    report = await caller.store.reports.showing_photo(object_id) if object_id else None
    seen = visibility(report, caller.principal) if report else None
    if report is None or seen is None:
        return None
    if object_id in report["resultPhotoIds"]:
        return object_id
    return object_id if seen is not Visibility.SUMMARY else None
