"""Closing a slot to new bookings and opening it again (facility staff). Unlike cancelSlots,
closing keeps the slot's bookings: the patients already booked still come. A closed slot is
``busy-unavailable`` with ``closedAt`` (no ``cancelReason``), so every rule that books, offers
a freed place or lists bookable slots (they all require ``free``) passes it by."""

from datetime import datetime

from domains.health.errors import BookingRefused, Refusal
from domains.health.models import SlotDocument
from domains.health.placement import free_place
from domains.health.repositories import HealthStore
from domains.health.schedule import local_date
from domains.kernel.auth import require_hospital_staff, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.errors import NotFound
from domains.kernel.types import Session
from domains.kernel.validation import object_id


def _cancelled() -> BookingRefused:
    return BookingRefused(
        Refusal.SLOT_NOT_BOOKABLE, "This slot was cancelled; publish a new one instead."
    )


async def _slot_of_staff(caller: Caller[HealthStore], slot_id: str) -> SlotDocument:
    require_user(caller.principal)  # signed in before anything is looked up
    slot = await caller.store.slots.find(object_id(slot_id, what="slot"))
    if slot is None:
        raise NotFound("No slot has this id.")
    require_hospital_staff(caller.principal, slot["hospitalId"])
    return slot


async def close_slot(
    *, caller: Caller[HealthStore], slot_id: str, now: datetime | None = None
) -> SlotDocument:
    """Close one slot to new bookings (its facility's staff); its bookings stay. Idempotent."""
    slot = await _slot_of_staff(caller, slot_id)
    actor = require_hospital_staff(caller.principal, slot["hospitalId"])
    closed = await caller.store.slots.close(slot["_id"], actor=actor, now=now or utcnow())
    if closed is not None:
        return closed
    current = await caller.store.slots.find(slot["_id"])
    if current is None:
        raise NotFound("No slot has this id.")
    if "closedAt" not in current:
        raise _cancelled()
    return current  # closed already


async def reopen_slot(
    *, caller: Caller[HealthStore], slot_id: str, now: datetime | None = None
) -> SlotDocument:
    """Open a closed slot again (its facility's staff): places freed while it was closed go to
    its waitlist first, like any freed place. Idempotent."""
    slot = await _slot_of_staff(caller, slot_id)
    now = now or utcnow()
    reopened = await caller.store.slots.reopen(slot["_id"])
    if reopened is None:
        current = await caller.store.slots.find(slot["_id"])
        if current is None:
            raise NotFound("No slot has this id.")
        if current["status"] != "free":
            raise _cancelled()
        return current  # open already
    if await _offer_free_places(caller.store, reopened, now):
        return await caller.store.slots.find(reopened["_id"]) or reopened
    return reopened


async def _offer_free_places(store: HealthStore, slot: SlotDocument, now: datetime) -> int:
    """Offer the slot's free places to its waiting patients, one transaction per place, until
    nobody waits or no place is left; returns how many were offered."""
    day = local_date(slot["start"]).isoformat()
    if slot["remaining"] <= 0 or (await store.waitlist.counts_for(slot, day=day))[0] == 0:
        return 0
    slot_id = slot["_id"]
    offered = 0
    while True:

        async def work(session: Session) -> bool:
            number = await store.slots.claim(slot_id, now=now, session=session)
            if number is None:
                return False
            entry = await free_place(
                store=store, session=session, slot_id=slot_id, number=number, now=now
            )
            return entry is not None

        if not await store.transaction(work, keys=[slot_id]):
            return offered
        offered += 1
