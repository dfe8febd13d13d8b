"""sendChatMessage end to end: API -> Rasa server -> action server -> API (GraphQL) -> reply.

    .venv/bin/python -m bench.chatbot [--clients 1 8] [--seconds 20] [--breakdown 40]

Starts SecantusDB (or uses MONGODB_URI), loads the demo data, and runs the API, the Rasa server
and the action server as real processes on loopback (bots/.venv and a trained model needed:
`make test` or `make run` builds them). Questions rotate through procedure questions with and
without diacritics, follow-ups, tourism and out-of-scope messages, each conversation its own
anonymous session, so every request goes the whole way.

`--breakdown N` first sends N messages one at a time and splits each one's time: the whole
`sendChatMessage`, the same message sent straight to Rasa's REST channel (the difference is the
API's relay: validation, rate-limit upsert, masking, HTTP), Rasa's NLU alone (`/model/parse`,
served with `RASA_ENABLE_API=1`), and the action server's own time per message with the part
spent in its GraphQL calls back to the API (from the timing lines the actions log when
`XUTHANH_ACTION_TIMING=1`). What remains of Rasa's time is the policies, the tracker store
(read and write in MongoDB) and the HTTP hops to the action server.

`--cpu N` sends N more messages one at a time (after a few unmeasured ones) and prints each
process's CPU time per message (user + system from /proc, the process and its children: the
API, the Rasa server, the action server, SecantusDB) and the database commands per message by
collection, with SecantusDB's own time for them (its `top` command). CPU per message does not
depend on the machine's load, so it is the figure to compare while others use the machine; the
8-client throughput is bounded by its total (2 cores: 2,000 ms of CPU per second).
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pymongo import MongoClient

from bench.harness import Result, _cpu_seconds, drive, mongo_server, print_table
from tests.domains.chatbot.stack import AssistantStack, bot_environment_ready, current_model

QUESTIONS = [
    "lệ phí đổi bằng lái xe bao nhiêu",
    "ho so dang ky khai sinh gom nhung gi",
    "làm hộ chiếu mất bao lâu",
    "dang ky tam tru nop o dau",
    "có làm online được không",
    "how much does a passport cost",
    "tôi bị đau đầu nên uống thuốc gì",
    "xin chào",
]
MUTATION = """mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) {
  __typename ... on ChatReply { degraded messages { text } } } }"""


def body(index: int) -> dict[str, object]:
    text = QUESTIONS[index % len(QUESTIONS)]
    lang = "EN" if text.isascii() and text.startswith(("how", "what")) else "VI"
    return {"query": MUTATION, "variables": {"input": {"text": text, "lang": lang}}}


def answered(response: object) -> bool:
    try:
        data = response.json()["data"]["sendChatMessage"]  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError):
        return False
    return bool(data.get("__typename") == "ChatReply" and not data.get("degraded"))


@contextmanager
def assistant_stack(*, timing: bool = False) -> Iterator[AssistantStack]:
    """SecantusDB (or MONGODB_URI) with the demo data, the API, the Rasa and action servers.

    ``timing``: Rasa serves /model/parse and the actions log their timings (for --breakdown).
    """
    if not bot_environment_ready():
        raise SystemExit("bots/.venv is missing: run bots/scripts/setup_venv.sh first.")
    model = current_model()
    if model is None:
        raise SystemExit("No model for the current training data: bots/scripts/train.py")
    if timing:
        os.environ["RASA_ENABLE_API"] = "1"
        os.environ["XUTHANH_ACTION_TIMING"] = "1"
    workdir = Path(tempfile.mkdtemp(prefix="xuthanh-chat-bench-"))
    mongo = None
    uri = os.environ.get("MONGODB_URI")
    if not uri:
        port = mongo_server.free_port()
        mongo = mongo_server.start(
            port=port, storage=str(workdir / "mongo"), log_path=workdir / "mongo.log"
        )
        uri = mongo_server.uri_for(port)
    stack = AssistantStack(
        mongo_uri=uri, database=f"bench_chat_{uuid.uuid4().hex[:6]}", logs=workdir
    )
    stack.mongo_pid = mongo.pid if mongo is not None else None
    try:
        print("==> Starting the API, the Rasa server and the action server ...", file=sys.stderr)
        stack.start(model)
        yield stack
    finally:
        stack.stop()
        if mongo is not None:
            mongo_server.stop(mongo)


TIMING = re.compile(r"xuthanh-timing (action|graphql) (\S+) ([0-9.]+)")


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def breakdown(stack: AssistantStack, count: int) -> None:
    """Where one message's time goes, one client, messages one at a time."""
    rasa = f"http://127.0.0.1:{stack.rasa_port}"
    log = stack.logs / "actions.log"
    rows: dict[str, list[float]] = {
        k: [] for k in ("api", "rasa", "nlu", "actions", "graphql", "calls")
    }
    with httpx.Client(timeout=30) as client:
        for index in range(count + 3):
            text = QUESTIONS[index % len(QUESTIONS)]
            request = body(index)
            started = time.perf_counter()
            client.post(stack.graphql_url, json=request).raise_for_status()
            api = _ms(started)
            lang = str(request["variables"]["input"]["lang"]).lower()  # type: ignore[index]
            offset = log.stat().st_size
            started = time.perf_counter()
            client.post(
                f"{rasa}/webhooks/rest/webhook",
                json={
                    "sender": f"bench-{uuid.uuid4().hex}",
                    "message": text,
                    "metadata": {"lang": lang},
                },
            ).raise_for_status()
            direct = _ms(started)
            time.sleep(0.05)  # let the action server flush its log
            with log.open("rb") as handle:
                handle.seek(offset)
                lines = handle.read().decode(errors="replace")
            started = time.perf_counter()
            client.post(f"{rasa}/model/parse", json={"text": text}).raise_for_status()
            nlu = _ms(started)
            if index < 3:
                continue  # warm-up
            found = TIMING.findall(lines)
            rows["api"].append(api)
            rows["rasa"].append(direct)
            rows["nlu"].append(nlu)
            rows["actions"].append(sum(float(ms) for kind, _, ms in found if kind == "action"))
            rows["graphql"].append(sum(float(ms) for kind, _, ms in found if kind == "graphql"))
            rows["calls"].append(sum(1 for kind, _, _ in found if kind == "action"))
    mean = {k: statistics.fmean(v) for k, v in rows.items()}
    median = {k: statistics.median(v) for k, v in rows.items()}
    parts = [
        ("sendChatMessage, whole", "api"),
        ("  API relay (whole minus Rasa)", None),
        ("  Rasa REST webhook, whole", "rasa"),
        ("    NLU (/model/parse)", "nlu"),
        ("    action server, own time", "actions"),
        ("      of which GraphQL calls to the API", "graphql"),
        ("    policies, tracker store, HTTP hops (rest)", None),
    ]
    print(f"\nWhere the time goes ({count} messages, one at a time; mean / median ms)")
    for label, key in parts:
        if key is not None:
            print(f"{label:48s} {mean[key]:8.1f} {median[key]:8.1f}")
        elif "relay" in label:
            relay, relay_median = mean["api"] - mean["rasa"], median["api"] - median["rasa"]
            print(f"{label:48s} {relay:8.1f} {relay_median:8.1f}")
        else:
            rest = mean["rasa"] - mean["nlu"] - mean["actions"]
            rest_median = median["rasa"] - median["nlu"] - median["actions"]
            print(f"{label:48s} {rest:8.1f} {rest_median:8.1f}")
    print(f"{'action-server calls per message':48s} {mean['calls']:8.2f}")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _tree_cpu_seconds(pid: int, tree: dict[int, list[int]]) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            total += _cpu_seconds(current)
        except OSError:
            continue  # exited meanwhile
        pending.extend(tree.get(current, []))
    return total


