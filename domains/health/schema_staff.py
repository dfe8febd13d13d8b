"""Health queries and mutations for a facility's staff planning their schedule (the staff
console): every slot in a range whatever its status, what publishing a template would do, and
closing a slot to new bookings (and opening it again) without touching its bookings."""

from typing import Annotated

import strawberry

from domains.health import closing, slots
from domains.health.repositories import HealthStore
from domains.health.types.facilities import PlannedSlot, PublishSlotsPreview, Slot, SlotClash
from domains.health.types.failures import SlotNotBookable
from domains.health.types.inputs import PublishSlotsInput, SlotFilterInput
from domains.health.types.results import PublishSlotsPreviewResult
from domains.kernel.context import Info
from domains.kernel.errors import NotFoundError, ValidationFailed, expected

CloseSlotResult = Annotated[
    Slot | SlotNotBookable | NotFoundError, strawberry.union("CloseSlotResult")
]
ReopenSlotResult = Annotated[
    Slot | SlotNotBookable | NotFoundError, strawberry.union("ReopenSlotResult")
]


def _preview(outcome: slots.PublishPreview) -> PublishSlotsPreview:
    planned = [
        PlannedSlot(start=start, end=end, published=start in outcome.published)
        for start, end in outcome.windows
    ]
    existing = sum(1 for p in planned if p.published)
    return PublishSlotsPreview(
        slots=planned,
        created=len(planned) - existing,
        existing=existing,
        overlaps=[
            SlotClash(start=o.start, end=o.end, slot=Slot.from_document(o.other))
            for o in outcome.overlaps
        ],
    )


@strawberry.type
class StaffQuery:
    # mypy: Strawberry's field decorator is untyped (the override for domains.*.schema).
    @strawberry.field(  # type: ignore[untyped-decorator]
        description="A facility's slots over at most 62 days in every status (open, full, "
        "closed), earliest first (its staff)."
    )
    async def facility_slots(self, info: Info, filter: SlotFilterInput) -> list[Slot]:
        documents = await slots.facility_slots(
            caller=info.context.caller(HealthStore.of), which=filter.to_filter()
        )
        return [Slot.from_document(d) for d in documents]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="A dry run of publishSlots (facility staff): the slots the template gives, "
        "which are already published, and the overlaps that would refuse it. Writes nothing."
    )
    async def publish_slots_preview(
        self, info: Info, input: PublishSlotsInput
    ) -> PublishSlotsPreviewResult:
        return await expected(
            slots.preview_publish(
                caller=info.context.caller(HealthStore.of), template=input.to_template()
            ),
            _preview,
            ValidationFailed,
        )


@strawberry.type
class StaffMutation:
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Close one slot to new bookings (facility staff): nobody can book it, be "
        "offered a place in it or find it in availableSlots; the bookings it has stand (to "
        "cancel them, cancelSlots), and so do places already offered from its waitlist: their "
        "patients can accept while the hold lasts. Closing a closed slot returns it; a "
        "cancelled slot is SlotNotBookable."
    )
    async def close_slot(self, info: Info, id: strawberry.ID) -> CloseSlotResult:
        return await expected(
            closing.close_slot(caller=info.context.caller(HealthStore.of), slot_id=str(id)),
            Slot.from_document,
            SlotNotBookable,
            NotFoundError,
        )

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description="Open a closed slot to bookings again (facility staff); its free places are "
        "offered to its waitlist in the same step, before anyone can book them. Reopening an "
        "open slot returns it (offering any free place its waitlist is still owed). A "
        "cancelled slot is SlotNotBookable."
    )
    async def reopen_slot(self, info: Info, id: strawberry.ID) -> ReopenSlotResult:
        return await expected(
            closing.reopen_slot(caller=info.context.caller(HealthStore.of), slot_id=str(id)),
            Slot.from_document,
            SlotNotBookable,
            NotFoundError,
        )
