"""What health holds about a person, and its erasure.

Erasure, in an order a crash can resume: open waitlist entries are left (a held place goes to
the next person), upcoming bookings are cancelled (their places freed), appointments that took
place are reduced to what the facility must keep and unlinked from the user, every other
appointment goes with its audit, then the waitlist, idempotency records and profiles. The rule
for what is kept is in docs/security.md ("Health records a facility must keep")."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domains.health.encryption import revealed
from domains.health.release import OPEN_WAITLIST, cancel_bookings, leave_entries
from domains.health.repositories.personal import PersonalRecords
from domains.health.repositories.store import HealthStore
from domains.kernel.clock import utcnow
from domains.kernel.personal_data import PersonalData
from domains.kernel.resources import Resources

# Appointments the patient attended: the facility's medical record refers to them.
KEPT_STATUSES = ("checked-in", "fulfilled")


@dataclass(frozen=True, slots=True)
class HealthPersonalData:
    store: HealthStore
    records: PersonalRecords

    async def export(self, uid: str) -> Mapping[str, Any]:
        appointments = await self.records.appointments_of(uid)
        patients = await self.records.profiles_of(uid)
        resources = self.store.resources
        return {
            "patientProfiles": revealed(resources, list(patients), "bhytNumber"),
            "staffReads": await self.records.reads_of([p["_id"] for p in patients]),
            "appointments": revealed(resources, list(appointments), "reason"),
            "waitlist": await self.records.waitlist_of(uid),
            "audit": await self.records.audit_of([a["_id"] for a in appointments]),
        }

    async def erase(self, uid: str) -> int:
        now = utcnow()
        changed = 0
        entries = await self.records.waitlist_of(uid, status=OPEN_WAITLIST)
        changed += await leave_entries(self.store, entries, now)
        booked = await self.records.appointments_of(uid, status=("booked",))
        changed += await cancel_bookings(self.store, booked, now)
        changed += await self._reduce_kept(uid, now)
        gone = await self.records.appointments_of(uid)
        changed += await self.records.delete_appointments([a["_id"] for a in gone])
        return changed + await self.records.delete_owned(uid)

    async def _reduce_kept(self, uid: str, now: datetime) -> int:
        kept = await self.records.appointments_of(uid, status=KEPT_STATUSES)
        profiles = {p["_id"]: p for p in await self.records.profiles_of(uid)}
        changed = await self.records.unlink_audit([a["_id"] for a in kept], uid)
        for appointment in kept:
            profile = profiles.get(appointment["patientProfileId"])
            patient = (
                {"fullName": profile["fullName"], "dateOfBirth": profile["dateOfBirth"]}
                if profile
                else {}
            )
            changed += await self.records.reduce_appointment(
                appointment["_id"], uid=uid, patient=patient, now=now
            )
        return changed


def holder(resources: Resources) -> PersonalData:
    return HealthPersonalData(HealthStore.of(resources), PersonalRecords(resources.db))
