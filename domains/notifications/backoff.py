"""When a failed delivery is tried again."""

import random

from domains.notifications.config import WorkerConfig


def backoff_delay(config: WorkerConfig, attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter (half fixed, half random), never sooner than Retry-After."""
    ceiling = min(config.backoff_cap, config.backoff_base * 2 ** max(0, attempts - 1))
    delay: float = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter only
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
