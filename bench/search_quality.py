"""Search ranking quality on the frozen query set (bench/eval/search_queries.jsonl).

    .venv/bin/python -m bench.search_quality [--scale demo|province] [--misses] [--json OUT]

Starts SecantusDB and the API (bench/harness.py), loads the demo data (and, with `--scale
province`, the synthetic province-scale records: 2,000 procedures, 2,100 schools, 700 health
facilities, 500 attractions, 200 events; their keys are never expected, so they never count as
right answers), sends every
query to its catalogue's list through /graphql, and scores the top 10: hit@3 (an expected record
among the first three) and MRR (1 / rank of the first expected record, 0 beyond 10). Every miss is
listed with what came first. The set is frozen: never tune against it (bench/eval/README.md).
"""

import argparse
import hashlib
import json
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.harness import ROOT, Stack

QUERIES = ROOT / "bench" / "eval" / "search_queries.jsonl"
TOP = 10
# Each catalogue's list and the key the query set names its records by.
LISTS = {
    "procedures": ("procedures", "code"),
    "attractions": ("attractions", "slug"),
    "events": ("events", "slug"),
    "schools": ("schools", "id"),
    "hospitals": ("hospitals", "id"),
}


@dataclass
class Score:
    queries: int = 0
    hits_at_3: int = 0
    reciprocal_ranks: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rank: int | None) -> None:
        self.queries += 1
        if rank is not None and rank <= 3:
            self.hits_at_3 += 1
        self.reciprocal_ranks += 1 / rank if rank else 0.0

    @property
    def hit_at_3(self) -> float:
        return self.hits_at_3 / self.queries if self.queries else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.queries if self.queries else 0.0


def _document(catalogue: str) -> str:
    name, key = LISTS[catalogue]
    return (
        f"query Q($q: String!) {{ {name}(search: $q, first: {TOP}) "
        f"{{ edges {{ node {{ {key} }} }} }} }}"
    )


def _ask(client: httpx.Client, url: str, query: dict[str, Any]) -> tuple[list[str], str | None]:
    """The keys of the top results, or an error text (e.g. a list with no `search`)."""
    name, key = LISTS[query["catalogue"]]
    response = client.post(
        url, json={"query": _document(query["catalogue"]), "variables": {"q": query["query"]}}
    )
    body = response.json()
    if body.get("errors"):
        return [], body["errors"][0].get("message", "error")[:120]
    edges = body["data"][name]["edges"]
    return [str(edge["node"][key]) for edge in edges], None


def evaluate(url: str, queries: list[dict[str, Any]]) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(Score)
    headers = {"Accept-Language": "vi"}
    with httpx.Client(timeout=30, headers=headers) as client:
        for query in queries:
            found, error = _ask(client, url, query)
            expected = set(query["expected"])
            rank = next((i for i, key in enumerate(found, start=1) if key in expected), None)
            groups = [
                "all",
                f"catalogue:{query['catalogue']}",
                *(f"kind:{k}" for k in query["kind"]),
            ]
            for group in groups:
                scores[group].add(rank)
            if rank is None or rank > 3:
                scores["all"].misses.append(
                    {
                        "id": query["id"],
                        "catalogue": query["catalogue"],
                        "query": query["query"],
                        "expected": query["expected"],
                        "rank": rank,
                        "top3": found[:3],
                        "error": error,
                    }
                )
    return scores


# A record of each catalogue that the demo data holds: searched until found, so that indexes
# fed by the change feed have caught up with the seed before the measurement starts.
PROBES = {
    "procedures": "khai sinh",
    "attractions": "Sầm Sơn",
    "schools": "Đào Duy Từ",
    "hospitals": "Thanh Hóa",
}
# At province scale, the last synthetic procedure written (domains/procedures/province.py): found
# first for its own mark once the API's index has caught up with the whole import.
PROVINCE_PROBE = {"catalogue": "procedures", "query": "mô phỏng 1954", "expected": "9.001954"}


def _seed(stack: Stack, scale: str) -> None:
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "xuthanh"), "seed"]
        + (["--scale", scale] if scale != "demo" else []),
        env={**stack.env},
        check=True,
    )
    with httpx.Client(timeout=30) as client:
        for catalogue, text in PROBES.items():
            for _ in range(600):
                found, _error = _ask(
                    client, stack.graphql_url, {"catalogue": catalogue, "query": text}
                )
                if found:
                    break
                time.sleep(0.1)
            else:
                raise SystemExit(f"{catalogue}: the demo data never became searchable")
        if scale == "province":
            for _ in range(600):
                found, _error = _ask(client, stack.graphql_url, PROVINCE_PROBE)
                if found[:1] == [PROVINCE_PROBE["expected"]]:
                    break
                time.sleep(0.1)
            else:
                raise SystemExit("the synthetic procedures never became searchable")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("demo", "province"), default="demo")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--json", type=Path, help="write the scores and misses here")
    parser.add_argument(
        "--queries",
        type=Path,
        default=QUERIES,
        help="the query set (default: the frozen set; bench/eval/search_queries_v2.jsonl is the "
        "blind set of session 4, see bench/eval/v2/)",
    )
    args = parser.parse_args()
    raw = args.queries.read_bytes()
    queries = [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
    with Stack() as stack:
        _seed(stack, args.scale)
        scores = evaluate(stack.graphql_url, queries)
    print(
        f"query set {args.queries.name} sha256 {hashlib.sha256(raw).hexdigest()[:16]}…, "
        f"{len(queries)} queries, "
        f"scale {args.scale}"
    )
    print(f"{'group':<28} {'n':>4} {'hit@3':>6} {'MRR':>6}")
    for group in sorted(scores, key=lambda g: (g != "all", g)):
        score = scores[group]
        print(f"{group:<28} {score.queries:>4} {score.hit_at_3:>6.3f} {score.mrr:>6.3f}")
    misses = scores["all"].misses
    print(f"misses (not in the top 3): {len(misses)}")
    if args.misses:
        for miss in misses:
            print(json.dumps(miss, ensure_ascii=False))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "scale": args.scale,
                    "scores": {g: [s.queries, s.hit_at_3, s.mrr] for g, s in scores.items()},
                    "misses": misses,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
