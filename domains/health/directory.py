"""Health's side of the notifications port: whom a facility's staff may send pushes to."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domains.health.repositories import HealthStore
from domains.kernel.clock import utcnow
from domains.kernel.resources import Resources

PATIENT_HISTORY = timedelta(days=90)


async def patients_of_hospital(
    *, store: HealthStore, hospital_id: str, user_ids: Sequence[str], now: datetime | None = None
) -> set[str]:
    """The subset of ``user_ids`` with an appointment at the facility (upcoming, or in the last
    90 days): whom its staff may send pushes to."""
    if not user_ids:
        return set()
    since = (now or utcnow()) - PATIENT_HISTORY
    return await store.appointments.users_seen_at(
        hospital_id=hospital_id, user_ids=list(dict.fromkeys(user_ids)), since=since
    )


@dataclass(frozen=True, slots=True)
class HealthPatients:
    """``notifications.ports.PatientDirectory``, bound to the process's resources (wired in
    ``MODULE.wire``)."""

    resources: Resources

    async def patients_of_hospital(
        self, *, hospital_id: str, user_ids: Sequence[str], now: datetime | None = None
    ) -> set[str]:
        return await patients_of_hospital(
            store=HealthStore.of(self.resources),
            hospital_id=hospital_id,
            user_ids=user_ids,
            now=now,
        )