def _cpu_snapshot(pids: dict[str, int]) -> dict[str, float]:
    tree = _children()
    return {name: _tree_cpu_seconds(pid, tree) for name, pid in pids.items()}


SECTIONS = ("queries", "getmore", "insert", "update", "remove", "commands")


def _database_top(uri: str, database: str) -> dict[str, dict[str, tuple[int, int]]]:
    """Per collection of ``database`` and kind of command: (commands, server microseconds)."""
    with MongoClient(uri) as client:
        totals = client.admin.command("top").get("totals", {})
    prefix = f"{database}."
    return {
        ns.removeprefix(prefix): {
            section: (int(v[section]["count"]), int(v[section]["time"]))
            for section in SECTIONS
            if section in v
        }
        for ns, v in totals.items()
        if ns.startswith(prefix) and isinstance(v, dict)
    }


def _print_database(before: dict, after: dict, count: int) -> None:
    """Commands per message by collection and kind; SecantusDB's time without getMore's (a
    change stream's getMore waits for changes)."""
    print("Database commands per message (SecantusDB top; ms: server time, getMore excluded)")
    print(f"  {'collection':24s}" + "".join(f"{s:>9s}" for s in SECTIONS) + f"{'ms':>8s}")
    for ns in sorted(after):
        old = before.get(ns, {})
        delta = {
            section: (
                after[ns][section][0] - old.get(section, (0, 0))[0],
                after[ns][section][1] - old.get(section, (0, 0))[1],
            )
            for section in after[ns]
        }
        if not any(n for n, _ in delta.values()):
            continue
        counts = "".join(f"{delta.get(s, (0, 0))[0] / count:9.2f}" for s in SECTIONS)
        micros = sum(t for section, (_, t) in delta.items() if section != "getmore")
        print(f"  {ns:24s}{counts}{micros / 1000 / count:8.2f}")


