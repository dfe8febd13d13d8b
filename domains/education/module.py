"""Education as the composition root sees it."""

from domains.education import read_side, repository, rounds_read, schema
from domains.education.nodes import find_node
from domains.education.province import seed_province
from domains.education.seed import seed_demo
from domains.kernel.module import DomainModule

CATALOGUES = read_side.CATALOGUES + rounds_read.CATALOGUES

MODULE = DomainModule(
    name="education",
    query=schema.Query,
    mutation=schema.Mutation,
    find_node=find_node,
    repositories=(
        repository.CommuneRepository,
        repository.SchoolRepository,
        repository.AdmissionRoundRepository,
        repository.AnnouncementRepository,
    ),
    seeder=seed_demo,
    province_seeder=seed_province,
    # The school directory and the rounds, in memory per process (built in the background).
    wire=CATALOGUES.wire,
    start=CATALOGUES.start,
)
