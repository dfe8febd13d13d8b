from datetime import datetime
from typing import TypedDict


class RateWindowDocument(TypedDict):
    """``chat_rate_limits``: messages counted for one caller in one minute."""

    _id: str  # "<caller key>|<window start, epoch minutes>"
    count: int
    expiresAt: datetime
