"""Tourism as the composition root sees it."""

from domains.kernel.module import DomainModule
from domains.tourism import migrations, schema
from domains.tourism.repositories.store import REPOSITORIES
from domains.tourism.seed import seed_demo

MODULE = DomainModule(
    name="tourism",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=REPOSITORIES,
    seeder=seed_demo,
    start=migrations.start,
)
