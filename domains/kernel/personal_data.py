"""What each domain holds about a person, declared once per domain (``DomainModule.personal_data``)
so the accounts domain can export and erase a user's data without importing any domain.

A holder answers for its own collections only: ``export`` returns plain data (any BSON value;
``plain`` turns it into JSON), ``erase`` removes or unlinks everything about the uid and must be
idempotent (the erasure job may run it again after a crash)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bson import ObjectId

from domains.kernel.resources import Key, Resources


class PersonalData(Protocol):
    """One domain's personal data about a user."""

    async def export(self, uid: str) -> Mapping[str, Any]:
        """Everything the domain holds about ``uid``, by collection."""
        ...

    async def erase(self, uid: str) -> int:
        """Erase (or reduce and unlink) what the domain holds about ``uid``; returns how many
        documents changed. Running it again changes nothing more."""
        ...


PersonalDataFactory = Callable[[Resources], PersonalData]


@dataclass(frozen=True, slots=True)
class Holders:
    """Every domain's holder, in the order erasure walks them (dependants first)."""

    holders: Sequence[tuple[str, PersonalData]]


PERSONAL_DATA: Key[Holders] = Key("kernel.personal_data")


def plain(value: Any) -> Any:
    """A stored value as JSON: ids and dates as strings, nested documents as objects."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value
