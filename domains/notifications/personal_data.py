"""What notifications hold about a person: devices, topic subscriptions, the inbox, preferences,
and the pushes sent or queued to them (by any device) or to their devices without a user."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domains.kernel.personal_data import PersonalData
from domains.kernel.resources import Resources
from domains.notifications.store import NotificationsStore


@dataclass(frozen=True, slots=True)
class NotificationsPersonalData:
    store: NotificationsStore

    async def export(self, uid: str) -> Mapping[str, Any]:
        store = self.store
        devices = await store.devices.of_user(uid)
        return {
            "devices": devices,
            "subscriptions": await store.subscriptions.of_user(uid),
            "inbox": await store.inbox.of_user(uid),
            "preferences": [p for p in [await store.preferences.get(uid)] if p],
            "deliveries": await store.deliveries.of_user(uid, [d["_id"] for d in devices]),
        }

    async def erase(self, uid: str) -> int:
        store = self.store
        tokens = [device["_id"] for device in await store.devices.of_user(uid)]
        # Batches in flight first: a record their sender writes after the deletion below is
        # deleted again when its batch closes.
        changed = await store.batches.erase(user_id=uid, tokens=tokens)
        changed += await store.deliveries.delete_for(user_id=uid, tokens=tokens)
        changed += await store.notifications.drop_recipient(uid)
        changed += await store.subscriptions.remove_for_user(uid, tokens)
        changed += await store.inbox.delete_for_user(uid)
        changed += await store.preferences.delete_for_user(uid)
        return changed + await store.devices.delete_many(tokens)


def holder(resources: Resources) -> PersonalData:
    return NotificationsPersonalData(NotificationsStore.of(resources))
