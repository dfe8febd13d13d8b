"""What notifications needs from other domains, declared here and wired by the composition root
(api/registry.py): notifications never imports the domains that implement these."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domains.kernel.resources import Key


class PatientDirectory(Protocol):
    """Health's answer to "which of these users are patients of this facility?"."""

    async def patients_of_hospital(
        self, *, hospital_id: str, user_ids: Sequence[str], now: datetime | None = None
    ) -> set[str]:
        """The subset of ``user_ids`` its staff may send pushes to."""
        ...


class RoleDirectory(Protocol):
    """Accounts' answer to "who holds this role?" (for role audiences of a broadcast)."""

    async def uids_with_role(self, role: str) -> list[str]: ...


PATIENT_DIRECTORY: Key[PatientDirectory] = Key("notifications.patient-directory")
ROLE_DIRECTORY: Key[RoleDirectory] = Key("notifications.role-directory")


class AppCheck(Protocol):
    """Firebase App Check: was this request made by our genuine app on a genuine device?
    Wired by the API when DEVICE_APP_CHECK is on (the default in production)."""

    async def verify(self, token: str) -> bool: ...


APP_CHECK: Key[AppCheck] = Key("notifications.app-check")
