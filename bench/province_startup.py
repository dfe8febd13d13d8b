"""Start-up to ready and memory of an API process holding the province-scale data.

    .venv/bin/python -m bench.province_startup [--restarts 2] [--scale province|demo]
        [--mongodb-uri URI --database NAME]   # a database loaded before: measure only

Starts SecantusDB and the API (bench/harness.py), loads the demo data and, at province scale,
the synthetic records (`xuthanh seed --scale province`: 2,000 procedures, 2,100 schools and
their rounds, 700 facilities with 60,000 slots, 500 attractions, 200 events, 1,000 grants,
100,000 devices, a 5,000-entry inbox). Then it stops the API and starts a fresh one
`--restarts` times, and for each prints the seconds from the process's start until `/readyz`
answers 200 (every read side built: search indexes, near-me points, slot calendar, grants), and
the process's resident memory (VmRSS) once ready and after one request to each catalogue.
"""

import argparse
import os
import subprocess
import time
from pathlib import Path

import httpx

from bench.harness import ROOT, Stack, mongo_server

# One request per read side, so that anything built lazily is counted in the memory.
TOUCH = """{
  procedures(search: "khai sinh", first: 10) { edges { node { code } } }
  attractions(search: "Sầm Sơn", first: 10) { edges { node { slug } } }
  events(search: "lễ hội", first: 10) { edges { node { slug } } }
  schools(search: "Đào Duy Từ", first: 10) { edges { node { id } } }
  hospitals(search: "Thanh Hóa", first: 10) { edges { node { id } } }
}"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_api(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    """A fresh `xuthanh serve`; returns it, its base URL and the seconds until /readyz said 200."""
    port = mongo_server.free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/xuthanh"), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=5) as client:
        while time.monotonic() - started < 300:
            if process.poll() is not None:
                raise SystemExit(f"the API exited with {process.returncode}")
            try:
                if client.get(f"{base}/readyz").status_code == 200:
                    return process, base, time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    raise SystemExit("the API was not ready within 300 s")


def measure(env: dict[str, str], restarts: int) -> None:
    for run in range(1, restarts + 1):
        process, base, seconds = start_api(env)
        try:
            ready_mb = rss_mb(process.pid)
            with httpx.Client(timeout=30) as client:
                body = client.post(f"{base}/graphql", json={"query": TOUCH}).json()
            if body.get("errors"):
                raise SystemExit(f"request failed: {body['errors'][:1]}")
            time.sleep(1)  # the last build's heap trim runs just after /readyz turns 200
            print(
                f"run {run}: ready in {seconds:.1f} s; RSS {ready_mb:.0f} MB when ready, "
                f"{rss_mb(process.pid):.0f} MB after one search of each catalogue",
                flush=True,
            )
        finally:
            process.terminate()
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--scale", choices=("demo", "province"), default="province")
    parser.add_argument("--mongodb-uri", help="a database already loaded: no SecantusDB, no seed")
    parser.add_argument("--database", default="bench", help="with --mongodb-uri")
    args = parser.parse_args()
    if args.mongodb_uri:
        env = {
            **os.environ,
            "APP_ENV": "development",
            "MONGODB_URI": args.mongodb_uri,
            "MONGODB_DATABASE": args.database,
            "DEV_TOKEN_SECRET": "bench-only-secret-0123456789abcdef",
            "LOG_LEVEL": "WARNING",
        }
        measure(env, args.restarts)
        return
    with Stack() as stack:
        print(f"seeding ({args.scale}) ...", flush=True)
        subprocess.run(
            [str(ROOT / ".venv/bin/xuthanh"), "seed", "--scale", args.scale],
            env=stack.env,
            check=True,
            capture_output=True,
        )
        stack.api.terminate()
        stack.api.wait(30)
        measure(stack.env, args.restarts)


if __name__ == "__main__":
    main()
