"""``node(id:)`` for accounts: a user's grant (administrators only, as `grants` lists it)."""

from domains.accounts import service
from domains.accounts.repository import AccountsStore
from domains.accounts.types import Grant
from domains.kernel.context import Info
from domains.kernel.node import Node, key_of


async def find_node(info: Info, node_id: str) -> Node | None:
    """The grant with this id, for an administrator."""
    uid = key_of(node_id, "Grant")
    if uid is None:
        return None
    grant = await service.get_grant(caller=info.context.caller(AccountsStore.of), uid=uid)
    return Grant.from_document(grant) if grant else None
