"""Health as the composition root sees it."""

from domains.health import repository, schema
from domains.health.seed import seed_demo
from domains.kernel.module import DomainModule

MODULE = DomainModule(
    name="health",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(
        repository.HospitalRepository,
        repository.SlotRepository,
        repository.PatientProfileRepository,
        repository.AppointmentRepository,
        repository.AuditRepository,
        repository.IdempotencyRepository,
        repository.WaitlistRepository,
    ),
    seeder=seed_demo,
)
