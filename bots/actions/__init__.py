"""Custom actions: every fact comes from the Xứ Thanh GraphQL API (the bot is one more client)."""

import time

from actions.api import TIMING, timing

if TIMING:  # XUTHANH_ACTION_TIMING=1 (bench/chatbot.py --breakdown): time every action run
    from rasa_sdk.executor import ActionExecutor

    _run = ActionExecutor.run

    async def _timed_run(self, action_call):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return await _run(self, action_call)
        finally:
            timing("action", str(action_call.get("next_action")), started)

    ActionExecutor.run = _timed_run  # type: ignore[method-assign]
