"""The environment domain as the composition root sees it."""

from domains.environment import alerts, migrations, open311, personal_data, schema
from domains.environment.nodes import find_node
from domains.environment.report_repository import ReportRepository
from domains.environment.repository import (
    AreaAlertRepository,
    HourBucketRepository,
    StationRepository,
)
from domains.environment.seed import seed_demo
from domains.kernel.jobs import Job
from domains.kernel.module import DomainModule

MODULE = DomainModule(
    name="environment",
    query=schema.Query,
    mutation=schema.Mutation,
    find_node=find_node,
    repositories=(
        StationRepository,
        HourBucketRepository,
        AreaAlertRepository,
        ReportRepository,
    ),
    seeder=seed_demo,
    start=migrations.start,
    personal_data=personal_data.holder,
    purge=personal_data.purge,
    routes=open311.ROUTES,
    # Alerts also follow the clock: a station that stops reporting ends its areas' alerts.
    jobs=(Job("air-alerts", alerts.JOB_EVERY, alerts.scheduled_alerts),),
)
