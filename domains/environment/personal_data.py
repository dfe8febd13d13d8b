"""What the environment domain holds about a person: the pollution reports they filed (with
their photos) and their support of others' reports."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domains.environment.repository import EnvironmentStore
from domains.kernel.personal_data import PersonalData
from domains.kernel.resources import Resources


@dataclass(frozen=True, slots=True)
class EnvironmentPersonalData:
    store: EnvironmentStore

    async def export(self, uid: str) -> Mapping[str, Any]:
        return {"environment_reports": await self.store.reports.of_reporter(uid)}

    async def erase(self, uid: str) -> int:
        """The user's reports go with their photos; their support of others' is withdrawn."""
        reports = await self.store.reports.of_reporter(uid)
        for report in reports:
            await self.store.photos.delete([*report["photoIds"], *report["resultPhotoIds"]])
        deleted = await self.store.reports.delete([report["_id"] for report in reports])
        return deleted + await self.store.reports.remove_supporter(uid)


def holder(resources: Resources) -> PersonalData:
    return EnvironmentPersonalData(EnvironmentStore.of(resources))


async def purge(resources: Resources, now: datetime) -> int:
    """Delete the photos of reports that are gone (their TTL passed): ``xuthanh purge``, daily."""
    store = EnvironmentStore.of(resources)
    orphans = await store.photos.unreferenced(before=now - timedelta(days=1), reports=store.reports)
    await store.photos.delete(orphans)
    return len(orphans)
