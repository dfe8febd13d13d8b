"""Queries and mutations of the education domain (thin: parse, call the service, map)."""

from typing import Annotated

import strawberry

from domains.education import service
from domains.education.errors import RoundNotFound, SchoolNotFound
from domains.education.types import (
    AdmissionGrade,
    AdmissionRound,
    AdmissionRoundInput,
    AdmissionRoundStatus,
    CatchmentLookup,
    Commune,
    School,
    SchoolAnnouncement,
    SchoolAnnouncementInput,
    SchoolInput,
    SchoolLevel,
    SchoolOwnership,
)
from domains.kernel.context import Info
from domains.kernel.errors import InvalidInput, NotFoundError, ValidationFailed, validation_failed
from domains.kernel.geo import NearInput
from domains.kernel.i18n import Language
from domains.kernel.pagination import Connection

SchoolResult = Annotated[
    School | ValidationFailed | NotFoundError, strawberry.union("SchoolResult")
]
AdmissionRoundResult = Annotated[
    AdmissionRound | ValidationFailed | NotFoundError, strawberry.union("AdmissionRoundResult")
]
PublishAnnouncementResult = Annotated[
    SchoolAnnouncement | ValidationFailed | NotFoundError,
    strawberry.union("PublishAnnouncementResult"),
]
SubscribeToSchoolResult = Annotated[
    School | ValidationFailed | NotFoundError, strawberry.union("SubscribeToSchoolResult")
]


def _not_found(error: SchoolNotFound | RoundNotFound) -> NotFoundError:
    return NotFoundError(message=error.message, code=error.code)


