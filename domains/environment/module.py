"""The environment domain as the composition root sees it."""

from domains.environment import migrations, schema
from domains.environment.repository import (
    AreaAlertRepository,
    HourBucketRepository,
    StationRepository,
)
from domains.environment.seed import seed_demo
from domains.kernel.module import DomainModule

MODULE = DomainModule(
    name="environment",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(StationRepository, HourBucketRepository, AreaAlertRepository),
    seeder=seed_demo,
    start=migrations.start,
)
