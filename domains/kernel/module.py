"""One object per domain: what the composition root (api/registry.py) takes from it."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from starlette.routing import BaseRoute

from domains.kernel.jobs import Job
from domains.kernel.node import NodeFinder
from domains.kernel.personal_data import PersonalDataFactory
from domains.kernel.repository import Repository
from domains.kernel.resources import Resources
from domains.kernel.types import Database

Progress = Callable[[int, int], None]


class Seeder(Protocol):
    """Loads a domain's demo data idempotently, reporting ``progress(done, total)``."""

    def __call__(self, *, db: Database, progress: Progress) -> Awaitable[int]: ...


@dataclass(frozen=True, slots=True)
class DomainModule:
    """A domain as the API, the worker and the CLI see it.

    ``wire`` runs once per process before anything is served: it builds the domain's settings
    and provides the components other domains reach it through (``resources.provide``).
    ``start`` runs once per process after the indexes exist, before serving: idempotent data
    migrations belong there.
    """

    name: str
    query: type | None = None
    mutation: type | None = None
    # GraphQL subscriptions (live updates over the websocket), fed by the change feeds.
    subscription: type | None = None
    # node(id:) for the domain's types that implement Node (Relay's refetch).
    find_node: NodeFinder | None = None
    # Every repository whose indexes must exist before the API serves (created idempotently).
    repositories: Sequence[type[Repository]] = ()
    seeder: Seeder | None = None
    # Synthetic data at the province's real sizes (`xuthanh seed --scale province`), on top of
    # the demo data; clearly marked synthetic in every record it writes.
    province_seeder: Seeder | None = None
    wire: Callable[[Resources], None] | None = None
    start: Callable[[Resources], Awaitable[None]] | None = None
    # What the domain's own settings lack for production (read from the environment); the API
    # refuses to start in production while any is returned.
    production_refusals: Callable[[], Sequence[str]] | None = None
    # What the domain holds about a person (domains/kernel/personal_data.py): the accounts
    # domain's export and erasure walk every module's holder.
    personal_data: PersonalDataFactory | None = None
    # A scheduled purge of personal data that no TTL index can expire (``xuthanh purge``, run
    # daily): deletes what is past its retention at ``now``; returns how many documents went.
    purge: Callable[[Resources, datetime], Awaitable[int]] | None = None
    # Plain HTTP endpoints beside /graphql (files, facades such as Open311). An endpoint reaches
    # the process's resources with ``domains.kernel.http.resources_of(request)``.
    routes: Sequence[BaseRoute] = ()
    # Re-encrypt the domain's fields encrypted at rest under the current key (``xuthanh
    # rotate-key``); returns how many values changed.
    reencrypt: Callable[[Resources], Awaitable[int]] | None = None
    # Work the worker (``xuthanh worker``) runs on a schedule (domains/kernel/jobs.py).
    jobs: Sequence[Job] = ()
