from datetime import datetime
from typing import NotRequired, TypedDict

from bson import ObjectId


class GrantDocument(TypedDict):
    """``grants`` collection: one document per user holding more than the citizen role."""

    _id: str  # Firebase uid
    roles: list[str]
    hospitalIds: list[str]
    schoolIds: list[str]
    stationIds: NotRequired[list[str]]  # station_operator (grants before it have none)
    updatedAt: datetime
    updatedBy: str


class ErasureJobDocument(TypedDict):
    """``account_erasures``: one user's erasure, walked domain by domain so a crash resumes it."""

    _id: str  # Firebase uid (removed with the job once its proof period is over: expiresAt)
    status: str  # running | done
    requestedAt: datetime
    done: dict[str, datetime]  # domain name -> when its data went
    finishedAt: NotRequired[datetime]
    expiresAt: NotRequired[datetime]


class GrantChangeDocument(TypedDict):
    """``grant_history``: append-only; every grant and revocation, never rewritten."""

    _id: NotRequired[ObjectId]
    uid: str  # whose roles changed
    action: str  # grant | revoke
    role: str
    scopeId: str | None  # the hospital or school, for staff roles
    by: str  # the admin's uid, or "cli"
    at: datetime
