"""The base of every domain's store: its repositories over the resources they run against."""

from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, fields
from typing import Self, TypeVar, get_type_hints

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
        hints = get_type_hints(cls)
        repositories = {
            field.name: hints[field.name](resources.db)
            for field in fields(cls)
            if field.name != "resources"
        }
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
