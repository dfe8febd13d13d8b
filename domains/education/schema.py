"""Queries and mutations of the education domain (thin: parse, call the service, map)."""

from typing import Annotated

import strawberry

from domains.education import announcements, catchment, directory, rounds, subscriptions
from domains.education.enums import (
    AdmissionGrade,
    AdmissionRoundStatus,
    SchoolLevel,
    SchoolOwnership,
)
from domains.education.inputs import AdmissionRoundInput, SchoolAnnouncementInput, SchoolInput
from domains.education.listing import Near
from domains.education.types import (
    AdmissionRound,
    CatchmentLookup,
    Commune,
    School,
    SchoolAnnouncement,
    education_caller,
    education_store,
    round_catalogue,
    school_catalogue,
)
from domains.kernel.context import Info
from domains.kernel.errors import NotFoundError, ValidationFailed, expected
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


@strawberry.type
class Query:
    @strawberry.field(description="Wards and communes known to the school directory.")
    async def communes(
        self, info: Info, district: str | None = None, lang: Language | None = None
    ) -> list[Commune]:
        language = info.context.lang(lang)
        documents = await catchment.list_communes(store=education_store(info), district=district)
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
        page = await directory.list_schools(
            catalogue=school_catalogue(info),
            level=level.value if level else None,
            district=district,
            commune=commune,
            ownership=ownership.value if ownership else None,
            near=Near(checked.lat, checked.lng, checked.radius_km) if checked else None,
            search=search,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(lambda d: School.from_document(d, language)))

    @strawberry.field
    async def school(
        self, info: Info, id: strawberry.ID, lang: Language | None = None
    ) -> School | None:
        document = await directory.get_school(store=education_store(info), school_id=str(id))
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
        answer = await catchment.schools_for_location(
            store=education_store(info),
            catalogue=school_catalogue(info),
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
        answer = await catchment.schools_for_commune(
            store=education_store(info),
            catalogue=school_catalogue(info),
            commune_code=commune_code,
            level=level.value if level else None,
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
        page = await rounds.list_rounds(
            catalogue=round_catalogue(info),
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
        document = await rounds.get_round(store=education_store(info), round_id=str(id))
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
        page = await announcements.list_announcements(
            caller=education_caller(info),
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
        language = info.context.lang()
        return await expected(
            directory.create_school(
                caller=education_caller(info),
                catalogue=school_catalogue(info),
                fields=input.to_fields(),
            ),
            lambda document: School.from_document(document, language),
            ValidationFailed,
        )

    @strawberry.mutation(description="Replace a school's details (administrators only).")
    async def update_school(
        self, info: Info, id: strawberry.ID, input: SchoolInput
    ) -> SchoolResult:
        language = info.context.lang()
        return await expected(
            directory.update_school(
                caller=education_caller(info),
                catalogue=school_catalogue(info),
                school_id=str(id),
                fields=input.to_fields(),
            ),
            lambda document: School.from_document(document, language),
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Add an admission round (administrators only); schedules its reminders."
    )
    async def create_admission_round(
        self, info: Info, input: AdmissionRoundInput
    ) -> AdmissionRoundResult:
        language = info.context.lang()
        return await expected(
            rounds.create_round(
                caller=education_caller(info),
                catalogue=round_catalogue(info),
                fields=input.to_fields(),
            ),
            lambda document: AdmissionRound.from_document(document, language),
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Change an admission round (administrators only); reminders follow the window."
    )
    async def update_admission_round(
        self, info: Info, id: strawberry.ID, input: AdmissionRoundInput
    ) -> AdmissionRoundResult:
        language = info.context.lang()
        return await expected(
            rounds.update_round(
                caller=education_caller(info),
                catalogue=round_catalogue(info),
                round_id=str(id),
                fields=input.to_fields(),
            ),
            lambda document: AdmissionRound.from_document(document, language),
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Publish for a school (its staff): pushed to its followers and put in their "
        "inboxes."
    )
    async def publish_announcement(
        self, info: Info, input: SchoolAnnouncementInput
    ) -> PublishAnnouncementResult:
        language = info.context.lang()
        return await expected(
            announcements.publish_announcement(
                caller=education_caller(info),
                school_id=input.school_id,
                title=input.title.to_document(),
                body=input.body.to_document(),
                audience=input.audience.value,
            ),
            lambda document: SchoolAnnouncement.from_document(document, language),
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Follow a school: its announcements, and reminders three days before its "
        "admission windows open and the day before they close. Anonymous installations pass "
        "`deviceToken`."
    )
    async def subscribe_to_school(
        self, info: Info, school_id: str, device_token: str | None = None
    ) -> SubscribeToSchoolResult:
        language = info.context.lang()
        return await expected(
            subscriptions.subscribe_to_school(
                caller=education_caller(info),
                school_id=school_id,
                device_token=device_token,
            ),
            lambda document: School.from_document(document, language),
            NotFoundError,
            ValidationFailed,
        )

    @strawberry.mutation(description="Stop following a school; false when you did not follow it.")
    async def unsubscribe_from_school(
        self, info: Info, school_id: str, device_token: str | None = None
    ) -> bool:
        return await subscriptions.unsubscribe_from_school(
            caller=education_caller(info),
            school_id=school_id,
            device_token=device_token,
        )
