"""``node(id:)``: Relay's refetch of any object that implements ``Node``, asking each domain.

Every domain answers with the visibility of its own queries; an id the caller may not see
answers exactly like an unknown one (null), whichever domain holds it."""

import strawberry

from api.registry import NODE_FINDERS
from domains.kernel.context import Info
from domains.kernel.errors import DomainError
from domains.kernel.node import Node

MAX_ID_LENGTH = 400  # longer than any id this API hands out


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="The object with this id (Relay's refetch); null when unknown or not yours."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        if not id or len(id) > MAX_ID_LENGTH:
            return None
        for find in NODE_FINDERS:
            try:
                found = await find(info, str(id))
            except DomainError:  # not signed in, not allowed, malformed for that domain
                continue
            if found is not None:
                return found
        return None
