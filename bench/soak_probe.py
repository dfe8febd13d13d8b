"""The soak's look inside SecantusDB: how many WiredTiger session and cursor handles its Python
process holds, to tell the server's own leak apart from the rest of its growth.

WiredTiger's Python binding (11.2.0, as SecantusDB installs it) never frees the Python object of
a session or cursor, even after ``close()``: the C side keeps references to it (a reproduction:
open and close 50,000 sessions, each with one cursor, in a bare WiredTiger connection: 50,000
``Session`` and ``Cursor`` objects stay alive, RSS +11.5 MB). Inside SecantusDB a leaked session
and cursor cost ~350 B (one document updated in place 42 times a second, 8 change streams, the
oplog capped at 1,000: +69,243 sessions, +69,247 cursors in 3.8 min, RSS +23.1 MB, no data grown).
SecantusDB opens a short-lived session, and a cursor per oplog table it reads, for
every change-stream scan (``Storage.read_oplog_scan``, twice per ``getMore``, and every write
wakes every change stream), for ``Storage.oplog_floor_seq``, for each multi-document
transaction (``Storage.begin_user_transaction``) and each client connection's thread. So its
memory grows with our change feeds and transactions, whatever its cache and oplog settings;
mongod has no such leak. No setting of SecantusDB bounds it; only a restart frees it.

Run as the server's launcher (``mongo_server.start(launcher=...)``): ``python
bench/soak_probe.py OUT secantusd-arguments...`` runs SecantusDB in this process and appends a JSON
line to OUT every ``SAMPLE_EVERY`` s, to tell the rest of its growth apart:
- RSS, and what it is made of (``/proc/self/smaps``): glibc's main heap, thread stacks (8 MiB
  mappings), other anonymous memory (glibc's other arena and mmapped blocks, and CPython's 1 MiB
  object arenas: the kernel merges adjacent mappings, so those are read from CPython below), files;
- glibc's malloc (``mallinfo2``, every arena): bytes in use, bytes free in its arenas, bytes held
  from the system;
- CPython's small-object allocator (pymalloc, mmapped apart from malloc): arenas held, bytes
  allocated in them;
- WiredTiger's own statistics (the probe turns on ``statistics=(fast)``, as mongod runs): bytes in
  its cache (pages, updates, dirty), pages evicted by application threads, evictions that failed,
  transaction ids pinned, its open sessions and cursors, and the cache bytes of the oplog's, the
  documents', the index entries' and the other tables;
- the Python heap: ``sys.getallocatedblocks``, the objects the collector tracks (their number and
  shallow size, in all and for the most numerous and the largest kinds), live ``Session`` and
  ``Cursor`` objects, and SecantusDB's list of open sessions (``Storage._all_sessions``);
- threads: Python's by name and the process's native ones (WiredTiger's among them);
- with ``--trace-python`` (bench/soak.py), tracemalloc from the window's start: the Python lines
  holding the memory allocated since.
Counting walks the heap (tens of ms, under the GIL, every 15 s); the WiredTiger statistics use one
session of the probe's and cursors reset each sample (no handle leaked per sample).
"""

import collections
import ctypes
import gc
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

SAMPLE_EVERY = 15.0
# Bytes of RSS each leaked handle costs: the bare reproduction's 96 and 145 B, scaled to the
# ~350 B a session and cursor cost inside SecantusDB (above).
SESSION_BYTES = 140
CURSOR_BYTES = 210
MB = 1024 * 1024
KINDS_KEPT = 25  # the most numerous kinds of tracked object, per sample
# A thread's stack is 8 MiB (the default ulimit -s), its guard page a mapping apart. (CPython's
# 1 MiB object arenas cannot be told by size: the kernel merges adjacent anonymous mappings.)
THREAD_STACK_KB = 8192
# The soak creates this file (beside OUT) when its measured window opens, if it asks for Python's
# allocations to be traced; the probe then starts tracemalloc (one frame) and reports the lines
# whose memory allocated since then is still held.
TRACE_SUFFIX = ".trace-python"
TRACE_TOP_EVERY = 4  # samples between two listings of the top lines (a snapshot: under a second)


