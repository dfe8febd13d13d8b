"""Province-scale synthetic data (``xuthanh seed --scale province``): the catalogue grown to 2,000
procedures, about the size of a provincial catalogue, from variants of the demo records.

Each variant copies a real procedure (its field, agency, documents, steps, fees) and adds to its
name a qualifier real catalogues carry ("có yếu tố nước ngoài", "cấp lại", ...) and the mark
"(mô phỏng <n>)" / "(synthetic <n>)"; its code starts with 9 (no demo code does), its notes say it
is synthetic. They go through the importer like any import, so they are validated and indexed as
real records would be. Idempotent: the same codes and contents every time.
"""

import copy
import json
from typing import Any

from domains.kernel.module import Progress
from domains.kernel.types import Database
from domains.procedures.records import Problem
from domains.procedures.seed import DATA_PATH
from domains.procedures.service import import_records

PROCEDURES = 2000  # in all, the demo records included
CODE_PREFIX = "9."
# (Vietnamese, English) qualifiers found in real procedure names.
QUALIFIERS = (
    ("có yếu tố nước ngoài", "with a foreign element"),
    ("cho người Việt Nam định cư ở nước ngoài", "for overseas Vietnamese"),
    ("trường hợp bị mất, hư hỏng", "when lost or damaged"),
    ("lần đầu", "first time"),
    ("thực hiện tại cấp tỉnh", "provincial level"),
    ("thực hiện tại cấp xã", "commune level"),
    ("liên thông", "linked"),
    ("đối với tổ chức", "for organisations"),
    ("trên môi trường điện tử", "online"),
    ("cấp lại", "re-issuance"),
)
LEVELS = ("commune", "province", "central")
NOTE = "Synthetic record for province-scale benchmarks (xuthanh seed --scale province)."


def synthetic_rows(demo: list[dict[str, Any]], total: int = PROCEDURES) -> list[dict[str, Any]]:
    """The variants that bring the demo catalogue to ``total`` records (importer rows)."""
    rows = []
    for n in range(max(0, total - len(demo))):
        source = demo[n % len(demo)]
        vi, en = QUALIFIERS[(n // len(demo)) % len(QUALIFIERS)]
        row = copy.deepcopy(source)
        row["code"] = f"{CODE_PREFIX}{n:06d}"
        row["name"] = {"vi": f"{source['name']['vi']} {vi} (mô phỏng {n})"}
        if source["name"].get("en"):
            row["name"]["en"] = f"{source['name']['en']} {en} (synthetic {n})"
        row["level"] = LEVELS[n % len(LEVELS)]
        row["notes"] = {"vi": NOTE, "en": NOTE}
        rows.append(row)
    return rows


async def seed_province(*, db: Database, progress: Progress, total: int = PROCEDURES) -> int:
    """Write the synthetic procedures (after the demo data, ``total`` records in all); returns
    how many were accepted."""
    demo = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    rows: list[tuple[int, dict[str, Any] | None, list[Problem]]] = [
        (i, row, []) for i, row in enumerate(synthetic_rows(demo, total), start=1)
    ]
    report = await import_records(db=db, rows=rows, by="seed-province", progress=progress)
    if report.rejected:
        raise ValueError(f"synthetic procedures rejected: {report.rejected[:3]}")
    return report.accepted
