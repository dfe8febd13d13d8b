"""Custom actions: every fact comes from the Xứ Thanh GraphQL API (the bot is one more client)."""

import time

from rasa_sdk.executor import ActionExecutor

from actions.api import TIMING, timing
from actions.text import forget

_answer = ActionExecutor.run


async def _forgetting_run(self, action_call):  # type: ignore[no-untyped-def]
    """An action run, after which the folds of the message's texts are dropped (text.forget)."""
    try:
        return await _answer(self, action_call)
    finally:
        forget()


ActionExecutor.run = _forgetting_run  # type: ignore[method-assign]

if TIMING:  # XUTHANH_ACTION_TIMING=1 (bench/chatbot.py --breakdown): time every action run
    _run = ActionExecutor.run

    async def _timed_run(self, action_call):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return await _run(self, action_call)
        finally:
            timing("action", str(action_call.get("next_action")), started)

    ActionExecutor.run = _timed_run  # type: ignore[method-assign]
