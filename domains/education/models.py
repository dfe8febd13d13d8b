"""Stored documents of the education domain (camelCase keys, as stored)."""

from datetime import datetime
from typing import Any, Literal, TypedDict, get_args

from bson import ObjectId

LocalizedDict = dict[str, str]

Level = Literal[
    "preschool",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "continuing_education",
    "vocational",
]
Ownership = Literal["public", "private"]
Grade = Literal["preschool", "grade_1", "grade_6", "grade_10"]
Method = Literal["online", "in_person", "both"]
Audience = Literal["parents", "everyone"]

LEVELS: tuple[Level, ...] = get_args(Level)
GRADES: tuple[Grade, ...] = get_args(Grade)
# The school level that admits each grade (a round's schools must teach at that level).
GRADE_LEVEL: dict[str, str] = {
    "preschool": "preschool",
    "grade_1": "primary",
    "grade_6": "lower_secondary",
    "grade_10": "upper_secondary",
}


class CommuneDocument(TypedDict):
    """``communes``: wards and communes of the province after the 1 July 2025 reorganisation."""

    _id: str  # official 5-digit administrative unit code
    name: LocalizedDict
    kind: Literal["ward", "commune"]
    district: str  # key of the former district (districts were abolished on 1 July 2025)
    districtName: LocalizedDict
    centre: dict[str, Any]  # GeoJSON Point, approximate
    sortName: str


class ContactsDocument(TypedDict, total=False):
    phone: str | None
    email: str | None


class CatchmentDocument(TypedDict):
    communeCodes: list[str]
    # GeoJSON Polygon of the admission area, when the school published one.
    area: dict[str, Any] | None
    provinceWide: bool  # admits from the whole province (gifted schools, colleges)


class SchoolDocument(TypedDict, total=False):
    """``schools``: ``_id`` is a readable key (folded name + commune code)."""

    _id: str
    name: LocalizedDict
    levels: list[str]
    ownership: str
    district: str
    communeCode: str
    address: str
    location: dict[str, Any]  # GeoJSON Point
    contacts: ContactsDocument
    website: str | None
    classes: int | None
    pupils: int | None
    catchment: CatchmentDocument
    sortName: str
    searchPrimary: list[str]
    searchTerms: list[str]
    modifiedAt: datetime
    modifiedBy: str
    synthetic: bool  # made by the province generator (domains/education/province.py)


class RoundDocumentEntry(TypedDict):
    """A document the admission plan asks for on top of the procedure record."""

    name: LocalizedDict
    copies: int | None
    note: LocalizedDict | None


class AdmissionRoundDocument(TypedDict, total=False):
    """``admission_rounds``: one application window of one or more schools."""

    _id: ObjectId
    seedKey: str  # natural key of demo rounds (absent on rounds created by admins)
    name: LocalizedDict
    schoolYear: str  # "2027-2028"
    grade: str
    schoolIds: list[str]
    districts: list[str]  # of its schools, kept in step on every write: the `district` filter
    opensOn: str  # ISO date, province time
    closesOn: str  # ISO date, province time, inclusive
    opensAt: datetime  # 00:00 province time on opensOn, in UTC
    closesAt: datetime  # 00:00 province time on the day after closesOn, in UTC (exclusive)
    quota: int
    method: str
    entranceExam: bool
    examOn: str | None
    resultsOn: str | None
    procedureCode: str | None
    documents: list[RoundDocumentEntry]
    modifiedAt: datetime
    modifiedBy: str
    synthetic: bool  # made by the province generator (domains/education/province.py)


class AnnouncementDocument(TypedDict):
    """``school_announcements``: what a school's staff published."""

    _id: ObjectId
    schoolId: str
    title: LocalizedDict
    body: LocalizedDict
    audience: str
    publishedAt: datetime
    publishedBy: str
