"""A user's export lists the pushes sent to them, by a device they still have or not, and to
their devices without a user; never a previous owner's of a phone now theirs (review s4 R4, R5)."""

from bson import ObjectId

from domains.kernel.clock import utcnow
from domains.notifications.delivery import InFlight
from domains.notifications.fanout import new_deliveries
from domains.notifications.personal_data import holder
from tests.domains.notifications.conftest import FAST
from tests.domains.notifications.test_delivery import add_device


async def _sent_to(db, make_worker, name: str, user: str | None, *, failed: bool) -> str:
    """A push FCM took for the device ``name`` (of ``user``), on its batch's successes document;
    with ``failed``, a second push that failed for it (an individual record)."""
    token = await add_device(db, name, user)
    device = await db["devices"].find_one({"_id": token})
    store, now = make_worker().store, utcnow()
    for push in ["sent", "failed"] if failed else ["sent"]:
        nid, claim = ObjectId(), f"export-{push}-{name}"
        await db["notifications"].insert_one({"_id": nid, "audience": {"topic": "event.export"}})
        batch = new_deliveries(nid, [device], now, claim=claim, lease=FAST.lease)
        await store.batches.open(claim, nid, batch, until=now + FAST.lease)
        if push == "sent":
            await store.deliveries.record_sent(
                batch, batch=claim, state="sent", now=now, audiences={}
            )
        else:
            await InFlight(store, claim).finish([(batch[0], {"state": "failed", "doneAt": now})])
    return token


async def test_the_export_lists_pushes_to_the_user_by_a_device_they_no_longer_have(
    db, resources, make_worker
) -> None:
    token = await _sent_to(db, make_worker, "export-gone", "u-export-gone", failed=True)
    await db["devices"].delete_one({"_id": token})  # unregisterDevice
    exported = await holder(resources).export("u-export-gone")
    assert sorted(d["state"] for d in exported["deliveries"]) == ["failed", "sent"]


async def test_the_export_leaves_out_a_phones_previous_owner(db, resources, make_worker) -> None:
    token = await _sent_to(db, make_worker, "export-handed", "u-export-before", failed=True)
    await db["devices"].update_one({"_id": token}, {"$set": {"userId": "u-export-after"}})
    assert (await holder(resources).export("u-export-after"))["deliveries"] == []
    # Sent to the phone while nobody was signed in on it: the phone's owner sees it.
    anonymous = await _sent_to(db, make_worker, "export-anon", None, failed=False)
    await db["devices"].update_one({"_id": anonymous}, {"$set": {"userId": "u-export-anon"}})
    exported = await holder(resources).export("u-export-anon")
    assert [(d["token"], d["userId"]) for d in exported["deliveries"]] == [(anonymous, None)]
