"""What tests read of a notification's per-device records: the individual ones
(``notification_deliveries``) and the successes of fan-out batches, held one document per batch
(``notification_sent``)."""

from typing import Any

from domains.notifications.sent import SENT, as_records


async def delivery_records(db: Any, nid: Any) -> list[dict[str, Any]]:
    """Every delivery record of ``nid`` (a notification id or a query on ``n``), as documents
    of ``notification_deliveries``."""
    records: list[dict[str, Any]] = await db["notification_deliveries"].find({"n": nid}).to_list()
    async for batch in db[SENT].find({"n": nid, "state": {"$exists": True}}):
        records += [dict(record) for record in as_records(batch)]
    return records


async def states(db: Any, nid: Any) -> dict[str, str]:
    """Each token's state."""
    return {d["token"]: d["state"] for d in await delivery_records(db, nid)}
