"""Health as the composition root sees it."""

from domains.health import schema
from domains.health.catalogue import CATALOGUES
from domains.health.directory import HealthPatients
from domains.health.province import seed_province
from domains.health.repositories import REPOSITORIES
from domains.health.seed import seed_demo
from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources
from domains.notifications.ports import PATIENT_DIRECTORY


def wire(resources: Resources) -> None:
    """Notifications asks health whom a facility's staff may notify (its patients); the
    facilities' read side (search and "near me"), one per process, built in the background."""
    resources.provide(PATIENT_DIRECTORY, HealthPatients(resources))
    CATALOGUES.wire(resources)


MODULE = DomainModule(
    name="health",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=REPOSITORIES,
    seeder=seed_demo,
    province_seeder=seed_province,
    wire=wire,
    start=CATALOGUES.start,
)
