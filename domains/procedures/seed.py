"""Demo catalogue: the procedures in data/procedures.json, upserted by code."""

import logging
from collections.abc import Callable
from pathlib import Path

from domains.kernel.types import Database
from domains.procedures.importer import read_rows
from domains.procedures.service import import_records

DATA_PATH = Path(__file__).resolve().parent / "data" / "procedures.json"
logger = logging.getLogger("xuthanh.procedures")


async def seed_demo(
    *,
    db: Database,
    progress: Callable[[int, int], None],
    path: Path = DATA_PATH,
) -> int:
    """Load the demo procedures (idempotent); returns how many were written."""
    report = await import_records(db=db, rows=read_rows(path), by="seed", progress=progress)
    for rejection in report.rejected:
        # Codes and field paths only: the demo data holds no personal data, but keep logs lean.
        logger.warning(
            "demo procedure rejected",
            extra={
                "row": rejection.row,
                "code": rejection.code,
                "problems": [str(problem) for problem in rejection.problems],
            },
        )
    return report.accepted
