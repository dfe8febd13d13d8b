"""Per-token results of a notification (``notificationStatus.results``) in token order: its
individual delivery records, the successes of its fan-out batches (``sent``) and the deliveries
of its batches still on the wire (pending), merged."""

from bson import ObjectId

from domains.kernel.pagination import Page, decode_cursor, encode_cursor, page_size
from domains.notifications.models import DeliveryDocument
from domains.notifications.store import NotificationsStore
from domains.notifications.tallies import TALLIED_STATES


async def page(
    store: NotificationsStore,
    notification_id: ObjectId,
    *,
    state: str | None,
    first: int | None,
    after: str | None,
) -> Page[DeliveryDocument]:
    size = page_size(first)
    limit = size + 1
    after_id = None if after is None else str(decode_cursor(after, length=1)[0])
    deliveries, sent = store.deliveries, store.sent
    rows = await deliveries.records_after(
        notification_id, state=state, after=after_id, limit=size + 1
    )
    if state is None or state in TALLIED_STATES:
        rows += await sent.results(notification_id, state=state, after=after_id, limit=limit)
    in_flight: list[DeliveryDocument] = []
    if state in (None, "pending"):
        in_flight = await deliveries.in_flight(notification_id)
        rows += [d for d in in_flight if after_id is None or d["_id"] > after_id]
    rows.sort(key=lambda row: row["_id"])
    rows = rows[:limit]

    async def count_total() -> int:
        records = await deliveries.count_records(notification_id, state=state)
        return records + await sent.total(notification_id, state=state) + len(in_flight)

    cursors = [encode_cursor([row["_id"]]) for row in rows[:size]]
    return Page(rows[:size], cursors, len(rows) > size, count_total)
