"""`xuthanh`: serve the API and maintain its database."""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from pymongo.errors import PyMongoError

from api.settings import ConfigurationError, Settings
from domains.kernel.errors import DomainError

if TYPE_CHECKING:  # the CLI imports what a command needs when it runs
    from domains.notifications.push import Sender

# The roles `xuthanh dev-token --role` accepts (the values of domains.kernel.auth.Role).
DEV_TOKEN_ROLES = (
    "citizen",
    "hospital_staff",
    "school_staff",
    "station_operator",
    "environment_staff",
    "admin",
)
# Roles `xuthanh grant` gives (domains.accounts.service.GRANTABLE).
GRANT_ROLES = DEV_TOKEN_ROLES[1:]


class ProgressBar:
    """A one-line progress display on stderr for long jobs."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.interactive = sys.stderr.isatty()
        self._last_percent = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent == self._last_percent and done != total:
            return
        self._last_percent = percent
        width = 30
        filled = width * percent // 100
        line = f"{self.label:<14} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if self.interactive:
            end = "\n" if done >= total else ""
            print(f"\r{line}", end=end, file=sys.stderr, flush=True)
        elif done >= total or percent % 25 == 0:
            print(line, file=sys.stderr, flush=True)


async def _with_database(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    from api.database import create_client, create_indexes
    from api.registry import REPOSITORIES

    client = create_client(settings)
    try:
        db = client[settings.mongodb_database]
        await create_indexes(db, REPOSITORIES)
        return await work(db)
    finally:
        await client.close()


async def _seed(db: Any, *, only_if_empty: bool, scale: str = "demo") -> int:
    from api.registry import MODULES, SEEDERS
    from domains.kernel.clock import utcnow

    marker = await db["meta"].find_one({"_id": "demo-data"})
    if only_if_empty and marker is not None:
        print(
            f"Demo data already loaded on {marker['loadedAt']:%Y-%m-%d %H:%M} UTC; "
            "run `xuthanh seed` to load it again.",
            file=sys.stderr,
        )
        return 0
    for name, seeder in SEEDERS:
        await seeder(db=db, progress=ProgressBar(name))
    await db["meta"].update_one({"_id": "demo-data"}, {"$set": {"loadedAt": utcnow()}}, upsert=True)
    print(f"Demo data loaded ({len(SEEDERS)} domains).", file=sys.stderr)
    if scale == "province":
        # Synthetic records at the province's real sizes, marked synthetic, beside the demo data.
        provinces = [(m.name, m.province_seeder) for m in MODULES if m.province_seeder]
        for name, seeder in provinces:
            await seeder(db=db, progress=ProgressBar(f"{name}*"))
        print(f"Synthetic province-scale data loaded ({len(provinces)} domains).", file=sys.stderr)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from api.app import create_app
    from api.arrival_order import ArrivalOrder

    app = create_app(settings, settle_heap=True)
    # ArrivalOrder tells connections apart by their peer, so it sits outside the rewrite of the
    # peer into the forwarded client's address (X-Forwarded-For, believed only from
    # FORWARDED_ALLOW_IPS), which uvicorn would otherwise do first.
    # (uvicorn's and Starlette's ASGI annotations describe the same calls under other names)
    forwarded = ProxyHeadersMiddleware(cast(Any, app), trusted_hosts=settings.forwarded_allow_ips)
    served = ArrivalOrder(cast(Any, forwarded))
    uvicorn.run(
        served,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,
        access_log=False,  # RequestContextMiddleware writes the access log (with request ids)
        proxy_headers=False,
    )
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(
        _with_database(
            settings, lambda db: _seed(db, only_if_empty=args.if_empty, scale=args.scale)
        )
    )


def cmd_create_indexes(settings: Settings, args: argparse.Namespace) -> int:
    async def report(db: Any) -> int:
        print("Indexes are in place.", file=sys.stderr)
        return 0

    return asyncio.run(_with_database(settings, report))


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:
    from api.schema import SCHEMA_PATH, build_schema, export_sdl

    schema = build_schema(settings)
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != schema.as_str() + "\n":
            print(f"{SCHEMA_PATH} is out of date: run `xuthanh export-schema`.", file=sys.stderr)
            return 1
        return 0
    print(f"Wrote {export_sdl(schema)}", file=sys.stderr)
    return 0


def cmd_persisted_queries(settings: Settings, args: argparse.Namespace) -> int:
    """The allow-list of production: hashes of graphql/operations and the assistant's queries."""
    from api.persisted import MANIFEST_PATH, manifest_text

    text = manifest_text()
    if args.check:
        if not MANIFEST_PATH.exists() or MANIFEST_PATH.read_text("utf-8") != text:
            print(
                f"{MANIFEST_PATH} is out of date: run `xuthanh persisted-queries`.", file=sys.stderr
            )
            return 1
        return 0
    MANIFEST_PATH.write_text(text, encoding="utf-8")
    print(f"Wrote {MANIFEST_PATH}", file=sys.stderr)
    return 0


