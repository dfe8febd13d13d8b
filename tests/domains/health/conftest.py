import pytest

from tests.domains.health.support import restart_days


@pytest.fixture(scope="module", autouse=True)
def days_from_the_start() -> None:
    restart_days()
