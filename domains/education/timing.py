"""Time helpers shared by the admission rounds and their reminders (province time)."""

from datetime import date, datetime, time, timedelta

from domains.education.models import AdmissionRoundDocument
from domains.kernel.clock import PROVINCE_TZ, as_utc


def local_midnight_utc(day: date) -> datetime:
    """00:00 in the province on ``day``, as a UTC datetime."""
    return as_utc(datetime.combine(day, time(0, 0), tzinfo=PROVINCE_TZ))


def local_time_utc(day: date, hour: int) -> datetime:
    """``hour``:00 in the province on ``day``, as a UTC datetime."""
    return as_utc(datetime.combine(day, time(hour), tzinfo=PROVINCE_TZ))


def window_bounds(opens_on: date, closes_on: date) -> tuple[datetime, datetime]:
    """The window [opens 00:00, the day after closing 00:00) in province time, as UTC."""
    return local_midnight_utc(opens_on), local_midnight_utc(closes_on + timedelta(days=1))


def round_status(document: AdmissionRoundDocument, now: datetime) -> str:
    """upcoming / open / closed, from the window and ``now``."""
    if now < as_utc(document["opensAt"]):
        return "upcoming"
    if now < as_utc(document["closesAt"]):
        return "open"
    return "closed"
