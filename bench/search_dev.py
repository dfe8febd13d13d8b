"""Ranking development set, scored in process in a few seconds (no database, no API).

    .venv/bin/python -m bench.search_dev [--scale demo|province] [--misses]

The queries (bench/eval/search_dev.jsonl) were written for tuning the ranking, apart from the
frozen set (bench/eval/search_queries.jsonl), which only measures (bench/search_quality.py).
Each catalogue's index is built straight from its demo data file with the catalogue's own spec,
``index_document``, synonyms and query normalisation; ``--scale province`` adds the synthetic
province records the seeders write (never expected, so they only compete). Schools are indexed
without their ward names (the seeder derives them). Same scores as the frozen bench: hit@3 and
MRR over the top 10.
"""

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from domains.search import Catalogue, SearchIndex

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "eval" / "search_dev.jsonl"
TOP = 10


def _procedures(scale: str) -> tuple[Catalogue, list[dict[str, Any]]]:
    from domains.procedures.province import synthetic_rows
    from domains.procedures.search_index import catalogue
    from domains.procedures.seed import DATA_PATH

    rows = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    if scale == "province":
        rows = rows + synthetic_rows(rows)
    return catalogue(), [{**row, "_id": row["code"]} for row in rows]


def _hospitals(scale: str) -> tuple[Catalogue, list[dict[str, Any]]]:
    from domains.health.catalogue import HOSPITALS
    from domains.health.province import synthetic_facilities
    from domains.health.seed import DATA

    rows = json.loads(DATA.read_text(encoding="utf-8"))
    if scale == "province":
        rows = rows + synthetic_facilities()
    return HOSPITALS, [{**row, "_id": row["id"]} for row in rows]


def _tourism(kind: str, scale: str) -> tuple[Catalogue, list[dict[str, Any]]]:
    from domains.tourism import province
    from domains.tourism.catalogues import ATTRACTIONS, EVENTS

    data = ROOT / "domains" / "tourism" / "data" / f"{kind}.json"
    rows = json.loads(data.read_text(encoding="utf-8"))
    if scale == "province":
        more = (
            province.synthetic_attraction_rows
            if kind == "attractions"
            else province.synthetic_event_rows
        )
        rows = rows + more(rows)
    return (ATTRACTIONS if kind == "attractions" else EVENTS), [
        {**row, "_id": row["slug"]} for row in rows
    ]


def _schools(scale: str) -> tuple[Catalogue, list[dict[str, Any]]]:
    from domains.education import province
    from domains.education.read_side import SCHOOLS
    from domains.education.seed import commune_document

    data = ROOT / "domains" / "education" / "data"
    rows = json.loads((data / "schools.json").read_text(encoding="utf-8"))["schools"]
    documents = [{**row, "_id": row["id"]} for row in rows]
    if scale == "province":
        raw = json.loads((data / "communes.json").read_text(encoding="utf-8"))
        communes = [commune_document(c, raw["districts"]) for c in raw["communes"]]
        documents += [
            dict(school) for school in province.synthetic_schools(communes, province.GENERATED_AT)
        ]
    return SCHOOLS, documents


SOURCES: dict[str, Callable[[str], tuple[Catalogue, list[dict[str, Any]]]]] = {
    "procedures": _procedures,
    "hospitals": _hospitals,
    "attractions": lambda scale: _tourism("attractions", scale),
    "events": lambda scale: _tourism("events", scale),
    "schools": _schools,
}


def build(catalogue: Catalogue, documents: Iterable[Mapping[str, Any]]) -> SearchIndex:
    index = SearchIndex(catalogue.index, synonyms=catalogue.synonyms, ranking=catalogue.ranking)
    entries = []
    for document in documents:
        entry = catalogue.index_document(document)
        if entry is not None:
            entries.append({**entry, catalogue.index.id_field: str(document["_id"])})
    index.replace_all(entries)
    return index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("demo", "province"), default="demo")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    queries = [json.loads(line) for line in QUERIES.read_text().splitlines() if line.strip()]
    indexes: dict[str, tuple[Catalogue, SearchIndex]] = {}
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    misses = []
    for query in queries:
        name = query["catalogue"]
        if name not in indexes:
            catalogue, documents = SOURCES[name](args.scale)
            indexes[name] = (catalogue, build(catalogue, documents))
        catalogue, index = indexes[name]
        text = catalogue.query_text(query["query"]) if catalogue.query_text else query["query"]
        found = [hit.id for hit in index.search(text, limit=TOP).hits]
        rank = next((i for i, key in enumerate(found, 1) if key in query["expected"]), None)
        for group in ("all", name):
            totals[group][0] += 1
            totals[group][1] += 1 if rank is not None and rank <= 3 else 0
            totals[group][2] += 1 / rank if rank else 0.0
        if rank is None or rank > 3:
            misses.append((query["id"], query["query"], query["expected"], rank, found[:3]))
    print(f"dev set, {len(queries)} queries, scale {args.scale}")
    for group, (n, hits, reciprocal) in sorted(totals.items(), key=lambda g: g[0] != "all"):
        print(f"{group:<12} {int(n):>4} hit@3 {hits / n:.3f} MRR {reciprocal / n:.3f}")
    print(f"misses: {len(misses)}")
    if args.misses:
        for miss in misses:
            print(json.dumps(miss, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
