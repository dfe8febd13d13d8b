"""A fan-out batch that waited for the wire looks at its devices again before it is sent, and
only at those registered again or removed since they were read (a busy worker waited on most
batches, and looked all 500 up: 0.3-0.7 s each in SecantusDB); a phone that changed hands,
was signed out or unregistered meanwhile still gets nothing."""

from datetime import timedelta
from typing import Any

import pytest

from domains.kernel.clock import utcnow
from tests.domains.notifications.conftest import FAST
from tests.domains.notifications.records import delivery_records
from tests.domains.notifications.test_lease_handover import open_batch

WAITED = timedelta(seconds=6)  # past WorkerConfig.device_recheck_after (5 s)


def spy_on_lookups(worker: Any, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The tokens of each look-up of devices by token."""
    asked: list[list[str]] = []
    devices = worker.batches.store.devices
    look_up = devices.live_devices

    async def spying(tokens: Any, *, now: Any) -> Any:
        asked.append(sorted(tokens))
        return await look_up(tokens, now=now)

    monkeypatch.setattr(devices, "live_devices", spying)
    return asked


async def test_a_batch_that_waited_looks_up_only_the_devices_changed_since_and_skips_them(
    db, fcm_server, make_worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"recheck-{name}" for name in ("kept", "also-kept", "moved", "out", "dropped")]
    worker, nid, tokens, batch, now = await open_batch(
        db, make_worker, names, "recheck", FAST.lease, topic="recheck"
    )
    kept, also_kept, moved, signed_out, dropped = tokens
    devices = worker.batches.store.devices
    # While the batch waits for the wire: another person signs in on one phone, the user signs
    # out of another (registered again without a user), a third unregisters.
    for token, user in ((moved, "someone-else"), (signed_out, None)):
        await devices.upsert(
            token=token,
            user_id=user,
            platform="android",
            locale="vi",
            app_version="1",
            now=utcnow(),
        )
    assert await devices.delete(dropped)
    asked = spy_on_lookups(worker, monkeypatch)
    await worker.batches.send("recheck", batch, claimed_at=now - WAITED, fresh=True)
    assert asked == [sorted([moved, signed_out, dropped])]
    accepted = fcm_server.accepted_tokens()
    assert {token: accepted.get(token, 0) for token in tokens} == {
        kept: 1,
        also_kept: 1,
        moved: 0,
        signed_out: 0,
        dropped: 0,
    }
    records = {r["token"]: r for r in await delivery_records(db, nid)}
    assert {t: records[t].get("errorCode") for t in (moved, signed_out, dropped)} == dict.fromkeys(
        (moved, signed_out, dropped), "DEVICE_CHANGED"
    )


async def test_a_batch_sent_soon_after_its_devices_were_read_looks_nothing_up(
    db, fcm_server, make_worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["recheck-soon-a", "recheck-soon-b"]
    worker, _, tokens, batch, now = await open_batch(
        db, make_worker, names, "recheck-soon", FAST.lease, topic="recheck-soon"
    )
    asked = spy_on_lookups(worker, monkeypatch)
    await worker.batches.send("recheck-soon", batch, claimed_at=now, fresh=True)
    assert asked == []
    assert {t: fcm_server.accepted_tokens().get(t, 0) for t in tokens} == dict.fromkeys(tokens, 1)
