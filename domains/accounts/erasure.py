"""A user's rights over their data: one JSON document of everything held about them, and the
erasure of it, walked domain by domain (``PersonalData`` holders, composed by api/registry.py)
from a job kept in MongoDB so that an erasure cut short resumes where it stopped."""

import logging
from datetime import datetime, timedelta
from typing import Any

from domains.accounts.models import ErasureJobDocument
from domains.accounts.repository import AccountsStore
from domains.kernel.auth import require_recent_sign_in, require_user
from domains.kernel.caller import Caller
from domains.kernel.clock import utcnow
from domains.kernel.personal_data import PERSONAL_DATA, plain
from domains.kernel.resources import Resources

logger = logging.getLogger("xuthanh.accounts.erasure")

# Erasing an account needs a sign-in this recent (read from the verified token's auth_time).
RECENT_SIGN_IN = timedelta(minutes=5)
# How long the record that an erasure ran (uid, dates; no other data) is kept as proof.
PROOF_PERIOD = timedelta(days=30)


async def export_my_data(*, caller: Caller[AccountsStore], now: datetime | None = None) -> Any:
    """Everything every domain holds about the caller, as one JSON-ready document."""
    uid = require_user(caller.principal)
    holders = caller.store.resources.get(PERSONAL_DATA).holders
    domains = {name: plain(await holder.export(uid)) for name, holder in holders}
    return {"uid": uid, "exportedAt": (now or utcnow()).isoformat(), "domains": domains}


async def erase_my_data(
    *, caller: Caller[AccountsStore], now: datetime | None = None
) -> ErasureJobDocument:
    """Erase the caller's data (a sign-in less than 5 minutes old); idempotent."""
    now = now or utcnow()
    uid = require_recent_sign_in(caller.principal, now, RECENT_SIGN_IN)
    return await run_erasure(caller.store, uid)


async def run_erasure(store: AccountsStore, uid: str) -> ErasureJobDocument:
    """Erase the domains the user's running job has not done yet, recording each as it goes."""
    job = await store.erasures.open(uid, now=utcnow())
    for name, holder in store.resources.get(PERSONAL_DATA).holders:
        if name in job["done"]:
            continue
        await holder.erase(uid)
        await store.erasures.mark_done(uid, name, now=utcnow())
    await store.erasures.finish(uid, now=utcnow(), keep_for=PROOF_PERIOD)
    finished = await store.erasures.get_job(uid)
    assert finished is not None  # noqa: S101 - the job was written above and only TTL deletes it
    return finished


async def resume_erasures(resources: Resources) -> int:
    """Finish the erasures a stopped process left running (start-up); returns how many."""
    store = AccountsStore.of(resources)
    finished = 0
    for uid in await store.erasures.unfinished():
        try:
            await run_erasure(store, uid)
            finished += 1
        except Exception:
            logger.exception("an erasure could not be resumed; the next start-up retries it")
    return finished
