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
