"""Accounts' side of the role directory notifications declares (domains.notifications.ports)."""

from domains.accounts.repository import GrantRepository
from domains.kernel.resources import Resources
from domains.notifications.ports import ROLE_DIRECTORY


class GrantDirectory:
    """Who holds a role, read from the grants (a role audience of a broadcast)."""

    def __init__(self, grants: GrantRepository) -> None:
        self.grants = grants

    async def uids_with_role(self, role: str) -> list[str]:
        return await self.grants.uids_with_role(role)


def wire(resources: Resources) -> None:
    """Provide the role directory to notifications."""
    resources.provide(ROLE_DIRECTORY, GrantDirectory(GrantRepository(resources.db)))