def launcher(out: Path) -> list[str]:
    """The argv prefix that starts SecantusDB through this probe (run as a file: the server's
    working directory is not the repository, so this module imports nothing of ours at the top)."""
    return [sys.executable, str(Path(__file__).resolve()), str(out)]


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def malloc_mb() -> dict[str, float]:
    """glibc's malloc over all its arenas: in use, free in the arenas, held from the system
    (arenas plus blocks mmapped on their own)."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return {
        "in_use": round((info.uordblks + info.hblkhd) / MB, 1),
        "free": round(info.fordblks / MB, 1),
        "held": round((info.arena + info.hblkhd) / MB, 1),
        "mmapped": round(info.hblkhd / MB, 1),
    }


def pymalloc_mb() -> dict[str, float]:
    """CPython's small-object allocator (its own arenas, mmapped apart from malloc's): the arenas
    it holds and the bytes in blocks allocated in them (``_PyObject_DebugMallocStats``, written
    to a memory stream)."""
    libc = ctypes.CDLL(None)
    libc.open_memstream.restype = ctypes.c_void_p
    libc.open_memstream.argtypes = [
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_size_t),
    ]
    libc.fclose.argtypes = [ctypes.c_void_p]
    libc.free.argtypes = [ctypes.c_void_p]
    write_stats = ctypes.pythonapi._PyObject_DebugMallocStats
    write_stats.argtypes = [ctypes.c_void_p]
    buffer, size = ctypes.c_char_p(), ctypes.c_size_t()
    stream = libc.open_memstream(ctypes.byref(buffer), ctypes.byref(size))
    write_stats(stream)
    libc.fclose(stream)
    text = ctypes.string_at(buffer, size.value).decode()
    libc.free(ctypes.cast(buffer, ctypes.c_void_p))

    arenas = re.search(r"(\d+) arenas \* (\d+) bytes/arena", text)
    allocated = re.search(r"# bytes in allocated blocks\s+=\s+([\d,]+)", text)
    if arenas is None or allocated is None:  # tracemalloc wraps the allocator: no statistics
        return {}
    return {
        "arenas": round(int(arenas.group(1)) * int(arenas.group(2)) / MB, 1),
        "allocated": round(int(allocated.group(1).replace(",", "")) / MB, 1),
    }


def trace_marker(out: Path) -> Path:
    return out.with_name(out.name + TRACE_SUFFIX)


class PythonTrace:
    """tracemalloc from the measured window's start: memory Python allocated since and still
    holds, in all and by line (its own overhead apart: malloc'd, it counts in ``malloc_mb``)."""

    def __init__(self) -> None:
        import tracemalloc

        self.tracemalloc = tracemalloc
        tracemalloc.start(1)
        self.samples = 0

    def sample(self) -> dict[str, Any]:
        traced, _ = self.tracemalloc.get_traced_memory()
        found: dict[str, Any] = {
            "traced_mb": round(traced / MB, 2),
            "overhead_mb": round(self.tracemalloc.get_tracemalloc_memory() / MB, 2),
        }
        if self.samples % TRACE_TOP_EVERY == 0:
            snapshot = self.tracemalloc.take_snapshot()
            found["top_lines"] = [
                {
                    "line": f"{Path(stat.traceback[0].filename).name}:{stat.traceback[0].lineno}"
                    if stat.traceback
                    else "?",
                    "path": stat.traceback[0].filename if stat.traceback else "?",
                    "mb": round(stat.size / MB, 3),
                    "blocks": stat.count,
                }
                for stat in snapshot.statistics("lineno")[:15]
            ]
        self.samples += 1
        return found


MAPPING = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$")
GUARD_KB = 4


def resident_mb(smaps: str | None = None) -> dict[str, float]:
    """Resident memory by kind of mapping (``smaps``: the text of /proc/self/smaps by default),
    MB. A thread's stack is an 8 MiB mapping right above its 4 KiB guard (glibc); other
    anonymous memory (malloc's arenas and mmapped blocks, CPython's arenas, merged by the kernel
    into runs of any size) is not told apart here."""
    text = Path("/proc/self/smaps").read_text() if smaps is None else smaps
    parts: dict[str, int] = collections.defaultdict(int)
    kind, below = "other", (0, "")
    for line in text.splitlines():
        found = MAPPING.match(line)
        if found:
            low, high, permissions, name = found.groups()
            size_kb = (int(high, 16) - int(low, 16)) // 1024
            if name == "[heap]":
                kind = "malloc_main_heap"
            elif name.startswith("["):
                kind = "other"
            elif name:
                kind = "files"
            elif permissions == "---p":
                kind = "anonymous_other"  # guard pages and reserved space: never resident
            elif size_kb == THREAD_STACK_KB and below == (GUARD_KB, "---p"):
                kind = "thread_stacks"
            else:
                kind = "anonymous_other"
            below = (size_kb, permissions)
        elif line.startswith("Rss:"):
            parts[kind] += int(line.split()[1])
    return {kind: round(kb / 1024, 1) for kind, kb in parts.items()}


def table_group(uri: str) -> str:
    name = uri.removeprefix("table:")
    for group in ("oplog", "documents", "index_entries", "natural"):
        if name.startswith(f"secantus_{group}"):
            return group
    return "other"


class WiredTigerStatistics:
    """Statistics of the server's WiredTiger connection, read through one session of the probe's
    (only the probe's thread uses it); its cursors are reset, not reopened, each sample."""

    def __init__(self, connection: Any) -> None:
        connection.reconfigure("statistics=(fast)")
        self.session = connection.open_session()
        self.connection = self.session.open_cursor("statistics:", None, None)
        self.tables: dict[str, Any] = {}

    def sample(self) -> dict[str, Any]:
        import wiredtiger

        conn = wiredtiger.stat.conn
        self.connection.reset()

        def value(cursor: Any, key: int) -> int:
            cursor.set_key(key)
            cursor.search()
            return int(cursor.get_value()[2])

        fields = {
            "cache_mb": conn.cache_bytes_inuse,
            "cache_max_mb": conn.cache_bytes_max,
            "cache_pages_mb": conn.cache_bytes_image,
            "cache_not_pages_mb": conn.cache_bytes_other,
            "cache_dirty_mb": conn.cache_bytes_dirty,
            "cache_history_store_mb": conn.cache_bytes_hs,
        }
        found: dict[str, Any] = {
            name: round(value(self.connection, key) / MB, 2) for name, key in fields.items()
        }
        # A wedged store shows here: application threads evicting, evictions failing, and a
        # range of transaction ids pinned by an old snapshot.
        for name, key in (
            ("evicted_by_application_threads", conn.cache_eviction_app),
            ("evictions_failed", conn.cache_eviction_fail),
            ("transaction_ids_pinned", conn.txn_pinned_range),
        ):
            found[name] = value(self.connection, key)
        found["sessions_open"] = value(self.connection, conn.session_open)
        found["cursors_open"] = value(self.connection, conn.cursor_open_count)
        found["cursors_cached"] = value(self.connection, conn.cursor_cached_count)
        found["allocations_less_frees"] = value(self.connection, conn.memory_allocation) - value(
            self.connection, conn.memory_free
        )
        metadata = self.session.open_cursor("metadata:", None, None)
        try:
            uris = [key for key, _ in metadata if key.startswith("table:")]
        finally:
            metadata.close()
        by_group: dict[str, int] = collections.defaultdict(int)
        for uri in uris:
            if uri not in self.tables:
                self.tables[uri] = self.session.open_cursor(f"statistics:{uri}", None, None)
            cursor = self.tables[uri]
            cursor.reset()
            by_group[table_group(uri)] += value(cursor, wiredtiger.stat.dsrc.cache_bytes_inuse)
        found["cache_mb_by_table"] = {g: round(b / MB, 2) for g, b in sorted(by_group.items())}
        return found


def handles() -> tuple[int, int]:
    """Live WiredTiger ``Session`` and ``Cursor`` Python objects in this process."""
    found, _ = heap()
    return found["sessions"], found["cursors"]


def heap() -> tuple[dict[str, Any], Any]:
    """The objects the collector tracks: live WiredTiger handles, all of them, the most numerous
    kinds; and the server's WiredTiger connection (None before the store is open)."""
    import wiredtiger

    kinds: collections.Counter[str] = collections.Counter()
    connection, open_sessions, sessions, cursors = None, None, 0, 0
    sizes: collections.Counter[str] = collections.Counter()
    for item in gc.get_objects():
        kind = type(item)
        name = f"{kind.__module__}.{kind.__qualname__}"
        kinds[name] += 1
        sizes[name] += sys.getsizeof(item, 0)
        if kind is wiredtiger.Session:
            sessions += 1
        elif kind is wiredtiger.Cursor:
            cursors += 1
        elif kind is wiredtiger.Connection and connection is None:
            connection = item
        elif kind.__qualname__ == "Storage" and kind.__module__ == "secantus.storage":
            open_sessions = len(getattr(item, "_all_sessions", ()))
    found = {
        "sessions": sessions,
        "cursors": cursors,
        "objects": sum(kinds.values()),
        "allocated_blocks": sys.getallocatedblocks(),
        "storage_all_sessions": open_sessions,
        "objects_mb": round(sum(sizes.values()) / MB, 2),
        "kinds": dict(kinds.most_common(KINDS_KEPT)),
        "kinds_mb": {k: round(v / MB, 3) for k, v in sizes.most_common(KINDS_KEPT)},
    }
    return found, connection


def threads() -> dict[str, Any]:
    names: collections.Counter[str] = collections.Counter(
        re.sub(r"[-_ ]?\d+.*$", "", t.name) or t.name for t in threading.enumerate()
    )
    native = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("Threads:")
    )
    return {"threads": threading.active_count(), "native_threads": native,
            "thread_names": dict(names)}  # fmt: skip


