from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pymongo import ASCENDING, IndexModel, ReturnDocument

from domains.accounts.models import GrantDocument
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.store import Store

SCOPE_FIELDS = {"hospital_staff": "hospitalIds", "school_staff": "schoolIds"}


class GrantRepository(Repository):
    collection_name = "grants"
    # Looked up by _id (the uid) on every signed-in request: that needs no index of its own.
    indexes = (
        # uids_with_role: the holders of one role in uid order (a broadcast to a role); also
        # serves the grants page filtered by role.
        IndexModel([("roles", ASCENDING), ("_id", ASCENDING)]),
    )

    async def get_for_uid(self, uid: str) -> GrantDocument | None:
        return cast(GrantDocument | None, await self.collection.find_one({"_id": uid}))

    async def uids_with_role(self, role: str) -> list[str]:
        """The uids holding ``role``, in uid order (a resumed fan-out relies on the order)."""
        cursor = self.collection.find({"roles": role}, {"_id": 1}, sort=[("_id", ASCENDING)])
        return [str(document["_id"]) async for document in cursor]

    async def add_role(
        self, *, uid: str, role: str, scope_id: str | None, by: str, at: datetime
    ) -> GrantDocument:
        additions: dict[str, Any] = {"roles": role}
        if scope_id is not None:
            additions[SCOPE_FIELDS[role]] = scope_id
        document = await self.collection.find_one_and_update(
            {"_id": uid},
            {
                "$addToSet": additions,
                "$set": {"updatedAt": at, "updatedBy": by},
                "$setOnInsert": {
                    key: [] for key in ("roles", "hospitalIds", "schoolIds") if key not in additions
                },
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return cast(GrantDocument, document)

    async def remove_role(
        self, *, uid: str, role: str, scope_id: str | None, by: str, at: datetime
    ) -> GrantDocument | None:
        scope_field = SCOPE_FIELDS.get(role)
        stamp = {"updatedAt": at, "updatedBy": by}
        if scope_field is not None and scope_id is not None:
            document = await self.collection.find_one_and_update(
                {"_id": uid},
                {"$pull": {scope_field: scope_id}, "$set": stamp},
                return_document=ReturnDocument.AFTER,
            )
            if document is None or document.get(scope_field):
                return cast(GrantDocument | None, document)
        # No scope left (or none given): the role goes, with all its scopes.
        update: dict[str, Any] = {"$pull": {"roles": role}, "$set": stamp}
        if scope_field is not None:
            update["$set"] = {**stamp, scope_field: []}
        document = await self.collection.find_one_and_update(
            {"_id": uid}, update, return_document=ReturnDocument.AFTER
        )
        return cast(GrantDocument | None, document)

    async def page(
        self, *, role: str | None, first: int | None, after: str | None
    ) -> Page[GrantDocument]:
        query: Mapping[str, Any] = {"roles": role} if role else {"roles": {"$ne": []}}
        page = await find_page(
            self.collection, query=dict(query), sort=[], first=first, after=after
        )
        return cast(Page[GrantDocument], page)


@dataclass(frozen=True, slots=True)
class AccountsStore(Store):
    """The grants repository over the request's resources."""

    grants: GrantRepository
