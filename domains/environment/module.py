"""The environment domain as the composition root sees it."""

from domains.environment import schema
from domains.environment.repository import HourBucketRepository, StationRepository
from domains.environment.seed import seed_demo
from domains.kernel.module import DomainModule

MODULE = DomainModule(
    name="environment",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(StationRepository, HourBucketRepository),
    seeder=seed_demo,
)
