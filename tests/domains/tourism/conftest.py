"""Tourism fixtures: the demo data loaded into the module's database, and a few helpers."""

from typing import Any

import pytest

from domains.kernel.auth import Role
from domains.kernel.types import Database
from domains.tourism.seed import seed_demo


@pytest.fixture(scope="module")
async def seeded(db: Database) -> Database:
    """The module's database with the tourism demo data (loaded once per module)."""
    await seed_demo(db=db, progress=lambda done, total: None)
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
