"""Tourism fixtures: the demo data loaded into the module's database, and a few helpers."""

from typing import Any

import pytest

from domains.kernel.auth import Role
from domains.kernel.resources import Resources
from domains.kernel.types import Database
from domains.tourism.catalogues import ATTRACTION_INDEX, EVENT_INDEX
from domains.tourism.seed import seed_demo


async def refresh_read_sides(resources: Resources) -> None:
    """Rebuild the app's attraction and event read sides now, rather than waiting for the change
    feed to bring rows written straight to MongoDB (as `xuthanh seed` does from another process)."""
    await resources.get(ATTRACTION_INDEX).refresh()
    await resources.get(EVENT_INDEX).refresh()


@pytest.fixture(scope="module")
async def seeded(db: Database, resources: Resources) -> Database:
    """The module's database with the tourism demo data (loaded once per module)."""
    await seed_demo(db=db, progress=lambda done, total: None)
    await refresh_read_sides(resources)
    return db


@pytest.fixture(scope="module")
def admin_token(dev_token: Any) -> str:
    token: str = dev_token("tourism-admin", Role.ADMIN)
    return token


async def attraction_id(db: Database, slug: str) -> str:
    document = await db["tourism_attractions"].find_one({"slug": slug}, {"_id": 1})
    assert document is not None, slug
    return str(document["_id"])


async def event_id(db: Database, slug: str) -> str:
    document = await db["tourism_events"].find_one({"slug": slug}, {"_id": 1})
    assert document is not None, slug
    return str(document["_id"])