def cmd_dev_token(settings: Settings, args: argparse.Namespace) -> int:
    from api.auth import mint_dev_token
    from domains.kernel.auth import Role

    if not settings.dev_tokens_active:
        print(
            "Development tokens are off here (APP_ENV=production or staging, or "
            "DEV_TOKENS_ENABLED=false).",
            file=sys.stderr,
        )
        return 2
    roles = [Role(role) for role in args.role]
    if Role.HOSPITAL_STAFF in roles and not args.hospital:
        print("--role hospital_staff needs --hospital ID.", file=sys.stderr)
        return 2
    if Role.SCHOOL_STAFF in roles and not args.school:
        print("--role school_staff needs --school ID.", file=sys.stderr)
        return 2
    if Role.STATION_OPERATOR in roles and not args.station:
        print("--role station_operator needs --station ID.", file=sys.stderr)
        return 2
    token = mint_dev_token(
        secret=settings.dev_secret,
        uid=args.uid,
        roles=roles,
        hospital_ids=args.hospital,
        school_ids=args.school,
        station_ids=args.station,
        ttl=timedelta(hours=args.hours),
    )
    print(token)
    return 0


def cmd_grant(settings: Settings, args: argparse.Namespace) -> int:
    from domains.accounts.service import bootstrap_grant
    from domains.kernel.auth import Role

    async def grant(db: Any) -> int:
        document = await bootstrap_grant(
            db=db,
            uid=args.uid,
            role=Role(args.role),
            hospital_id=args.hospital,
            school_id=args.school,
            station_id=args.station,
        )
        print(f"{document['_id']}: roles {', '.join(document['roles'])}", file=sys.stderr)
        return 0

    return asyncio.run(_with_database(settings, grant))


