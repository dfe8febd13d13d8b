"""The procedures catalogue as the composition root sees it."""

from domains.kernel.module import DomainModule
from domains.kernel.resources import Resources
from domains.procedures import schema
from domains.procedures.repository import ProcedureRepository
from domains.procedures.search_index import PROCEDURE_SEARCH, ProcedureSearch
from domains.procedures.seed import seed_demo


def wire(resources: Resources) -> None:
    """One search index per process; it reports its build to ``resources.readiness``."""
    if resources.find(PROCEDURE_SEARCH) is None:
        resources.provide(
            PROCEDURE_SEARCH, ProcedureSearch(resources.db, readiness=resources.readiness)
        )


async def start(resources: Resources) -> None:
    """Start the index's change feed; it builds in the background (``/readyz`` waits for it)."""
    search = resources.get(PROCEDURE_SEARCH)
    await search.start()
    resources.on_close(search.stop)


MODULE = DomainModule(
    name="procedures",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(ProcedureRepository,),
    seeder=seed_demo,
    wire=wire,
    start=start,
)
