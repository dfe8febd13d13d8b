"""Closing a slot to new bookings and opening it again (facility staff). Unlike cancelSlots,
closing keeps the slot's bookings: the patients already booked still come. A closed slot is
``busy-unavailable`` with ``closedAt`` (no ``cancelReason``), so every rule that books, offers
a freed place or lists bookable slots (they all require ``free``) passes it by."""

from datetime import datetime

from bson import ObjectId

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
    """Open a closed slot again (its facility's staff): the places free in it go to its waitlist
    first, in the transaction that opens it. Idempotent: on an open slot it still offers the
    places its waitlist is owed."""
    slot = await _slot_of_staff(caller, slot_id)
    store, key, now = caller.store, slot["_id"], now or utcnow()

    async def work(session: Session) -> SlotDocument:
        if not await store.slots.reopen(key, session=session):
            current = await store.slots.find(key, session)
            if current is None:
                raise NotFound("No slot has this id.")
            if current["status"] != "free":
                raise _cancelled()
        await _offer_free_places(store, session, key, now)
        reopened = await store.slots.find(key, session)
        if reopened is None:  # pragma: no cover - slots are never deleted
            raise NotFound("No slot has this id.")
        return reopened

    # Nobody sees the slot open (slotAvailability, availableSlots) or books it before its
    # waitlist has been offered the free places: both are one commit.
    return await store.transaction(work, keys=[key])


async def _offer_free_places(
    store: HealthStore, session: Session, slot_id: ObjectId, now: datetime
) -> int:
    """Inside the caller's transaction: offer the open slot's free places to its waiting
    patients until nobody waits or no place is left; returns how many were offered."""
    slot = await store.slots.find(slot_id, session)
    if slot is None or slot["remaining"] <= 0:
        return 0
    day = local_date(slot["start"]).isoformat()
    if not await store.waitlist.waiting_for(slot, day=day, session=session, limit=1):
        return 0
    offered = 0
    while (number := await store.slots.claim(slot_id, now=now, session=session)) is not None:
        entry = await free_place(
            store=store, session=session, slot_id=slot_id, number=number, now=now
        )
        if entry is None:
            return offered  # nobody left who can take it: the place went back to the pool
        offered += 1
    return offered
