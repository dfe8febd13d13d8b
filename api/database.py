"""The one MongoDB client of a process, and index creation."""

import logging
from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.monitoring import _EventListener

from api.settings import Settings
from domains.kernel import mongo_compat
from domains.kernel.repository import Repository
from domains.kernel.types import Database

mongo_compat.apply()

logger = logging.getLogger("xuthanh.database")


def create_client(
    settings: Settings, listeners: Sequence[_EventListener] = ()
) -> AsyncMongoClient[dict[str, Any]]:
    """A client bound to the current event loop; close it on the same loop."""
    return AsyncMongoClient(
        settings.mongodb_uri,
        tz_aware=True,
        serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
        appname="xuthanh-api",
        event_listeners=list(listeners),
    )


async def create_indexes(db: Database, repositories: Sequence[type[Repository]]) -> int:
    """Create every repository's indexes (idempotent); returns how many index specs exist."""
    created = 0
    for repository in repositories:
        names = await repository.create_indexes(db)
        created += len(names)
    logger.info("indexes ready", extra={"indexes": created})
    return created
