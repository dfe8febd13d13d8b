"""Health as the composition root sees it."""

from domains.health import encryption, personal_data, schema, subscriptions
from domains.health.calendar import SLOT_CALENDAR, SlotCalendar
from domains.health.catalogue import CATALOGUES
from domains.health.directory import HealthPatients
from domains.health.facilities import HOLD_SWEEPS, HoldSweeps
from domains.health.nodes import find_node
from domains.health.province import seed_province
from domains.health.repositories import REPOSITORIES
from domains.health.seed import seed_demo
from domains.kernel.live import change_feeds
from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources
from domains.notifications.ports import PATIENT_DIRECTORY


def wire(resources: Resources) -> None:
    """Notifications asks health whom a facility's staff may notify (its patients); the
    facilities' read side (search and "near me"), the slot calendar and when holds were last
    swept before a listing, one per process."""
    resources.provide(PATIENT_DIRECTORY, HealthPatients(resources))
    CATALOGUES.wire(resources)
    if resources.find(SLOT_CALENDAR) is None:
        calendar = SlotCalendar(
            resources.db, readiness=resources.readiness, feeds=change_feeds(resources)
        )
        resources.provide(SLOT_CALENDAR, calendar)
    if resources.find(HOLD_SWEEPS) is None:
        resources.provide(HOLD_SWEEPS, HoldSweeps())


async def start(resources: Resources) -> None:
    """Start following the facilities and the slots; both build in the background."""
    await CATALOGUES.start(resources)
    calendar = resources.get(SLOT_CALENDAR)
    await calendar.start()
    resources.on_close(calendar.stop)


MODULE = DomainModule(
    name="health",
    query=schema.Query,
    mutation=schema.Mutation,
    subscription=subscriptions.Subscription,
    find_node=find_node,
    repositories=REPOSITORIES,
    seeder=seed_demo,
    province_seeder=seed_province,
    wire=wire,
    start=start,
    personal_data=personal_data.holder,
    reencrypt=encryption.reencrypt,
)
