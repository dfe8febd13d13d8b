"""VN_AQI against examples worked by hand from Decision 1459/QĐ-TCMT's table (not the code's
own output). Each comment shows the row used and the arithmetic:
AQI_x = (I_{i+1} - I_i) / (BP_{i+1} - BP_i) * (C_x - BP_i) + I_i."""

from datetime import UTC, datetime, timedelta

import pytest

from domains.environment.aqi import (
    Pollutant,
    daily_index,
    hourly_index,
    nowcast,
    round_index,
    sub_index,
)
from domains.environment.bands import BandName, band_of

HOUR = timedelta(hours=1)
END = datetime(2026, 12, 6, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("table", "concentration", "expected"),
    [
        ("pm25_24h", 40, 80),  # 25–50 → 50–100: 50/25 × (40 − 25) + 50 = 80
        ("pm25_24h", 25, 50),  # the top of the first row
        ("pm25_24h", 0, 0),
        ("pm10_24h", 200, 125),  # 150–250 → 100–150: 50/100 × 50 + 100 = 125
        ("pm10_24h", 51, 51),  # 50–150 → 50–100: 50/100 × 1 + 50 = 50.5, halves round up
        ("co_1h", 35000, 117),  # 30000–45000 → 100–150: 50/15000 × 5000 + 100 = 116.67
        ("so2_1h", 700, 180),  # 550–800 → 150–200: 50/250 × 150 + 150 = 180
        ("no2_1h", 150, 75),  # 100–200 → 50–100: 50/100 × 50 + 50 = 75
        ("o3_1h", 250, 125),  # 200–300 → 100–150: 50/100 × 50 + 100 = 125
        ("pm25_24h", 600, 500),  # above the table: the top of the scale
    ],
)
def test_sub_index_from_the_table(table: str, concentration: float, expected: int) -> None:
    value = sub_index(table, concentration)
    assert value is not None
    assert round_index(value) == expected


def test_o3_8_hour_has_no_row_above_400() -> None:
    assert sub_index("o3_8h", 450) is None


def test_nowcast_of_a_steady_hour_is_that_value() -> None:
    assert nowcast([40.0] * 12) == pytest.approx(40.0)


def test_nowcast_weight_floors_at_one_half() -> None:
    # c = 60, then 30 × 11: w* = 30/60 = 0.5 → w = 0.5.
    # Σ w^(i-1) c_i = 60 + 30 × (1 − 0.5^11) = 89.98535; Σ w^(i-1) = 2 − 0.5^11 = 1.99951
    # → 45.0037 (the decision's shortcut Σ 0.5^i c_i gives 44.9927): AQI 50/25 × 20 + 50 = 90.
    value = nowcast([60.0] + [30.0] * 11)
    assert value == pytest.approx(45.0037, abs=1e-4)
    assert round_index(sub_index("pm25_24h", value) or 0) == 90


def test_nowcast_with_a_higher_weight_and_missing_hours() -> None:
    # c = 40, 50, 50, then missing: w* = 40/50 = 0.8.
    # (40 + 0.8 × 50 + 0.64 × 50) / (1 + 0.8 + 0.64) = 112 / 2.44 = 45.9016 → AQI 91.8 → 92.
    value = nowcast([40.0, 50.0, 50.0] + [None] * 9)
    assert value == pytest.approx(45.9016, abs=1e-4)
    assert round_index(sub_index("pm25_24h", value) or 0) == 92


def test_nowcast_needs_two_of_the_three_latest_hours() -> None:
    assert nowcast([None, None, 50.0] + [50.0] * 9) is None
    # w* = 10/100 → 0.5: (10 + 0.5 × 100) / 1.5 = 40.
    assert nowcast([10.0, 100.0]) == pytest.approx(40.0)


def _steady(value: float, hours: int) -> dict[datetime, float]:
    return {END - i * HOUR: value for i in range(hours)}


def test_hourly_index_is_the_largest_sub_index() -> None:
    series = {
        Pollutant.PM25: _steady(40, 12),  # 80
        Pollutant.NO2: {END: 150.0},  # 75
        Pollutant.SO2: {END: 700.0},  # 180
    }
    index = hourly_index(series, END)
    assert index is not None
    assert (index.value, index.dominant) == (180, Pollutant.SO2)
    assert index.sub_indices == {Pollutant.PM25: 80, Pollutant.NO2: 75, Pollutant.SO2: 180}
    assert band_of(index.value).name is BandName.BAD


