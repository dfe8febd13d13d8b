"""Tourism as the composition root sees it."""

from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources
from domains.tourism import migrations, personal_data, schema
from domains.tourism.catalogues import CATALOGUES
from domains.tourism.nodes import find_node
from domains.tourism.province import seed_province
from domains.tourism.repositories.store import REPOSITORIES
from domains.tourism.seed import seed_demo


async def start(resources: Resources) -> None:
    """The reminder migration, then the read sides (built in the background; ``/readyz``)."""
    await migrations.start(resources)
    await CATALOGUES.start(resources)


MODULE = DomainModule(
    name="tourism",
    query=schema.Query,
    mutation=schema.Mutation,
    find_node=find_node,
    repositories=REPOSITORIES,
    seeder=seed_demo,
    province_seeder=seed_province,
    wire=CATALOGUES.wire,  # attractions and events read sides, one per process
    start=start,
    personal_data=personal_data.holder,
)
