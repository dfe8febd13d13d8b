"""GraphQL inputs of the health domain, each turned into what its use case takes."""

from datetime import date

import strawberry

from domains.health.profiles import ProfileFields
from domains.health.slots import SlotFilter, SlotTemplate


@strawberry.input(
    description="What to wait for: a full slot (`slotId`), or any slot of a department on one "
    "day (`hospitalId`, `departmentId`, `date`)."
)
class JoinWaitlistInput:
    patient_profile_id: strawberry.ID
    slot_id: strawberry.ID | None = None
    hospital_id: str | None = None
    department_id: str | None = None
    day: date | None = strawberry.field(name="date", default=None)


@strawberry.input(description="A daily period such as 07:30–11:30 (province time, 24-hour).")
class PeriodInput:
    start: str
    end: str


@strawberry.input(
    description="A schedule template: e.g. Mon–Fri 07:30–11:30 and 13:30–16:30, 30-minute slots, "
    "6 patients each. For one single slot give one day and one period of one slot's length."
)
class PublishSlotsInput:
    hospital_id: str
    department_id: str
    doctor_id: str | None = None
    from_date: date
    to_date: date
    weekdays: list[int] = strawberry.field(
        default_factory=lambda: [1, 2, 3, 4, 5], description="1 = Monday .. 7 = Sunday."
    )
    periods: list[PeriodInput]
    slot_minutes: int
    capacity: int
    fee: int = 0
    bhyt_covered: int = 0

    def to_template(self) -> SlotTemplate:
        return SlotTemplate(
            hospital_id=self.hospital_id,
            department_id=self.department_id,
            doctor_id=self.doctor_id or None,
            from_date=self.from_date,
            to_date=self.to_date,
            weekdays=list(self.weekdays),
            periods=[(p.start.strip(), p.end.strip()) for p in self.periods],
            slot_minutes=self.slot_minutes,
            capacity=self.capacity,
            fee=self.fee,
            bhyt_covered=self.bhyt_covered,
        )


@strawberry.input(
    description="Which slots: a facility, optionally one department or doctor or some "
    "slots, over a range of dates (inclusive)."
)
class SlotFilterInput:
    hospital_id: str
    department_id: str | None = None
    doctor_id: str | None = None
    from_date: date
    to_date: date
    slot_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only these slots (within the facility and the dates)."
    )

    def to_filter(self) -> SlotFilter:
        return SlotFilter(
            hospital_id=self.hospital_id,
            department_id=self.department_id,
            doctor_id=self.doctor_id,
            from_date=self.from_date,
            to_date=self.to_date,
            slot_ids=[str(i) for i in self.slot_ids or []],
        )


@strawberry.input
class ConsentInput:
    policy_version: str
    given: bool


@strawberry.input(description="A person to book for; kept minimal.")
class PatientProfileInput:
    full_name: str
    date_of_birth: date
    phone: str
    bhyt_number: str | None = None
    consent: ConsentInput

    def to_fields(self) -> ProfileFields:
        return ProfileFields(
            full_name=self.full_name,
            date_of_birth=self.date_of_birth,
            phone=self.phone,
            bhyt_number=self.bhyt_number,
            consent_policy_version=self.consent.policy_version,
            consent_given=self.consent.given,
        )


@strawberry.input
class BookAppointmentInput:
    slot_id: strawberry.ID
    patient_profile_id: strawberry.ID
    reason: str | None = None
    idempotency_key: str = strawberry.field(
        description="A fresh value (e.g. a UUID) per booking the user means to make; reuse it "
        "for retries of that booking. Kept 24 hours."
    )
