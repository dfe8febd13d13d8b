"""What a ward/commune shows: its station's current index (or "no data") and its alert state;
and the agency's official alerts to chosen wards/communes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domains.environment.access import require_agency_staff
from domains.environment.air_quality import StationReading
from domains.environment.areas import Area, load_areas, station_of
from domains.environment.models import AreaAlertDocument
from domains.environment.repository import EnvironmentStore
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.folding import tokens
from domains.kernel.types import Session
from domains.kernel.validation import clean_text, localized_text
from domains.notifications import outbox

OFFICIAL_CATEGORY = "environment.official_alert"
MAX_AREAS = 200


@dataclass(frozen=True, slots=True)
class AreaView:
    area: Area
    reading: StationReading | None  # None: no station within reach
    distance_km: float | None
    alert: AreaAlertDocument | None


def matching(areas: Sequence[Area], search: str) -> tuple[Area, ...]:
    """Areas whose name holds every word typed, accents optional ("sam son" finds Sầm Sơn)."""
    text = clean_text(search, field="search", limit=100) or ""
    words = tokens(text)
    return tuple(
        area
        for area in areas
        if all(word in tokens(" ".join(area.name.values())) for word in words)
    )


async def area_views(
    *,
    store: EnvironmentStore,
    codes: Sequence[str] | None = None,
    search: str | None = None,
    now: datetime | None = None,
) -> list[AreaView]:
    """The areas asked for (all by default), each with its station's latest index."""
    now = now or utcnow()
    areas = load_areas().areas
    if codes is not None:
        areas = tuple(area for area in areas if area.code in set(codes))
    if search is not None:
        areas = matching(areas, search)
    stations = {station["_id"]: station for station in await store.stations.all()}
    states = await store.area_alerts.states([area.code for area in areas])
    latest = {sid: await store.hours.latest_with_index(sid) for sid in stations}
    views = []
    for area in areas:
        found = station_of(area, list(stations.values()))
        reading = None
        if found is not None:
            reading = StationReading(stations[found[0]], latest[found[0]], now)
        distance = round(found[1], 2) if found is not None else None
        views.append(AreaView(area, reading, distance, states.get(area.code)))
    return views


async def send_official_alert(
    *,
    caller: Caller[EnvironmentStore],
    area_codes: Sequence[str],
    title: dict[str, str],
    body: dict[str, str],
) -> list[str]:
    """Queue an official alert (a chemical spill, a water cut) to the followers of each area
    (environment agency staff); returns the topics it went to."""
    uid = require_agency_staff(caller.principal)
    areas = load_areas()
    codes = list(dict.fromkeys(code.strip() for code in area_codes))
    unknown = [code for code in codes if areas.get(code) is None]
    if not codes or len(codes) > MAX_AREAS or unknown:
        raise InvalidInput(
            f"Give 1 to {MAX_AREAS} ward/commune codes we know; unknown: "
            f"{', '.join(unknown[:5]) or 'none'}.",
            field="areaCodes",
        )
    title = localized_text(title, field="title", limit=outbox.MAX_TITLE)
    body = localized_text(body, field="body", limit=outbox.MAX_BODY)
    topics = [outbox.topic_name("commune", code) for code in codes]

    async def work(session: Session) -> None:
        for topic in topics:
            await outbox.enqueue(
                db=caller.store.db,
                session=session,
                topic=topic,
                title=title,
                body=body,
                category=OFFICIAL_CATEGORY,
                sender=uid,
            )

    await caller.store.transaction(work)
    return topics
