"""Retention of the assistant's conversations: Rasa's tracker documents carry no BSON date a TTL
index could use (``latest_event_time`` is seconds since the epoch, a float), so a scheduled purge
(``xuthanh purge``) deletes those idle longer than ``CHAT_RETENTION_DAYS``."""

from datetime import datetime, timedelta

from domains.chatbot.config import CHAT_CONFIG
from domains.chatbot.personal_data import trackers
from domains.kernel.resources import Resources


async def purge(resources: Resources, now: datetime) -> int:
    """Delete conversations whose last event is older than the retention period."""
    days = resources.get(CHAT_CONFIG).settings.chat_retention_days
    cutoff = (now - timedelta(days=days)).timestamp()
    result = await trackers(resources).delete_many({"latest_event_time": {"$lt": cutoff}})
    return int(result.deleted_count)
