"""The six VN_AQI bands of Decision 1459/QĐ-TCMT (2019): ranges and colours (the decision's RGB
values) from Bảng 1; the advice follows Bảng 5's recommendations for the general public and for
sensitive groups (Bảng 4: older people, children, people with respiratory or heart disease), in
Vietnamese (shortened slightly) and English. Checked against a transcription of the decision
(docs/environment.md, "Checked sources").
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
            "en": "Enjoy your usual outdoor activities.",
        },
        {
            "vi": "Nên theo dõi các triệu chứng như ho hoặc khó thở, nhưng vẫn có thể hoạt động "
            "bên ngoài.",
            "en": "Watch for symptoms such as coughing or shortness of breath; you can still be "
            "active outdoors.",
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
            "vi": "Những người thấy đau mắt, ho hoặc đau họng nên cân nhắc giảm các hoạt động "
            "ngoài trời. Học sinh vẫn có thể hoạt động bên ngoài nhưng nên giảm tập thể dục kéo "
            "dài.",
            "en": "If your eyes sting or you cough or have a sore throat, consider cutting down "
            "outdoor activity. Pupils can still be outside but should cut down long exercise.",
        },
        {
            "vi": "Nên giảm các hoạt động mạnh và giảm thời gian hoạt động ngoài trời. Người bị "
            "hen suyễn có thể cần dùng thuốc thường xuyên hơn.",
            "en": "Reduce strenuous activity and time outdoors. People with asthma may need "
            "their medicine more often.",
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
            "vi": "Mọi người nên giảm các hoạt động mạnh khi ở ngoài trời, tránh tập thể dục kéo "
            "dài và nghỉ ngơi nhiều hơn trong nhà.",
            "en": "Everyone should reduce strenuous activity outdoors, avoid long exercise and "
            "rest more indoors.",
        },
        {
            "vi": "Nên ở trong nhà và giảm hoạt động mạnh. Nếu cần ra ngoài, hãy đeo khẩu trang "
            "đạt tiêu chuẩn.",
            "en": "Stay indoors and reduce strenuous activity. If you must go out, wear a proper "
            "(certified) mask.",
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
            "vi": "Mọi người hạn chế tối đa các hoạt động ngoài trời và chuyển mọi hoạt động vào "
            "trong nhà. Nếu cần ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.",
            "en": "Everyone should keep outdoor activity to a minimum and move all activities "
            "indoors. If you must go out, wear a proper (certified) mask.",
        },
        {
            "vi": "Nên ở trong nhà và giảm hoạt động mạnh.",
            "en": "Stay indoors and reduce strenuous activity.",
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
            "vi": "Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần ra ngoài, hãy "
            "đeo khẩu trang đạt tiêu chuẩn.",
            "en": "Everyone should stay indoors with doors and windows shut. If you must go out, "
            "wear a proper (certified) mask.",
        },
        {
            "vi": "Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần ra ngoài, hãy "
            "đeo khẩu trang đạt tiêu chuẩn.",
            "en": "Everyone should stay indoors with doors and windows shut. If you must go out, "
            "wear a proper (certified) mask.",
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
