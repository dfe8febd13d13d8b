"""GraphQL output types of the education domain; relations load through per-request
DataLoaders that call the use-case modules."""

from datetime import date, datetime
from typing import Any

import strawberry

from domains.education.catchment import CatchmentAnswer, load_communes
from domains.education.directory import load_schools
from domains.education.enums import (
    AdmissionDocumentSource,
    AdmissionGrade,
    AdmissionMethod,
    AdmissionRoundStatus,
    CatchmentMatchKind,
    SchoolAnnouncementAudience,
    SchoolLevel,
    SchoolOwnership,
)
from domains.education.models import (
    AdmissionRoundDocument,
    AnnouncementDocument,
    CommuneDocument,
    SchoolDocument,
)
from domains.education.read_side import SCHOOL_CATALOGUE, SchoolCatalogue
from domains.education.rounds import load_procedures, rounds_of_schools
from domains.education.rounds_read import ROUND_CATALOGUE, RoundCatalogue
from domains.education.store import EducationStore
from domains.education.timing import round_status
from domains.kernel.caller import Caller
from domains.kernel.clock import PROVINCE_TZ, as_utc, utcnow
from domains.kernel.context import Info
from domains.kernel.i18n import LocalizedText, pick
from domains.kernel.node import Node
from domains.procedures.models import ProcedureDocument
from domains.procedures.types import Procedure
from domains.search import MARGIN_DESCRIPTION, SCORE_DESCRIPTION, margin_of, score_of


def education_store(info: Info) -> EducationStore:
    """The request's education store, built once per request."""
    return info.context.scoped(EducationStore.of)


def education_caller(info: Info) -> Caller[EducationStore]:
    """The request's education store with the principal making the request."""
    return info.context.caller(EducationStore.of)


def school_catalogue(info: Info) -> SchoolCatalogue:
    """The process's school directory read side (search, near me, the lists)."""
    return info.context.resources.get(SCHOOL_CATALOGUE)


def round_catalogue(info: Info) -> RoundCatalogue:
    """The process's admission rounds read side."""
    return info.context.resources.get(ROUND_CATALOGUE)


def _lat_lng(geojson: dict[str, Any]) -> tuple[float, float]:
    lng, lat = geojson["coordinates"]
    return float(lat), float(lng)


@strawberry.type(description="A ward or commune of the province (after 1 July 2025).")
class Commune:
    code: str = strawberry.field(description="Official 5-digit administrative unit code.")
    name: str
    kind: str = strawberry.field(description="ward or commune.")
    district: str = strawberry.field(
        description="Key of the former district (abolished 1 July 2025), kept for familiarity."
    )
    district_name: str
    lat: float = strawberry.field(description="Approximate centre.")
    lng: float

    @classmethod
    def from_document(cls, d: CommuneDocument, lang: str) -> "Commune":
        lat, lng = _lat_lng(d["centre"])
        return cls(
            code=d["_id"],
            name=pick(d["name"], lang) or d["_id"],
            kind=d["kind"],
            district=d["district"],
            district_name=pick(d.get("districtName"), lang) or d["district"],
            lat=lat,
            lng=lng,
        )


async def _load_communes(info: Info, codes: list[str]) -> list[CommuneDocument | None]:
    async def load(keys: Any) -> list[CommuneDocument | None]:
        return await load_communes(store=education_store(info), codes=list(keys))

    loader = info.context.loader("education.communes", load)
    return list(await loader.load_many(codes))


@strawberry.type
class SchoolContacts:
    phone: str | None = strawberry.field(description="Principal's office; null when not known.")
    email: str | None


@strawberry.type(description="A point of a catchment area.")
class CatchmentPoint:
    lat: float
    lng: float


@strawberry.type(description="Where a school admits pupils from.")
class Catchment:
    commune_codes: list[str]
    province_wide: bool
    area: list[list[CatchmentPoint]] | None = strawberry.field(
        description="Rings of the published area (first ring outside, others holes); null if none."
    )
    lang: strawberry.Private[str]

    @strawberry.field(description="The wards/communes of `communeCodes`.")  # type: ignore[untyped-decorator]
    async def communes(self, info: Info) -> list[Commune]:
        found = await _load_communes(info, self.commune_codes)
        return [Commune.from_document(d, self.lang) for d in found if d is not None]


