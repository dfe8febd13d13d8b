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

from bench.harness import Result, drive, mongo_server, print_table
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--breakdown", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with assistant_stack(timing=bool(args.breakdown)) as stack:
        if args.breakdown:
            breakdown(stack, args.breakdown)
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