@strawberry.type
class Query:
    @strawberry.field(description="Wards and communes known to the school directory.")
    async def communes(
        self, info: Info, district: str | None = None, lang: Language | None = None
    ) -> list[Commune]:
        language = info.context.lang(lang)
        documents = await service.list_communes(db=info.context.db, district=district)
        return [Commune.from_document(d, language) for d in documents]

    @strawberry.field(
        description="The school directory: by name; nearest first with `near`; best match "
        "first with `search` (accent-insensitive)."
    )
    async def schools(
        self,
        info: Info,
        level: SchoolLevel | None = None,
        district: str | None = None,
        commune: str | None = None,
        ownership: SchoolOwnership | None = None,
        near: NearInput | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[School]:
        language = info.context.lang(lang)
        checked = near.validated() if near else None
        page = await service.list_schools(
            db=info.context.db,
            level=level.value if level else None,
            district=district,
            commune=commune,
            ownership=ownership.value if ownership else None,
            near=service.Near(checked.lat, checked.lng, checked.radius_km) if checked else None,
            search=search,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(lambda d: School.from_document(d, language)))

    @strawberry.field
    async def school(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> School | None:
        document = await service.get_school(db=info.context.db, school_id=str(id))
        return School.from_document(document, info.context.lang(lang)) if document else None

    @strawberry.field(
        description="Schools whose catchment includes a place: inside a published area, else by "
        "the place's ward/commune (pass `communeCode` when the address gives it). Nearest first."
    )
    async def schools_for_location(
        self,
        info: Info,
        lat: float,
        lng: float,
        level: SchoolLevel | None = None,
        commune_code: str | None = None,
        lang: Language | None = None,
    ) -> CatchmentLookup:
        answer = await service.schools_for_location(
            db=info.context.db,
            lat=lat,
            lng=lng,
            level=level.value if level else None,
            commune_code=commune_code,
        )
        return CatchmentLookup.from_answer(answer, info.context.lang(lang))

    @strawberry.field(description="Schools admitting from a ward/commune, nearest first.")
    async def schools_for_commune(
        self,
        info: Info,
        commune_code: str,
        level: SchoolLevel | None = None,
        lang: Language | None = None,
    ) -> CatchmentLookup:
        answer = await service.schools_for_commune(
            db=info.context.db, commune_code=commune_code, level=level.value if level else None
        )
        return CatchmentLookup.from_answer(answer, info.context.lang(lang))

    @strawberry.field(description="Admission rounds in the order their windows open.")
    async def admission_rounds(
        self,
        info: Info,
        school_year: str | None = None,
        grade: AdmissionGrade | None = None,
        district: str | None = None,
        status: AdmissionRoundStatus | None = None,
        school_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[AdmissionRound]:
        language = info.context.lang(lang)
        page = await service.list_rounds(
            db=info.context.db,
            school_year=school_year,
            grade=grade.value if grade else None,
            district=district,
            school_id=school_id,
            status=status.value if status else None,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(lambda d: AdmissionRound.from_document(d, language)))

    @strawberry.field
    async def admission_round(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> AdmissionRound | None:
        document = await service.get_round(db=info.context.db, round_id=str(id))
        return AdmissionRound.from_document(document, info.context.lang(lang)) if document else None

    @strawberry.field(description="A school's announcements, newest first.")
    async def announcements(
        self,
        info: Info,
        school_id: str,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
    ) -> Connection[SchoolAnnouncement]:
        language = info.context.lang(lang)
        page = await service.list_announcements(
            db=info.context.db,
            principal=info.context.principal,
            school_id=school_id,
            first=first,
            after=after,
        )
        return Connection.from_page(
            page.map(lambda d: SchoolAnnouncement.from_document(d, language))
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a school (administrators only).")
    async def create_school(self, info: Info, input: SchoolInput) -> SchoolResult:
        try:
            document = await service.create_school(
                db=info.context.db, principal=info.context.principal, fields=input.to_fields()
            )
        except InvalidInput as error:
            return validation_failed(error)
        return School.from_document(document, info.context.lang())

    @strawberry.mutation(description="Replace a school's details (administrators only).")
    async def update_school(
        self, info: Info, id: strawberry.ID, input: SchoolInput
    ) -> SchoolResult:
        try:
            document = await service.update_school(
                db=info.context.db,
                principal=info.context.principal,
                school_id=str(id),
                fields=input.to_fields(),
            )
        except SchoolNotFound as error:
            return _not_found(error)
        except InvalidInput as error:
            return validation_failed(error)
        return School.from_document(document, info.context.lang())

    @strawberry.mutation(
        description="Add an admission round (administrators only); schedules its reminders."
    )
    async def create_admission_round(
        self, info: Info, input: AdmissionRoundInput
    ) -> AdmissionRoundResult:
        try:
            document = await service.create_round(
                db=info.context.db, principal=info.context.principal, fields=input.to_fields()
            )
        except InvalidInput as error:
            return validation_failed(error)
        return AdmissionRound.from_document(document, info.context.lang())

    @strawberry.mutation(
        description="Change an admission round (administrators only); reminders follow the window."
    )
    async def update_admission_round(
        self, info: Info, id: strawberry.ID, input: AdmissionRoundInput
    ) -> AdmissionRoundResult:
        try:
            document = await service.update_round(
                db=info.context.db,
                principal=info.context.principal,
                round_id=str(id),
                fields=input.to_fields(),
            )
        except RoundNotFound as error:
            return _not_found(error)
        except InvalidInput as error:
            return validation_failed(error)
        return AdmissionRound.from_document(document, info.context.lang())

    @strawberry.mutation(
        description="Publish for a school (its staff): pushed to its followers and put in their "
        "inboxes."
    )
    async def publish_announcement(
        self, info: Info, input: SchoolAnnouncementInput
    ) -> PublishAnnouncementResult:
        try:
            document = await service.publish_announcement(
                db=info.context.db,
                principal=info.context.principal,
                school_id=input.school_id,
                title=input.title.to_document(),
                body=input.body.to_document(),
                audience=input.audience.value,
            )
        except SchoolNotFound as error:
            return _not_found(error)
        except InvalidInput as error:
            return validation_failed(error)
        return SchoolAnnouncement.from_document(document, info.context.lang())

    @strawberry.mutation(
        description="Follow a school: its announcements, and reminders three days before its "
        "admission windows open and the day before they close. Anonymous installations pass "
        "`deviceToken`."
    )
    async def subscribe_to_school(
        self, info: Info, school_id: str, device_token: str | None = None
    ) -> SubscribeToSchoolResult:
        try:
            document = await service.subscribe_to_school(
                db=info.context.db,
                principal=info.context.principal,
                school_id=school_id,
                device_token=device_token,
            )
        except SchoolNotFound as error:
            return _not_found(error)
        except InvalidInput as error:
            return validation_failed(error)
        return School.from_document(document, info.context.lang())

    @strawberry.mutation(description="Stop following a school; false when you did not follow it.")
    async def unsubscribe_from_school(
        self, info: Info, school_id: str, device_token: str | None = None
    ) -> bool:
        return await service.unsubscribe_from_school(
            db=info.context.db,
            principal=info.context.principal,
            school_id=school_id,
            device_token=device_token,
        )
