"""sendChatMessage end to end: API -> Rasa server -> action server -> API (GraphQL) -> reply.

    .venv/bin/python -m bench.chatbot [--clients 1 4] [--seconds 20]

Starts SecantusDB (or uses MONGODB_URI), loads the demo data, and runs the API, the Rasa server
and the action server as real processes on loopback (bots/.venv and a trained model needed:
`make test` or `make run` builds them). Questions rotate through procedure questions with and
without diacritics, follow-ups, tourism and out-of-scope messages, each conversation its own
anonymous session, so every request goes the whole way.
"""

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    if not bot_environment_ready():
        print("bots/.venv is missing: run bots/scripts/setup_venv.sh first.", file=sys.stderr)
        return 2

    model = current_model()
    if model is None:
        print("No model for the current training data: bots/scripts/train.py", file=sys.stderr)
        return 2

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
        print_table(rows, title="sendChatMessage end to end (API + Rasa + actions + API)")
    finally:
        stack.stop()
        if mongo is not None:
            mongo_server.stop(mongo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
