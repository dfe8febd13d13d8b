"""Who is asking: the principal every service receives, and the checks services make with it."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

import strawberry

from domains.kernel.errors import AccountRequired, Forbidden, NotAuthenticated, SignInTooOld


@strawberry.enum(description="What a signed-in user may do beyond being a citizen.")
class Role(Enum):
    CITIZEN = "citizen"
    HOSPITAL_STAFF = "hospital_staff"
    SCHOOL_STAFF = "school_staff"
    STATION_OPERATOR = "station_operator"
    ENVIRONMENT_STAFF = "environment_staff"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. ``uid`` is None for an anonymous visitor, who may read public data only."""

    uid: str | None = None
    roles: frozenset[Role] = frozenset()
    hospital_ids: frozenset[str] = field(default_factory=frozenset)
    school_ids: frozenset[str] = field(default_factory=frozenset)
    # When the user last proved who they are (the verified token's ``auth_time``), not when
    # the token was refreshed; None when the token does not say.
    signed_in_at: datetime | None = None
    # A Firebase anonymous (guest) sign-in: free to make in bulk, so it may read and follow
    # topics but not book, wait or hold patient profiles.
    anonymous: bool = False
    station_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.uid is not None

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def has_role(self, role: Role) -> bool:
        if role is Role.CITIZEN:
            return self.is_authenticated
        return role in self.roles

    def is_hospital_staff_of(self, hospital_id: str) -> bool:
        return Role.HOSPITAL_STAFF in self.roles and hospital_id in self.hospital_ids

    def is_school_staff_of(self, school_id: str) -> bool:
        return Role.SCHOOL_STAFF in self.roles and school_id in self.school_ids

    def is_station_operator_of(self, station_id: str) -> bool:
        return Role.STATION_OPERATOR in self.roles and station_id in self.station_ids


ANONYMOUS = Principal()


def require_user(principal: Principal) -> str:
    """The caller's uid; raises when the caller is anonymous."""
    if principal.uid is None:
        raise NotAuthenticated()
    return principal.uid


def require_account(principal: Principal) -> str:
    """The caller's uid when they signed in with a real account (not a guest sign-in)."""
    uid = require_user(principal)
    if principal.anonymous:
        raise AccountRequired()
    return uid


def require_recent_sign_in(principal: Principal, now: datetime, within: timedelta) -> str:
    """The caller's uid when they signed in within ``within`` (destructive account actions)."""
    uid = require_user(principal)
    if principal.signed_in_at is None or not now - within <= principal.signed_in_at <= now:
        minutes = int(within.total_seconds() // 60)
        raise SignInTooOld(f"Sign in again (this needs a sign-in less than {minutes} minutes old).")
    return uid


def require_admin(principal: Principal) -> str:
    uid = require_user(principal)
    if not principal.is_admin:
        raise Forbidden("Only an administrator can do this.")
    return uid


def require_hospital_staff(principal: Principal, hospital_id: str) -> str:
    """Staff of this hospital, or an admin."""
    uid = require_user(principal)
    if not (principal.is_admin or principal.is_hospital_staff_of(hospital_id)):
        raise Forbidden("Only staff of this hospital can do this.")
    return uid


def require_school_staff(principal: Principal, school_id: str) -> str:
    """Staff of this school, or an admin."""
    uid = require_user(principal)
    if not (principal.is_admin or principal.is_school_staff_of(school_id)):
        raise Forbidden("Only staff of this school can do this.")
    return uid
