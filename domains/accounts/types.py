from datetime import datetime
from typing import ClassVar

import strawberry

from domains.accounts.errors import NoGrants
from domains.accounts.models import ErasureJobDocument, GrantChangeDocument, GrantDocument
from domains.kernel.auth import Principal, Role
from domains.kernel.errors import SignInTooOld, UserError
from domains.kernel.node import Node, global_id

ROLES = {role.value: role for role in Role}


@strawberry.type(description="The roles a user holds beyond citizen.")
class Grant(Node):
    id: strawberry.ID = strawberry.field(description="Opaque and stable, for `node(id:)`.")
    uid: str
    roles: list[Role]
    hospital_ids: list[str]
    school_ids: list[str]
    station_ids: list[str]
    updated_at: datetime
    updated_by: str

    @classmethod
    def from_document(cls, document: GrantDocument) -> "Grant":
        return cls(
            id=global_id("Grant", document["_id"]),
            uid=document["_id"],
            roles=[ROLES[name] for name in document.get("roles", []) if name in ROLES],
            hospital_ids=list(document.get("hospitalIds", [])),
            school_ids=list(document.get("schoolIds", [])),
            station_ids=list(document.get("stationIds", [])),
            updated_at=document["updatedAt"],
            updated_by=document["updatedBy"],
        )


@strawberry.type(description="Who is asking: anonymous, or a signed-in user with roles.")
class Viewer:
    uid: str | None
    is_anonymous: bool
    roles: list[Role]
    hospital_ids: list[str]
    school_ids: list[str]
    station_ids: list[str]

    @classmethod
    def from_principal(cls, principal: Principal) -> "Viewer":
        return cls(
            uid=principal.uid,
            is_anonymous=not principal.is_authenticated,
            roles=sorted(principal.roles, key=lambda role: role.value),
            hospital_ids=sorted(principal.hospital_ids),
            school_ids=sorted(principal.school_ids),
            station_ids=sorted(principal.station_ids),
        )


@strawberry.type(description="The user had no such role; nothing changed.")
class GrantNotFound(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({NoGrants.code})


@strawberry.type(description="An erasure of your data: which domains are done.")
class Erasure:
    status: str = strawberry.field(description="`running` or `done`.")
    requested_at: datetime
    finished_at: datetime | None
    erased_domains: list[str]

    @classmethod
    def from_document(cls, document: ErasureJobDocument) -> "Erasure":
        return cls(
            status=document["status"],
            requested_at=document["requestedAt"],
            finished_at=document.get("finishedAt"),
            erased_domains=sorted(document["done"]),
        )


@strawberry.type(description="Sign in again, then retry: this needs a fresh sign-in.")
class RecentSignInRequired(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({SignInTooOld.code})


@strawberry.type(description="One grant or revocation of a role (append-only history).")
class GrantChange:
    uid: str
    action: str = strawberry.field(description="`grant` or `revoke`.")
    role: Role
    scope_id: str | None = strawberry.field(description="The hospital or school of a staff role.")
    by: str = strawberry.field(description="The administrator's uid, or `cli`.")
    at: datetime

    @classmethod
    def from_document(cls, document: GrantChangeDocument) -> "GrantChange":
        return cls(
            uid=document["uid"],
            action=document["action"],
            role=Role(document["role"]),
            scope_id=document["scopeId"],
            by=document["by"],
            at=document["at"],
        )
