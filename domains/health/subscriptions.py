"""The health subscriptions (live updates over the websocket, graphql-transport-ws)."""

from collections.abc import AsyncGenerator
from datetime import date

import strawberry

from domains.health import live
from domains.health.parts import resolve_parts
from domains.health.repositories import HealthStore
from domains.health.types.live import QueueStatus, SlotAvailability, SlotPlaces
from domains.kernel.clock import clock_of
from domains.kernel.context import Info
from domains.kernel.live import change_feeds


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Your queue on the day: the number being served, yours and an estimated "
        "wait; sent now and on every change, until the visit ends (the patient who booked, or "
        "the facility's staff)."
    )
    async def queue_status(
        self, info: Info, appointment_id: strawberry.ID
    ) -> AsyncGenerator[QueueStatus, None]:
        updates = live.queue_updates(
            caller=info.context.caller(HealthStore.of),
            feeds=change_feeds(info.context.resources),
            appointment_id=str(appointment_id),
        )
        async for view in updates:
            yield QueueStatus.from_view(view)

    @strawberry.subscription(
        description="A department's places on one day while the booking screen is open: sent "
        "now, whenever a place is taken or freed, and when a slot's booking window opens or "
        "closes."
    )
    async def slot_availability(
        self, info: Info, hospital_id: str, department_id: str, date: date
    ) -> AsyncGenerator[SlotAvailability, None]:
        updates = live.availability_updates(
            store=info.context.scoped(HealthStore.of),
            feeds=change_feeds(info.context.resources),
            clock=clock_of(info.context.resources),
            hospital_id=hospital_id,
            department_id=department_id,
            day=date,
        )
        # Answered with the department's key, whichever of its ids was sent.
        key = resolve_parts(hospital_id, department_id).department_id or department_id
        async for places in updates:
            yield SlotAvailability(
                hospital_id=hospital_id,
                department_id=key,
                date=date,
                slots=[
                    SlotPlaces(
                        slot_id=strawberry.ID(str(p.slot_id)),
                        start=p.start,
                        end=p.end,
                        remaining=p.remaining,
                        bookable=p.bookable,
                    )
                    for p in places
                ],
            )
