"""Retention of what no TTL index expires in notifications: the inbox (docs/security.md)."""

from datetime import datetime

from domains.kernel.resources import Resources
from domains.notifications.repository import INBOX_RETENTION, InboxRepository


async def purge(resources: Resources, now: datetime) -> int:
    """Delete inbox entries older than the retention period (``xuthanh purge``, daily)."""
    return await InboxRepository(resources.db).purge_before(now - INBOX_RETENTION)
