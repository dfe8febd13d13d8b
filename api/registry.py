"""The one list of domains the API is composed of: add a domain here and nowhere else."""

from collections.abc import Sequence
from datetime import datetime

from starlette.routing import BaseRoute

from domains.accounts.module import MODULE as ACCOUNTS
from domains.chatbot.module import MODULE as CHATBOT
from domains.education.module import MODULE as EDUCATION
from domains.environment.module import MODULE as ENVIRONMENT
from domains.health.module import MODULE as HEALTH
from domains.kernel.jobs import Job
from domains.kernel.module import DomainModule, Seeder
from domains.kernel.node import NodeFinder
from domains.kernel.personal_data import PERSONAL_DATA, Holders
from domains.kernel.rate_limit import RateWindowRepository
from domains.kernel.repository import Repository
from domains.kernel.resources import Resources
from domains.notifications.module import MODULE as NOTIFICATIONS
from domains.procedures.module import MODULE as PROCEDURES
from domains.tourism.module import MODULE as TOURISM

# In dependency order: demo data of procedures before the domains citing them.
MODULES: Sequence[DomainModule] = (
    ACCOUNTS,
    PROCEDURES,
    NOTIFICATIONS,
    HEALTH,
    EDUCATION,
    TOURISM,
    ENVIRONMENT,
    CHATBOT,
)

QUERIES: Sequence[type] = tuple(m.query for m in MODULES if m.query is not None)
MUTATIONS: Sequence[type] = tuple(m.mutation for m in MODULES if m.mutation is not None)
SUBSCRIPTIONS: Sequence[type] = tuple(m.subscription for m in MODULES if m.subscription)
NODE_FINDERS: Sequence[NodeFinder] = tuple(m.find_node for m in MODULES if m.find_node)
ROUTES: Sequence[BaseRoute] = tuple(route for m in MODULES for route in m.routes)
# The kernel's shared collections (rate-limit windows), then every domain's.
REPOSITORIES: Sequence[type[Repository]] = (
    RateWindowRepository,
    *(r for m in MODULES for r in m.repositories),
)
# Run by the worker on a schedule, as (domain, job).
JOBS: Sequence[tuple[str, Job]] = tuple((m.name, job) for m in MODULES for job in m.jobs)
SEEDERS: Sequence[tuple[str, Seeder]] = tuple(
    (m.name, m.seeder) for m in MODULES if m.seeder is not None
)


async def start(resources: Resources) -> None:
    """Every domain's start-up step (idempotent migrations), in order."""
    for module in MODULES:
        if module.start is not None:
            await module.start(resources)


def wire(resources: Resources) -> Resources:
    """Let every domain provide its components (settings, protocol implementations), and
    compose what each domain holds about a person for the accounts domain's export and erasure."""
    for module in MODULES:
        if module.wire is not None:
            module.wire(resources)
    resources.provide(PERSONAL_DATA, personal_data_holders(resources))
    return resources


async def purge(resources: Resources, now: datetime) -> dict[str, int]:
    """Every domain's scheduled purge of personal data past its retention (``xuthanh purge``)."""
    return {m.name: await m.purge(resources, now) for m in MODULES if m.purge is not None}


async def reencrypt(resources: Resources) -> dict[str, int]:
    """Every domain's fields encrypted at rest, under the current key (``xuthanh rotate-key``)."""
    return {m.name: await m.reencrypt(resources) for m in MODULES if m.reencrypt is not None}


def personal_data_holders(resources: Resources) -> Holders:
    """Every domain's personal data, dependants first: a domain's erasure may still enqueue
    work in the domains it depends on (health cancels a booking and notifies), which their own
    erasure, later, removes."""
    return Holders(
        tuple(
            (module.name, module.personal_data(resources))
            for module in reversed(MODULES)
            if module.personal_data is not None
        )
    )
