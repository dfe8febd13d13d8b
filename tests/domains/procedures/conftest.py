from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from domains.kernel.resources import Resources
from domains.procedures.search_index import PROCEDURE_SEARCH
from domains.procedures.seed import seed_demo


@pytest.fixture(scope="module")
async def catalogue(db: AsyncDatabase[dict[str, Any]], resources: Resources) -> int:
    """The demo catalogue, loaded once per test module through the real seeder.

    The seeder writes to MongoDB only (as `xuthanh seed` does from another process); the app's
    search index is rebuilt at once rather than waiting for the change feed to bring the rows.
    """
    count = await seed_demo(db=db, progress=lambda done, total: None)
    await resources.get(PROCEDURE_SEARCH).refresh()
    return count
