"""Education as the composition root sees it."""

from domains.education import repository, schema
from domains.education.seed import seed_demo
from domains.kernel.module import DomainModule

MODULE = DomainModule(
    name="education",
    query=schema.Query,
    mutation=schema.Mutation,
    repositories=(
        repository.CommuneRepository,
        repository.SchoolRepository,
        repository.AdmissionRoundRepository,
        repository.AnnouncementRepository,
    ),
    seeder=seed_demo,
)
