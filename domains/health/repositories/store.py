"""The health store: the domain's repositories and the resources they run against, built once
per request (``info.context.scoped(HealthStore.of)``) or per use case."""

from dataclasses import dataclass

from domains.health.repositories.appointments import (
    AppointmentRepository,
    AuditRepository,
    IdempotencyRepository,
)
from domains.health.repositories.hospitals import HospitalRepository
from domains.health.repositories.profiles import PatientProfileRepository
from domains.health.repositories.reads import StaffReadRepository
from domains.health.repositories.slots import SlotRepository
from domains.health.repositories.waitlist import WaitlistRepository
from domains.kernel.rate_limit import RateWindowRepository
from domains.kernel.store import Store


@dataclass(frozen=True, slots=True)
class HealthStore(Store):
    """Transactions lock on slot ids (``keys``): bookings of one slot in this process wait their
    turn instead of aborting each other."""

    hospitals: HospitalRepository
    slots: SlotRepository
    profiles: PatientProfileRepository
    appointments: AppointmentRepository
    audit: AuditRepository
    idempotency: IdempotencyRepository
    waitlist: WaitlistRepository
    rate_windows: RateWindowRepository
    staff_reads: StaffReadRepository


REPOSITORIES = (
    HospitalRepository,
    SlotRepository,
    PatientProfileRepository,
    AppointmentRepository,
    AuditRepository,
    IdempotencyRepository,
    WaitlistRepository,
    StaffReadRepository,
)
