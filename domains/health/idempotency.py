"""Exactly once per idempotency key: the one runner of booking transactions (a booking, an
accepted waitlist offer). A retry gets the first answer; a concurrent twin the winner's."""

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from domains.health.errors import BookingRefused, Refusal
from domains.health.models import AppointmentDocument, IdempotencyRecord
from domains.health.placement import already_booked
from domains.health.repositories import HealthStore
from domains.kernel.errors import InvalidInput
from domains.kernel.types import Session

IDEMPOTENCY_TTL = timedelta(hours=24)
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One booking request: who asks, under which idempotency key, for what (its fingerprint),
    and the id its appointment will have."""

    uid: str
    key: str
    fingerprint: str
    now: datetime
    appointment_id: ObjectId = field(default_factory=ObjectId)

    @classmethod
    def of(cls, *, uid: str, key: str, parts: tuple[object, ...], now: datetime) -> "Attempt":
        """The attempt to do what ``parts`` say (the same parts, the same fingerprint)."""
        check_idempotency_key(key)
        raw = "|".join("" if part is None else str(part) for part in parts).encode()
        return cls(uid=uid, key=key, fingerprint=hashlib.sha256(raw).hexdigest(), now=now)


def check_idempotency_key(key: str) -> None:
    if not _KEY.match(key):
        raise InvalidInput(
            "`idempotencyKey` must be 8 to 128 letters, digits or -_.: (a UUID is ideal).",
            field="idempotencyKey",
        )


async def earlier_answer(*, store: HealthStore, attempt: Attempt) -> AppointmentDocument | None:
    """The appointment an earlier request with the same key made, if any (a retry)."""
    record = await store.idempotency.find_live(attempt.uid, attempt.key, now=attempt.now)
    return None if record is None else await _replay(store, record, attempt.fingerprint)


async def _replay(
    store: HealthStore, record: IdempotencyRecord, fingerprint: str
) -> AppointmentDocument:
    if record["fingerprint"] != fingerprint or "appointmentId" not in record:
        raise BookingRefused(
            Refusal.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different booking in the last 24 hours; "
            "use a new key for a new booking.",
        )
    appointment = await store.appointments.find(record["appointmentId"])
    if appointment is None:  # pragma: no cover - appointments are never deleted
        raise BookingRefused(Refusal.NOT_FOUND, "The earlier booking no longer exists.")
    return appointment


async def book_once(
    *,
    store: HealthStore,
    attempt: Attempt,
    slot_id: ObjectId,
    work: Callable[[Session], Awaitable[AppointmentDocument]],
) -> AppointmentDocument:
    """Run a booking transaction (after this process's others on the slot) that first records
    the key; a concurrent twin with the same key gets the winner's answer."""

    async def once(session: Session) -> AppointmentDocument:
        # The key goes in first: concurrent retries of one request collide here and wait; the
        # losers then replay the winner's answer (see below).
        record = IdempotencyRecord(
            userId=attempt.uid,
            key=attempt.key,
            fingerprint=attempt.fingerprint,
            appointmentId=attempt.appointment_id,
            createdAt=attempt.now,
            expiresAt=attempt.now + IDEMPOTENCY_TTL,
        )
        await store.idempotency.claim(record, now=attempt.now, session=session)
        return await work(session)

    try:
        return await store.transaction(once, keys=[slot_id])
    except DuplicateKeyError as error:
        index = str((error.details or {}).get("keyPattern", "")) + str(error)
        if "user_key" in index or "'key'" in index:
            earlier = await earlier_answer(store=store, attempt=attempt)
            if earlier is not None:
                return earlier
        if "one_active_per_patient_and_slot" in index or "patientProfileId" in index:
            raise already_booked() from None
        raise
