"""'Open now' in the province's time zone: the Python rule and the MongoDB filter agree."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domains.tourism.hours import is_open, open_now_filter

MUSEUM: dict[str, Any] = {
    "slug": "museum",
    # Tuesday to Sunday with a lunch break; closed Mondays.
    "openingHours": [
        {"weekday": day, "opens": opens, "closes": closes}
        for day in range(1, 7)
        for opens, closes in (("07:30", "11:30"), ("13:30", "17:00"))
    ],
    "specialDays": [
        {"date": "2027-02-06", "closed": True, "opens": None, "closes": None},
        # A Monday festival evening: open although Mondays are closed.
        {"date": "2027-03-29", "closed": False, "opens": "18:00", "closes": "22:00"},
    ],
}
BEACH: dict[str, Any] = {
    "slug": "beach",
    "openingHours": [{"weekday": d, "opens": "00:00", "closes": "24:00"} for d in range(7)],
    "specialDays": [],
}


def local(text: str) -> datetime:
    """A Vietnam wall-clock time (UTC+7, no daylight saving) as an aware UTC datetime."""
    return (datetime.fromisoformat(text) - timedelta(hours=7)).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2027-02-09T08:00", True),  # Tuesday morning
        ("2027-02-09T12:00", False),  # lunch break
        ("2027-02-09T17:00", False),  # closing time is already closed
        ("2027-02-08T09:00", False),  # Monday
        ("2027-02-06T09:00", False),  # Saturday, but closed for Tết
        ("2027-03-29T19:00", True),  # Monday festival evening
        ("2027-03-29T09:00", False),  # that Monday's morning: the special day replaces hours
    ],
)
def test_museum_hours_follow_vietnam_time_and_special_days(moment: str, expected: bool) -> None:
    assert is_open(MUSEUM["openingHours"], MUSEUM["specialDays"], local(moment)) is expected


def test_the_weekday_is_the_provinces_not_utcs() -> None:
    # 07:45 on Tuesday in Vietnam is still Monday 00:45 in UTC: open, because Vietnam says so.
    moment = datetime(2027, 2, 9, 0, 45, tzinfo=UTC)
    assert moment.weekday() == 1 and is_open(MUSEUM["openingHours"], [], moment)
    assert not is_open(MUSEUM["openingHours"], [], datetime(2027, 2, 8, 2, 0, tzinfo=UTC))


def test_open_all_day_includes_the_last_minute() -> None:
    assert is_open(BEACH["openingHours"], [], local("2027-02-09T23:59"))
    assert is_open(BEACH["openingHours"], [], local("2027-02-09T00:00"))


async def test_mongodb_filter_agrees_with_python_rule(db: Any) -> None:
    collection = db["tourism_hours_probe"]
    await collection.insert_many([dict(MUSEUM), dict(BEACH)])
    start = local("2027-02-05T00:00")
    for step in range(0, 60 * 24 * 60, 97):  # two months, every 97 minutes
        moment = start + timedelta(minutes=step)
        found = {d["slug"] async for d in collection.find(open_now_filter(moment), {"slug": 1})}
        expected = {
            d["slug"]
            for d in (MUSEUM, BEACH)
            if is_open(d["openingHours"], d["specialDays"], moment)
        }
        assert found == expected, moment
    festival = local("2027-03-29T19:00")
    assert {d["slug"] async for d in collection.find(open_now_filter(festival))} == {
        "museum",
        "beach",
    }
