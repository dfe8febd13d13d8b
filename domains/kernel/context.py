"""The one typed request context every resolver receives (``info.context``)."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pymongo.asynchronous.database import AsyncDatabase
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from domains.kernel.auth import Principal

Key = TypeVar("Key")
Value = TypeVar("Value")


@dataclass(slots=True)
class RequestContext:
    db: AsyncDatabase[dict[str, Any]]
    principal: Principal
    language: str
    request_id: str
    client_ip: str | None = None
    # Per-request DataLoaders, created on first use so a request pays only for what it touches.
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)

    def loader(
        self,
        name: str,
        load: Callable[[Sequence[Key]], Awaitable[Sequence[Value]]],
    ) -> DataLoader[Key, Value]:
        """The request's DataLoader called ``name``, built from ``load`` the first time."""
        existing = self.loaders.get(name)
        if existing is None:
            existing = DataLoader(load_fn=load)
            self.loaders[name] = existing
        return existing

    def lang(self, requested: Any = None) -> str:
        """The language of a field: its ``lang`` argument, else the request's language."""
        if requested is None:
            return self.language
        return str(getattr(requested, "value", requested))


Info = StrawberryInfo[RequestContext, None]
