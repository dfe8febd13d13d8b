"""GraphQL types of the waitlist."""

from datetime import date, datetime
from enum import Enum

import strawberry

from domains.health.models import WaitlistEntryDocument
from domains.health.types.facilities import Hospital, HospitalDepartment, department_at, hospital_at
from domains.health.waitlist import waitlist_status
from domains.kernel.context import Info
from domains.kernel.node import Node


@strawberry.enum(description="Where a waitlist entry stands.")
class WaitlistStatus(Enum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    DECLINED = "declined"
    EXPIRED = "expired"
    LEFT = "left"
    CANCELLED = "cancelled"


@strawberry.type(
    description="Your place in the queue for a full slot, or for any slot of a department on "
    "one day. When a place frees up it is held for you (status OFFERED) until `holdExpiresAt`: "
    "accept it with acceptWaitlistOffer or it goes to the next person."
)
class WaitlistEntry(Node):
    id: strawberry.ID
    status: WaitlistStatus
    hospital_id: str
    department_id: str
    date: date
    slot_id: strawberry.ID | None = strawberry.field(
        description="The slot waited for, or the one whose place is offered."
    )
    patient_profile_id: strawberry.ID
    hold_expires_at: datetime | None = strawberry.field(
        description="While OFFERED: accept before this time."
    )
    appointment_id: strawberry.ID | None = strawberry.field(
        description="The appointment made by accepting the offer."
    )
    created_at: datetime
    changed_at: datetime

    @strawberry.field
    async def hospital(self, info: Info) -> Hospital:
        return await hospital_at(info, self.hospital_id)

    @strawberry.field
    async def department(self, info: Info) -> HospitalDepartment:
        return await department_at(info, self.hospital_id, self.department_id)

    @classmethod
    def from_document(cls, document: WaitlistEntryDocument) -> "WaitlistEntry":
        """Only ever built for the entry's owner. An offer whose hold passed reads as EXPIRED."""
        status = WaitlistStatus(waitlist_status(document))
        slot = document.get("slotId")
        appointment = document.get("appointmentId")
        return cls(
            id=strawberry.ID(str(document["_id"])),
            status=status,
            hospital_id=document["hospitalId"],
            department_id=document["departmentId"],
            date=date.fromisoformat(document["day"]),
            slot_id=strawberry.ID(str(slot)) if slot else None,
            patient_profile_id=strawberry.ID(str(document["patientProfileId"])),
            hold_expires_at=document.get("holdExpiresAt")
            if status is WaitlistStatus.OFFERED
            else None,
            appointment_id=strawberry.ID(str(appointment)) if appointment else None,
            created_at=document["createdAt"],
            changed_at=document["changedAt"],
        )


@strawberry.type(description="How many wait for a slot (counts only; for the facility's staff).")
class SlotWaitlist:
    slot_id: strawberry.ID
    waiting: int = strawberry.field(
        description="Entries waiting for this slot or for its department's day."
    )
    offered: int = strawberry.field(description="Places of this slot held for a waiting patient.")
