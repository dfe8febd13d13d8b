"""Relay's object identification: ``Node`` and ``node(id:)`` for refetching an object a client
holds. A domain whose objects carry globally unique ids (ObjectIds) lets its types implement
``Node`` and gives its module a ``find_node``; the composition root asks each in turn."""

from collections.abc import Awaitable, Callable

import strawberry

from domains.kernel.context import Info


@strawberry.interface(
    description="An object with a globally unique id: refetch it with `node(id:)` (Relay)."
)
class Node:
    id: strawberry.ID


# The object with this id as the caller may see it, or None (unknown, or not theirs).
NodeFinder = Callable[[Info, str], Awaitable[Node | None]]
