"""Education fixtures: the demo catalogue and schools loaded into the module's database."""

from typing import Any

import pytest

from domains.education.seed import seed_demo as seed_education
from domains.procedures.seed import seed_demo as seed_procedures


def _quiet(done: int, total: int) -> None:
    return None


@pytest.fixture(scope="module")
async def demo(db: Any) -> int:
    """Procedures first (rounds cite them by code), then communes, schools and rounds."""
    await seed_procedures(db=db, progress=_quiet)
    return await seed_education(db=db, progress=_quiet)