def sample_forever(out: Path) -> None:
    status = Path(f"/proc/{os.getpid()}/status")
    statistics: WiredTigerStatistics | None = None
    trace: PythonTrace | None = None
    marker = trace_marker(out)
    while True:
        if trace is None and marker.exists():
            trace = PythonTrace()
        objects, connection = heap()
        line: dict[str, Any] = {
            "t": round(time.time(), 1),
            "rss_mb": next(
                round(int(line.split()[1]) / 1024, 1)
                for line in status.read_text().splitlines()
                if line.startswith("VmRSS:")
            ),
            **objects,
            **threads(),
            "resident_mb": resident_mb(),
            "malloc_mb": malloc_mb(),
            "pymalloc_mb": pymalloc_mb(),
        }
        if trace is not None:
            line["python_trace"] = trace.sample()
        try:
            if statistics is None and connection is not None:
                statistics = WiredTigerStatistics(connection)
            if statistics is not None:
                line["wiredtiger"] = statistics.sample()
        except Exception as error:  # the store closing as the server stops
            line["wiredtiger_error"] = repr(error)[:200]
        with out.open("a") as file:
            file.write(json.dumps(line) + "\n")
        time.sleep(SAMPLE_EVERY)


def report(out: Path, window: tuple[float, float]) -> dict[str, Any]:
    """Per minute over the window (wall-clock seconds, least squares): handles leaked, the RSS
    they account for, and SecantusDB's RSS growth less that."""
    from bench.soak_measure import slope

    lines = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    inside = [line for line in lines if window[0] <= line["t"] <= window[1]]

    def per_minute(key: str) -> float | None:
        return slope([(line["t"] - window[0], float(line[key])) for line in inside])

    sessions, cursors, rss = per_minute("sessions"), per_minute("cursors"), per_minute("rss_mb")
    if sessions is None or cursors is None or rss is None:
        return {"samples": len(inside)}
    leaked = (sessions * SESSION_BYTES + cursors * CURSOR_BYTES) / MB
    return {
        "samples": len(inside),
        "sessions_leaked_per_minute": round(sessions),
        "cursors_leaked_per_minute": round(cursors),
        "leak_mb_per_minute": round(leaked, 2),
        "rss_mb_per_minute": round(rss, 2),
        "rss_mb_per_minute_less_leak": round(rss - leaked, 2),
        "handles_at_end": [inside[-1]["sessions"], inside[-1]["cursors"]],
    }


