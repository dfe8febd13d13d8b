"""Education fixtures: the demo catalogue and schools loaded into the module's database."""

from typing import Any

import pytest

from domains.education.read_side import SCHOOL_CATALOGUE
from domains.education.rounds_read import ROUND_CATALOGUE
from domains.education.seed import seed_demo as seed_education
from domains.kernel.resources import Resources
from domains.procedures.seed import seed_demo as seed_procedures


def _quiet(done: int, total: int) -> None:
    return None


@pytest.fixture(scope="module")
async def demo(db: Any, resources: Resources) -> int:
    """Procedures first (rounds cite them by code), then communes, schools and rounds. The
    app's read sides were built before the seed: they read the collections again now rather
    than the tests waiting for the change feed to bring the records."""
    await seed_procedures(db=db, progress=_quiet)
    loaded = await seed_education(db=db, progress=_quiet)
    await resources.get(SCHOOL_CATALOGUE).refresh()
    await resources.get(ROUND_CATALOGUE).refresh()
    return loaded