def cmd_import_procedures(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from domains.procedures.importer import ImportFileError, read_rows
    from domains.procedures.service import import_records

    try:
        rows = read_rows(Path(args.file))
    except ImportFileError as error:
        print(f"xuthanh: {error} Nothing was imported.", file=sys.stderr)
        return 2

    async def run(db: Any) -> int:
        report = await import_records(
            db=db, rows=rows, by="cli", progress=ProgressBar("procedures"), dry_run=args.dry_run
        )
        verb = "would be written" if args.dry_run else "written"
        print(
            f"{report.accepted} of {report.total} rows accepted and {verb} "
            f"({report.created} new, {report.updated} updated); {len(report.rejected)} rejected.",
            file=sys.stderr,
        )
        for rejection in report.rejected:
            code = f" (code {rejection.code})" if rejection.code else ""
            for problem in rejection.problems:
                print(f"  row {rejection.row}{code}: {problem}", file=sys.stderr)
        return 1 if report.rejected else 0

    return asyncio.run(_with_database(settings, run))


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    """Delete personal data past its retention that no TTL index expires (run daily)."""
    from api import registry
    from domains.kernel.clock import utcnow
    from domains.kernel.resources import Resources

    async def purge(db: Any) -> int:
        counts = await registry.purge(registry.wire(Resources(db=db)), utcnow())
        for name, count in counts.items():
            print(f"{name}: {count} purged", file=sys.stderr)
        return 0

    return asyncio.run(_with_database(settings, purge))


def cmd_rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    """Re-encrypt every field encrypted at rest under the first of FIELD_ENCRYPTION_KEYS."""
    from api import registry
    from domains.kernel.crypto import FIELD_CIPHER, FieldCipher, new_key_text, parse_keys
    from domains.kernel.resources import Resources

    if args.new_key:
        print(new_key_text(args.new_key))
        return 0
    if settings.is_production and (problems := settings.field_key_refusals()):
        raise ConfigurationError(problems[0])
    current, keys = parse_keys(settings.field_keys())

    async def rotate(db: Any) -> int:
        resources = registry.wire(Resources(db=db))
        resources.provide(FIELD_CIPHER, FieldCipher(current, keys))
        for name, count in (await registry.reencrypt(resources)).items():
            print(f"{name}: {count} values re-encrypted under key {current}", file=sys.stderr)
        return 0

    return asyncio.run(_with_database(settings, rotate))


def _push_sender(settings: Settings, app: Any, lease: timedelta) -> tuple["Sender", str]:
    """FCM with credentials (or the emulator's endpoint), else the development sink; and where
    the messages go, for the start-up line."""
    from domains.notifications.push import DevelopmentSink, FcmSender

    credentials = (
        settings.firebase_credentials_file
        or settings.google_application_credentials
        or settings.firebase_use_metadata_credentials
    )
    if settings.fcm_endpoint or credentials:
        # A request must end well inside the lease that lets other workers re-send it.
        sender = FcmSender(app, endpoint=settings.fcm_endpoint, timeout=lease.total_seconds() / 3)
        return sender, settings.fcm_endpoint or "Firebase Cloud Messaging"
    # settings.check() refuses production without credentials: this is development.
    return (
        DevelopmentSink(),
        "the DEVELOPMENT SINK (no Firebase credentials: nothing reaches a phone)",
    )


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    import gc
    import logging
    import signal

    from api import firebase, registry
    from api.database import create_client, create_indexes
    from domains.kernel import jobs
    from domains.kernel.resources import Resources
    from domains.notifications.worker import WorkerConfig, run_until_stopped

    config = WorkerConfig(
        max_attempts=settings.notification_max_attempts,
        lease=timedelta(seconds=settings.notification_lease_seconds),
        concurrency=args.concurrency or settings.notification_concurrency,
        device_recheck_after=timedelta(seconds=settings.notification_device_recheck_seconds),
    )
    app = firebase.initialize(settings)

    async def work() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        client = create_client(settings)
        try:
            db = client[settings.mongodb_database]
            await create_indexes(db, registry.REPOSITORIES)  # every domain's, as the API does
            sender, target = _push_sender(settings, app, config.lease)
            print(f"Notification worker delivering to {target}; Ctrl-C stops it.", file=sys.stderr)
            logging.getLogger("xuthanh.notifications").info("worker channel: %s", sender.channel)
            # What start-up built (modules, SDK, clients) lives until exit: frozen, the garbage
            # collector stops re-scanning it (GC: 1.7 s to 0.7 s per 10,000-message broadcast).
            gc.freeze()
            resources = registry.wire(Resources(db=db))
            # The domains' scheduled jobs (environment: air alerts without new readings).
            schedule = jobs.Schedule(registry.JOBS)
            await asyncio.gather(
                run_until_stopped(resources, sender, config, stop),
                jobs.run_until_stopped(resources, schedule, stop),
            )
        finally:
            await client.close()
        return 0

    try:
        return asyncio.run(work())
    finally:
        # After the loop: the FCM HTTP client was already closed on the loop that used it.
        firebase.close(app)


def _add_persisted_queries(commands: Any) -> None:
    persisted = commands.add_parser(
        "persisted-queries", help="write api/persisted_queries.json (the allow-list)"
    )
    persisted.add_argument("--check", action="store_true", help="fail if the file is out of date")
    persisted.set_defaults(handler=cmd_persisted_queries)


def _personal_data_commands(commands: Any) -> None:
    purge = commands.add_parser("purge", help="delete personal data past its retention (daily)")
    purge.set_defaults(handler=cmd_purge)
    rotate = commands.add_parser("rotate-key", help="re-encrypt fields under the first key")
    rotate.add_argument("--new-key", metavar="ID", help="print a new key `ID:...` and stop")
    rotate.set_defaults(handler=cmd_rotate_key)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xuthanh", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", help="bind address (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default PORT or 8000)")
    serve.set_defaults(handler=cmd_serve)

    seed = commands.add_parser("seed", help="load the demo data (idempotent)")
    seed.add_argument(
        "--if-empty", action="store_true", help="do nothing if demo data was loaded before"
    )
    seed.add_argument(
        "--scale",
        choices=("demo", "province"),
        default="demo",
        help="province: also synthetic records at the province's real sizes (for benchmarks)",
    )
    seed.set_defaults(handler=cmd_seed)

    indexes = commands.add_parser("create-indexes", help="create every index (idempotent)")
    indexes.set_defaults(handler=cmd_create_indexes)

    export = commands.add_parser("export-schema", help="write graphql/schema.graphql")
    export.add_argument("--check", action="store_true", help="fail if the file is out of date")
    export.set_defaults(handler=cmd_export_schema)
    _add_persisted_queries(commands)

    dev = commands.add_parser("dev-token", help="print a token for a development server")
    dev.add_argument("--uid", required=True)
    dev.add_argument("--role", action="append", default=[], choices=DEV_TOKEN_ROLES)
    for scope in ("hospital", "school", "station"):
        dev.add_argument(f"--{scope}", action="append", default=[], help=f"{scope} id (repeatable)")
    dev.add_argument("--hours", type=float, default=12.0, help="validity (default 12)")
    dev.set_defaults(handler=cmd_dev_token)

    grant = commands.add_parser("grant", help="grant a role, e.g. make the first admin")
    grant.add_argument("--uid", required=True, help="Firebase uid")
    grant.add_argument("--role", required=True, choices=GRANT_ROLES)
    for scope in ("hospital", "school", "station"):
        grant.add_argument(f"--{scope}")
    grant.set_defaults(handler=cmd_grant)
    procedures = commands.add_parser(
        "import-procedures",
        help="import procedures from a JSON array or CSV file (upsert by code; bad rows skipped)",
    )
    procedures.add_argument("file", help="a .json or .csv file (columns: docs/procedures.md)")
    procedures.add_argument(
        "--dry-run", action="store_true", help="validate and report without writing"
    )
    procedures.set_defaults(handler=cmd_import_procedures)
    _personal_data_commands(commands)
    worker = commands.add_parser("worker", help="deliver notifications, run scheduled jobs")
    worker.add_argument(
        "--concurrency", type=int, help="batches worked on at once, one on the wire (default 3)"
    )
    worker.set_defaults(handler=cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from api.observability import configure_logging

    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        configure_logging(settings.log_level)
        settings.check(api=args.command == "serve", serving=args.command in ("serve", "worker"))
        result: int = args.handler(settings, args)
        return result
    except ConfigurationError as error:
        print(f"xuthanh: {error}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"xuthanh: {error.message}", file=sys.stderr)
        return 2
    except PyMongoError as error:
        print(
            f"xuthanh: MongoDB error ({type(error).__name__}): {error}. Is MONGODB_URI "
            "right and the server running?",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
