"""The GraphQL API as the actions see it: one POST per question, short timeouts, typed failures.

The action server runs in Rasa's Python 3.10 environment and cannot import the API's code; going
through /graphql also reuses the API's search, language fallback and authorisation.
"""

import asyncio
import logging
import os
import sys
import time
import weakref
from typing import Any, Dict, List, Optional

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "http://127.0.0.1:8000/graphql"


class ApiUnavailable(Exception):
    """The API did not answer, or answered with an error: say so, never guess."""


def api_url() -> str:
    return os.environ.get("XUTHANH_API_URL", DEFAULT_API_URL)


def api_timeout() -> float:
    return float(os.environ.get("XUTHANH_API_TIMEOUT_SECONDS", "3"))


TIMING = os.environ.get("XUTHANH_ACTION_TIMING") == "1"


def timing(kind: str, name: str, started: float) -> None:
    """With XUTHANH_ACTION_TIMING=1 (bench/chatbot.py --breakdown): one line per action run and
    per GraphQL call, on stderr. Names and milliseconds only, never message text."""
    if TIMING:
        elapsed = (time.perf_counter() - started) * 1000
        print(f"xuthanh-timing {kind} {name} {elapsed:.2f}", file=sys.stderr, flush=True)


async def graphql(query: str, variables: Dict[str, Any], *, lang: str = "vi") -> Dict[str, Any]:
    """``data`` of a GraphQL answer; ApiUnavailable on network, HTTP or GraphQL errors."""
    started = time.perf_counter()
    try:
        return await _graphql(query, variables, lang=lang)
    finally:
        timing("graphql", query.split("(", 1)[0].split()[-1], started)


_sessions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession]" = (
    weakref.WeakKeyDictionary()
)


def _session() -> aiohttp.ClientSession:
    """One session (a pool of kept-alive connections to the API) per event loop: a new TCP
    connection per call cost a few ms on every answer."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=api_timeout()))
        _sessions[loop] = session
    return session


async def _graphql(query: str, variables: Dict[str, Any], *, lang: str) -> Dict[str, Any]:
    headers = {"Accept-Language": lang, "Content-Type": "application/json"}
    try:
        async with _session().post(
            api_url(), json={"query": query, "variables": variables}, headers=headers
        ) as response:
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        logger.warning("API unreachable: %s", type(error).__name__)
        raise ApiUnavailable(type(error).__name__) from error
    if not isinstance(body, dict) or body.get("errors") or body.get("data") is None:
        codes = [
            (error.get("extensions") or {}).get("code", "ERROR")
            for error in (body.get("errors") or [] if isinstance(body, dict) else [])
        ]
        logger.warning("API answered with errors: %s", codes)
        raise ApiUnavailable(",".join(codes) or "no data")
    data: Dict[str, Any] = body["data"]
    return data


def nodes(connection: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    if not connection:
        return []
    return list(connection.get("nodes") or [])
