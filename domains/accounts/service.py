"""Role grants: who is staff of which hospital or school, and who administers the system."""

from domains.accounts.errors import InvalidUid, MissingScope, NoGrants
from domains.accounts.grant_list import GRANT_LIST, GrantList, NotCurrent
from domains.accounts.models import GrantChangeDocument, GrantDocument
from domains.accounts.repository import (
    SCOPE_FIELDS,
    AccountsStore,
    GrantHistoryRepository,
    GrantRepository,
)
from domains.kernel.auth import Principal, Role, require_admin
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.types import Database

GRANTABLE = (
    Role.HOSPITAL_STAFF,
    Role.SCHOOL_STAFF,
    Role.STATION_OPERATOR,
    Role.ENVIRONMENT_STAFF,
    Role.ADMIN,
)
SCOPE_ARGUMENT = {
    "hospital_staff": "hospitalId",
    "school_staff": "schoolId",
    "station_operator": "stationId",
}


def principal_from_grant(uid: str, grant: GrantDocument | None) -> Principal:
    """The principal of a verified user: a citizen plus whatever was granted."""
    if grant is None:
        return Principal(uid=uid, roles=frozenset({Role.CITIZEN}))
    known = {role.value: role for role in Role}
    roles = {known[name] for name in grant.get("roles", []) if name in known}
    return Principal(
        uid=uid,
        roles=frozenset({Role.CITIZEN, *roles}),
        hospital_ids=frozenset(grant.get("hospitalIds", [])),
        school_ids=frozenset(grant.get("schoolIds", [])),
        station_ids=frozenset(grant.get("stationIds", [])),
    )


async def load_principal(*, db: Database, uid: str, grants: GrantList | None = None) -> Principal:
    """Principal for a uid whose token was verified: from this process's copy of the grants
    while the change feed keeps it current, else read from MongoDB (grant_list.py)."""
    if grants is not None:
        grant = grants.grant_if_current(uid)
        if not isinstance(grant, NotCurrent):
            return principal_from_grant(uid, grant)
    return principal_from_grant(uid, await GrantRepository(db).get_for_uid(uid))


def _scope_of(
    role: Role, hospital_id: str | None, school_id: str | None, station_id: str | None = None
) -> str | None:
    if role not in GRANTABLE:
        raise InvalidInput(
            "Every signed-in user is a citizen; grant a staff or admin role.", field="role"
        )
    scope = _scope_value(role, hospital_id, school_id, station_id)
    if role.value in SCOPE_FIELDS and not scope:
        raise MissingScope(role.value, SCOPE_ARGUMENT[role.value])
    return scope


def _scope_value(
    role: Role, hospital_id: str | None, school_id: str | None, station_id: str | None
) -> str | None:
    """The hospital, school or station a scoped role is granted for."""
    return {
        "hospital_staff": hospital_id,
        "school_staff": school_id,
        "station_operator": station_id,
    }.get(role.value)


def _check_uid(uid: str) -> str:
    uid = uid.strip()
    if not 1 <= len(uid) <= 128:
        raise InvalidUid()
    return uid


async def grant_role(
    *,
    caller: Caller[AccountsStore],
    uid: str,
    role: Role,
    hospital_id: str | None = None,
    school_id: str | None = None,
    station_id: str | None = None,
) -> GrantDocument:
    """Give ``uid`` a role (admins only); staff roles need the hospital, school or station
    they serve."""
    by = require_admin(caller.principal)
    scope = _scope_of(role, hospital_id, school_id, station_id)
    grant = await _write_grant(caller.store.grants, uid=uid, role=role, scope=scope, by=by)
    await _record(caller.store.history, "grant", grant["_id"], role, scope, by)
    _listed(caller, grant)
    return grant


async def revoke_role(
    *,
    caller: Caller[AccountsStore],
    uid: str,
    role: Role,
    hospital_id: str | None = None,
    school_id: str | None = None,
    station_id: str | None = None,
) -> GrantDocument:
    """Take a role, or one hospital/school/station of a scoped role, away from ``uid`` (admins
    only)."""
    by = require_admin(caller.principal)
    uid = _check_uid(uid)
    if role not in GRANTABLE:
        raise InvalidInput("The citizen role cannot be revoked.", field="role")
    if uid == by and role is Role.ADMIN:
        raise InvalidInput("Administrators cannot revoke their own admin role.", field="uid")
    scope = _scope_value(role, hospital_id, school_id, station_id)
    grant = await caller.store.grants.remove_role(
        uid=uid, role=role.value, scope_id=scope, by=by, at=utcnow()
    )
    if grant is None:
        raise NoGrants(uid)
    await _record(caller.store.history, "revoke", uid, role, scope, by)
    _listed(caller, grant)
    return grant


async def bootstrap_grant(
    *,
    db: Database,
    uid: str,
    role: Role,
    hospital_id: str | None = None,
    school_id: str | None = None,
    station_id: str | None = None,
) -> GrantDocument:
    """Grant from the command line (whoever runs it holds the database credentials)."""
    scope = _scope_of(role, hospital_id, school_id, station_id)
    grant = await _write_grant(GrantRepository(db), uid=uid, role=role, scope=scope, by="cli")
    await _record(GrantHistoryRepository(db), "grant", grant["_id"], role, scope, "cli")
    return grant


async def _record(
    history: GrantHistoryRepository, action: str, uid: str, role: Role, scope: str | None, by: str
) -> None:
    change: GrantChangeDocument = {
        "uid": uid,
        "action": action,
        "role": role.value,
        "scopeId": scope,
        "by": by,
        "at": utcnow(),
    }
    await history.append(change)


async def grant_history(
    *,
    caller: Caller[AccountsStore],
    uid: str | None,
    first: int | None,
    after: str | None,
) -> Page[GrantChangeDocument]:
    """Every grant and revocation, newest first, of one user or of all (admins only)."""
    require_admin(caller.principal)
    return await caller.store.history.page(
        uid=_check_uid(uid) if uid else None, first=first, after=after
    )


async def _write_grant(
    grants: GrantRepository,
    *,
    uid: str,
    role: Role,
    scope: str | None,
    by: str,
) -> GrantDocument:
    uid = _check_uid(uid)
    return await grants.add_role(uid=uid, role=role.value, scope_id=scope, by=by, at=utcnow())


async def list_grants(
    *,
    caller: Caller[AccountsStore],
    role: Role | None,
    first: int | None,
    after: str | None,
) -> Page[GrantDocument]:
    """Users holding staff or admin roles (admins only)."""
    require_admin(caller.principal)
    listed = caller.store.resources.find(GRANT_LIST)
    if listed is not None and listed.built:
        return listed.page(role=role.value if role else None, first=first, after=after)
    return await caller.store.grants.page(
        role=role.value if role else None, first=first, after=after
    )


async def get_grant(*, caller: Caller[AccountsStore], uid: str) -> GrantDocument | None:
    """One user's roles, as `grants` lists them: administrators only, None otherwise."""
    if not caller.principal.is_admin:
        return None
    grant = await caller.store.grants.get_for_uid(uid)
    return grant if grant is not None and grant.get("roles") else None


def _listed(caller: Caller[AccountsStore], grant: GrantDocument) -> None:
    """A grant written here is in this process's grants page at once (others: change feed)."""
    listed = caller.store.resources.find(GRANT_LIST)
    if listed is not None:
        listed.put(grant["_id"], grant)
