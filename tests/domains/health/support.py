"""Shared set-up for the health tests: a facility, slots published through the API, profiles."""

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from domains.health.repositories import HospitalRepository
from domains.health.schedule import at_local, local_date
from domains.health.seed import hospital_document
from domains.kernel.auth import Role
from domains.kernel.clock import utcnow

_days = itertools.count(3)

POLICY = {
    "daysAhead": 30,
    "cutoff": "16:00",
    "cancelBeforeHours": 2,
    "maxActiveBookings": 3,
    "holdMinutes": 15,
}


def raw_hospital(hospital_id: str, **policy: int | str) -> dict[str, Any]:
    return {
        "id": hospital_id,
        "name": {"vi": f"Bệnh viện thử {hospital_id}", "en": f"Test hospital {hospital_id}"},
        "level": "provincial",
        "address": "181 Hải Thượng Lãn Ông, phường Đông Vệ, TP Thanh Hóa",
        "district": "TP Thanh Hóa",
        "lat": 19.7928,
        "lng": 105.7846,
        "phone": None,
        "departments": [
            {
                "id": "noi",
                "specialty": "internal-medicine",
                "name": {"vi": "Khám Nội"},
                "room": "P.101",
            },
            {
                "id": "ung-buou",
                "specialty": "oncology",
                "name": {"vi": "Khám Ung bướu"},
                "room": "P.102",
            },
        ],
        "doctors": [
            {
                "id": "bs-a",
                "name": "Lê Văn An",
                "title": "BSCKI",
                "specialties": ["internal-medicine"],
            },
            {"id": "bs-b", "name": "Đỗ Thị Bình", "title": "ThS", "specialties": ["oncology"]},
        ],
        "bookingPolicy": {**POLICY, **policy},
    }


async def add_hospital(db: Any, hospital_id: str, **policy: int | str) -> str:
    await HospitalRepository(db).upsert(hospital_document(raw_hospital(hospital_id, **policy)))
    return hospital_id


def future_day() -> date:
    """A distinct day a few days ahead (inside the window, after the cut-off), per call in a
    test module (each module has its own database; ``restart_days`` runs before each)."""
    return local_date(utcnow()) + timedelta(days=next(_days))


def restart_days() -> None:
    """Days start again at 3 for the next module: counted across the whole session, the later
    modules' days fell beyond the booking window (``daysAhead`` 30)."""
    global _days
    _days = itertools.count(3)


PUBLISH = """
mutation($input: PublishSlotsInput!) {
  publishSlots(input: $input) {
    __typename
    ... on PublishSlotsPayload { created existing }
    ... on UserError { message code }
  }
}"""

SLOTS = """
query($h: String, $d: String, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  availableSlots(hospitalId: $h, departmentId: $d, from: $from, to: $to, first: $first,
                 after: $after) {
    nodes { id start end capacity booked remaining status fee bhytCovered patientPays
            department { id name room } doctor { id name } hospital { id name } }
    pageInfo { hasNextPage endCursor }
  }
}"""

PROFILE = """
mutation($input: PatientProfileInput!) {
  createPatientProfile(input: $input) {
    __typename
    ... on PatientProfile { id fullName bhytNumber hasBhyt }
    ... on UserError { message code }
  }
}"""

BOOK = """
mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    __typename
    ... on Appointment { id status queueNumber bookingCode reason start }
    ... on UserError { message code }
  }
}"""

CANCEL = """
mutation($id: ID!, $reason: String) {
  cancelAppointment(id: $id, reason: $reason) {
    __typename
    ... on Appointment { id status cancelReason }
    ... on UserError { message code }
  }
}"""


def staff(dev_token: Any, hospital_id: str, uid: str = "staff") -> str:
    return dev_token(f"{uid}-{hospital_id}", Role.HOSPITAL_STAFF, hospitals=(hospital_id,))


