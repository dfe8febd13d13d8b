"""The accounts domain as the composition root sees it."""

from domains.accounts import directory, grant_list, province, schema
from domains.accounts.repository import GrantRepository
from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources


def wire(resources: Resources) -> None:
    """The role directory notifications asks, and the grants page's in-memory list."""
    directory.wire(resources)
    grant_list.wire(resources)


MODULE = DomainModule(
    name="accounts",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(GrantRepository,),
    wire=wire,
    start=grant_list.start,
    province_seeder=province.seed_province,
)
