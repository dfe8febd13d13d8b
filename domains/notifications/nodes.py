"""``node(id:)`` for notifications: inbox entries (their owner only, as `notifications`) and a
notification's delivery status (its sender and administrators, as `notificationStatus`)."""

from domains.kernel.context import Info
from domains.kernel.node import Node, object_id_of
from domains.notifications import broadcasts, service
from domains.notifications.store import NotificationsStore
from domains.notifications.types import InboxNotification, NotificationStatus


async def find_node(info: Info, node_id: str) -> Node | None:
    """The notifications object with this id, as the caller may see it."""
    caller = info.context.caller(NotificationsStore.of)
    if caller.principal.uid is None:
        return None  # both are someone's: an anonymous caller sees neither
    if object_id_of(node_id) is not None:
        view = await broadcasts.notification_status(caller=caller, notification_id=node_id)
        return NotificationStatus.from_view(view) if view else None
    entry = await service.get_inbox_notification(caller=caller, notification_id=node_id)
    return InboxNotification.from_document(entry) if entry else None
