"""The accounts domain as the composition root sees it."""

from domains.accounts import directory, schema
from domains.accounts.repository import GrantRepository
from domains.kernel.module import DomainModule

MODULE = DomainModule(
    name="accounts",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(GrantRepository,),
    wire=directory.wire,
)
