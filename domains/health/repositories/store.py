"""The health store: the domain's repositories and the resources they run against, built once
per request (``info.context.scoped(HealthStore.of)``) or per use case."""

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Self, TypeVar

from domains.health.repositories.appointments import (
    AppointmentRepository,
    AuditRepository,
    IdempotencyRepository,
)
from domains.health.repositories.hospitals import HospitalRepository
from domains.health.repositories.profiles import PatientProfileRepository
from domains.health.repositories.slots import SlotRepository
from domains.health.repositories.waitlist import WaitlistRepository
from domains.kernel.resources import Resources
from domains.kernel.transactions import in_transaction
from domains.kernel.types import Database, Session

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class HealthStore:
    resources: Resources
    hospitals: HospitalRepository
    slots: SlotRepository
    profiles: PatientProfileRepository
    appointments: AppointmentRepository
    audit: AuditRepository
    idempotency: IdempotencyRepository
    waitlist: WaitlistRepository

    @classmethod
    def of(cls, resources: Resources) -> Self:
        db = resources.db
        return cls(
            resources=resources,
            hospitals=HospitalRepository(db),
            slots=SlotRepository(db),
            profiles=PatientProfileRepository(db),
            appointments=AppointmentRepository(db),
            audit=AuditRepository(db),
            idempotency=IdempotencyRepository(db),
            waitlist=WaitlistRepository(db),
        )

    @property
    def db(self) -> Database:
        return self.resources.db

    async def transaction(
        self, work: Callable[[Session], Awaitable[Result]], *, keys: Iterable[Hashable] = ()
    ) -> Result:
        """``work`` in one transaction; with ``keys`` (slot ids), after this process's earlier
        transactions on those slots (``resources.locks``)."""
        return await in_transaction(self.db, work, locks=self.resources.locks, keys=keys)


REPOSITORIES = (
    HospitalRepository,
    SlotRepository,
    PatientProfileRepository,
    AppointmentRepository,
    AuditRepository,
    IdempotencyRepository,
    WaitlistRepository,
)
