"""Vietnam's air quality index (VN_AQI): the breakpoint table, NowCast and hourly/daily values.

Source: Tổng cục Môi trường, Quyết định 1459/QĐ-TCMT ngày 12/11/2019 "Hướng dẫn kỹ thuật tính
toán và công bố chỉ số chất lượng không khí Việt Nam (VN_AQI)", section 2.2: Bảng 2 (breakpoints),
the sub-index formulas 1 and 2 (linear interpolation between breakpoints), NowCast for hourly PM
values and the rules for the hourly and daily index (Bảng 1, the bands, is in bands.py).
Concentrations are in µg/m³ (CO included), as in the table.
This module is pure: no I/O, no clock; callers pass the hourly values.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum


class Pollutant(Enum):
    PM25 = "pm25"
    PM10 = "pm10"
    O3 = "o3"
    CO = "co"
    NO2 = "no2"
    SO2 = "so2"


PARTICLES = (Pollutant.PM25, Pollutant.PM10)

# Decision 1459/QĐ-TCMT (2019), Bảng 2: the index values I_i and, per averaging period, the
# concentration breakpoints BP_i (µg/m³). None: the table has no breakpoint at that level (O3 8-hour
# above 400 µg/m³ is rated with the 1-hour value instead). THE one copy of the table. Checked cell
# by cell against a transcription of the gazetted text (docs/environment.md, "Checked sources").
INDEX_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)
BREAKPOINTS: Mapping[str, tuple[float | None, ...]] = {
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 120, 170, 210, 400, None, None),
    "co_1h": (0, 10000, 30000, 45000, 60000, 90000, 120000, 150000),
    "so2_1h": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "no2_1h": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "pm25_24h": (0, 25, 50, 80, 150, 250, 350, 500),
}
# Values a sensor can physically report (µg/m³); anything outside is a fault, refused at ingestion.
PLAUSIBLE_MAX: Mapping[Pollutant, float] = {
    Pollutant.PM25: 1000,
    Pollutant.PM10: 2000,
    Pollutant.O3: 2000,
    Pollutant.CO: 200_000,
    Pollutant.NO2: 5000,
    Pollutant.SO2: 5000,
}
NOWCAST_HOURS = 12
O3_8H_HOURS = 8
# NowCast needs 2 of the 3 latest hours (the decision's rule, 2.2.1 a); an 8-hour O3 mean 6 of 8
# hours and a daily PM mean 18 of 24 hours (75 %) are our completeness rules (the decision has
# none).
O3_8H_MINIMUM = 6
DAILY_MINIMUM = 18
HOUR = timedelta(hours=1)


def round_index(value: float) -> int:
    """The decision rounds the index to a whole number (halves up)."""
    return math.floor(value + 0.5)


def sub_index(table: str, concentration: float) -> float | None:
    """AQI_x = (I_{i+1} - I_i) / (BP_{i+1} - BP_i) * (C_x - BP_i) + I_i; above the table: 500.

    None when the table has no row for this concentration (O3 8-hour above 400 µg/m³)."""
    points = BREAKPOINTS[table]
    if concentration < 0:
        raise ValueError("A concentration cannot be negative.")
    for i in range(len(points) - 1):
        low, high = points[i], points[i + 1]
        if low is None or high is None:
            return None
        if concentration <= high:
            step = (INDEX_LEVELS[i + 1] - INDEX_LEVELS[i]) / (high - low)
            return step * (concentration - low) + INDEX_LEVELS[i]
    return float(INDEX_LEVELS[-1])


def nowcast(latest_first: Sequence[float | None]) -> float | None:
    """NowCast of hourly PM: c_1 is the latest hour; up to 12 hours, None where missing.

    w* = c_min / c_max, w = max(w*, 1/2); NowCast = Σ w^(i-1) c_i / Σ w^(i-1) over the hours
    present. (The decision writes the w ≤ 1/2 case as Σ (1/2)^i c_i, the same mean with its
    denominator rounded to 2: within 0.03 % with 12 hours, and it cannot skip a missing hour.)
    None unless 2 of the 3 latest hours are present."""
    hours = list(latest_first[:NOWCAST_HOURS])
    if sum(value is not None for value in hours[:3]) < 2:
        return None
    present = [value for value in hours if value is not None]
    highest = max(present)
    if highest == 0:
        return 0.0
    weight = max(min(present) / highest, 0.5)
    numerator = sum(weight**i * value for i, value in enumerate(hours) if value is not None)
    denominator = sum(weight**i for i, value in enumerate(hours) if value is not None)
    return numerator / denominator


def _mean(values: Sequence[float | None], minimum: int) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if len(present) >= minimum else None


@dataclass(frozen=True, slots=True)
class Index:
    """A VN_AQI value: the rounded index, the pollutant that set it, and every sub-index."""

    value: int
    dominant: Pollutant
    sub_indices: Mapping[Pollutant, int]


def _combine(sub_indices: Mapping[Pollutant, float]) -> Index | None:
    """VN_AQI = the largest sub-index; the decision requires PM10 or PM2.5 among them."""
    if not any(pollutant in sub_indices for pollutant in PARTICLES):
        return None
    rounded = {pollutant: round_index(value) for pollutant, value in sub_indices.items()}
    order = list(Pollutant)
    dominant = max(rounded, key=lambda p: (rounded[p], -order.index(p)))
    return Index(value=rounded[dominant], dominant=dominant, sub_indices=rounded)


Series = Mapping[Pollutant, Mapping[datetime, float]]


def _window(values: Mapping[datetime, float], end: datetime, hours: int) -> list[float | None]:
    """The hourly values ending at ``end``, latest first."""
    return [values.get(end - i * HOUR) for i in range(hours)]


def _o3_eight_hours(values: Mapping[datetime, float], hour: datetime) -> float | None:
    """O3's 8-hour sub-index of the 8 hours ending at ``hour`` (None above its table)."""
    eight = _mean(_window(values, hour, O3_8H_HOURS), O3_8H_MINIMUM)
    return None if eight is None else sub_index("o3_8h", eight)


