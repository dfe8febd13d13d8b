"""The education store: the domain's repositories over the resources they run against, built
once per request (``info.context.scoped(EducationStore.of)``) or per use case."""

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Self, TypeVar

from domains.education.repository import (
    AdmissionRoundRepository,
    AnnouncementRepository,
    CommuneRepository,
    SchoolRepository,
)
from domains.kernel.resources import Resources
from domains.kernel.transactions import in_transaction
from domains.kernel.types import Database, Session

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class EducationStore:
    """The education repositories over one request's resources (``context.scoped(...of)``)."""

    resources: Resources
    communes: CommuneRepository
    schools: SchoolRepository
    rounds: AdmissionRoundRepository
    announcements: AnnouncementRepository

    @classmethod
    def of(cls, resources: Resources) -> Self:
        db = resources.db
        return cls(
            resources=resources,
            communes=CommuneRepository(db),
            schools=SchoolRepository(db),
            rounds=AdmissionRoundRepository(db),
            announcements=AnnouncementRepository(db),
        )

    @property
    def db(self) -> Database:
        return self.resources.db

    async def transaction(
        self, work: Callable[[Session], Awaitable[Result]], *, keys: Iterable[Hashable] = ()
    ) -> Result:
        """``work`` in one transaction, after this process's earlier work on ``keys``."""
        return await in_transaction(self.db, work, locks=self.resources.locks, keys=keys)
