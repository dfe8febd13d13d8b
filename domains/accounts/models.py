from datetime import datetime
from typing import TypedDict


class GrantDocument(TypedDict):
    """``grants`` collection: one document per user holding more than the citizen role."""

    _id: str  # Firebase uid
    roles: list[str]
    hospitalIds: list[str]
    schoolIds: list[str]
    updatedAt: datetime
    updatedBy: str