# What ``memory_report`` follows, by path in a probe line: MB, then counts.
MEMORY_SERIES = {
    "rss": ("rss_mb",),
    **{f"resident {kind}": ("resident_mb", kind) for kind in (
        "malloc_main_heap", "anonymous_other", "thread_stacks", "files", "other")},
    "pymalloc arenas": ("pymalloc_mb", "arenas"),
    "pymalloc allocated": ("pymalloc_mb", "allocated"),
    "python traced since window start": ("python_trace", "traced_mb"),
    "tracemalloc overhead": ("python_trace", "overhead_mb"),
    **{f"malloc {kind}": ("malloc_mb", kind) for kind in ("in_use", "free", "held", "mmapped")},
    **{f"wiredtiger {kind}": ("wiredtiger", f"{kind}_mb") for kind in (
        "cache", "cache_pages", "cache_not_pages", "cache_dirty")},
    **{f"wiredtiger cache {group}": ("wiredtiger", "cache_mb_by_table", group) for group in (
        "oplog", "documents", "index_entries", "natural", "other")},
}  # fmt: skip
COUNT_SERIES = {
    "python objects tracked": ("objects",),
    "python objects tracked, MB (shallow)": ("objects_mb",),
    "python allocated blocks": ("allocated_blocks",),
    "wiredtiger Session objects": ("sessions",),
    "wiredtiger Cursor objects": ("cursors",),
    "secantus Storage._all_sessions": ("storage_all_sessions",),
    "wiredtiger sessions open": ("wiredtiger", "sessions_open"),
    "wiredtiger cursors open": ("wiredtiger", "cursors_open"),
    "wiredtiger allocations less frees": ("wiredtiger", "allocations_less_frees"),
    "wiredtiger pages evicted by application threads": (
        "wiredtiger",
        "evicted_by_application_threads",
    ),
    "wiredtiger evictions failed": ("wiredtiger", "evictions_failed"),
    "wiredtiger transaction ids pinned": ("wiredtiger", "transaction_ids_pinned"),
    "python threads": ("threads",),
    "native threads": ("native_threads",),
}


