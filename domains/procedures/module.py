"""The procedures catalogue as the composition root sees it."""

from domains.kernel.module import DomainModule
from domains.procedures import schema
from domains.procedures.nodes import find_node
from domains.procedures.province import seed_province
from domains.procedures.repository import ProcedureRepository
from domains.procedures.search_index import CATALOGUES
from domains.procedures.seed import seed_demo

MODULE = DomainModule(
    name="procedures",
    query=schema.Query,
    mutation=schema.Mutation,
    find_node=find_node,
    repositories=(ProcedureRepository,),
    seeder=seed_demo,
    province_seeder=seed_province,  # 2,000 procedures in all, marked synthetic
    wire=CATALOGUES.wire,  # the search index, one per process (built in the background)
    start=CATALOGUES.start,
)