def hourly_sub_indices(series: Series, hour: datetime) -> dict[Pollutant, float]:
    """Each pollutant's hourly sub-index at ``hour`` (hourly values keyed by their hour)."""
    found: dict[Pollutant, float] = {}
    for pollutant in PARTICLES:
        concentration = nowcast(_window(series.get(pollutant, {}), hour, NOWCAST_HOURS))
        if concentration is not None:
            found[pollutant] = sub_index(f"{pollutant.value}_24h", concentration) or 0.0
    # The hourly index rates O3 with its 1-hour breakpoints only (Bảng 2's note).
    for pollutant in (Pollutant.O3, Pollutant.CO, Pollutant.NO2, Pollutant.SO2):
        value = series.get(pollutant, {}).get(hour)
        if value is not None:
            found[pollutant] = sub_index(f"{pollutant.value}_1h", value) or 0.0
    return found


def hourly_index(series: Series, hour: datetime) -> Index | None:
    """Hourly VN_AQI at ``hour``; None without a PM sub-index."""
    return _combine(hourly_sub_indices(series, hour))


def daily_index(series: Series, last_hour: datetime) -> Index | None:
    """Daily VN_AQI of the 24 hours ending at ``last_hour``: PM from the 24-hour mean; CO, NO2
    and SO2 from the day's largest hourly value; O3 from the larger of its largest 1-hour and
    largest 8-hour values, each with its own breakpoints (8-hour only up to 400 µg/m³)."""
    hours = [last_hour - i * HOUR for i in range(24)]
    found: dict[Pollutant, float] = {}
    for pollutant in PARTICLES:
        mean = _mean(_window(series.get(pollutant, {}), last_hour, 24), DAILY_MINIMUM)
        if mean is not None:
            found[pollutant] = sub_index(f"{pollutant.value}_24h", mean) or 0.0
    for pollutant in (Pollutant.O3, Pollutant.CO, Pollutant.NO2, Pollutant.SO2):
        only = {pollutant: series.get(pollutant, {})}
        values = [hourly_sub_indices(only, hour).get(pollutant) for hour in hours]
        if pollutant is Pollutant.O3:
            values += [_o3_eight_hours(series.get(pollutant, {}), hour) for hour in hours]
        present = [value for value in values if value is not None]
        if present:
            found[pollutant] = max(present)
    return _combine(found)
