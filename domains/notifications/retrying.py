"""A batch's outcomes written again after a database error (a primary stepping down, a blip):
the writes are idempotent, and a batch whose writes fail for good is handed over by its lease,
which sends again whatever it had not recorded."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pymongo.errors import PyMongoError

logger = logging.getLogger("xuthanh.notifications.worker")


# Waits between writes of a batch's outcomes retried after a database error: about 16 s in
# all, an election's length, well inside the lease left (two thirds of it at least).
RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def retry_delay(failures: int) -> float:
    return RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]


def log_retry(claim: str, error: PyMongoError) -> None:
    # The claim and the error's kind only: no token, user or text.
    logger.warning(
        "could not record outcomes, retrying", extra={"claim": claim, "error": type(error).__name__}
    )


async def retrying(claim: str, write: Callable[[], Awaitable[None]]) -> None:
    """A batch's last writes, retried a few times (they are idempotent); after that the error
    goes up and the batch's lease hands it over."""
    for delay in RETRY_DELAYS:
        try:
            return await write()
        except PyMongoError as error:
            log_retry(claim, error)
            await asyncio.sleep(delay)
    await write()
