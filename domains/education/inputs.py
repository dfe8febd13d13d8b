"""GraphQL inputs of the education domain and the service fields they become."""

from datetime import date

import strawberry

from domains.education.directory import SchoolFields
from domains.education.enums import (
    AdmissionGrade,
    AdmissionMethod,
    SchoolAnnouncementAudience,
    SchoolLevel,
    SchoolOwnership,
)
from domains.education.models import RoundDocumentEntry
from domains.education.rounds import RoundFields
from domains.kernel.i18n import LocalizedTextInput


@strawberry.input
class CatchmentPointInput:
    lat: float
    lng: float


@strawberry.input(description="A school as an administrator maintains it.")
class SchoolInput:
    name: LocalizedTextInput
    levels: list[SchoolLevel]
    ownership: SchoolOwnership
    commune_code: str = strawberry.field(description="Where the school is (5-digit code).")
    address: str
    lat: float
    lng: float
    catchment_commune_codes: list[str] = strawberry.field(
        description="Wards/communes it admits from (5-digit codes from `communes`)."
    )
    catchment_area: list[list[CatchmentPointInput]] | None = strawberry.field(
        default=None,
        description="Published admission area: closed rings (last point = first), outer first.",
    )
    province_wide: bool = False
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    classes: int | None = None
    pupils: int | None = None

    def to_fields(self) -> SchoolFields:
        return SchoolFields(
            name=self.name.to_document(),
            levels=[level.value for level in self.levels],
            ownership=self.ownership.value,
            commune_code=self.commune_code.strip(),
            address=self.address,
            lat=self.lat,
            lng=self.lng,
            catchment_commune_codes=list(self.catchment_commune_codes),
            catchment_area=(
                [[(p.lat, p.lng) for p in ring] for ring in self.catchment_area]
                if self.catchment_area is not None
                else None
            ),
            province_wide=self.province_wide,
            phone=self.phone,
            email=self.email,
            website=self.website,
            classes=self.classes,
            pupils=self.pupils,
        )


@strawberry.input(description="A document the school's admission plan asks for.")
class AdmissionDocumentInput:
    name: LocalizedTextInput
    copies: int | None = None
    note: LocalizedTextInput | None = None

    def to_entry(self) -> RoundDocumentEntry:
        return {
            "name": self.name.to_document(),
            "copies": self.copies,
            "note": self.note.to_document() if self.note else None,
        }


@strawberry.input(description="An admission round as an administrator maintains it.")
class AdmissionRoundInput:
    name: LocalizedTextInput
    school_year: str = strawberry.field(description="e.g. 2027-2028")
    grade: AdmissionGrade
    school_ids: list[str]
    opens_on: date = strawberry.field(description="First day, province time.")
    closes_on: date = strawberry.field(description="Last day, province time; after `opensOn`.")
    quota: int
    method: AdmissionMethod
    entrance_exam: bool
    exam_on: date | None = None
    results_on: date | None = None
    procedure_code: str | None = None
    documents: list[AdmissionDocumentInput] = strawberry.field(default_factory=list)

    def to_fields(self) -> RoundFields:
        return RoundFields(
            name=self.name.to_document(),
            school_year=self.school_year,
            grade=self.grade.value,
            school_ids=list(self.school_ids),
            opens_on=self.opens_on,
            closes_on=self.closes_on,
            quota=self.quota,
            method=self.method.value,
            entrance_exam=self.entrance_exam,
            exam_on=self.exam_on,
            results_on=self.results_on,
            procedure_code=self.procedure_code,
            documents=[d.to_entry() for d in self.documents],
        )


@strawberry.input(description="An announcement from a school's staff.")
class SchoolAnnouncementInput:
    school_id: str
    title: LocalizedTextInput = strawberry.field(description="At most 120 characters (push title).")
    body: LocalizedTextInput = strawberry.field(description="At most 5000 characters.")
    audience: SchoolAnnouncementAudience = SchoolAnnouncementAudience.EVERYONE
