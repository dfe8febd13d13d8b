"""The inbox as a live update: new notifications and the unread count of the signed-in user."""

from collections.abc import AsyncGenerator, AsyncIterator, Hashable

import strawberry

from domains.kernel.auth import require_user
from domains.kernel.caller import Caller
from domains.kernel.change_feed import ChangeEvent
from domains.kernel.context import Info
from domains.kernel.errors import InvalidInput
from domains.kernel.live import ChangeFeeds, Wakeup, change_feeds
from domains.notifications import service
from domains.notifications.models import InboxDocument
from domains.notifications.repository import InboxRepository
from domains.notifications.store import NotificationsStore
from domains.notifications.types import InboxNotification

LATEST_MOST = 50


def inbox_owner(event: ChangeEvent) -> Hashable | None:
    """Entry ids are "<notification id>:<user id>": deletions tell whose entry went too."""
    return str(event.document_id).partition(":")[2]


@strawberry.type(description="Your inbox now: the newest notifications and how many are unread.")
class InboxUpdate:
    unread_count: int
    latest: list[InboxNotification]


async def inbox_updates(
    *, caller: Caller[NotificationsStore], feeds: ChangeFeeds, first: int
) -> AsyncIterator[tuple[int, list[InboxDocument]]]:
    """(unread count, newest ``first``) now and after every change of the user's inbox."""
    uid = require_user(caller.principal)
    if not 1 <= first <= LATEST_MOST:
        raise InvalidInput(f"Ask for 1 to {LATEST_MOST} notifications.", field="first")

    wakeup = Wakeup()
    async with feeds.watching(wakeup, InboxRepository.collection_name, inbox_owner, uid):
        last: tuple[int, list[InboxDocument]] | None = None
        while True:
            page = await service.list_inbox(
                caller=caller, unread_only=False, first=first, after=None
            )
            state = (await service.unread_count(caller=caller), list(page.items))
            if state != last:
                yield state
                last = state
            await wakeup.wait()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Your inbox (signed-in users): sent now and whenever a notification arrives "
        "or is read."
    )
    async def inbox(self, info: Info, first: int = 20) -> AsyncGenerator[InboxUpdate, None]:
        updates = inbox_updates(
            caller=info.context.caller(NotificationsStore.of),
            feeds=change_feeds(info.context.resources),
            first=first,
        )
        async for unread, documents in updates:
            yield InboxUpdate(
                unread_count=unread,
                latest=[InboxNotification.from_document(d) for d in documents],
            )
