"""The soak's tally (bench/soak.py, bench/soak_measure.py): every way a request fails is an
error of its kind (a union saying no, an unexpected refusal, a body of another shape), expected
booking refusals are not, and a run with errors or missing pushes fails. Stubbed API."""

import asyncio
import json
import time

import httpx

from bench import soak
from bench.soak_measure import Tally, counted, failures


def _api(request: httpx.Request) -> httpx.Response:
    query = json.loads(request.content)["query"]
    if "sendChatMessage" in query:
        answer = {"sendChatMessage": {"__typename": "ChatRateLimited"}}
    elif "sendNotification" in query:
        answer = {"sendNotification": {"__typename": "ValidationFailed"}}
    elif "bookAppointment" in query:
        code = json.loads(request.content)["variables"]["input"]["slotId"]
        answer = {"bookAppointment": {"__typename": "BookingRefusedError", "code": code}}
    else:
        return httpx.Response(200, text="<html>proxy error page</html>")
    return httpx.Response(200, json={"data": answer})


async def _run(tally: Tally, slot: str) -> None:
    traffic = soak.Traffic("http://api/graphql", tally, [("token", "patient")])
    traffic.http = httpx.AsyncClient(transport=httpx.MockTransport(_api))
    works = {
        "chat": traffic.chat(),
        "broadcast": traffic.broadcast({}, "admin"),
        "book": traffic.book_and_cancel([slot]),
        "browse": traffic.browse(),
    }
    await asyncio.gather(*(counted(tally, kind, work) for kind, work in works.items()))
    await traffic.http.aclose()


def test_every_failure_kind_is_an_error() -> None:
    tally = Tally()
    asyncio.run(_run(tally, "NOT_FOUND"))
    assert dict(tally.errors) == {"chat": 1, "broadcast": 1, "book": 1, "browse": 1}
    assert dict(tally.window_errors) == dict(tally.errors)


def test_an_expected_refusal_is_an_answer() -> None:
    tally = Tally()
    asyncio.run(_run(tally, "BOOKING_LIMIT_REACHED"))
    assert "book" not in tally.errors
    assert tally.latencies["book refused BOOKING_LIMIT_REACHED"] == [0.0]


def test_an_exception_inside_a_traffic_task_is_counted() -> None:
    async def broken() -> None:
        raise KeyError("data")

    tally = Tally()
    asyncio.run(counted(tally, "search", broken()))
    assert tally.errors == {"search": 1}


def test_the_warm_up_is_not_in_the_measured_window() -> None:
    tally = Tally(measured_from=time.monotonic() + 3600)
    tally.latency("search", 12.0)
    tally.error("search", "timeout")
    assert tally.latencies["search"] == [12.0] and tally.errors["search"] == 1
    assert not tally.window_latencies and not tally.window_errors


def test_a_run_with_errors_or_short_pushes_fails() -> None:
    clean = {"whole_run": {"errors": 0, "errors_by_kind": {}}}
    assert failures({**clean, "pushes_accepted": 4000, "pushes_expected": 4000}) == []
    short = failures({**clean, "pushes_accepted": 3999, "pushes_expected": 4000})
    assert short == ["pushes 3999 of 4000"]
    errors = {"whole_run": {"errors": 2, "errors_by_kind": {"chat": 2}}}
    assert failures({**errors, "pushes_accepted": 1, "pushes_expected": 1})
