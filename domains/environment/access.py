"""Who may do what in the environment domain (checked first in every use case)."""

from domains.kernel.auth import Principal, Role, require_user
from domains.kernel.errors import Forbidden


def is_agency_staff(principal: Principal) -> bool:
    """Staff of the provincial environment agency, or an administrator."""
    return principal.is_admin or Role.ENVIRONMENT_STAFF in principal.roles


def require_station_writer(principal: Principal, station_id: str) -> str:
    """The station's operator, the agency's staff (its system) or an administrator."""
    uid = require_user(principal)
    if not (is_agency_staff(principal) or principal.is_station_operator_of(station_id)):
        raise Forbidden("Only this station's operator or the environment agency can send readings.")
    return uid


def require_agency_staff(principal: Principal) -> str:
    uid = require_user(principal)
    if not is_agency_staff(principal):
        raise Forbidden("Only staff of the environment agency can do this.")
    return uid
