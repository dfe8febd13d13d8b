"""``node(id:)``: Relay's refetch of any object that implements ``Node``, asking each domain."""

import strawberry

from api.registry import NODE_FINDERS
from domains.kernel.context import Info
from domains.kernel.node import Node


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="The object with this id (Relay's refetch); null when unknown or not yours."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        for find in NODE_FINDERS:
            found = await find(info, str(id))
            if found is not None:
                return found
        return None
