"""Health queries for administrators auditing who read patients' personal fields."""

from datetime import date, datetime

import strawberry

from domains.health import profiles
from domains.health.models import StaffReadDocument
from domains.health.repositories import HealthStore
from domains.kernel.context import Info
from domains.kernel.pagination import Connection


@strawberry.type(description="A staff member read a patient's personal fields on a day.")
class StaffRead:
    reader: str = strawberry.field(description="The staff member's uid.")
    patient_profile_id: strawberry.ID
    hospital_id: str
    day: date
    first_at: datetime = strawberry.field(description="Their first read that day.")

    @classmethod
    def from_document(cls, document: StaffReadDocument) -> "StaffRead":
        return cls(
            reader=document["reader"],
            patient_profile_id=strawberry.ID(str(document["patientProfileId"])),
            hospital_id=document["hospitalId"],
            day=date.fromisoformat(document["day"]),
            first_at=document["firstAt"],
        )


@strawberry.type
class AuditQuery:
    # mypy: Strawberry's field decorator is untyped (the override for domains.*.schema).
    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Who read which patient's name, date of birth and phone, newest day first; "
        "one entry per staff member, patient and day (administrators only)."
    )
    async def staff_reads(
        self,
        info: Info,
        patient_profile_id: strawberry.ID | None = None,
        reader: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StaffRead]:
        page = await profiles.staff_reads(
            caller=info.context.caller(HealthStore.of),
            patient_profile_id=str(patient_profile_id) if patient_profile_id else None,
            reader=reader,
            first=first,
            after=after,
        )
        return Connection.from_page(page.map(StaffRead.from_document))