@strawberry.type(description="A school, kindergarten, continuing-education centre or college.")
class School(Node):
    id: strawberry.ID
    name: str
    levels: list[SchoolLevel]
    ownership: SchoolOwnership
    district: str = strawberry.field(description="Key of the former district.")
    commune_code: str
    address: str
    lat: float
    lng: float
    contacts: SchoolContacts
    website: str | None
    classes: int | None = strawberry.field(description="Number of classes, when known.")
    pupils: int | None = strawberry.field(description="Number of pupils, when known.")
    catchment: Catchment
    document: strawberry.Private[SchoolDocument]
    lang: strawberry.Private[str]
    search_score: float | None = strawberry.field(default=None, description=SCORE_DESCRIPTION)
    search_margin: float | None = strawberry.field(default=None, description=MARGIN_DESCRIPTION)

    @strawberry.field(description="The name in every stored language, for editors.")  # type: ignore[untyped-decorator]
    def name_translations(self) -> LocalizedText:
        return LocalizedText.from_document(self.document.get("name"))

    @strawberry.field
    async def commune(self, info: Info) -> Commune | None:
        found = await _load_communes(info, [self.commune_code])
        return Commune.from_document(found[0], self.lang) if found[0] else None

    @strawberry.field(description="The school's admission rounds, in window order.")  # type: ignore[untyped-decorator]
    async def admission_rounds(
        self,
        info: Info,
        school_year: str | None = None,
        status: AdmissionRoundStatus | None = None,
    ) -> list["AdmissionRound"]:
        wanted = status.value if status else None

        async def load(keys: Any) -> list[list[AdmissionRoundDocument]]:
            return rounds_of_schools(
                catalogue=round_catalogue(info),
                school_ids=list(keys),
                school_year=school_year,
                status=wanted,
            )

        # One loader per set of arguments: a page of schools is answered in one batch.
        loader = info.context.loader(f"education.rounds_of_school:{school_year}:{wanted}", load)
        found: list[AdmissionRoundDocument] = await loader.load(str(self.id))
        return [AdmissionRound.from_document(d, self.lang) for d in found]

    @classmethod
    def from_document(cls, d: SchoolDocument, lang: str) -> "School":
        lat, lng = _lat_lng(d["location"])
        catchment = d.get("catchment") or {"communeCodes": [], "area": None, "provinceWide": False}
        area = catchment.get("area")
        contacts = d.get("contacts") or {}
        return cls(
            id=strawberry.ID(d["_id"]),
            name=pick(d["name"], lang) or d["_id"],
            levels=[SchoolLevel(level) for level in d.get("levels", [])],
            ownership=SchoolOwnership(d["ownership"]),
            district=d["district"],
            commune_code=d["communeCode"],
            address=d["address"],
            lat=lat,
            lng=lng,
            contacts=SchoolContacts(phone=contacts.get("phone"), email=contacts.get("email")),
            website=d.get("website"),
            classes=d.get("classes"),
            pupils=d.get("pupils"),
            catchment=Catchment(
                commune_codes=list(catchment.get("communeCodes", [])),
                province_wide=bool(catchment.get("provinceWide")),
                area=(
                    [
                        [CatchmentPoint(lat=p[1], lng=p[0]) for p in ring]
                        for ring in area["coordinates"]
                    ]
                    if area
                    else None
                ),
                lang=lang,
            ),
            document=d,
            lang=lang,
            search_score=score_of(d),
            search_margin=margin_of(d),
        )


def _schools_loader(info: Info) -> Any:
    async def load(keys: Any) -> list[SchoolDocument | None]:
        return await load_schools(
            store=education_store(info), catalogue=school_catalogue(info), ids=list(keys)
        )

    return info.context.loader("education.schools", load)


async def load_schools_of(info: Info, school_ids: list[str]) -> list[SchoolDocument | None]:
    """Schools by id through the request's loader: every round of a page in one batch."""
    return list(await _schools_loader(info).load_many(school_ids))


async def load_school(info: Info, school_id: str, lang: str) -> School | None:
    document = await _schools_loader(info).load(school_id)
    return School.from_document(document, lang) if document else None


@strawberry.type(description="A school whose catchment includes the place asked about.")
class CatchmentMatch:
    school: School
    matched_by: CatchmentMatchKind
    distance_km: float = strawberry.field(
        description="From the place (or the commune's centre) to the school, in km."
    )


@strawberry.type(description="The schools for a place: nearest first, province-wide ones last.")
class CatchmentLookup:
    commune: Commune | None = strawberry.field(
        description="The ward/commune the place was resolved to (null: outside known communes)."
    )
    schools: list[CatchmentMatch]

    @classmethod
    def from_answer(cls, answer: CatchmentAnswer, lang: str) -> "CatchmentLookup":
        return cls(
            commune=Commune.from_document(answer.commune, lang) if answer.commune else None,
            schools=[
                CatchmentMatch(
                    school=School.from_document(m.school, lang),
                    matched_by=CatchmentMatchKind(m.matched_by),
                    distance_km=round(m.distance_km, 3),
                )
                for m in answer.matches
            ],
        )


@strawberry.type(description="A document to hand in for an admission round.")
class AdmissionDocument:
    name: str
    originals: int | None
    copies: int | None
    form: str | None = strawberry.field(description="Official form to use, if any.")
    note: str | None
    source: AdmissionDocumentSource


