"""Patient profiles: the people a user books for, and the one way anyone else reads them."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Self

from bson import ObjectId

from domains.health.access import may_read_patient
from domains.health.models import AppointmentDocument, PatientProfileDocument, StaffReadDocument
from domains.health.repositories import HealthStore
from domains.health.schedule import local_date
from domains.kernel.auth import require_account, require_admin, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.crypto import FIELD_CIPHER
from domains.kernel.errors import InvalidInput
from domains.kernel.pagination import Page
from domains.kernel.rate_limit import Limit
from domains.kernel.validation import object_id, required_text

CONSENT_PURPOSE = "health-appointment-booking"
MAX_PROFILES = 20
# Deleting and re-making profiles is not a way round the cap (counted in MongoDB: all replicas).
PROFILES_PER_DAY = Limit("patient profiles made today", 10, timedelta(days=1))
_PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
# BHYT card numbers: 2 letters + 13 digits (cards before 2025), or the 10-digit social
# insurance number now printed on cards and in VNeID.
_BHYT = re.compile(r"^([A-Z]{2}\d{13}|\d{10})$")


@dataclass(frozen=True, slots=True)
class ProfileFields:
    full_name: str
    date_of_birth: date
    phone: str
    bhyt_number: str | None
    consent_policy_version: str
    consent_given: bool


def _phone(value: str) -> str:
    phone = re.sub(r"[\s.-]", "", value)
    if not _PHONE.match(phone):
        raise InvalidInput(
            "`phone` must be a Vietnamese number such as 0912345678 or +84912345678.",
            field="phone",
        )
    return phone


def _bhyt(value: str) -> str:
    bhyt = value.replace(" ", "").upper()
    if not _BHYT.match(bhyt):
        # The message describes the format and never echoes the number.
        raise InvalidInput(
            "`bhytNumber` must be 2 letters and 13 digits, or the 10-digit social "
            "insurance number.",
            field="bhytNumber",
        )
    return bhyt


def _consent_version(fields: ProfileFields) -> str:
    if not fields.consent_given:
        raise InvalidInput(
            "Booking needs consent to process this health data for appointments: set "
            "`consent.given` to true after showing the policy.",
            field="consent",
        )
    return required_text(fields.consent_policy_version, field="consent", limit=32)


async def create_patient_profile(
    *, caller: Caller[HealthStore], fields: ProfileFields, now: datetime | None = None
) -> PatientProfileDocument:
    """A person the caller books for (themself or a family member), with their consent."""
    uid = require_account(caller.principal)
    now = now or utcnow()
    name = required_text(" ".join(fields.full_name.split()), field="fullName", limit=100, minimum=2)
    if not date(1900, 1, 1) <= fields.date_of_birth <= local_date(now):
        raise InvalidInput("`dateOfBirth` must be a past date after 1900.", field="dateOfBirth")
    phone = _phone(fields.phone)
    version = _consent_version(fields)
    if len(await caller.store.profiles.for_owner(uid)) >= MAX_PROFILES:
        raise InvalidInput(
            f"An account can hold at most {MAX_PROFILES} patient profiles.", field="fullName"
        )
    await caller.store.rate_windows.take(PROFILES_PER_DAY, uid, now=now)
    document = PatientProfileDocument(
        _id=ObjectId(),
        ownerId=uid,
        fullName=name,
        dateOfBirth=fields.date_of_birth.isoformat(),
        phone=phone,
        consent={"purpose": CONSENT_PURPOSE, "policyVersion": version, "givenAt": now},
        consentHistory=[
            {"action": "given", "purpose": CONSENT_PURPOSE, "policyVersion": version, "at": now}
        ],
        createdAt=now,
        bookingVersion=0,
    )
    if fields.bhyt_number:
        bhyt = _bhyt(fields.bhyt_number)
        cipher = caller.store.resources.find(FIELD_CIPHER)
        document["bhytNumber"] = cipher.encrypt(bhyt, field="bhytNumber") if cipher else bhyt
    await caller.store.profiles.insert(document)
    return document


async def my_patient_profiles(*, caller: Caller[HealthStore]) -> list[PatientProfileDocument]:
    return await caller.store.profiles.for_owner(require_user(caller.principal))


@dataclass(frozen=True, slots=True)
class PatientOf:
    """An appointment as the rule on its patient sees it (hashable: a DataLoader key)."""

    appointment_id: ObjectId
    user_id: str
    hospital_id: str
    patient_profile_id: ObjectId

    @classmethod
    def of(cls, appointment: AppointmentDocument) -> Self:
        return cls(
            appointment_id=appointment["_id"],
            user_id=appointment["userId"],
            hospital_id=appointment["hospitalId"],
            patient_profile_id=appointment["patientProfileId"],
        )


@dataclass(frozen=True, slots=True)
class VisibleProfile:
    """A patient profile as the caller may see it: ``owner`` adds the BHYT number and consent."""

    document: PatientProfileDocument
    owner: bool


async def profiles_for(
    *, caller: Caller[HealthStore], appointments: Sequence[PatientOf]
) -> list[VisibleProfile | None]:
    """The patients of appointments, only where the caller may see them (None elsewhere), in
    the order asked: the one path by which the schema reads patient profiles."""
    visible = [
        a
        if may_read_patient(caller.principal, user_id=a.user_id, hospital_id=a.hospital_id)
        else None
        for a in appointments
    ]
    wanted = list({a.patient_profile_id: None for a in visible if a is not None})
    found = await caller.store.profiles.find_many(wanted) if wanted else []
    by_id = {doc["_id"]: doc for doc in found if doc is not None}
    views: list[VisibleProfile | None] = []
    read_by_staff: dict[ObjectId, str] = {}
    for appointment in visible:
        document = by_id.get(appointment.patient_profile_id) if appointment else None
        owner = appointment is not None and caller.principal.uid == appointment.user_id
        views.append(VisibleProfile(document, owner) if document is not None else None)
        if appointment is not None and document is not None and not owner:
            read_by_staff[appointment.patient_profile_id] = appointment.hospital_id
    await audit_staff_reads(caller, read_by_staff)
    return views


async def audit_staff_reads(caller: Caller[HealthStore], reads: dict[ObjectId, str]) -> None:
    """Staff reads of patients' personal fields (profile, reason for visit), one entry per
    reader, patient and day; ``reads`` maps patient profile ids to their facility."""
    if reads and caller.principal.uid is not None:
        now = utcnow()
        await caller.store.staff_reads.record(
            caller.principal.uid, list(reads.items()), day=local_date(now).isoformat(), now=now
        )


async def staff_reads(
    *,
    caller: Caller[HealthStore],
    patient_profile_id: str | None,
    reader: str | None,
    first: int | None,
    after: str | None,
) -> Page[StaffReadDocument]:
    """Who read which patient's personal fields, newest day first (administrators only)."""
    require_admin(caller.principal)
    profile = object_id(patient_profile_id, what="patient profile") if patient_profile_id else None
    return await caller.store.staff_reads.page(
        patient_profile_id=profile, reader=reader or None, first=first, after=after
    )
