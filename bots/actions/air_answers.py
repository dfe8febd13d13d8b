"""Air-quality answers: which place a question is about, what it asks, and the reply's wording.

Pure Python (no Rasa imports), tested from tests/bots/. The data is the API's
``airQualityAreas`` (every ward/commune with the reading of its station, the nearest within
15 km, or none); the rules of the answers:
- a CURRENT reading is stated with its AQI, band, main pollutant, the time it was measured and the
  band's advice;
- a STALE reading is stated as the last one, with its time and age, and never as the air now
  (no advice for it);
- an area without a station within reach, or a station without readings, gets "no data";
- demo readings say they are generated.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

from actions.text import fold, fold_name

Row = Dict[str, Any]
PROVINCE_TZ = timezone(timedelta(hours=7))  # Vietnam: no daylight saving time
ALERT_AT = 151  # domains/environment/alerts.py: an alert from the "bad" band
ALL_CLEAR_AT = 140
AREA_RADIUS_KM = 15
MAX_PLACES = 3

POLLUTANTS = {
    "PM25": {"vi": "bụi mịn PM2.5", "en": "fine particles (PM2.5)"},
    "PM10": {"vi": "bụi PM10", "en": "particles (PM10)"},
    "O3": {"vi": "ozone (O3)", "en": "ozone (O3)"},
    "CO": {"vi": "cacbon monoxit (CO)", "en": "carbon monoxide (CO)"},
    "NO2": {"vi": "nitơ đioxit (NO2)", "en": "nitrogen dioxide (NO2)"},
    "SO2": {"vi": "lưu huỳnh đioxit (SO2)", "en": "sulphur dioxide (SO2)"},
}

TEXTS: Dict[str, Dict[str, str]] = {
    "vi": {
        "current": (
            "{place}: AQI {aqi} – mức {band}, số đo lúc {time} ({age}). "
            "Chất ô nhiễm chính: {pollutant}."
        ),
        "source": "Theo {station}, cách {distance} km.",
        "source_station": "Trạm đặt tại {address}.",
        "advice": "Lời khuyên: {advice}",
        "sensitive": "Trẻ em, người già, người bệnh tim phổi: {advice}",
        "stale": (
            "{place}: chưa có số liệu mới. Số đo gần nhất của {station} là lúc {time} ({age}): "
            "AQI {aqi} – mức {band}. Đây là số liệu cũ, không phải chất lượng không khí hiện tại."
        ),
        "no_station": (
            "{place}: chưa có dữ liệu chất lượng không khí, vì không có trạm quan trắc tự động "
            "nào trong vòng {radius} km. Khu vực này không có chỉ số AQI và không có cảnh báo "
            "tự động."
        ),
        "no_readings": "{place}: chưa có dữ liệu chất lượng không khí ({station} chưa có số đo nào).",
        "generated": "(Số liệu mẫu do hệ thống tạo ra, không phải số đo thật.)",
        "overview": "Chất lượng không khí tại các trạm quan trắc của tỉnh:",
        "overview_line": "- {station}: AQI {aqi} – {band} (lúc {time})",
        "overview_stale": "- {station}: chưa có số liệu mới (lần đo cuối lúc {time})",
        "overview_none": "- {station}: chưa có số đo",
        "ask_place": "Bạn hỏi kèm tên phường/xã (ví dụ: phường Sầm Sơn) để biết chỉ số và lời khuyên cho nơi đó.",
        "unknown_place": (
            'Tôi chưa có dữ liệu chất lượng không khí cho "{text}": dữ liệu có các phường/xã '
            "quanh {count} trạm quan trắc tự động của tỉnh."
        ),
        "forecast": (
            "Tôi không có dự báo chất lượng không khí hay thời tiết, chỉ có số đo mới nhất của "
            "các trạm quan trắc. Bạn hỏi, ví dụ: không khí ở phường Sầm Sơn bây giờ thế nào?"
        ),
        "minutes": "{n} phút trước",
        "hours": "{n} giờ trước",
        "days": "{n} ngày trước",
        "just_now": "vừa đo",
        "alerting": "{place} đang có cảnh báo ô nhiễm không khí (AQI {aqi} – mức {band}).",
        "not_alerting": "{place} hiện không có cảnh báo ô nhiễm không khí.",
        "alerts": (
            "Để nhận cảnh báo ô nhiễm không khí: trong ứng dụng Xứ Thanh, theo dõi phường/xã của "
            "bạn (chủ đề {topic}). Khi chỉ số AQI lên mức Xấu (từ {alert_at}) trở lên, bạn nhận "
            "thông báo kèm lời khuyên; khi không khí tốt lên (AQI từ {all_clear} trở xuống) bạn "
            "nhận thông báo hết cảnh báo, và nếu trạm ngừng gửi số liệu thì được báo là tạm thời "
            "không có dữ liệu. Sở Nông nghiệp và Môi trường cũng gửi cảnh báo chính thức (sự cố "
            "hóa chất, cắt nước) đến người theo dõi phường/xã."
        ),
        "any_area": "commune.<mã phường/xã>",
        "report": (
            "Để phản ánh ô nhiễm (đốt rác, đổ rác trái phép, nước thải, khói bụi, tiếng ồn): trong "
            "ứng dụng Xứ Thanh, chọn Phản ánh ô nhiễm, chọn loại, mô tả ngắn, ghim vị trí trên "
            "bản đồ (hoặc dùng vị trí hiện tại) và đính kèm tối đa 3 ảnh. Phản ánh được chuyển "
            "đến UBND phường/xã (đốt rác, đổ rác) hoặc Sở Nông nghiệp và Môi trường (nước thải, "
            "bụi, tiếng ồn); bạn nhận thông báo mỗi khi trạng thái thay đổi. Nếu gần đó đã có "
            "phản ánh tương tự, phản ánh của bạn được cộng thêm ủng hộ. Khẩn cấp: gọi đường dây "
            "nóng {hotline}."
        ),
    },
    "en": {
        "current": (
            "{place}: AQI {aqi} – {band}, measured at {time} ({age}). "
            "Main pollutant: {pollutant}."
        ),
        "source": "From the {station}, {distance} km away.",
        "source_station": "The station is at {address}.",
        "advice": "Advice: {advice}",
        "sensitive": "Children, older people, people with heart or lung disease: {advice}",
        "stale": (
            "{place}: no recent data. The last reading of the {station} was at {time} ({age}): "
            "AQI {aqi} – {band}. This is old data, not the air quality now."
        ),
        "no_station": (
            "{place}: no air-quality data, because no automatic monitoring station is within "
            "{radius} km. This area has no AQI and no automatic alerts."
        ),
        "no_readings": "{place}: no air-quality data (the {station} has no readings yet).",
        "generated": "(Demo data generated by the system, not real measurements.)",
        "overview": "Air quality at the province's monitoring stations:",
        "overview_line": "- {station}: AQI {aqi} – {band} (at {time})",
        "overview_stale": "- {station}: no recent data (last reading at {time})",
        "overview_none": "- {station}: no readings yet",
        "ask_place": "Ask with the name of a ward or commune (e.g. Sam Son ward) for its index and advice.",
        "unknown_place": (
            'I have no air-quality data for "{text}": the data covers the wards and communes '
            "around the province's {count} automatic monitoring stations."
        ),
        "forecast": (
            "I have no air-quality or weather forecast, only the stations' latest readings. "
            "Ask, for example: how is the air in Sam Son ward now?"
        ),
        "minutes": "{n} min ago",
        "hours": "{n} h ago",
        "days": "{n} days ago",
        "just_now": "just measured",
        "alerting": "{place} has an air-pollution alert now (AQI {aqi} – {band}).",
        "not_alerting": "{place} has no air-pollution alert now.",
        "alerts": (
            "To get air-pollution alerts: in the Xứ Thanh app, follow your ward or commune "
            "(topic {topic}). When its AQI reaches Bad ({alert_at}) or worse you get a "
            "notification with advice; when the air improves (AQI {all_clear} or below) you get an "
            "all-clear, and if the station stops sending data you are told that data is "
            "temporarily unavailable. The Department of Agriculture and Environment also sends "
            "official alerts (chemical spills, water cuts) to a ward's followers."
        ),
        "any_area": "commune.<ward/commune code>",
        "report": (
            "To report pollution (burning waste, dumped rubbish, polluted water, dust, noise): in "
            "the Xứ Thanh app choose Report pollution, pick the category, describe it briefly, pin "
            "the place on the map (or use your current position) and attach up to 3 photos. The "
            "report goes to the ward/commune People's Committee (burning, dumping) or the "
            "Department of Agriculture and Environment (water, dust, noise), and you are notified "
            "at every change of status. If a similar report is already nearby, yours adds support "
            "to it. Emergencies: call the hotline {hotline}."
        ),
    },
}

# What the question asks, most specific first (phrases on folded words, word boundaries).
ASPECTS: Sequence[Tuple[str, Sequence[str]]] = (
    ("report", ("phan anh", "bao cao", "to giac", "khieu nai", "to cao", "bao cho ai",
                "do trom", "do rac", "xa rac", "xa thai", "nuoc thai", "report", "complain",
                "dumping", "who do i tell", "who should i tell")),
    ("alerts", ("canh bao", "thong bao", "nhan tin", "alert", "alerts", "notify",
                "notification", "notifications", "subscribe", "warning", "warnings")),
    ("forecast", ("ngay mai", "du bao", "tuan sau", "tomorrow", "forecast", "next week")),
    ("advice", ("co nen", "nen lam gi", "khau trang", "chay bo", "tap the duc", "ra ngoai",
                "ra duong", "dong cua", "should", "safe", "mask", "jog", "jogging", "run",
                "outside", "outdoor", "outdoors", "asthma", "hen", "tre em", "tre con",
                "nguoi gia", "kids", "children", "an toan")),
    ("pollutant", ("chat gi", "chat o nhiem", "chat gay", "do bui", "do khi", "nguyen nhan",
                   "pollutant", "pollutants", "polluting", "what causes")),
)
# Words that show a question is about the air, pollution or being outdoors in it (folded, on word
# boundaries). The NLU alone sent questions naming a ward ("THCS Hàm Rồng ở đâu") here; without
# one of these the question goes back to the catalogue's retrieval (actions/ask.py).
AIR_WORDS = (
    "khong khi", "aqi", "bui", "o nhiem", "khoi", "mu mit", "suong mu", "pm2 5", "pm 2 5",
    "pm25", "pm10", "pm 10", "ozone", "o3", "no2", "so2", "quan trac", "tram", "khau trang",
    "phan anh", "dot rac", "do rac", "xa rac", "nuoc thai", "xa thai", "tieng on", "mui hoi",
    "canh bao", "hen suyen", "ra ngoai", "ngoai troi", "chay bo", "tap the duc", "cua so",
    "air", "pollution", "polluted", "polluting", "pollutant", "pollutants", "smog", "smoggy",
    "smoke", "smoky", "dust", "dusty", "haze", "hazy", "particles", "mask", "asthma",
    "breathe", "breathing", "fumes", "report", "dumping", "burning", "rubbish", "garbage",
    "sewage", "noise", "smell", "alert", "alerts", "station", "outside", "outdoors", "outdoor",
    "jog", "jogging", "window", "windows",
)
# A question naming one of these means a station, not the ward with the same name.
STATION_WORDS = ("tram", "station", "khu cong nghiep", "kcn", "khu kinh te", "kkt")
# The province as a whole (no ward asked): the stations' overview.
PROVINCE_WORDS = ("thanh hoa", "tinh", "province", "thanh pho", "city", "tp")
AREA_PREFIXES = ("phuong", "xa", "thi tran")
AREA_SUFFIXES = ("ward", "commune")
STATION_FILLER = ("tram khong khi tu dong", "automatic air station", "khu kinh te",
                  "khu cong nghiep", "economic zone", "industrial park")


def t(lang: str, key: str, **values: Any) -> str:
    return TEXTS[lang][key].format(**values)


# Stations that are no air stations: a commune's health station ("trạm y tế xã Quảng Tâm").
NOT_AIR_STATIONS = ("tram y te", "health station", "medical station")


def about_air(text: str) -> bool:
    """Whether the words are about the air (or pollution, or being outdoors in it)."""
    folded = f" {fold(text)} "
    for phrase in NOT_AIR_STATIONS:
        folded = folded.replace(f" {phrase} ", " | ")
    return any(f" {word} " in folded for word in AIR_WORDS)


def aspect_of(text: str) -> str:
    """report, alerts, forecast, advice, pollutant, or current (the default)."""
    folded = f" {fold(text)} "
    for aspect, phrases in ASPECTS:
        if any(f" {phrase} " in folded for phrase in phrases):
            return aspect
    return "current"


def _key(name: str, prefixes: Sequence[str], suffixes: Sequence[str]) -> str:
    words = fold_name(name)
    for prefix in prefixes:
        if words.startswith(prefix + " "):
            words = words[len(prefix) + 1:]
    for suffix in suffixes:
        if words.endswith(" " + suffix):
            words = words[: -len(suffix) - 1]
    return words


def area_key(name: str) -> str:
    """ "Phường Hạc Thành" / "Hạc Thành ward" -> "hac thanh"."""
    return _key(name, AREA_PREFIXES, AREA_SUFFIXES)


def station_key(name: str) -> str:
    """ "Trạm không khí tự động Khu công nghiệp Lễ Môn" -> "le mon"."""
    words = fold_name(name)
    for filler in STATION_FILLER:
        words = f" {words} ".replace(f" {filler} ", " ").strip()
    return words


def _spans(folded: str, key: str) -> List[Tuple[int, int]]:
    found = []
    start = folded.find(key)
    while key and start >= 0:
        end = start + len(key)
        before = start == 0 or folded[start - 1] == " "
        after = end == len(folded) or folded[end] == " "
        if before and after:
            found.append((start, end))
        start = folded.find(key, start + 1)
    return found


def _named(folded: str, keys: Dict[str, str]) -> List[str]:
    """The ids whose key the text holds, in order, a longer name winning over one inside it
    ("Nam Sầm Sơn" is not also "Sầm Sơn")."""
    spans = [(s, e, ident) for ident, key in keys.items() for s, e in _spans(folded, key)]
    kept = [
        span for span in spans
        if not any(o[0] <= span[0] and span[1] <= o[1] and o[1] - o[0] > span[1] - span[0]
                   for o in spans)
    ]
    ordered: List[str] = []
    for _, _, ident in sorted(kept):
        if ident not in ordered:
            ordered.append(ident)
    return ordered


@dataclass
class Places:
    """What a question names: areas (codes) or stations (ids); neither means the province."""

    areas: List[str] = field(default_factory=list)
    stations: List[str] = field(default_factory=list)


def stations_of(areas: Sequence[Row]) -> Dict[str, Row]:
    """Each station's reading (StationAirQuality) by station id, from the areas' data."""
    found: Dict[str, Row] = {}
    for area in areas:
        reading = area.get("station")
        if reading and reading["station"]["id"] not in found:
            found[reading["station"]["id"]] = reading
    return found


def find_places(text: str, areas: Sequence[Row], extra: Sequence[str] = ()) -> Places:
    """The areas or stations the question (and the NLU's place entities, ``extra``) names."""
    folded = fold(" ".join([text, *extra]))
    station_keys = {sid: station_key(r["station"]["name"]) for sid, r in stations_of(areas).items()}
    area_keys = {a["code"]: area_key(a["name"]) for a in areas}
    stations = _named(folded, station_keys)
    named_areas = _named(folded, area_keys)
    wants_station = any(_spans(folded, word) for word in STATION_WORDS)
    if stations and (wants_station or not named_areas):
        return Places(stations=stations[:MAX_PLACES])
    return Places(areas=named_areas[:MAX_PLACES])


def _time(value: Optional[str]) -> str:
    if not value:
        return "?"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(PROVINCE_TZ).strftime("%H:%M %d/%m/%Y")


def _age(minutes: Optional[int], lang: str) -> str:
    if minutes is None or minutes < 1:
        return t(lang, "just_now")
    if minutes < 120:
        return t(lang, "minutes", n=minutes)
    if minutes < 48 * 60:
        return t(lang, "hours", n=minutes // 60)
    return t(lang, "days", n=minutes // (24 * 60))


def _km(value: Optional[float], lang: str) -> str:
    text = f"{value or 0:.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def _pollutant(code: Optional[str], lang: str) -> str:
    return POLLUTANTS.get(code or "", {}).get(lang, code or "?")


def reading_lines(place: str, reading: Optional[Row], lang: str, *, advice: bool,
                  distance: Optional[float] = None) -> List[str]:
    """A place's reading: current (with the advice), stale (said as old), or none."""
    if reading is None:
        return [t(lang, "no_station", place=place, radius=AREA_RADIUS_KM)]
    station = reading["station"]["name"]
    band = reading.get("band") or {}
    freshness = reading.get("freshness")
    if freshness == "NO_DATA" or reading.get("aqi") is None:
        return [t(lang, "no_readings", place=place, station=station)]
    common = {
        "place": place, "station": station, "aqi": reading["aqi"], "band": band.get("label"),
        "time": _time(reading.get("measuredAt")), "age": _age(reading.get("ageMinutes"), lang),
    }
    if freshness != "CURRENT":
        lines = [t(lang, "stale", **common)]
    else:
        lines = [t(lang, "current", pollutant=_pollutant(reading.get("dominantPollutant"), lang),
                   **common)]
        if distance is not None:
            lines.append(t(lang, "source", station=station, distance=_km(distance, lang)))
        lines.append(t(lang, "advice", advice=band.get("advice", "")))
        sensitive = band.get("sensitiveAdvice")
        if sensitive and (advice or sensitive != band.get("advice")):
            lines.append(t(lang, "sensitive", advice=sensitive))
    if reading.get("generated"):
        lines.append(t(lang, "generated"))
    return lines


def area_answer(area: Row, lang: str, aspect: str) -> List[str]:
    reading = area.get("station")
    return reading_lines(area["name"], reading, lang, advice=aspect == "advice",
                         distance=area.get("distanceKm"))


def station_answer(reading: Row, lang: str, aspect: str) -> List[str]:
    return reading_lines(reading["station"]["name"], reading, lang, advice=aspect == "advice")


def overview(areas: Sequence[Row], lang: str) -> List[str]:
    """Every station's latest index (no place asked)."""
    lines = [t(lang, "overview")]
    for reading in stations_of(areas).values():
        station = reading["station"]["name"]
        time = _time(reading.get("measuredAt"))
        if reading.get("aqi") is None or reading.get("freshness") == "NO_DATA":
            lines.append(t(lang, "overview_none", station=station))
        elif reading.get("freshness") != "CURRENT":
            lines.append(t(lang, "overview_stale", station=station, time=time))
        else:
            band = (reading.get("band") or {}).get("label")
            lines.append(t(lang, "overview_line", station=station, aqi=reading["aqi"],
                           band=band, time=time))
    if any(r.get("generated") for r in stations_of(areas).values()):
        lines.append(t(lang, "generated"))
    lines.append(t(lang, "ask_place"))
    return lines


def alerts_answer(areas: Sequence[Row], lang: str) -> List[str]:
    """How to follow alerts; for the areas asked about, whether they are alerting now."""
    lines = []
    for area in areas:
        if area.get("station") is None:
            lines.append(t(lang, "no_station", place=area["name"], radius=AREA_RADIUS_KM))
        elif area.get("alerting"):
            band = (area.get("band") or {}).get("label")
            lines.append(t(lang, "alerting", place=area["name"], aqi=area.get("aqi"), band=band))
        else:
            lines.append(t(lang, "not_alerting", place=area["name"]))
    topic = areas[0]["topic"] if len(areas) == 1 else t(lang, "any_area")
    lines.append(t(lang, "alerts", topic=topic, alert_at=ALERT_AT, all_clear=ALL_CLEAR_AT))
    return lines


def ref_of(places: Places) -> Optional[str]:
    """The conversation's place (the ``record`` slot): ``air:area:<code>`` / ``air:station:<id>``."""
    if places.areas:
        return f"air:area:{places.areas[0]}"
    if places.stations:
        return f"air:station:{places.stations[0]}"
    return None


def places_of_ref(ref: Optional[str], areas: Sequence[Row]) -> Places:
    parts = (ref or "").split(":")
    if len(parts) == 3 and parts[0] == "air":
        if parts[1] == "area" and any(area["code"] == parts[2] for area in areas):
            return Places(areas=[parts[2]])
        if parts[1] == "station" and parts[2] in stations_of(areas):
            return Places(stations=[parts[2]])
    return Places()


def answer(text: str, areas: Sequence[Row], lang: str, *, hotline: str,
           entities: Sequence[str] = ()) -> str:
    """The whole reply to an air-quality question, from the areas' data."""
    return reply(text, areas, lang, hotline=hotline, entities=entities)[0]


def reply(text: str, areas: Sequence[Row], lang: str, *, hotline: str,
          entities: Sequence[str] = (), previous: Optional[str] = None
          ) -> Tuple[str, Optional[str]]:
    """The reply and the place the conversation is now about. A question naming no place is
    about ``previous`` (the last air-quality answer's place), if any."""
    aspect = aspect_of(text)
    if aspect == "report":
        return t(lang, "report", hotline=hotline), previous
    places = find_places(text, areas, entities)
    unknown = [e for e in entities if not _is_province(e)]
    if not places.areas and not places.stations and not unknown:
        places = places_of_ref(previous, areas)
    return _reply(text, areas, lang, aspect, places, unknown), ref_of(places) or previous


def _reply(text: str, areas: Sequence[Row], lang: str, aspect: str, places: Places,
           unknown: Sequence[str]) -> str:
    by_code = {area["code"]: area for area in areas}
    chosen = [by_code[code] for code in places.areas]
    if aspect == "alerts":
        return "\n".join(alerts_answer(chosen, lang))
    if aspect == "forecast":
        # Never today's reading for a question about another day.
        return t(lang, "forecast")
    lines: List[str] = []
    if chosen:
        for area in chosen:
            lines += area_answer(area, lang, aspect)
    elif places.stations:
        readings = stations_of(areas)
        for sid in places.stations:
            lines += station_answer(readings[sid], lang, aspect)
    else:
        if unknown:  # a place we have no data for: say so, without other places' readings
            count = len(stations_of(areas))
            return t(lang, "unknown_place", text=unknown[0], count=count)
        lines += overview(areas, lang)
    return "\n".join(_dedupe(lines))


def _is_province(text: str) -> bool:
    words = fold(text).split()
    return all(any(w in p.split() for p in PROVINCE_WORDS) for w in words) if words else True


def _dedupe(lines: List[str]) -> List[str]:
    seen: List[str] = []
    for line in lines:
        if line not in seen:
            seen.append(line)
    return seen