@strawberry.type(description="An application window of one or more schools.")
class AdmissionRound(Node):
    id: strawberry.ID
    name: str
    school_year: str
    grade: AdmissionGrade
    school_ids: list[str]
    opens_on: date = strawberry.field(description="First day of applications (province time).")
    closes_on: date = strawberry.field(description="Last day of applications (province time).")
    opens_at: datetime
    closes_at: datetime = strawberry.field(description="End of the window (exclusive).")
    time_zone: str
    quota: int
    method: AdmissionMethod
    entrance_exam: bool
    exam_on: date | None
    results_on: date | None
    procedure_code: str | None = strawberry.field(
        description="The admission procedure in the procedures catalogue; null when none is "
        "verified (grade 1, preschool)."
    )
    document: strawberry.Private[AdmissionRoundDocument]
    lang: strawberry.Private[str]

    @strawberry.field(description="Where the round stands now.")  # type: ignore[untyped-decorator]
    def status(self) -> AdmissionRoundStatus:
        return AdmissionRoundStatus(round_status(self.document, utcnow()))

    @strawberry.field
    async def schools(self, info: Info) -> list[School]:
        found = await load_schools_of(info, self.school_ids)
        return [School.from_document(d, self.lang) for d in found if d is not None]

    async def _procedure(self, info: Info) -> ProcedureDocument | None:
        if not self.procedure_code:
            return None

        async def load(keys: Any) -> list[ProcedureDocument | None]:
            return await load_procedures(store=education_store(info), codes=list(keys))

        loader = info.context.loader("education.procedures", load)
        document: ProcedureDocument | None = await loader.load(self.procedure_code)
        return document

    @strawberry.field(description="The admission procedure's catalogue record.")  # type: ignore[untyped-decorator]
    async def procedure(self, info: Info) -> Procedure | None:
        document = await self._procedure(info)
        return Procedure.from_document(document, self.lang) if document else None

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Everything to hand in: the procedure record's documents, then those the "
        "school's admission plan adds."
    )
    async def required_documents(self, info: Info) -> list[AdmissionDocument]:
        documents: list[AdmissionDocument] = []
        record = await self._procedure(info)
        for entry in (record or {}).get("documents", []):
            documents.append(
                AdmissionDocument(
                    name=pick(entry["name"], self.lang) or "",
                    originals=entry.get("originals"),
                    copies=entry.get("copies"),
                    form=entry.get("form"),
                    note=None,
                    source=AdmissionDocumentSource.PROCEDURE_RECORD,
                )
            )
        for own in self.document.get("documents", []):
            documents.append(
                AdmissionDocument(
                    name=pick(own["name"], self.lang) or "",
                    originals=None,
                    copies=own.get("copies"),
                    form=None,
                    note=pick(own.get("note"), self.lang),
                    source=AdmissionDocumentSource.ADMISSION_PLAN,
                )
            )
        return documents

    @strawberry.field(description="The name in every stored language, for editors.")  # type: ignore[untyped-decorator]
    def name_translations(self) -> LocalizedText:
        return LocalizedText.from_document(self.document.get("name"))

    @classmethod
    def from_document(cls, d: AdmissionRoundDocument, lang: str) -> "AdmissionRound":
        return cls(
            id=strawberry.ID(str(d["_id"])),
            name=pick(d["name"], lang) or "",
            school_year=d["schoolYear"],
            grade=AdmissionGrade(d["grade"]),
            school_ids=list(d["schoolIds"]),
            opens_on=date.fromisoformat(str(d["opensOn"])),
            closes_on=date.fromisoformat(str(d["closesOn"])),
            opens_at=as_utc(d["opensAt"]).astimezone(PROVINCE_TZ),
            closes_at=as_utc(d["closesAt"]).astimezone(PROVINCE_TZ),
            time_zone=str(PROVINCE_TZ),
            quota=d["quota"],
            method=AdmissionMethod(d["method"]),
            entrance_exam=d["entranceExam"],
            exam_on=date.fromisoformat(str(d["examOn"])) if d.get("examOn") else None,
            results_on=date.fromisoformat(str(d["resultsOn"])) if d.get("resultsOn") else None,
            procedure_code=d.get("procedureCode"),
            document=d,
            lang=lang,
        )


@strawberry.type(description="A school's announcement.")
class SchoolAnnouncement(Node):
    id: strawberry.ID
    school_id: str
    title: str
    body: str
    audience: SchoolAnnouncementAudience
    published_at: datetime
    lang: strawberry.Private[str]

    @strawberry.field
    async def school(self, info: Info) -> School | None:
        return await load_school(info, self.school_id, self.lang)

    @classmethod
    def from_document(cls, d: AnnouncementDocument, lang: str) -> "SchoolAnnouncement":
        return cls(
            id=strawberry.ID(str(d["_id"])),
            school_id=d["schoolId"],
            title=pick(d["title"], lang) or "",
            body=pick(d["body"], lang) or "",
            audience=SchoolAnnouncementAudience(d["audience"]),
            published_at=as_utc(d["publishedAt"]),
            lang=lang,
        )
