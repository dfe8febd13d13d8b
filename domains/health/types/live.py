"""What the health subscriptions send: a patient's queue, a department's places on one day."""

from datetime import date, datetime

import strawberry

from domains.health.queue import QueueView
from domains.health.types.appointments import AppointmentStatus


@strawberry.type(description="Where your queue stands on the day (sent again on every change).")
class QueueStatus:
    appointment_id: strawberry.ID
    status: AppointmentStatus
    queue_number: int | None = strawberry.field(description="Your number (số thứ tự).")
    serving_number: int | None = strawberry.field(
        description="The number the desk called last; null before the first call."
    )
    called: bool = strawberry.field(description="You have been called in: go to the room.")
    ahead: int = strawberry.field(description="Patients still to be called before you.")
    estimated_wait_minutes: int | None = strawberry.field(
        description="An estimate from the slot's length and places; null once called or done."
    )

    @classmethod
    def from_view(cls, view: QueueView) -> "QueueStatus":
        return cls(
            appointment_id=strawberry.ID(str(view.appointment_id)),
            status=AppointmentStatus(view.status),
            queue_number=view.queue_number,
            serving_number=view.serving,
            called=view.called,
            ahead=view.ahead,
            estimated_wait_minutes=view.estimated_wait_minutes,
        )


@strawberry.type(description="One slot's places as the booking screen shows them.")
class SlotPlaces:
    slot_id: strawberry.ID
    start: datetime
    end: datetime
    remaining: int
    bookable: bool = strawberry.field(description="Open, a place left, inside the booking window.")


@strawberry.type(description="A department's slots on one day (sent again when places change).")
class SlotAvailability:
    hospital_id: str
    department_id: str
    date: date
    slots: list[SlotPlaces]
