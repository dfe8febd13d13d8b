"""The base of every domain's store: its repositories over the resources they run against."""

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, fields
from typing import Any, Self, TypeVar, get_type_hints

from domains.kernel.resources import Resources
from domains.kernel.transactions import in_transaction
from domains.kernel.types import Database, Session

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Store:
    """Subclass it with one field per repository (annotated with the repository class): ``of``
    builds each from the database, once per request (``info.context.scoped(XStore.of)``) or per
    use case."""

    resources: Resources

    @classmethod
    def of(cls, resources: Resources) -> Self:
        repositories = {name: repository(resources.db) for name, repository in _repositories(cls)}
        return cls(resources=resources, **repositories)

    @property
    def db(self) -> Database:
        return self.resources.db

    async def transaction(
        self, work: Callable[[Session], Awaitable[Result]], *, keys: Iterable[Hashable] = ()
    ) -> Result:
        """``work`` in one transaction; with ``keys``, after this process's earlier work on
        those keys (``resources.locks``)."""
        return await in_transaction(self.db, work, locks=self.resources.locks, keys=keys)


_REPOSITORIES: dict[type, tuple[tuple[str, Any], ...]] = {}


def _repositories(store: type) -> tuple[tuple[str, Any], ...]:
    """A store class's repository fields and their classes (read once: ``of`` runs per request)."""
    known = _REPOSITORIES.get(store)
    if known is None:
        hints = get_type_hints(store)
        known = tuple((f.name, hints[f.name]) for f in fields(store) if f.name != "resources")
        _REPOSITORIES[store] = known
    return known
