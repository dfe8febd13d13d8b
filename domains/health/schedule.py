"""Province time: wall-clock times of the facilities, days, and a slot's booking window."""

import re
from datetime import UTC, date, datetime, time, timedelta

from domains.health.models import BookingPolicy
from domains.kernel.clock import PROVINCE_TZ, as_utc
from domains.kernel.errors import InvalidInput

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def local_date(moment: datetime) -> date:
    return as_utc(moment).astimezone(PROVINCE_TZ).date()


def at_local(day: date, hhmm: str) -> datetime:
    """UTC instant of a wall-clock time in the province on ``day``."""
    match = _HHMM.match(hhmm)
    if match is None:
        raise InvalidInput(f"Time {hhmm!r} is not HH:MM (24-hour, e.g. 07:30).", field="time")
    local = datetime.combine(day, time(int(match[1]), int(match[2])), tzinfo=PROVINCE_TZ)
    return local.astimezone(UTC)


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """From midnight of ``first`` to midnight after ``last`` (or after ``first``), province time."""
    return at_local(first, "00:00"), at_local((last or first) + timedelta(days=1), "00:00")


def booking_window(start: datetime, policy: BookingPolicy) -> tuple[datetime, datetime]:
    """When a slot starting at ``start`` may be booked: from midnight ``daysAhead`` days before
    its date, until the daily cut-off on the day before (evaluated in the province's time)."""
    day = local_date(start)
    opens = at_local(day - timedelta(days=policy["daysAhead"]), "00:00")
    closes = at_local(day - timedelta(days=1), policy["cutoff"])
    return opens, closes


def shown(moment: datetime) -> str:
    """A moment as a message shows it: ``07:30 12/03/2026``, province time."""
    return f"{as_utc(moment).astimezone(PROVINCE_TZ):%H:%M %d/%m/%Y}"


def shown_time(moment: datetime) -> str:
    """The time of day only: ``07:30``, province time."""
    return f"{as_utc(moment).astimezone(PROVINCE_TZ):%H:%M}"
