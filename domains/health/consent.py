"""Withdrawing the consent given when a patient profile was made: the profile is processed no
further (no booking, no waiting: its open entries are left and its upcoming bookings cancelled);
the consent history is kept on the profile, and what a facility must keep stays."""

from datetime import datetime

from domains.health.errors import BookingRefused, Refusal
from domains.health.models import ConsentEvent, PatientProfileDocument
from domains.health.release import cancel_bookings, leave_entries
from domains.health.repositories.personal import PersonalRecords
from domains.health.repositories.store import HealthStore
from domains.kernel.auth import require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.validation import object_id


async def withdraw_patient_consent(
    *, caller: Caller[HealthStore], profile_id: str, now: datetime | None = None
) -> PatientProfileDocument:
    """Withdraw a profile's consent (its owner); repeating it changes nothing."""
    uid = require_user(caller.principal)
    now = now or utcnow()
    store = caller.store
    profile_oid = object_id(profile_id, what="patient profile")
    profile = await store.profiles.owned(profile_oid, uid)
    if profile is None:
        raise BookingRefused(Refusal.NOT_FOUND, "You have no patient profile with this id.")
    consent = profile["consent"]
    withdrawn: ConsentEvent = {
        "action": "withdrawn",
        "purpose": consent["purpose"],
        "policyVersion": consent["policyVersion"],
        "at": now,
    }
    events = [dict(withdrawn)]
    if not profile.get("consentHistory"):  # profiles made before the history was kept
        given = {**events[0], "action": "given", "at": consent["givenAt"]}
        events.insert(0, given)
    updated = await store.profiles.withdraw_consent(profile_oid, uid, events=events, now=now)
    # Release in any case: a withdrawal cut short by a crash completes when repeated.
    entries, booked = await PersonalRecords(store.db).of_profile(uid, profile_oid)
    await leave_entries(store, entries, now)
    await cancel_bookings(store, booked, now)
    return updated or profile
