"""The soak's look inside SecantusDB (bench/soak_probe.py) and the server options it starts it
with (scripts/mongo_server.py): handles are counted, the window's leak is told from the rest of
the growth, and the capped oplog and the launcher reach the server's command line."""

import json
import sys
from pathlib import Path

import wiredtiger
from pymongo.uri_parser import parse_uri

from bench import soak_probe
from bench.harness import mongo_server


def test_open_wiredtiger_handles_are_counted(tmp_path: Path) -> None:
    connection = wiredtiger.wiredtiger_open(str(tmp_path), "create")
    try:
        before = soak_probe.handles()
        session = connection.open_session()
        session.create("table:t", "key_format=q,value_format=u")
        cursor = session.open_cursor("table:t")
        sessions, cursors = soak_probe.handles()
        assert (sessions - before[0], cursors - before[1]) == (1, 1)
        cursor.close()
        session.close()
    finally:
        connection.close()


def test_the_window_leak_is_told_apart_from_the_rest_of_the_growth(tmp_path: Path) -> None:
    out = tmp_path / "handles.jsonl"
    # A minute before the window (ignored), then 4 minutes: +6,000 sessions, +12,000 cursors
    # and +3 MB a minute.
    lines = [{"t": 940.0, "rss_mb": 50.0, "sessions": 0, "cursors": 0, "threads": 9}]
    lines += [
        {"t": 1000.0 + 60 * m, "rss_mb": 100.0 + 3 * m, "sessions": 6000 * m, "cursors": 12000 * m}
        for m in range(5)
    ]
    out.write_text("".join(json.dumps({"threads": 9, **line}) + "\n" for line in lines))

    result = soak_probe.report(out, (1000.0, 1240.0))

    leak = (6000 * soak_probe.SESSION_BYTES + 12000 * soak_probe.CURSOR_BYTES) / soak_probe.MB
    assert result["samples"] == 5
    assert result["sessions_leaked_per_minute"] == 6000
    assert result["cursors_leaked_per_minute"] == 12000
    assert result["rss_mb_per_minute"] == 3.0
    assert result["leak_mb_per_minute"] == round(leak, 2)
    assert result["rss_mb_per_minute_less_leak"] == round(3.0 - leak, 2)
    assert soak_probe.report(tmp_path / "missing.jsonl", (0.0, 1.0)) == {"samples": 0}


def test_the_capped_oplog_and_the_launcher_reach_the_command_line() -> None:
    argv = mongo_server.command(
        port=1234,
        storage=":memory:",
        oplog_max_entries=10_000,
        launcher=soak_probe.launcher(Path("var/handles.jsonl")),
    )
    assert argv[:3] == [sys.executable, soak_probe.__file__, "var/handles.jsonl"]
    assert argv[argv.index("--oplog-max-entries") + 1] == "10000"
    plain = mongo_server.command(port=1234, storage=":memory:")
    assert plain[0].endswith("secantusd-py")
    assert "--oplog-max-entries" not in plain


def test_a_local_servers_long_lived_clients_drop_idle_connections_before_it_does() -> None:
    options = parse_uri(mongo_server.uri_for(1234, retry_writes=False))["options"]
    # SecantusDB closes a connection idle for 300 s (DEFAULT_CLIENT_IDLE_TIMEOUT_S).
    assert options["retryWrites"] is False
    assert options["maxIdleTimeMS"] < 300  # seconds: pymongo parses the option into seconds
    assert "maxIdleTimeMS" not in parse_uri(mongo_server.uri_for(1234))["options"]


SMAPS = """\
55d0c0000000-55d0c2000000 rw-p 00000000 00:00 0                          [heap]
Rss:               20480 kB
7f0000000000-7f0000200000 rw-p 00000000 00:00 0
Rss:                2048 kB
7f0000200000-7f0000201000 ---p 00000000 00:00 0
Rss:                   0 kB
7f0000201000-7f0000a01000 rw-p 00000000 00:00 0
Rss:                  64 kB
7f0000a01000-7f0001201000 rw-p 00000000 00:00 0
Rss:                1024 kB
7f0001201000-7f0001301000 r-xp 00000000 08:01 42                         /usr/lib/libc.so.6
Rss:                 512 kB
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                 132 kB
"""


def test_resident_memory_is_told_apart_by_kind_of_mapping() -> None:
    # CPython's arenas, mmapped side by side, reach smaps merged (the 2 MiB run): they are
    # anonymous memory like malloc's, not told by size. A thread's stack is the 8 MiB mapping
    # just above its 4 KiB guard; an 8 MiB run of merged anonymous memory is not a stack.
    kinds = soak_probe.resident_mb(SMAPS)
    assert kinds == {
        "malloc_main_heap": 20.0,
        "anonymous_other": 3.0,
        "thread_stacks": 0.1,
        "files": 0.5,
        "other": 0.1,
    }


def test_pythons_own_arenas_are_read_from_the_interpreter() -> None:
    kept = [[index] for index in range(200_000)]  # ~15 MB of small objects
    found = soak_probe.pymalloc_mb()
    assert found["arenas"] >= found["allocated"] >= 10
    del kept


def test_the_memory_report_gives_each_part_its_growth_and_survives_a_kind_ranked_in_and_out(
    tmp_path: Path,
) -> None:
    out = tmp_path / "handles.jsonl"
    lines = []
    for m in range(5):
        kinds = {"builtins.dict": 1000 + 100 * m, "swig_wiredtiger.Cursor": 10 + 500 * m}
        if m in (0, 4):  # ranked among the most numerous at the ends only
            kinds["builtins.set"] = 300 + m
        lines.append(
            {
                "t": 1000.0 + 60 * m,
                "rss_mb": 100.0 + 3 * m,
                "malloc_mb": {"in_use": 80.0 + m, "free": 5.0, "held": 85.0 + m},
                "wiredtiger": {"cache_mb": 25.0, "cache_mb_by_table": {"oplog": 6.0 - m}},
                "kinds": kinds,
                "sessions": 7 * m,
                "cursors": 500 * m,
            }
        )
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))

    result = soak_probe.memory_report(out, (1000.0, 1240.0))

    assert result["samples"] == 5
    assert result["mb"]["rss"] == {"first": 100.0, "last": 112.0, "per_minute": 3.0}
    assert result["mb"]["malloc in_use"]["per_minute"] == 1.0
    assert result["mb"]["malloc free"]["per_minute"] == 0.0
    assert result["mb"]["wiredtiger cache"]["per_minute"] == 0.0
    assert result["mb"]["wiredtiger cache oplog"]["per_minute"] == -1.0
    assert result["mb"]["pymalloc arenas"] == {}  # not in these lines: no figure, no error
    assert result["counts"]["wiredtiger Cursor objects"]["per_minute"] == 500.0
    assert list(result["python_kinds_growing_per_minute"]) == [
        "swig_wiredtiger.Cursor",
        "builtins.dict",
    ]