def cpu_per_message(stack: AssistantStack, pids: dict[str, int], count: int) -> None:
    """CPU per message per process and database commands per message, messages one at a time."""
    with httpx.Client(timeout=30) as client:

        def send(index: int) -> None:
            response = client.post(stack.graphql_url, json=body(index))
            response.raise_for_status()
            if not answered(response):
                raise SystemExit(f"message {index}: no real answer: {response.text[:300]}")

        for index in range(5):
            send(index)  # warm-up, not measured
        cpu_before = _cpu_snapshot(pids)
        top_before = _database_top(stack.mongo_uri, stack.database)
        started = time.perf_counter()
        for index in range(count):
            send(index)
        elapsed = time.perf_counter() - started
        cpu_after = _cpu_snapshot(pids)
        top_after = _database_top(stack.mongo_uri, stack.database)
    each = elapsed / count * 1000
    print(f"\nCPU per message ({count} messages one at a time, {each:.1f} ms each)")
    total = 0.0
    for name in pids:
        ms = (cpu_after[name] - cpu_before[name]) * 1000 / count
        total += ms
        print(f"  {name:38s} {ms:8.1f} ms")
    print(f"  {'all processes':38s} {total:8.1f} ms")
    _print_database(top_before, top_after, count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--breakdown", type=int, default=0, metavar="N")
    parser.add_argument("--cpu", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with assistant_stack(timing=bool(args.breakdown)) as stack:
        if args.breakdown:
            breakdown(stack, args.breakdown)
        if args.cpu:
            pids = {name: process.pid for name, process, _ in stack.processes}
            if stack.mongo_pid is not None:
                pids["secantusdb"] = stack.mongo_pid
            cpu_per_message(stack, pids, args.cpu)
        rows: list[tuple[str, Result]] = []
        for clients in args.clients:
            print(f"==> {clients} client(s) for {args.seconds:.0f} s ...", file=sys.stderr)
            result = drive(
                stack.graphql_url,
                json_body=body,
                clients=clients,
                seconds=args.seconds,
                warmup=3.0,
                check=answered,
            )
            rows.append((f"sendChatMessage, {clients} client(s)", result))
        if rows:
            print_table(rows, title="sendChatMessage end to end (API + Rasa + actions + API)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
