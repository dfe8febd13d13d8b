"""Giving places back for a patient who stops (erasure of their data, consent withdrawn): their
open waitlist entries are left, a held place passing to the next person, and their upcoming
bookings cancelled, the place freed. Each step is its own transaction and idempotent."""

from datetime import datetime

from domains.health.models import AppointmentDocument, WaitlistEntryDocument
from domains.health.placement import cancel_booked, pass_on_hold
from domains.health.repositories.store import HealthStore
from domains.kernel.types import Session

OPEN_WAITLIST = ("waiting", "offered")


async def leave_entries(
    store: HealthStore, entries: list[WaitlistEntryDocument], now: datetime
) -> int:
    """Close open entries (as left); returns how many this call closed."""
    left = 0
    for entry in entries:

        async def work(session: Session, entry: WaitlistEntryDocument = entry) -> int:
            closed = await store.waitlist.close(
                entry["_id"],
                from_status=entry["status"],
                to_status="left",
                now=now,
                session=session,
            )
            if closed is not None and entry["status"] == "offered":
                await pass_on_hold(store=store, session=session, entry=entry, now=now)
            return 0 if closed is None else 1

        left += await store.transaction(work)
    return left


async def cancel_bookings(
    store: HealthStore, appointments: list[AppointmentDocument], now: datetime
) -> int:
    """Cancel booked appointments by the system; returns how many this call cancelled."""
    cancelled = 0
    for appointment in appointments:
        done = await cancel_booked(
            store=store,
            appointment=appointment,
            reason=None,
            actor="system",
            role="system",
            by_facility=False,
            now=now,
        )
        cancelled += 0 if done is None else 1
    return cancelled
