"""GraphQL types of facilities and slots."""

from datetime import datetime
from enum import Enum

import strawberry

from domains.health.facilities import slot_status
from domains.health.models import Department, Doctor, HospitalDocument, SlotDocument
from domains.health.parts import DEPARTMENT, DOCTOR, part_id
from domains.health.types.loaders import load_hospital
from domains.kernel.context import Info
from domains.kernel.i18n import Language, pick
from domains.kernel.node import Node
from domains.search import MARGIN_DESCRIPTION, SCORE_DESCRIPTION, margin_of, score_of


@strawberry.enum(description="Level of a health facility in Vietnam's system.")
class HospitalLevel(Enum):
    CENTRAL = "central"
    PROVINCIAL = "provincial"
    DISTRICT = "district"
    COMMUNE = "commune"
    PRIVATE = "private"


@strawberry.enum(description="FHIR Slot.status.")
class SlotStatus(Enum):
    FREE = "free"
    BUSY = "busy"
    BUSY_UNAVAILABLE = "busy-unavailable"


@strawberry.type
class GeoPoint:
    lat: float
    lng: float


_KEY = (
    "Its id within its facility (what `departmentId`/`doctorId` fields hold); arguments "
    "accept this key or the `id`."
)


@strawberry.type(description="A department (khoa) of a facility: where a slot's patients go.")
class HospitalDepartment(Node):
    id: strawberry.ID
    key: str = strawberry.field(description=_KEY)
    specialty: str
    room: str
    names: strawberry.Private[dict[str, str]]

    @strawberry.field
    def name(self, info: Info, lang: Language | None = None) -> str:
        return pick(self.names, info.context.lang(lang)) or self.key

    @classmethod
    def from_document(cls, document: Department, hospital_id: str) -> "HospitalDepartment":
        return cls(
            id=strawberry.ID(part_id(DEPARTMENT, hospital_id, document["id"])),
            key=document["id"],
            specialty=document["specialty"],
            room=document["room"],
            names=document["name"],
        )


@strawberry.type(description="A doctor of a facility.")
class HospitalDoctor(Node):
    id: strawberry.ID
    key: str = strawberry.field(description=_KEY)
    name: str
    title: str
    specialties: list[str]

    @classmethod
    def from_document(cls, document: Doctor, hospital_id: str) -> "HospitalDoctor":
        return cls(
            id=strawberry.ID(part_id(DOCTOR, hospital_id, document["id"])),
            key=document["id"],
            name=document["name"],
            title=document["title"],
            specialties=list(document["specialties"]),
        )


@strawberry.type(description="When and how a facility takes bookings (province time).")
class BookingPolicyInfo:
    days_ahead: int
    cutoff: str = strawberry.field(
        description="Bookings for a date close at this time the day before."
    )
    cancel_before_hours: int
    max_active_bookings: int


@strawberry.type(description="A hospital, clinic or commune health station.")
class Hospital(Node):
    id: strawberry.ID
    level: HospitalLevel
    address: str
    district: str
    phone: str | None
    location: GeoPoint
    departments: list[HospitalDepartment]
    doctors: list[HospitalDoctor]
    booking_policy: BookingPolicyInfo
    names: strawberry.Private[dict[str, str]]
    search_score: float | None = strawberry.field(default=None, description=SCORE_DESCRIPTION)
    search_margin: float | None = strawberry.field(default=None, description=MARGIN_DESCRIPTION)

    @strawberry.field
    def name(self, info: Info, lang: Language | None = None) -> str:
        return pick(self.names, info.context.lang(lang)) or self.id

    @classmethod
    def from_document(cls, document: HospitalDocument) -> "Hospital":
        lng, lat = document["location"]["coordinates"]
        policy = document["bookingPolicy"]
        return cls(
            id=strawberry.ID(document["_id"]),
            level=HospitalLevel(document["level"]),
            address=document["address"],
            district=document["district"],
            phone=document["phone"],
            location=GeoPoint(lat=lat, lng=lng),
            departments=[
                HospitalDepartment.from_document(d, document["_id"])
                for d in document["departments"]
            ],
            doctors=[HospitalDoctor.from_document(d, document["_id"]) for d in document["doctors"]],
            booking_policy=BookingPolicyInfo(
                days_ahead=policy["daysAhead"],
                cutoff=policy["cutoff"],
                cancel_before_hours=policy["cancelBeforeHours"],
                max_active_bookings=policy["maxActiveBookings"],
            ),
            names=document["name"],
            search_score=score_of(document),
            search_margin=margin_of(document),
        )


