"""Relay's object identification: ``Node`` and ``node(id:)`` for refetching an object a client
holds. Every type a client can hold by its id implements ``Node``; its domain's module has a
``find_node`` that answers with exactly the visibility of the query returning that type (null
for an unknown id or an object the caller may not see, never an error). The composition root
asks each domain in turn.

Ids are opaque to clients and stable. Objects stored under an ObjectId keep it as their id
(unique across collections); a type whose key is only unique within its kind (a procedure's
code, a user's grant) gets ``global_id(type_name, key)``, which ``key_of`` reads back."""

import base64
import binascii
import re
from collections.abc import Awaitable, Callable

import strawberry
from bson import ObjectId

from domains.kernel.context import Info


@strawberry.interface(
    description="An object with a globally unique, stable id: refetch it with `node(id:)` "
    "(Relay). Treat the id as opaque."
)
class Node:
    id: strawberry.ID


_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")

# The object with this id as the caller may see it, or None (unknown, or not theirs).
NodeFinder = Callable[[Info, str], Awaitable[Node | None]]


def global_id(type_name: str, key: str) -> strawberry.ID:
    """An opaque id naming the type, for keys unique only within their type."""
    raw = f"{type_name}:{key}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="))


def decode_global_id(node_id: str) -> tuple[str, str] | None:
    """The (type name, key) inside a ``global_id``; None for anything else (a slug, an
    ObjectId, a local key)."""
    if not node_id or len(node_id) > 400:
        return None
    try:
        raw = base64.urlsafe_b64decode(node_id + "=" * (-len(node_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, key = raw.partition(":")
    if not key or not _TYPE_NAME.fullmatch(prefix) or global_id(prefix, key) != node_id:
        return None
    return prefix, key


def key_of(node_id: str, type_name: str) -> str | None:
    """The key inside ``global_id(type_name, key)``; None for any other id."""
    decoded = decode_global_id(node_id)
    return decoded[1] if decoded is not None and decoded[0] == type_name else None


def object_id_of(node_id: str) -> ObjectId | None:
    """The ObjectId a node id names, or None when it is not one."""
    return ObjectId(node_id) if ObjectId.is_valid(node_id) else None
