from typing import Annotated

import strawberry

from domains.kernel.context import Info
from domains.kernel.errors import NotFoundError, ValidationFailed, expected
from domains.kernel.i18n import Language
from domains.kernel.pagination import Connection
from domains.procedures import service
from domains.procedures.errors import ProcedureCodeTaken
from domains.procedures.repository import ProcedureStore
from domains.procedures.search_index import PROCEDURE_SEARCH
from domains.procedures.types import (
    AdministrativeLevel,
    OnlineLevel,
    Procedure,
    ProcedureField,
    ProcedureInput,
    ProcedurePatch,
)

CreateProcedureResult = Annotated[
    Procedure | ValidationFailed | ProcedureCodeTaken, strawberry.union("CreateProcedureResult")
]
UpdateProcedureResult = Annotated[
    Procedure | ValidationFailed | NotFoundError, strawberry.union("UpdateProcedureResult")
]
RetireProcedureResult = Annotated[
    Procedure | NotFoundError, strawberry.union("RetireProcedureResult")
]


@strawberry.type
class Query:
    @strawberry.field(description="One procedure by its national code, e.g. 1.001193.")
    async def procedure(
        self, info: Info, code: str, lang: Language | None = None
    ) -> Procedure | None:
        document = await service.get_procedure(db=info.context.db, code=code)
        return Procedure.from_document(document, info.context.lang(lang)) if document else None

    @strawberry.field(
        description=(
            "The catalogue. With `search`: best matches first, accents and case ignored, "
            "abbreviations (CCCD, GPLX, BHYT, ...) understood, a code finds that procedure. "
            "Without: A–Z. `field`/`agency` take a key from `procedureFields` or a name."
        )
    )
    async def procedures(
        self,
        info: Info,
        search: str | None = None,
        field: str | None = None,
        agency: str | None = None,
        level: AdministrativeLevel | None = None,
        online_level: OnlineLevel | None = None,
        first: int | None = None,
        after: str | None = None,
        lang: Language | None = None,
        include_retired: bool = False,
    ) -> Connection[Procedure]:
        page = await service.search_procedures(
            caller=info.context.caller(ProcedureStore.of),
            index=info.context.resources.get(PROCEDURE_SEARCH),
            search=search,
            field=field,
            agency=agency,
            level=level.value if level else None,
            online_level=online_level.value if online_level else None,
            include_retired=include_retired,
            first=first,
            after=after,
        )
        language = info.context.lang(lang)
        return Connection.from_page(page.map(lambda d: Procedure.from_document(d, language)))

    @strawberry.field(description="Fields (lĩnh vực) with their number of procedures, for chips.")
    async def procedure_fields(
        self,
        info: Info,
        level: AdministrativeLevel | None = None,
        lang: Language | None = None,
    ) -> list[ProcedureField]:
        counts = await service.procedure_fields(
            db=info.context.db, level=level.value if level else None
        )
        language = info.context.lang(lang)
        return [ProcedureField.from_count(count, language) for count in counts]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a procedure to the catalogue (administrators only).")
    async def create_procedure(
        self, info: Info, input: ProcedureInput, lang: Language | None = None
    ) -> CreateProcedureResult:
        language = info.context.lang(lang)
        return await expected(
            service.create_procedure(
                caller=info.context.caller(ProcedureStore.of),
                record=input.to_record(),
                index=info.context.resources.get(PROCEDURE_SEARCH),
            ),
            lambda document: Procedure.from_document(document, language),
            ValidationFailed,
            ProcedureCodeTaken,
        )

    @strawberry.mutation(description="Change fields of a procedure (administrators only).")
    async def update_procedure(
        self, info: Info, code: str, patch: ProcedurePatch, lang: Language | None = None
    ) -> UpdateProcedureResult:
        language = info.context.lang(lang)
        return await expected(
            service.update_procedure(
                caller=info.context.caller(ProcedureStore.of),
                code=code,
                changes=patch.to_changes(),
                index=info.context.resources.get(PROCEDURE_SEARCH),
            ),
            lambda document: Procedure.from_document(document, language),
            ValidationFailed,
            NotFoundError,
        )

    @strawberry.mutation(
        description=(
            "Retire a procedure no longer in force: it leaves search and browsing but stays "
            "readable by code. `retired: false` brings it back (administrators only)."
        )
    )
    async def retire_procedure(
        self, info: Info, code: str, retired: bool = True, lang: Language | None = None
    ) -> RetireProcedureResult:
        language = info.context.lang(lang)
        return await expected(
            service.retire_procedure(
                caller=info.context.caller(ProcedureStore.of),
                code=code,
                retired=retired,
                index=info.context.resources.get(PROCEDURE_SEARCH),
            ),
            lambda document: Procedure.from_document(document, language),
            NotFoundError,
        )
