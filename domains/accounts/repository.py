from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from domains.accounts.models import ErasureJobDocument, GrantChangeDocument, GrantDocument
from domains.kernel.pagination import Page, find_page
from domains.kernel.repository import Repository
from domains.kernel.store import Store

SCOPE_FIELDS = {
    "hospital_staff": "hospitalIds",
    "school_staff": "schoolIds",
    "station_operator": "stationIds",
}


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

    async def delete_for_uid(self, uid: str) -> int:
        """Erasure: the user's roles go with the rest of their data."""
        result = await self.collection.delete_one({"_id": uid})
        return int(result.deleted_count)

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
                    key: []
                    for key in ("roles", "hospitalIds", "schoolIds", "stationIds")
                    if key not in additions
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


class GrantHistoryRepository(Repository):
    """Append-only: this repository has no update or delete (grants themselves are rewritten)."""

    collection_name = "grant_history"
    indexes = (
        # page: one user's changes, newest first; and every change, newest first.
        IndexModel([("uid", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("at", DESCENDING), ("_id", DESCENDING)]),
    )

    async def append(self, change: GrantChangeDocument) -> None:
        await self.collection.insert_one(dict(change))

    async def page(
        self, *, uid: str | None, first: int | None, after: str | None
    ) -> Page[GrantChangeDocument]:
        query: dict[str, Any] = {"uid": uid} if uid else {}
        page = await find_page(
            self.collection, query=query, sort=[("at", -1)], first=first, after=after
        )
        return cast(Page[GrantChangeDocument], page)


class ErasureRepository(Repository):
    collection_name = "account_erasures"
    indexes = (
        # unfinished: the jobs a start-up resumes.
        IndexModel([("status", ASCENDING)]),
        # Retention: a finished job (the proof the erasure ran) goes after its proof period.
        IndexModel("expiresAt", expireAfterSeconds=0, name="expiresAt_ttl"),
    )

    async def open(self, uid: str, *, now: datetime) -> ErasureJobDocument:
        """The user's running job, or a new one (a finished job is started again: two runs at
        once only repeat idempotent work)."""
        existing = cast(ErasureJobDocument | None, await self.get(uid))
        if existing is not None and existing["status"] == "running":
            return existing
        job: ErasureJobDocument = {"_id": uid, "status": "running", "requestedAt": now, "done": {}}
        await self.collection.replace_one({"_id": uid}, dict(job), upsert=True)
        return job

    async def mark_done(self, uid: str, domain: str, *, now: datetime) -> None:
        await self.collection.update_one(
            {"_id": uid, "status": "running"}, {"$set": {f"done.{domain}": now}}
        )

    async def finish(self, uid: str, *, now: datetime, keep_for: timedelta) -> None:
        await self.collection.update_one(
            {"_id": uid, "status": "running"},
            {"$set": {"status": "done", "finishedAt": now, "expiresAt": now + keep_for}},
        )

    async def get_job(self, uid: str) -> ErasureJobDocument | None:
        return cast(ErasureJobDocument | None, await self.get(uid))

    async def unfinished(self) -> list[str]:
        cursor = self.collection.find({"status": "running"}, {"_id": 1})
        return [str(document["_id"]) async for document in cursor]


@dataclass(frozen=True, slots=True)
class AccountsStore(Store):
    """The grants and erasure-job repositories over the request's resources."""

    grants: GrantRepository
    erasures: ErasureRepository
    history: GrantHistoryRepository
