"""The assistant's air-quality answers (bots/actions/air_answers.py: pure Python, no Rasa).

The areas are built in the shape of the API's `airQualityAreas` (the action's query): a ward
with a current reading, one whose station stopped reporting, one without a station in reach.
"""

from typing import Any

from actions import air_answers

HOTLINE = "1800 1096"
BAD = {
    "name": "BAD",
    "label": "Xấu",
    "advice": "Hạn chế hoạt động mạnh; đeo khẩu trang khi ra ngoài.",
    "sensitiveAdvice": "Nên ở trong nhà.",
}


def reading(
    station: str, name: str, *, aqi: int | None, freshness: str, age: int | None
) -> dict[str, Any]:
    return {
        "station": {"id": station, "name": name},
        "freshness": freshness,
        "measuredAt": "2026-12-06T03:00:00+00:00" if aqi is not None else None,
        "ageMinutes": age,
        "aqi": aqi,
        "dominantPollutant": "PM25" if aqi is not None else None,
        "generated": False,
        "band": BAD if aqi is not None else None,
    }


def area(code: str, name: str, station: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    current = station is not None and station["freshness"] == "CURRENT"
    return {
        "code": code,
        "name": name,
        "topic": f"commune.{code}",
        "distanceKm": 0.3 if station else None,
        "freshness": station["freshness"] if station else "NO_DATA",
        "aqi": station["aqi"] if current and station else None,
        "alerting": extra.get("alerting", False),
        "band": {"label": "Xấu"} if current else None,
        "station": station,
    }


SAM_SON = reading(
    "th-sam-son", "Trạm không khí tự động Sầm Sơn", aqi=172, freshness="CURRENT", age=25
)
BIM_SON = reading(
    "th-bim-son", "Trạm không khí tự động Bỉm Sơn", aqi=88, freshness="STALE", age=300
)
LE_MON = reading(
    "th-le-mon",
    "Trạm không khí tự động Khu công nghiệp Lễ Môn",
    aqi=95,
    freshness="CURRENT",
    age=10,
)
AREAS = [
    area("16531", "Phường Sầm Sơn", SAM_SON, alerting=True),
    area("16516", "Phường Nam Sầm Sơn", SAM_SON),
    area("14812", "Phường Bỉm Sơn", BIM_SON),
    area("16522", "Phường Quảng Phú", LE_MON),
    area("15499", "Xã Thọ Xuân", None),
]


def ask(text: str, lang: str = "vi", entities: tuple[str, ...] = ()) -> str:
    return air_answers.answer(text, AREAS, lang, hotline=HOTLINE, entities=entities)


def test_a_current_reading_has_the_index_band_pollutant_time_and_advice() -> None:
    reply = ask("không khí ở sam son hom nay the nao")
    assert reply.startswith("Phường Sầm Sơn: AQI 172 – mức Xấu")
    assert "10:00 06/12/2026" in reply  # 03:00 UTC is 10:00 in Thanh Hóa
    assert "bụi mịn PM2.5" in reply
    assert BAD["advice"] in reply
    assert "Nam Sầm Sơn" not in reply  # the longer name is another ward


def test_a_stale_reading_is_said_to_be_old_never_the_air_now() -> None:
    reply = ask("AQI ở Bỉm Sơn bây giờ")
    assert "chưa có số liệu mới" in reply
    assert "không phải chất lượng không khí hiện tại" in reply
    assert "5 giờ trước" in reply
    assert "Lời khuyên" not in reply  # no advice on an old value


def test_an_area_without_a_station_in_reach_has_no_data() -> None:
    reply = ask("air quality in Tho Xuan", "en")
    assert reply.startswith("Xã Thọ Xuân: no air-quality data")
    assert "AQI" in reply and "no automatic alerts" in reply
    assert not any(ch.isdigit() for ch in reply.split("within")[0])


def test_a_station_is_answered_when_the_question_says_station() -> None:
    reply = ask("trạm Lễ Môn đo được bao nhiêu")
    assert reply.startswith("Trạm không khí tự động Khu công nghiệp Lễ Môn: AQI 95")


def test_advice_questions_get_the_sensitive_groups_advice_too() -> None:
    reply = ask("Sầm Sơn hôm nay có nên cho con ra ngoài không")
    assert BAD["sensitiveAdvice"] in reply


def test_reporting_pollution_explains_the_report_and_the_hotline() -> None:
    reply = ask("how do I report someone burning rubbish", "en")
    assert "Report pollution" in reply and HOTLINE in reply and "3 photos" in reply


def test_alerts_say_how_to_follow_and_the_areas_state() -> None:
    reply = ask("Sầm Sơn có cảnh báo ô nhiễm không")
    assert reply.startswith("Phường Sầm Sơn đang có cảnh báo")
    assert "commune.16531" in reply
    reply = ask("nhận cảnh báo không khí Thọ Xuân")
    assert "không có trạm quan trắc" in reply


def test_no_place_gives_every_station_and_asks_for_the_ward() -> None:
    reply = ask("chất lượng không khí hôm nay")
    assert "Sầm Sơn: AQI 172" in reply
    assert "Bỉm Sơn: chưa có số liệu mới" in reply  # stale, no index shown as current
    assert "phường/xã" in reply


def test_a_place_outside_the_data_is_said_so() -> None:
    reply = ask("không khí ở Pù Luông", entities=("Pù Luông",))
    assert 'chưa có dữ liệu chất lượng không khí cho "Pù Luông"' in reply
    assert "AQI" not in reply  # no other place's reading instead


def test_no_forecast_is_invented_nor_todays_reading_given_for_tomorrow() -> None:
    reply = ask("tomorrow's air quality in Sam Son", "en")
    assert reply.startswith("I have no air-quality or weather forecast")
    assert "AQI" not in reply


def test_only_questions_about_the_air_are_answered_here() -> None:
    assert air_answers.about_air("không khí ở sam son hom nay the nao")
    assert air_answers.about_air("chỉ số PM2.5 Hải Bình")
    assert air_answers.about_air("is it safe to go jogging in Sam Son")
    # A ward's name alone is not the air: the school in Hàm Rồng goes to the catalogue.
    assert not air_answers.about_air("trường ở phường Hàm Rồng ở đâu")
    assert not air_answers.about_air("is the hospital in Bim Son open on Sunday")


def test_a_follow_up_naming_no_place_is_about_the_previous_one() -> None:
    text, place = air_answers.reply("AQI Bỉm Sơn", AREAS, "vi", hotline=HOTLINE)
    assert place == "air:area:14812"
    text, place = air_answers.reply(
        "chủ yếu là bụi gì", AREAS, "vi", hotline=HOTLINE, previous=place
    )
    assert text.startswith("Phường Bỉm Sơn:") and place == "air:area:14812"
    text, place = air_answers.reply("còn Quảng Phú?", AREAS, "vi", hotline=HOTLINE, previous=place)
    assert text.startswith("Phường Quảng Phú:") and place == "air:area:16522"
    text, _ = air_answers.reply("trạm Lễ Môn", AREAS, "vi", hotline=HOTLINE, previous=place)
    assert text.startswith("Trạm không khí tự động Khu công nghiệp Lễ Môn")
    # Without a previous place: every station, as before.
    assert "Sầm Sơn: AQI 172" in air_answers.answer(
        "chủ yếu là bụi gì", AREAS, "vi", hotline=HOTLINE
    )
