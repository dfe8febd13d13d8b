"""Time in one place, so rules and tests agree on 'now' and on the province's time zone."""

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domains.kernel.resources import Key, Resources

PROVINCE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Current time, timezone-aware, in UTC (what MongoDB stores)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes read back from MongoDB as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Clock:
    """The wall clock where code waits for a moment (a token's expiry); tests pass a clock they
    move by hand, so nothing waits on real time."""

    def now(self) -> datetime:
        return utcnow()

    async def sleep_until(self, moment: datetime) -> None:
        await asyncio.sleep(max(0.0, (moment - self.now()).total_seconds()))


# The process's clock for waits (``clock_of``); the app provides the one it was made with.
CLOCK: Key[Clock] = Key("kernel.clock")


def clock_of(resources: Resources) -> Clock:
    """The clock the process waits on: the one provided (tests), else the wall clock."""
    return resources.find(CLOCK) or Clock()
