"""The one list of domains the API is composed of: add a domain here and nowhere else."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from pymongo.asynchronous.database import AsyncDatabase

from domains.accounts import schema as accounts
from domains.accounts.repository import GrantRepository
from domains.chatbot import schema as chatbot
from domains.chatbot.repository import RateLimitRepository
from domains.education import repository as education_repository
from domains.education import schema as education
from domains.education.seed import seed_demo as seed_education
from domains.health import repository as health_repository
from domains.health import schema as health
from domains.health.seed import seed_demo as seed_health
from domains.kernel.repository import Repository
from domains.notifications import repository as notifications_repository
from domains.notifications import schema as notifications
from domains.procedures import schema as procedures
from domains.procedures.repository import ProcedureRepository
from domains.procedures.seed import seed_demo as seed_procedures
from domains.tourism import schema as tourism
from domains.tourism.repository import REPOSITORIES as TOURISM_REPOSITORIES
from domains.tourism.seed import seed_demo as seed_tourism

Progress = Callable[[int, int], None]


class Seeder(Protocol):
    def __call__(
        self, *, db: AsyncDatabase[dict[str, Any]], progress: Progress
    ) -> Awaitable[int]: ...


QUERIES: Sequence[type] = (
    accounts.Query,
    procedures.Query,
    notifications.Query,
    health.Query,
    education.Query,
    tourism.Query,
)
MUTATIONS: Sequence[type] = (
    accounts.Mutation,
    procedures.Mutation,
    notifications.Mutation,
    health.Mutation,
    education.Mutation,
    tourism.Mutation,
    chatbot.Mutation,
)
# Every repository whose indexes must exist before the API serves (created idempotently).
REPOSITORIES: Sequence[type[Repository]] = (
    GrantRepository,
    ProcedureRepository,
    notifications_repository.DeviceRepository,
    notifications_repository.SubscriptionRepository,
    notifications_repository.NotificationRepository,
    notifications_repository.DeliveryRepository,
    notifications_repository.InboxRepository,
    notifications_repository.PreferenceRepository,
    health_repository.HospitalRepository,
    health_repository.SlotRepository,
    health_repository.PatientProfileRepository,
    health_repository.AppointmentRepository,
    health_repository.AuditRepository,
    health_repository.IdempotencyRepository,
    health_repository.WaitlistRepository,
    education_repository.CommuneRepository,
    education_repository.SchoolRepository,
    education_repository.AdmissionRoundRepository,
    education_repository.AnnouncementRepository,
    *TOURISM_REPOSITORIES,
    RateLimitRepository,
)
# Demo data loaders, by name, in dependency order (procedures before the domains citing them).
SEEDERS: Sequence[tuple[str, Seeder]] = (
    ("procedures", seed_procedures),
    ("tourism", seed_tourism),
    ("education", seed_education),
    ("health", seed_health),
)
