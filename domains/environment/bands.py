"""The six VN_AQI bands of Decision 1459/QĐ-TCMT (2019), Bảng 5: range, colour and health advice.

Colours are the decision's RGB values. The advice paraphrases the decision's recommendations for
the general public and for sensitive groups (children, older people, people with heart or lung
disease), in Vietnamese and English.
"""

from dataclasses import dataclass
from enum import Enum


class BandName(Enum):
    GOOD = "good"
    MODERATE = "moderate"
    POOR = "poor"
    BAD = "bad"
    VERY_BAD = "very_bad"
    HAZARDOUS = "hazardous"


@dataclass(frozen=True, slots=True)
class Band:
    name: BandName
    low: int
    high: int
    colour: str
    rgb: tuple[int, int, int]
    label: dict[str, str]
    advice: dict[str, str]
    sensitive_advice: dict[str, str]


BANDS: tuple[Band, ...] = (
    Band(
        BandName.GOOD,
        0,
        50,
        "#00E400",
        (0, 228, 0),
        {"vi": "Tốt", "en": "Good"},
        {
            "vi": "Tự do thực hiện các hoạt động ngoài trời.",
            "en": "Enjoy your usual outdoor activities.",
        },
        {
            "vi": "Tự do thực hiện các hoạt động ngoài trời.",
            "en": "Enjoy your usual outdoor activities.",
        },
    ),
    Band(
        BandName.MODERATE,
        51,
        100,
        "#FFFF00",
        (255, 255, 0),
        {"vi": "Trung bình", "en": "Moderate"},
        {
            "vi": "Tự do thực hiện các hoạt động ngoài trời.",
            "en": "Outdoor activities are fine.",
        },
        {
            "vi": "Nên theo dõi các triệu chứng như ho hoặc khó thở; vẫn có thể hoạt động "
            "ngoài trời.",
            "en": "Watch for coughing or shortness of breath; outdoor activity is still fine.",
        },
    ),
    Band(
        BandName.POOR,
        101,
        150,
        "#FF7E00",
        (255, 126, 0),
        {"vi": "Kém", "en": "Poor"},
        {
            "vi": "Nếu thấy đau mắt, ho hoặc đau họng, hãy giảm các hoạt động ngoài trời.",
            "en": "If your eyes sting or you cough or have a sore throat, cut down outdoor "
            "activity.",
        },
        {
            "vi": "Giảm hoạt động mạnh và thời gian ở ngoài trời; người bị hen mang theo thuốc.",
            "en": "Reduce strenuous activity and time outdoors; people with asthma keep medicine "
            "at hand.",
        },
    ),
    Band(
        BandName.BAD,
        151,
        200,
        "#FF0000",
        (255, 0, 0),
        {"vi": "Xấu", "en": "Bad"},
        {
            "vi": "Hạn chế hoạt động mạnh và thời gian ở ngoài trời; đeo khẩu trang khi ra ngoài.",
            "en": "Limit strenuous activity and time outdoors; wear a mask when you go out.",
        },
        {
            "vi": "Nên ở trong nhà và chuyển hoạt động vào trong nhà.",
            "en": "Stay indoors and move activities inside.",
        },
    ),
    Band(
        BandName.VERY_BAD,
        201,
        300,
        "#8F3F97",
        (143, 63, 151),
        {"vi": "Rất xấu", "en": "Very bad"},
        {
            "vi": "Hạn chế tối đa hoạt động ngoài trời và chuyển hoạt động vào trong nhà.",
            "en": "Avoid outdoor activity as far as you can and move activities indoors.",
        },
        {
            "vi": "Ở trong nhà, giữ cửa đóng và hạn chế mọi hoạt động gắng sức.",
            "en": "Stay indoors with windows shut and avoid any exertion.",
        },
    ),
    Band(
        BandName.HAZARDOUS,
        301,
        500,
        "#7E0023",
        (126, 0, 35),
        {"vi": "Nguy hại", "en": "Hazardous"},
        {
            "vi": "Mọi người nên ở trong nhà, đóng cửa và tránh mọi hoạt động ngoài trời.",
            "en": "Everyone should stay indoors, keep windows shut and avoid all outdoor activity.",
        },
        {
            "vi": "Ở trong nhà, đóng cửa; gặp bác sĩ nếu khó thở hoặc tức ngực.",
            "en": "Stay indoors with windows shut; see a doctor if breathing is hard or your chest "
            "feels tight.",
        },
    ),
)
BY_NAME = {band.name: band for band in BANDS}


def band_of(index: int) -> Band:
    """The band an index falls in (values above 500 are hazardous)."""
    for band in BANDS:
        if index <= band.high:
            return band
    return BANDS[-1]
