"""Tourism as the composition root sees it."""

from domains.chatbot.ports import place_name_sources
from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources
from domains.tourism import migrations, personal_data, schema
from domains.tourism.catalogues import CATALOGUES
from domains.tourism.nodes import find_node
from domains.tourism.place_names import TourismPlaceNames
from domains.tourism.province import seed_province
from domains.tourism.repositories.store import REPOSITORIES
from domains.tourism.seed import seed_demo


def wire(resources: Resources) -> None:
    """The attractions and events read sides, one per process; their names are places to the
    chat relay (a temple's "Cô Tiên" is no person's name to mask)."""
    CATALOGUES.wire(resources)
    place_name_sources(resources).add(TourismPlaceNames(resources))


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
    wire=wire,
    start=start,
    personal_data=personal_data.holder,
)
