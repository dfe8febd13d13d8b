from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from domains.procedures.seed import seed_demo


@pytest.fixture(scope="module")
async def catalogue(db: AsyncDatabase[dict[str, Any]]) -> int:
    """The demo catalogue, loaded once per test module through the real seeder."""
    return await seed_demo(db=db, progress=lambda done, total: None)
