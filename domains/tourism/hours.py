"""Opening hours: "open now" in the province's time zone, the same rule in Python and in MongoDB.

Weekly hours are intervals per weekday; a special day (holiday, festival, closure) replaces the
weekly hours of its date entirely. Times are ``"HH:MM"`` strings, which compare correctly as
strings; ``"24:00"`` closes at midnight, and hours past midnight are a second interval on the next
weekday.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domains.kernel.clock import PROVINCE_TZ
from domains.kernel.errors import InvalidInput

_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class LocalMoment:
    """A moment as the province sees it: its date, weekday and ``HH:MM``."""

    date: str
    weekday: int
    time: str

    @classmethod
    def of(cls, moment: datetime) -> "LocalMoment":
        local = moment.astimezone(PROVINCE_TZ)
        return cls(local.strftime("%Y-%m-%d"), local.weekday(), local.strftime("%H:%M"))


def check_time(value: str, field: str) -> str:
    if not _TIME.match(value):
        raise InvalidInput(
            f"`{field}` must be a time as HH:MM (24-hour, 24:00 for midnight); got {value!r}.",
            field=field,
        )
    return value


def check_interval(opens: str, closes: str, field: str) -> None:
    check_time(opens, f"{field}.opens")
    check_time(closes, f"{field}.closes")
    if closes <= opens:
        raise InvalidInput(
            f"`{field}` closes at {closes}, not after it opens at {opens}; split hours past "
            "midnight into two intervals (until 24:00, then from 00:00 the next day).",
            field=field,
        )


def check_date(value: str, field: str) -> str:
    if _DATE.match(value):
        try:
            datetime.strptime(value, "%Y-%m-%d")
            return value
        except ValueError:
            pass
    raise InvalidInput(f"`{field}` must be a date as YYYY-MM-DD; got {value!r}.", field=field)


def _inside(interval: Mapping[str, Any], time: str) -> bool:
    opens, closes = interval.get("opens"), interval.get("closes")
    return bool(opens and closes and opens <= time < closes)


def is_open(
    opening_hours: Sequence[Mapping[str, Any]],
    special_days: Sequence[Mapping[str, Any]],
    moment: datetime,
) -> bool:
    """Whether a place with these hours is open at ``moment``."""
    local = LocalMoment.of(moment)
    today = [day for day in special_days if day.get("date") == local.date]
    if today:
        return any(not day.get("closed") and _inside(day, local.time) for day in today)
    return any(
        interval.get("weekday") == local.weekday and _inside(interval, local.time)
        for interval in opening_hours
    )


def open_now_filter(moment: datetime) -> dict[str, Any]:
    """The MongoDB filter equivalent of ``is_open`` (kept in step by a test)."""
    local = LocalMoment.of(moment)
    during = {"opens": {"$lte": local.time}, "closes": {"$gt": local.time}}
    return {
        "$or": [
            {"specialDays": {"$elemMatch": {"date": local.date, "closed": False, **during}}},
            {
                "specialDays.date": {"$ne": local.date},
                "openingHours": {"$elemMatch": {"weekday": local.weekday, **during}},
            },
        ]
    }
