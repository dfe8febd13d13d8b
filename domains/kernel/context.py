"""The one typed request context every resolver receives (``info.context``)."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from domains.kernel.auth import Principal
from domains.kernel.caller import Caller
from domains.kernel.resources import Resources
from domains.kernel.types import Database

Key = TypeVar("Key")
Value = TypeVar("Value")
Built = TypeVar("Built")


@dataclass(slots=True)
class RequestContext:
    resources: Resources
    principal: Principal
    language: str
    request_id: str
    client_ip: str | None = None
    # The X-Firebase-AppCheck header, when the app sent one (registerDevice checks it).
    app_check_token: str | None = None
    # Per-request DataLoaders, created on first use so a request pays only for what it touches.
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)
    # Per-request objects built from the resources (a domain's repositories), built once.
    built: dict[Callable[[Resources], Any], Any] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        return self.resources.db

    def caller(self, factory: Callable[[Resources], Built]) -> Caller[Built]:
        """The request's store (``scoped(factory)``) with the principal making the request."""
        return Caller(self.scoped(factory), self.principal)

    def scoped(self, factory: Callable[[Resources], Built]) -> Built:
        """``factory(resources)``, built once per request: e.g. ``context.scoped(Health)``."""
        existing: Built | None = self.built.get(factory)
        if existing is None:
            existing = factory(self.resources)
            self.built[factory] = existing
        return existing

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