async def hospital_at(info: Info, hospital_id: str) -> Hospital:
    document = await load_hospital(info, hospital_id)
    assert document is not None  # noqa: S101 - slots and appointments keep their facility
    return Hospital.from_document(document)


async def department_at(info: Info, hospital_id: str, department_id: str) -> HospitalDepartment:
    document = await load_hospital(info, hospital_id)
    for department in document["departments"] if document else []:
        if department["id"] == department_id:
            return HospitalDepartment.from_document(department, hospital_id)
    gone: Department = {"id": department_id, "specialty": "", "room": "", "name": {}}
    return HospitalDepartment.from_document(gone, hospital_id)


async def doctor_at(info: Info, hospital_id: str, doctor_id: str) -> HospitalDoctor | None:
    if not doctor_id:
        return None
    document = await load_hospital(info, hospital_id)
    for doctor in document["doctors"] if document else []:
        if doctor["id"] == doctor_id:
            return HospitalDoctor.from_document(doctor, hospital_id)
    return None


@strawberry.type(description="A time window of a department in which patients can book places.")
class Slot(Node):
    id: strawberry.ID
    hospital_id: str
    department_id: str
    doctor_id: str | None
    specialty: str
    start: datetime
    end: datetime
    capacity: int
    booked: int
    remaining: int
    status: SlotStatus
    fee: int = strawberry.field(description="Fee in VND.")
    bhyt_covered: int = strawberry.field(
        description="Estimated share covered by health insurance (BHYT), in VND."
    )
    bookable_until: datetime
    closed: bool = strawberry.field(
        description="Closed by its facility to new bookings (closeSlot); the bookings it has "
        "stand. A cancelled slot (cancelSlots) is BUSY_UNAVAILABLE and not closed."
    )
    serving_number: int | None = strawberry.field(
        description="The queue number the desk called last (callNext); null before the first "
        "call. What every patient's queueStatus shows."
    )

    @strawberry.field(description="What the patient pays if BHYT covers its estimate (VND).")  # type: ignore[untyped-decorator]
    def patient_pays(self) -> int:
        return self.fee - self.bhyt_covered

    @strawberry.field
    async def hospital(self, info: Info) -> Hospital:
        return await hospital_at(info, self.hospital_id)

    @strawberry.field
    async def department(self, info: Info) -> HospitalDepartment:
        return await department_at(info, self.hospital_id, self.department_id)

    @strawberry.field
    async def doctor(self, info: Info) -> HospitalDoctor | None:
        return await doctor_at(info, self.hospital_id, self.doctor_id or "")

    @classmethod
    def from_document(cls, document: SlotDocument) -> "Slot":
        return cls(
            id=strawberry.ID(str(document["_id"])),
            hospital_id=document["hospitalId"],
            department_id=document["departmentId"],
            doctor_id=document["doctorId"] or None,
            specialty=document["specialty"],
            start=document["start"],
            end=document["end"],
            capacity=document["capacity"],
            booked=document["booked"],
            remaining=document["remaining"],
            status=SlotStatus(slot_status(document)),
            fee=document["fee"],
            bhyt_covered=document["bhytCovered"],
            bookable_until=document["bookableUntil"],
            closed="closedAt" in document,
            serving_number=document.get("serving"),
        )


@strawberry.type(description="What publishSlots did.")
class PublishSlotsPayload:
    created: int = strawberry.field(description="New slots.")
    existing: int = strawberry.field(description="Slots already published by the same template.")
    first_start: datetime
    last_start: datetime


@strawberry.type(description="What cancelSlots did.")
class CancelSlotsPayload:
    slots_cancelled: int
    appointments_cancelled: int


@strawberry.type(description="A slot a schedule template gives (publishSlotsPreview).")
class PlannedSlot:
    start: datetime
    end: datetime
    published: bool = strawberry.field(
        description="Already published by the same template: publishing leaves it as it is."
    )


@strawberry.type(description="A planned slot that overlaps another open slot of the same doctor.")
class SlotClash:
    start: datetime
    end: datetime
    slot: Slot = strawberry.field(description="The slot it overlaps.")


@strawberry.type(
    description="What publishSlots would do with a template; nothing is written. With "
    "`overlaps`, publishSlots answers SlotOverlap and publishes nothing."
)
class PublishSlotsPreview:
    slots: list[PlannedSlot]
    created: int = strawberry.field(description="Slots publishSlots would create.")
    existing: int = strawberry.field(description="Slots already published by this template.")
    overlaps: list[SlotClash]