def at(line: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = line
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) else None


def memory_report(out: Path, window: tuple[float, float]) -> dict[str, Any]:
    """SecantusDB's memory told apart over the window (wall-clock seconds): each series' first
    and last value and its growth per minute (least squares), and the kinds of Python object
    that grew most."""
    from bench.soak_measure import slope

    lines = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    inside = [line for line in lines if window[0] <= line["t"] <= window[1]]
    if len(inside) < 3:
        return {"samples": len(inside)}

    def series(path: tuple[str, ...]) -> dict[str, Any]:
        points = [
            (line["t"] - window[0], v) for line in inside if (v := at(line, path)) is not None
        ]
        if len(points) < 3:
            return {}
        return {"first": points[0][1], "last": points[-1][1], "per_minute": slope(points)}

    first, last = inside[0].get("kinds", {}), inside[-1].get("kinds", {})
    # A kind near the top-25 cut can be listed at both ends and not in between: a figure if it
    # has three points, else none.
    growing = {
        kind: rate
        for kind in first.keys() & last.keys()
        if last[kind] > first[kind] and (rate := series(("kinds", kind)).get("per_minute"))
    }
    return {
        "samples": len(inside),
        "mb": {name: series(path) for name, path in MEMORY_SERIES.items()},
        "counts": {name: series(path) for name, path in COUNT_SERIES.items()},
        "python_kinds_growing_per_minute": dict(
            sorted(growing.items(), key=lambda item: -(item[1] or 0))[:12]
        ),
        "python_kinds_new_at_end": {k: v for k, v in last.items() if k not in first},
        "thread_names_at_end": inside[-1].get("thread_names", {}),
        "python_lines_holding_most_at_end": next(
            (
                line["python_trace"]["top_lines"]
                for line in reversed(inside)
                if "top_lines" in line.get("python_trace", {})
            ),
            [],
        ),
    }


def main() -> None:
    out = Path(sys.argv[1])
    threading.Thread(target=sample_forever, args=(out,), daemon=True, name="probe").start()
    from secantus.cli import main as secantusd

    sys.exit(secantusd(sys.argv[2:]))


if __name__ == "__main__":
    main()
