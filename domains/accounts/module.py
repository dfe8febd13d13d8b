"""The accounts domain as the composition root sees it."""

from domains.accounts import directory, erasure, grant_list, personal_data, province, schema
from domains.accounts.nodes import find_node
from domains.accounts.repository import ErasureRepository, GrantHistoryRepository, GrantRepository
from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources


def wire(resources: Resources) -> None:
    """The role directory notifications asks, and the grants page's in-memory list."""
    directory.wire(resources)
    grant_list.wire(resources)


async def start(resources: Resources) -> None:
    """The grants page's list, and the erasures a stopped process left unfinished."""
    await grant_list.start(resources)
    await erasure.resume_erasures(resources)


MODULE = DomainModule(
    name="accounts",
    query=schema.Query,
    mutation=schema.Mutation,
    find_node=find_node,
    repositories=(GrantRepository, ErasureRepository, GrantHistoryRepository),
    wire=wire,
    start=start,
    province_seeder=province.seed_province,
    personal_data=personal_data.holder,
)
