"""The education store: the domain's repositories over the resources they run against, built
once per request (``info.context.scoped(EducationStore.of)``) or per use case."""

from dataclasses import dataclass

from domains.education.repository import (
    AdmissionRoundRepository,
    AnnouncementRepository,
    CommuneRepository,
    SchoolRepository,
)
from domains.kernel.store import Store


@dataclass(frozen=True, slots=True)
class EducationStore(Store):
    communes: CommuneRepository
    schools: SchoolRepository
    rounds: AdmissionRoundRepository
    announcements: AnnouncementRepository
