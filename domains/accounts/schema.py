from typing import Annotated

import strawberry
import strawberry.scalars

from domains.accounts import erasure, service
from domains.accounts.repository import AccountsStore
from domains.accounts.types import (
    Erasure,
    Grant,
    GrantChange,
    GrantNotFound,
    RecentSignInRequired,
    Viewer,
)
from domains.kernel.auth import Role
from domains.kernel.context import Info
from domains.kernel.errors import ValidationFailed, expected
from domains.kernel.pagination import Connection

GrantRoleResult = Annotated[Grant | ValidationFailed, strawberry.union("GrantRoleResult")]
EraseMyDataResult = Annotated[Erasure | RecentSignInRequired, strawberry.union("EraseMyDataResult")]
RevokeRoleResult = Annotated[
    Grant | GrantNotFound | ValidationFailed, strawberry.union("RevokeRoleResult")
]


@strawberry.type
class Query:
    @strawberry.field(description="Who the API thinks you are.")
    def me(self, info: Info) -> Viewer:
        return Viewer.from_principal(info.context.principal)

    @strawberry.field(
        description="Everything the system holds about you (profiles, appointments, waitlist, "
        "audit entries, devices, inbox, favourites, reviews, chat...) as one JSON document."
    )
    async def my_data(self, info: Info) -> strawberry.scalars.JSON:
        data = await erasure.export_my_data(caller=info.context.caller(AccountsStore.of))
        return strawberry.scalars.JSON(data)

    @strawberry.field(
        description="Every grant and revocation, newest first, of one user or of all "
        "(administrators only; the history is never rewritten)."
    )
    async def grant_history(
        self,
        info: Info,
        uid: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[GrantChange]:
        page = await service.grant_history(
            caller=info.context.caller(AccountsStore.of), uid=uid, first=first, after=after
        )
        return Connection.from_page(page.map(GrantChange.from_document))

    @strawberry.field(description="Users with staff or admin roles (administrators only).")
    async def grants(
        self,
        info: Info,
        role: Role | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Grant]:
        page = await service.list_grants(
            caller=info.context.caller(AccountsStore.of),
            role=role,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(Grant.from_document))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Give a user a role (administrators only).")
    async def grant_role(
        self,
        info: Info,
        uid: str,
        role: Role,
        hospital_id: str | None = None,
        school_id: str | None = None,
        station_id: str | None = None,
    ) -> GrantRoleResult:
        return await expected(
            service.grant_role(
                caller=info.context.caller(AccountsStore.of),
                uid=uid,
                role=role,
                hospital_id=hospital_id,
                school_id=school_id,
                station_id=station_id,
            ),
            Grant.from_document,
            ValidationFailed,
        )

    @strawberry.mutation(
        description="Erase your data everywhere (needs a sign-in less than 5 minutes old). "
        "Health records a facility must keep are reduced and unlinked from you; the rest goes. "
        "Safe to repeat: a repeat finishes an erasure that was cut short."
    )
    async def erase_my_data(self, info: Info) -> EraseMyDataResult:
        return await expected(
            erasure.erase_my_data(caller=info.context.caller(AccountsStore.of)),
            Erasure.from_document,
            RecentSignInRequired,
        )

    @strawberry.mutation(description="Take a role (or one hospital/school of it) away.")
    async def revoke_role(
        self,
        info: Info,
        uid: str,
        role: Role,
        hospital_id: str | None = None,
        school_id: str | None = None,
        station_id: str | None = None,
    ) -> RevokeRoleResult:
        return await expected(
            service.revoke_role(
                caller=info.context.caller(AccountsStore.of),
                uid=uid,
                role=role,
                hospital_id=hospital_id,
                school_id=school_id,
                station_id=station_id,
            ),
            Grant.from_document,
            GrantNotFound,
            ValidationFailed,
        )
