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
line to OUT every ``SAMPLE_EVERY`` s: wall time, RSS, live ``Session`` and ``Cursor`` objects,
threads. Counting walks the heap (tens of ms, under the GIL, every 15 s).
"""

import gc
import json
import os
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


def launcher(out: Path) -> list[str]:
    """The argv prefix that starts SecantusDB through this probe (run as a file: the server's
    working directory is not the repository, so this module imports nothing of ours at the top)."""
    return [sys.executable, str(Path(__file__).resolve()), str(out)]


def handles() -> tuple[int, int]:
    """Live WiredTiger ``Session`` and ``Cursor`` Python objects in this process."""
    import wiredtiger

    sessions = cursors = 0
    for item in gc.get_objects():
        kind = type(item)
        if kind is wiredtiger.Session:
            sessions += 1
        elif kind is wiredtiger.Cursor:
            cursors += 1
    return sessions, cursors


def sample_forever(out: Path) -> None:
    status = Path(f"/proc/{os.getpid()}/status")
    while True:
        sessions, cursors = handles()
        line = {
            "t": round(time.time(), 1),
            "rss_mb": next(
                round(int(line.split()[1]) / 1024, 1)
                for line in status.read_text().splitlines()
                if line.startswith("VmRSS:")
            ),
            "sessions": sessions,
            "cursors": cursors,
            "threads": threading.active_count(),
        }
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


def main() -> None:
    out = Path(sys.argv[1])
    threading.Thread(target=sample_forever, args=(out,), daemon=True, name="probe").start()
    from secantus.cli import main as secantusd

    sys.exit(secantusd(sys.argv[2:]))


if __name__ == "__main__":
    main()
