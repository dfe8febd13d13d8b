"""How soon a write through one API instance is found by another instance's search.

    .venv/bin/python -m bench.search_freshness [--writes 50] [--procedures 0] [--interval 0.01]

Two `xuthanh serve` processes share one SecantusDB database (two replicas). Each write is a
`createProcedure` through instance A with a name holding a word of its own; the clock starts when
A has answered (A itself finds the procedure at once: checked) and stops when B's
`procedures(search:)` puts it first. B learns of it only through its change feed. The polling
interval bounds the resolution. Issue 13's target: ≤ 1 s.
"""

import argparse
import statistics
import time
from typing import Any

import httpx

from bench.harness import ROOT, Stack, _wait_http, mongo_server
from bench.procedures_search import load

CREATE = """mutation($input: ProcedureInput!) { createProcedure(input: $input) {
  __typename ... on Procedure { code } ... on UserError { message } } }"""
FIND = "query($q: String) { procedures(search: $q, first: 1) { edges { node { code } } } }"
TIMEOUT = 10.0


def record(number: int) -> dict[str, Any]:
    word = f"tuoimoi{number:05d}"  # one word no other procedure holds
    return {
        "code": f"7.{number:06d}",
        "name": {"vi": f"Cấp phép thử nghiệm {word}", "en": f"Trial licence {word}"},
        "field": {"vi": "Thử nghiệm"},
        "agency": {"vi": "Ủy ban nhân dân cấp xã"},
        "level": "COMMUNE",
        "source": {"name": "Bench"},
        "updatedAt": "2026-12-01",
    }


def top_code(http: httpx.Client, url: str, text: str) -> str | None:
    body = http.post(url, json={"query": FIND, "variables": {"q": text}}).json()
    edges = body["data"]["procedures"]["edges"]
    return str(edges[0]["node"]["code"]) if edges else None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--procedures", type=int, default=0, help="catalogue loaded first")
    parser.add_argument("--interval", type=float, default=0.01, help="polling interval, s")
    args = parser.parse_args()

    with Stack(database="bench_freshness") as stack:
        port = mongo_server.free_port()
        replica = stack._spawn(
            [str(ROOT / ".venv/bin/xuthanh"), "serve", "--port", str(port)],
            "api-b.log",
        )
        replica_url = f"http://127.0.0.1:{port}/graphql"
        _wait_http(f"http://127.0.0.1:{port}/healthz", replica)
        if args.procedures:
            print(f"Loading {args.procedures} procedures ...", flush=True)
            stack.run_async(load(stack.mongo_uri, stack.database, args.procedures))
        headers = {"Authorization": f"Bearer {stack.dev_token('bench-admin', 'admin')}"}
        delays: list[float] = []
        with httpx.Client(timeout=TIMEOUT) as http:
            for url in (stack.graphql_url, replica_url):  # both built and ready
                base = url.removesuffix("/graphql")
                while http.get(f"{base}/readyz").status_code != 200:
                    time.sleep(0.1)
            print(
                f"{args.writes} writes through A, polled on B every {args.interval * 1000:.0f} ms"
            )
            for number in range(1, args.writes + 1):
                value = record(number)
                word = value["name"]["vi"].split()[-1]
                body = http.post(
                    stack.graphql_url,
                    json={"query": CREATE, "variables": {"input": value}},
                    headers=headers,
                ).json()
                if body["data"]["createProcedure"].get("code") != value["code"]:
                    raise SystemExit(f"write refused: {body}")
                written = time.perf_counter()
                if top_code(http, stack.graphql_url, word) != value["code"]:
                    raise SystemExit("the writing instance does not find its own write at once")
                while top_code(http, replica_url, word) != value["code"]:
                    if time.perf_counter() - written > TIMEOUT:
                        raise SystemExit(f"B did not find write {number} within {TIMEOUT:.0f} s")
                    time.sleep(args.interval)
                delays.append((time.perf_counter() - written) * 1000)
    print(
        f"\nWrite through A → found by B's search, {len(delays)} writes, "
        f"{args.procedures} procedures loaded first\n"
        f"  p50 {percentile(delays, 50):.0f} ms   p95 {percentile(delays, 95):.0f} ms   "
        f"max {max(delays):.0f} ms   mean {statistics.fmean(delays):.0f} ms"
    )


if __name__ == "__main__":
    main()
