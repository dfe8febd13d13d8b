"""node(id:) refetches inbox entries and delivery statuses only for those who may see them."""

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.notifications.store import NotificationsStore
from tests.conftest import GraphQLClient
from tests.domains.notifications.test_devices_topics_inbox import SEND, _send

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on InboxNotification { title read } ... on NotificationStatus { audience } } }"""


async def node(gql: GraphQLClient, node_id: str, token: str | None = None) -> Any:
    body = await gql(NODE, {"id": node_id}, token=token)
    assert "errors" not in body, body
    return body["data"]["node"]


async def test_an_inbox_entry_is_refetched_by_its_owner_only(
    gql: GraphQLClient, dev_token: Any, resources: Resources
) -> None:
    notification = ObjectId()
    entry = f"{notification}:node-owner"
    await NotificationsStore.of(resources).inbox.add(
        [
            {
                "_id": entry,
                "userId": "node-owner",
                "n": notification,
                "category": "system",
                "title": {"vi": "Lịch hẹn đã đổi"},
                "body": {"vi": "Xem chi tiết"},
                "data": {},
                "createdAt": datetime.now(UTC),
                "readAt": None,
            }
        ]
    )
    listed = await gql("{ notifications { nodes { id } } }", token=dev_token("node-owner"))
    assert listed["data"]["notifications"]["nodes"] == [{"id": entry}]
    mine = await node(gql, entry, dev_token("node-owner"))
    assert mine == {
        "__typename": "InboxNotification",
        "id": entry,
        "title": "Lịch hẹn đã đổi",
        "read": False,
    }
    for token in (None, dev_token("node-stranger"), dev_token("node-admin", Role.ADMIN)):
        assert await node(gql, entry, token) is None


async def test_a_delivery_status_is_refetched_by_its_sender_and_admins(
    gql: GraphQLClient, dev_token: Any
) -> None:
    sender = dev_token("node-sender", Role.ADMIN)
    sent = await gql(SEND, _send({"userIds": ["node-someone"]}), token=sender)
    status = sent["data"]["sendNotification"]["id"]
    expected = {"__typename": "NotificationStatus", "id": status, "audience": "userIds (1)"}
    assert await node(gql, status, sender) == expected
    assert await node(gql, status, dev_token("node-admin-2", Role.ADMIN)) == expected
    for token in (None, dev_token("node-someone")):
        assert await node(gql, status, token) is None