async def publish(
    gql: Any,
    token: str,
    hospital_id: str,
    *,
    day: date,
    periods: list[tuple[str, str]] | None = None,
    slot_minutes: int = 30,
    capacity: int = 6,
    department: str = "noi",
    doctor: str | None = None,
) -> dict[str, Any]:
    body = await gql(
        PUBLISH,
        {
            "input": {
                "hospitalId": hospital_id,
                "departmentId": department,
                "doctorId": doctor,
                "fromDate": day.isoformat(),
                "toDate": day.isoformat(),
                "weekdays": [1, 2, 3, 4, 5, 6, 7],
                "periods": [{"start": s, "end": e} for s, e in (periods or [("07:30", "08:00")])],
                "slotMinutes": slot_minutes,
                "capacity": capacity,
                "fee": 50600,
                "bhytCovered": 40480,
            }
        },
        token=token,
    )
    result: dict[str, Any] = body["data"]["publishSlots"]
    return result


async def slot_ids(gql: Any, hospital_id: str, day: date, department: str = "noi") -> list[str]:
    body = await gql(
        SLOTS,
        {
            "h": hospital_id,
            "d": department,
            "from": at_local(day, "00:00").isoformat(),
            "to": at_local(day + timedelta(days=1), "00:00").isoformat(),
            "first": 100,
        },
    )
    return [node["id"] for node in body["data"]["availableSlots"]["nodes"]]


async def profile(gql: Any, token: str, name: str = "Nguyễn Văn A", bhyt: str | None = None) -> str:
    body = await gql(
        PROFILE,
        {
            "input": {
                "fullName": name,
                "dateOfBirth": "1980-05-17",
                "phone": "0912345678",
                "bhytNumber": bhyt,
                "consent": {"policyVersion": "2026-01", "given": True},
            }
        },
        token=token,
    )
    result = body["data"]["createPatientProfile"]
    assert result["__typename"] == "PatientProfile", result
    return str(result["id"])


async def book(
    gql: Any,
    token: str,
    slot_id: str,
    profile_id: str,
    *,
    key: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    body = await gql(
        BOOK,
        {
            "input": {
                "slotId": slot_id,
                "patientProfileId": profile_id,
                "reason": reason,
                "idempotencyKey": key or uuid.uuid4().hex,
            }
        },
        token=token,
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["bookAppointment"]
    return result


WAITLIST_FIELDS = "id status slotId date holdExpiresAt appointmentId"

JOIN = f"""
mutation($input: JoinWaitlistInput!) {{
  joinWaitlist(input: $input) {{
    __typename
    ... on WaitlistEntry {{ {WAITLIST_FIELDS} }}
    ... on UserError {{ message code }}
  }}
}}"""

ACCEPT = """
mutation($id: ID!, $key: String!) {
  acceptWaitlistOffer(entryId: $id, idempotencyKey: $key) {
    __typename
    ... on Appointment { id status queueNumber bookingCode slot { id booked remaining } }
    ... on UserError { message code }
  }
}"""

DECLINE = f"""
mutation($id: ID!) {{
  declineWaitlistOffer(entryId: $id) {{
    __typename ... on WaitlistEntry {{ {WAITLIST_FIELDS} }} ... on UserError {{ message code }}
  }}
}}"""

LEAVE = f"""
mutation($id: ID!) {{
  leaveWaitlist(entryId: $id) {{
    __typename ... on WaitlistEntry {{ {WAITLIST_FIELDS} }} ... on UserError {{ message code }}
  }}
}}"""

MY_WAITLIST = f"{{ myWaitlist(first: 50) {{ nodes {{ {WAITLIST_FIELDS} }} }} }}"


async def join(
    gql: Any,
    token: str,
    profile_id: str,
    *,
    slot_id: str | None = None,
    hospital_id: str | None = None,
    department: str | None = None,
    day: date | None = None,
) -> dict[str, Any]:
    body = await gql(
        JOIN,
        {
            "input": {
                "patientProfileId": profile_id,
                "slotId": slot_id,
                "hospitalId": hospital_id,
                "departmentId": department,
                "date": day.isoformat() if day else None,
            }
        },
        token=token,
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["joinWaitlist"]
    return result


async def accept(gql: Any, token: str, entry_id: str, key: str | None = None) -> dict[str, Any]:
    body = await gql(ACCEPT, {"id": entry_id, "key": key or uuid.uuid4().hex}, token=token)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["acceptWaitlistOffer"]
    return result


async def my_waitlist(gql: Any, token: str) -> dict[str, dict[str, Any]]:
    """The caller's entries by id."""
    body = await gql(MY_WAITLIST, {}, token=token)
    assert "errors" not in body, body
    return {node["id"]: node for node in body["data"]["myWaitlist"]["nodes"]}