def test_o3_is_rated_on_one_hour_hourly_and_on_one_or_eight_hours_daily() -> None:
    # 1 hour 180: 160–200 → 50–100: 50/40 × 20 + 50 = 75 (hourly: 1-hour breakpoints only).
    # 8-hour mean 180: 170–210 → 150–200: 50/40 × 10 + 150 = 162.5 → 163 (daily: the larger).
    series = {Pollutant.PM10: _steady(20, 24), Pollutant.O3: _steady(180, 8)}
    index = hourly_index(series, END)
    assert index is not None
    assert (index.value, index.dominant) == (75, Pollutant.O3)
    daily = daily_index(series, END)
    assert daily is not None
    assert (daily.value, daily.dominant) == (163, Pollutant.O3)


def test_the_decisions_own_worked_examples() -> None:
    """Decision 1459/QĐ-TCMT, 2.3: NowCast 20.3; hourly O3 43, PM2.5 41; daily 110."""
    pm25 = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]  # 09–20 h
    value = nowcast(list(reversed(pm25)))
    assert value is not None and round(value, 1) == 20.3
    hourly = hourly_index(
        {
            Pollutant.O3: {END: 136.1},
            Pollutant.NO2: {END: 118.7},
            Pollutant.PM25: {END - i * HOUR: v for i, v in enumerate(reversed(pm25))},
        },
        END,
    )
    assert hourly is not None
    # NO2: 50/100 × 18.7 + 50 = 59.35 → 59; the decision prints 60 (its own rounding slip).
    assert hourly.sub_indices == {Pollutant.O3: 43, Pollutant.NO2: 59, Pollutant.PM25: 41}
    o3_day = {**_steady(60, 24), END - 3 * HOUR: 114.6}  # largest hour 114.6 → 36
    o3_day.update({END - i * HOUR: 89.3 for i in range(12, 20)})  # 8-hour 89.3 → 45
    daily = daily_index(
        {
            Pollutant.O3: o3_day,
            Pollutant.NO2: {**_steady(20, 24), END - 7 * HOUR: 130.8},  # → 65
            Pollutant.PM25: _steady(55.7, 24),  # 50–80 → 100–150: 50/30 × 5.7 + 100 = 109.5
        },
        END,
    )
    assert daily is not None
    assert daily.sub_indices == {Pollutant.PM25: 110, Pollutant.O3: 45, Pollutant.NO2: 65}
    assert (daily.value, daily.dominant) == (110, Pollutant.PM25)


def test_no_index_without_particles() -> None:
    assert hourly_index({Pollutant.NO2: {END: 150.0}}, END) is None


def test_daily_index() -> None:
    # PM2.5 24-hour mean 60: 50–80 → 100–150: 50/30 × 10 + 100 = 116.67 → 117.
    # NO2's largest hour 250: 200–700 → 100–150: 50/500 × 50 + 100 = 105.
    series = {
        Pollutant.PM25: _steady(60, 24),
        Pollutant.NO2: {**_steady(20, 24), END - 5 * HOUR: 250.0},
    }
    index = daily_index(series, END)
    assert index is not None
    assert (index.value, index.dominant) == (117, Pollutant.PM25)
    assert index.sub_indices[Pollutant.NO2] == 105


def test_daily_pm_needs_18_hours() -> None:
    assert daily_index({Pollutant.PM25: _steady(60, 17)}, END) is None


@pytest.mark.parametrize(
    ("value", "band", "colour"),
    [
        (0, BandName.GOOD, "#00E400"),
        (50, BandName.GOOD, "#00E400"),
        (51, BandName.MODERATE, "#FFFF00"),
        (101, BandName.POOR, "#FF7E00"),
        (151, BandName.BAD, "#FF0000"),
        (200, BandName.BAD, "#FF0000"),
        (201, BandName.VERY_BAD, "#8F3F97"),
        (301, BandName.HAZARDOUS, "#7E0023"),
        (500, BandName.HAZARDOUS, "#7E0023"),
    ],
)
def test_bands(value: int, band: BandName, colour: str) -> None:
    found = band_of(value)
    assert (found.name, found.colour) == (band, colour)
    assert found.advice["vi"] and found.advice["en"]
