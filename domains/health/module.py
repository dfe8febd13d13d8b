"""Health as the composition root sees it."""

from domains.health import schema
from domains.health.directory import HealthPatients
from domains.health.repositories import REPOSITORIES
from domains.health.seed import seed_demo
from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources
from domains.notifications.ports import PATIENT_DIRECTORY


def wire(resources: Resources) -> None:
    """Notifications asks health whom a facility's staff may notify (its patients)."""
    resources.provide(PATIENT_DIRECTORY, HealthPatients(resources))


MODULE = DomainModule(
    name="health",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=REPOSITORIES,
    seeder=seed_demo,
    wire=wire,
)
