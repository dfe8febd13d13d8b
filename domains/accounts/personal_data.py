"""What the accounts domain holds about a person: the roles granted to them."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domains.accounts.repository import GrantRepository
from domains.kernel.personal_data import PersonalData
from domains.kernel.resources import Resources


@dataclass(frozen=True, slots=True)
class AccountsPersonalData:
    grants: GrantRepository

    async def export(self, uid: str) -> Mapping[str, Any]:
        grant = await self.grants.get_for_uid(uid)
        return {"grants": [grant] if grant else []}

    async def erase(self, uid: str) -> int:
        return await self.grants.delete_for_uid(uid)


def holder(resources: Resources) -> PersonalData:
    return AccountsPersonalData(GrantRepository(resources.db))
