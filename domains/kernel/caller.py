"""Who asks and what they reach: the two things a use case needs from a request."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from domains.kernel.auth import Principal

StoreT = TypeVar("StoreT")


@dataclass(frozen=True, slots=True)
class Caller(Generic[StoreT]):
    """A domain's store for this request and the principal making it.

    Resolvers get one with ``info.context.caller(XStore.of)``; background work (workers,
    migrations, seeds) and tests build one with the principal they act as.
    """

    store: StoreT
    principal: Principal
