"""Synthetic role grants at the province's real size (issue 13, item 5).

``xuthanh seed --scale province`` runs ``seed_province`` after the demo data: 1,000 grants, the
staff of the province's health facilities and schools with a few administrators (uids
``mau-staff-NNNN``; facility and school ids ``mau-...``, matching no real record). Every grant
carries ``synthetic: true`` and ``updatedBy: "province-generator"``. The output depends only on the
fixed seed and date; grants are upserted by uid, so a second run writes the same records.
"""

import random
from datetime import UTC, datetime
from typing import Any

from domains.accounts.repository import GrantRepository
from domains.kernel.module import Progress
from domains.kernel.types import Database

GRANTS = 1_000
RANDOM_SEED = 2026
GENERATED_AT = datetime(2026, 12, 1, tzinfo=UTC)
BATCH = 500


def grant_document(number: int, rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    hospitals: list[str] = []
    schools: list[str] = []
    if roll < 0.01:
        roles = ["admin"]
    elif roll < 0.55:
        roles = ["hospital_staff"]
        hospitals = [f"mau-hospital-{rng.randrange(700):03d}"]
    else:
        roles = ["school_staff"]
        schools = [f"mau-school-{rng.randrange(2100):04d}"]
    return {
        "_id": f"mau-staff-{number:04d}",
        "roles": roles,
        "hospitalIds": hospitals,
        "schoolIds": schools,
        "updatedAt": GENERATED_AT,
        "updatedBy": "province-generator",
        "synthetic": True,
    }


async def seed_province(*, db: Database, progress: Progress) -> int:
    """Upsert the synthetic grants; returns how many were written."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - synthetic data, reproducible on purpose
    grants = [grant_document(number, rng) for number in range(GRANTS)]
    repository = GrantRepository(db)
    for start in range(0, len(grants), BATCH):
        batch = grants[start : start + BATCH]
        await repository.put_generated(batch)
        progress(start + len(batch), len(grants))
    return len(grants)
