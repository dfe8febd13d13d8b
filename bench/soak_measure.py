"""What the soak records: its requests' latencies and errors (``Tally``; what counts as an
error), each process's memory and CPU, and the database's own account of its data, so that
growth can be told apart as our data or the server's overhead.

Samples every 15 s (seconds since the soak started): each process's RSS; SecantusDB's `dbStats`
for the soak's database (data, indexes, on-disk storage, documents) and its `serverStatus`
opcounters. Growth is the least-squares slope over the measured window (after the warm-up).
"""

import asyncio
import contextlib
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

SAMPLE_EVERY = 15.0
MB = 1024 * 1024


# Booking refusals the soak's own traffic causes (50 patients booking one facility's slots):
# answers, counted apart. Any other code (NOT_FOUND, FORBIDDEN, ...) is an error.
EXPECTED_REFUSALS = frozenset(
    {"ALREADY_BOOKED", "BOOKING_LIMIT_REACHED", "SLOT_FULL", "SLOT_OVERLAP"}
)


class Tally:
    """Latencies and errors of the whole run, and of the measured window apart (from
    ``measured_from``, a time.monotonic() value; 0: all of it)."""

    def __init__(self, measured_from: float = 0.0) -> None:
        self.measured_from = measured_from
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.window_latencies: dict[str, list[float]] = defaultdict(list)
        self.window_errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def measured(self) -> bool:
        return time.monotonic() >= self.measured_from

    def latency(self, kind: str, ms: float) -> None:
        self.latencies[kind].append(ms)
        if self.measured():
            self.window_latencies[kind].append(ms)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if self.measured():
            self.window_errors[kind] += 1
        if len(self.samples) < 20:
            self.samples.append(f"{kind}: {what[:300]}")

    def window_by_kind(self) -> dict[str, dict[str, Any]]:
        """The measured window's requests, errors and p50/p95 per kind."""
        return {
            kind: {
                "requests": len(values),
                "errors": self.window_errors.get(kind, 0),
                "p50_ms": percentile(values, 50),
                "p95_ms": percentile(values, 95),
            }
            for kind, values in sorted(self.window_latencies.items())
            if not kind.startswith("book refused")
        }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)


async def counted(tally: Tally, kind: str, work: Any) -> None:
    """A traffic task whose exception (a missing key, a body of another shape) is an error of
    its kind, not a "Task exception was never retrieved" line."""
    try:
        await work
    except Exception as error:
        tally.error(kind, f"exception {error!r}")


