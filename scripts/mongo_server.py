"""Start, wait for, and find a port for the embedded MongoDB-protocol server (SecantusDB).

SecantusDB is a test and local-run surrogate for MongoDB (GPL-2.0): it always runs as its own
process, never imported by the app. Used by scripts/run.sh, scripts/test.sh and tests/conftest.py.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

HERE = Path(__file__).resolve().parent
EMPTY_CONFIG = HERE / "secantusd.toml"
# WiredTiger's cache. SecantusDB's memory grows with the data it reads and writes until the
# cache is full (a write-heavy script: with 32 MB it levelled off at ~140 MB RSS; with 256 MB it
# was still growing past 540 MB; README, "Soak"). An in-memory store (the tests') must fit in it.
CACHE_SIZE = "256M"
# glibc's allocator: SecantusDB serves each connection on its own thread, and with the default
# 8 arenas per core freed memory stays spread over many arenas. Two: RSS 20% lower at the same
# data with a 32 MB cache (5% with 256 MB), at no throughput cost we could measure.
ALLOCATOR = {"MALLOC_ARENA_MAX": "2"}
# The URI options a local server's long-lived clients get (see uri_for); scripts/run.sh too.
# SecantusDB closes a client connection idle for 300 s (secantus/server.py,
# DEFAULT_CLIENT_IDLE_TIMEOUT_S); a pooled connection the driver takes just as the server closes
# it fails the command, and without retried writes a write fails outright (the soak, session 7:
# one sendChatMessage, AutoReconnect "connection is already closed"). The driver closes its
# connections idle for a minute first. mongod closes no idle connection.
LOCAL_CLIENT_OPTIONS = "retryWrites=false&maxIdleTimeMS=60000"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def uri_for(port: int, *, retry_writes: bool = True) -> str:
    """The URI of a server started here. ``retry_writes=False`` for long-lived local servers that
    no test of the driver's retries uses (benches, the soak, `make run`): SecantusDB keeps the
    reply of every retryable write for 30 minutes, up to 10,000, and scans them all on each
    write (past the cap ~7 ms of its CPU per write instead of ~0.5; README, "Soak"); their
    clients also close connections idle for a minute (``LOCAL_CLIENT_OPTIONS``). Production and
    the tests keep the driver's defaults (retried writes)."""
    uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    return uri if retry_writes else f"{uri}&{LOCAL_CLIENT_OPTIONS}"


def environment() -> dict[str, str]:
    """The server's environment: ours, with the allocator settings unless already chosen."""
    return {**ALLOCATOR, **os.environ}


def command(
    *,
    port: int,
    storage: str,
    test_commands: bool = False,
    cache_size: str = CACHE_SIZE,
    oplog_max_entries: int | None = None,
    launcher: Sequence[str] = (),
) -> list[str]:
    """The server's command line. ``oplog_max_entries``: its oplog's cap (SecantusDB keeps 1 hour
    or 100,000 entries by default). ``launcher``: a program that runs the server in its own
    process and takes the server's arguments after its own (bench/soak_probe.py), instead of
    ``secantusd-py``."""
    executable = Path(sys.executable).with_name("secantusd-py")
    # An explicit (empty) config stops SecantusDB from picking up a stray ./secantusd.toml.
    args = [
        *(launcher or [str(executable)]),
        "--config",
        str(EMPTY_CONFIG),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        storage,
        "--log-level",
        "WARNING",
        "--cache-size",
        cache_size,
    ]
    if test_commands:
        args.append("--enable-test-commands")
    if oplog_max_entries is not None:
        args += ["--oplog-max-entries", str(oplog_max_entries)]
    return args


def wait_until_ready(
    uri: str, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"SecantusDB exited with code {process.returncode} before it was "
                "ready; see its log."
            )
        try:
            with MongoClient(uri, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
                return
        except PyMongoError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"SecantusDB at {uri} did not answer within {timeout:.0f}s."
                ) from None
            time.sleep(0.2)


def start(
    *,
    port: int,
    storage: str,
    log_path: Path,
    test_commands: bool = False,
    cache_size: str = CACHE_SIZE,
    oplog_max_entries: int | None = None,
    launcher: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """Start the server and return once it answers ping (see ``command`` for the options)."""
    if port_in_use(port):
        raise RuntimeError(
            f"Port {port} is already in use: stop what runs there or choose "
            "another port (MONGO_PORT)."
        )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command(
                port=port,
                storage=storage,
                test_commands=test_commands,
                cache_size=cache_size,
                oplog_max_entries=oplog_max_entries,
                launcher=launcher,
            ),
            env=environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=log_path.parent,
            start_new_session=True,
        )
    try:
        wait_until_ready(uri_for(port), process=process)
    except BaseException:
        process.terminate()
        process.wait(10)
        raise
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("free-port", help="print a free TCP port on 127.0.0.1")
    in_use = sub.add_parser("port-in-use", help="exit 0 when something listens on the port")
    in_use.add_argument("--port", type=int, required=True)
    wait = sub.add_parser("wait", help="wait until a server answers ping")
    wait.add_argument("--uri", required=True)
    wait.add_argument("--timeout", type=float, default=30.0)
    wait.add_argument("--pid", type=int, help="fail early if this process dies")
    exec_ = sub.add_parser("exec", help="replace this process with the server")
    exec_.add_argument("--port", type=int, required=True)
    exec_.add_argument("--storage", required=True, help="directory, or :memory:")
    exec_.add_argument("--test-commands", action="store_true")
    exec_.add_argument("--cache-size", default=CACHE_SIZE, help=f"default {CACHE_SIZE}")
    args = parser.parse_args()
    if args.action == "free-port":
        print(free_port())
        return 0
    if args.action == "port-in-use":
        return 0 if port_in_use(args.port) else 1
    if args.action == "wait":
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if args.pid is not None:
                try:
                    os.kill(args.pid, 0)
                except ProcessLookupError:
                    print("SecantusDB exited before it was ready; see its log.", file=sys.stderr)
                    return 1
            try:
                wait_until_ready(args.uri, timeout=1.0)
                return 0
            except RuntimeError:
                continue
        print(
            f"SecantusDB at {args.uri} did not answer within {args.timeout:.0f}s.", file=sys.stderr
        )
        return 1
    if port_in_use(args.port):
        print(
            f"Port {args.port} is already in use: stop what runs there or set MONGO_PORT.",
            file=sys.stderr,
        )
        return 1
    argv = command(
        port=args.port,
        storage=args.storage,
        test_commands=args.test_commands,
        cache_size=args.cache_size,
    )
    os.execve(argv[0], argv, environment())


if __name__ == "__main__":
    sys.exit(main())
