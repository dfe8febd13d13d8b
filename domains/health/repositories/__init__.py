"""Every query of the health domain, one module per collection; filters are built there from
typed arguments only. ``HealthStore`` bundles them for a request or a use case."""

from domains.health.repositories.appointments import (
    AppointmentRepository,
    AuditRepository,
    IdempotencyRepository,
)
from domains.health.repositories.hospitals import HospitalRepository
from domains.health.repositories.profiles import PatientProfileRepository
from domains.health.repositories.slots import SlotRepository
from domains.health.repositories.store import REPOSITORIES, HealthStore
from domains.health.repositories.waitlist import WaitlistRepository

__all__ = [
    "REPOSITORIES",
    "AppointmentRepository",
    "AuditRepository",
    "HealthStore",
    "HospitalRepository",
    "IdempotencyRepository",
    "PatientProfileRepository",
    "SlotRepository",
    "WaitlistRepository",
]