def failures(result: dict[str, Any]) -> list[str]:
    """What makes a soak fail: any error in the whole run, pushes short of every device."""
    found = []
    whole = result["whole_run"]
    if whole["errors"]:
        found.append(f"{whole['errors']} errors {whole['errors_by_kind']}")
    if result["pushes_accepted"] < result["pushes_expected"]:
        found.append(f"pushes {result['pushes_accepted']} of {result['pushes_expected']}")
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares growth per minute of (seconds, value) points; None with fewer than 3."""
    if len(points) < 3:
        return None
    return round(
        statistics.linear_regression([t / 60 for t, _ in points], [v for _, v in points]).slope, 2
    )


class Recorder:
    """Samples until stopped; ``window`` (seconds since start) is the measured part."""

    def __init__(self, pids: dict[str, int], uri: str, database: str, window: tuple[float, float]):
        self.pids = pids
        self.uri = uri
        self.database = database
        self.window = window
        self.memory: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.database_stats: list[dict[str, Any]] = []
        self.cpu_at_window: dict[str, dict[str, float]] = {}
        self.ops_at_window: dict[str, dict[str, int]] = {}
        self.marked_at: dict[str, float] = {}
        self._start = time.monotonic()
        self._due: list[str] = []
        self._wake = asyncio.Event()

    def mark(self, key: str) -> None:
        """Take the window's "start" or "end" mark (CPU, database operations) now: called by
        the soak when it crosses the window's edge, so the marks are the window's, not the
        next sample's (up to 15 s late) nor the drain's."""
        self._mark_cpu(key, round(time.monotonic() - self._start, 1))  # /proc: at once
        self._due.append(key)  # the operations: with a database sample, next
        self._wake.set()

    def wake(self) -> None:
        """Sample now (the soak has set ``stop``)."""
        self._wake.set()

    async def run(self, start: float, stop: asyncio.Event) -> None:
        self._start = start
        # Bounded waits: a server that stops answering (a wedged store) costs missed samples,
        # reported, not a soak that never ends.
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            self.uri, socketTimeoutMS=20_000, serverSelectionTimeoutMS=20_000
        )
        try:
            while not stop.is_set():
                self._wake.clear()
                due, self._due = self._due, []
                at = round(time.monotonic() - start, 1)
                for name, pid in self.pids.items():
                    self.memory[name].append((at, round(rss_mb(pid), 1)))
                await self._database_sample(client, at)
                for key in due:
                    self._mark_ops(key, at)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), SAMPLE_EVERY)
            at = round(time.monotonic() - start, 1)
            await self._database_sample(client, at)
            for key in self._due:  # a mark asked for as the soak stopped
                self._mark_ops(key, at)
        finally:
            await client.close()

    async def _database_sample(self, client: AsyncMongoClient[dict[str, Any]], at: float) -> None:
        try:
            db = await client[self.database].command("dbStats")
            status = await client.admin.command("serverStatus")
        except Exception as error:  # a missed sample is reported, not fatal
            self.database_stats.append({"t": at, "error": repr(error)[:200]})
            return
        self.database_stats.append(
            {
                "t": at,
                "data_mb": round(db.get("dataSize", 0) / MB, 1),
                "index_mb": round(db.get("indexSize", 0) / MB, 1),
                "storage_mb": round(db.get("storageSize", 0) / MB, 1),
                "objects": db.get("objects", 0),
                "connections": status.get("connections", {}).get("current"),
                "ops": {k: v for k, v in status.get("opcounters", {}).items() if k != "command"},
            }
        )

    def _mark_cpu(self, key: str, at: float) -> None:
        self.cpu_at_window[key] = {n: cpu_seconds(p) for n, p in self.pids.items()}
        self.marked_at[key] = at

    def _mark_ops(self, key: str, at: float) -> None:
        """Database operations at the mark (the sample just taken with it)."""
        self.marked_at[f"ops {key}"] = at
        last = self.database_stats[-1] if self.database_stats else {}
        self.ops_at_window[key] = dict(last.get("ops", {}))

    def report(self) -> dict[str, Any]:
        low, high = self.window

        def within(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
            return [(t, v) for t, v in points if low <= t <= high]

        stats = [s for s in self.database_stats if "error" not in s]
        growth_db = {
            field: slope(within([(s["t"], s[field]) for s in stats]))
            for field in ("data_mb", "index_mb", "storage_mb", "objects")
        }
        result: dict[str, Any] = {
            "window_seconds": [low, high],
            "rss_mb": {n: {"first": p[0][1], "last": p[-1][1]} for n, p in self.memory.items()},
            "rss_growth_mb_per_minute_in_window": {
                n: slope(within(p)) for n, p in self.memory.items()
            },
            "database_growth_per_minute_in_window": growth_db,
            "database_first_last": [stats[0], stats[-1]] if stats else [],
            "rss_mb_samples": dict(self.memory),
            "database_samples": self.database_stats,
        }
        if "start" in self.cpu_at_window and "end" in self.cpu_at_window:
            cpu = {
                n: round(self.cpu_at_window["end"][n] - self.cpu_at_window["start"][n], 1)
                for n in self.pids
            }
            ops = {
                k: self.ops_at_window["end"].get(k, 0) - v
                for k, v in self.ops_at_window["start"].items()
            }
            writes = sum(ops.get(k, 0) for k in ("insert", "update", "delete"))
            # The seconds (since the start) the CPU and operation marks were read at.
            result["cpu_marks_seconds"] = [self.marked_at["start"], self.marked_at["end"]]
            result["database_ops_marks_seconds"] = [
                self.marked_at.get("ops start"),
                self.marked_at.get("ops end"),
            ]
            result["cpu_seconds_in_window"] = cpu
            result["database_ops_in_window"] = ops
            if writes and "secantusdb" in cpu:
                everything = sum(ops.values())
                result["secantusdb_cpu_ms_per_operation"] = round(
                    cpu["secantusdb"] * 1000 / max(1, everything), 2
                )
        return result
