"""The Rasa server's log holds no conversation content (bots/log_privacy.py).

Rasa 3.6 logs a message that timed out in its REST channel at ERROR with the message's text. The
check runs in the Rasa environment the way the server sets it up: Rasa configures structlog,
then loads bots/tracker_store.py (named in endpoints.yml), which installs the redaction.
"""

import json
import subprocess

import pytest

from tests.domains.chatbot.stack import BOT_PYTHON, BOTS, bot_environment_ready

pytestmark = pytest.mark.skipif(
    not bot_environment_ready(), reason="bots/.venv missing (bots/scripts/setup_venv.sh)"
)

SCRIPT = """
import logging, structlog
from rasa.utils.log_utils import configure_structlog
configure_structlog(logging.DEBUG)
early = structlog.get_logger()
early.info("startup.before.store")  # a logger used (and cached) before the store loads
import tracker_store  # what Rasa imports through endpoints.yml
rest = structlog.get_logger()
rest.error("rest.message.received.timeout", text="tôi bị sốt xuất huyết, lệ phí khám")
early.debug("processor.message.parse", parse_data_text="cho em hỏi khai tử",
            parse_data_entities=[{"value": "Nguyễn Văn A"}], parse_data_intent={"name": "ask"})
"""


def rasa_log_of(script: str) -> str:
    """What ``script`` writes, run by the Rasa environment's Python from bots/ (as Rasa runs)."""
    run = subprocess.run(
        [str(BOT_PYTHON), "-c", script],
        cwd=BOTS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-3000:]
    return log


def test_rasa_logs_no_message_text_slots_or_entities() -> None:
    log = rasa_log_of(SCRIPT)
    # The events are still logged, so a timeout stays visible ...
    assert "rest.message.received.timeout" in log
    assert "processor.message.parse" in log
    # ... without what the person wrote or what was extracted from it.
    for content in ("sốt xuất huyết", "khai tử", "Nguyễn Văn A"):
        escaped = json.dumps(content)[1:-1]  # the JSON renderer writes \\u escapes
        assert content not in log and escaped not in log, log[-3000:]
    assert "ask" in log  # the intent's name is not content


FAILURE = """
import logging, structlog
from rasa.utils.log_utils import configure_structlog
configure_structlog(logging.INFO)
import tracker_store
structlogger = structlog.get_logger()

def receive(text):  # the shape of rasa.core.channels.rest.RestInput.blueprint.receive
    try:
        raise RuntimeError("the action server failed")
    except Exception:
        structlogger.exception("rest.message.received.failure", text=text)

receive("tôi bị sốt xuất huyết")
"""


def test_a_logged_failure_keeps_the_message_out_of_its_traceback() -> None:
    # Rasa's JSON logs render each frame's local variables (the message's text among them).
    log = rasa_log_of(FAILURE)
    assert "rest.message.received.failure" in log and "the action server failed" in log
    content = "sốt xuất huyết"
    assert content not in log and json.dumps(content)[1:-1] not in log, log[-1500:]
