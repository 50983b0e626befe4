"""`ailedger serve`: the organisation's audit service."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = """\
Run the audit service that ledgers sync to: an HTTP API under /v1/ on an
embedded SQLite file (in --data, default ${XDG_DATA_HOME:-~/.local/share}/ailedger/service).
It checks every device's hash chain as events arrive (a gap, fork or altered
event is refused with 409 and kept as a tamper alert) and signs checkpoints
with its own Ed25519 key, created on first start.

On PostgreSQL (--database-url) any number of these processes may serve the
same database behind a load balancer: correctness lives in the database.
Give them the same service key (one --data folder, or a copy of its
service-key.pem). /healthz says alive, /readyz says the database answers and
its schema is current, /metrics is for Prometheus; one JSON line per request
goes to stderr. SIGTERM stops taking connections and finishes what is in
flight (up to --drain seconds).

examples:
  ailedger serve                                 127.0.0.1:8765, embedded SQLite
  ailedger serve --host 0.0.0.0 --port 9000 --data /srv/ailedger
  ailedger serve --database-url postgresql://audit@db/ailedger --pool 20
  ailedger serve token create --user lead@example.com --role lead
  ailedger serve token revoke ail_...            refused by every replica at once
  ailedger serve export --before 2026-07-01 --out 2026-h1.jsonl --drop --database-url postgresql://audit@db/ailedger
  ailedger serve export --verify 2026-h1.jsonl   recheck an export's chains and checkpoints
"""

EXPORT_HELP = """\
Write every event received before DATE's month (whole months only) as JSON
Lines that verify on their own: each device's chain in seq order with its
hashes, and a checkpoint of its last exported event signed with the service's
key (run it with the replicas' --data folder, or a copy of service-key.pem).
Progress goes to stderr.

With --drop (PostgreSQL only: its events are partitioned by month) the file
is written, fsynced, read back and verified, and then those months'
partitions are detached and dropped. Devices' heads stay, so chains continue;
pulls from a cursor inside the dropped months continue from the oldest kept
event. On the embedded SQLite backend export works and --drop is refused.

examples:
  ailedger serve export --before 2026-07-01 --database-url postgresql://audit@db/ailedger --out 2026-h1.jsonl
  ailedger serve export --before 2026-07-01 --database-url postgresql://audit@db/ailedger --out 2026-h1.jsonl --drop
  ailedger serve export --before 2026-03-01 | gzip > early.jsonl.gz      embedded SQLite, to stdout
  ailedger serve export --verify 2026-h1.jsonl
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", help="run the audit service", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--data", type=Path, help="folder for the service's database and key")
    p.add_argument("--database-url", metavar="URL", help="postgresql://... instead of the embedded SQLite file")
    p.add_argument("--pool", type=int, default=10, metavar="N", help="PostgreSQL connections per process (10)")
    p.add_argument("--drain", type=float, default=30, metavar="SECONDS",
                   help="on SIGTERM, wait this long for requests in flight (30)")
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    p.set_defaults(run=run)
    actions = p.add_subparsers(dest="serve_action", metavar="{token,export}")
    token = actions.add_parser("token", help="manage access tokens")
    token_actions = token.add_subparsers(dest="token_action", metavar="{create,revoke}", required=True)
    create = token_actions.add_parser("create", help="create a token; prints it alone on stdout",
                                      description="Create a bearer token for a user (stored hashed; shown once).")
    create.add_argument("--user", required=True, metavar="EMAIL")
    create.add_argument("--role", choices=("reviewer", "lead", "admin"), default="reviewer")
    create.add_argument("--org", default="default", help="organisation (default: default)")
    create.add_argument("--data", type=Path, dest="token_data", help="as for serve")
    create.add_argument("--database-url", dest="token_database_url", metavar="URL", help="as for serve")
    create.set_defaults(run=run_token)
    revoke = token_actions.add_parser("revoke", help="revoke a token", description=(
        "Revoke a token: every replica refuses it from its next request.\n\nexample:\n"
        "  ailedger serve token revoke ail_... --database-url postgresql://audit@db/ailedger"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    revoke.add_argument("token", metavar="TOKEN")
    revoke.add_argument("--data", type=Path, dest="token_data", help="as for serve")
    revoke.add_argument("--database-url", dest="token_database_url", metavar="URL", help="as for serve")
    revoke.set_defaults(run=run_revoke)
    export = actions.add_parser("export", help="export old months as verifiable JSON Lines (and drop them)",
                                description=EXPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--before", metavar="DATE", help="YYYY-MM-DD: events received before the start of its month")
    export.add_argument("--out", default="-", metavar="FILE", help="where to write (default -: stdout)")
    export.add_argument("--drop", action="store_true", help="then drop those months (PostgreSQL; needs --out FILE)")
    export.add_argument("--verify", type=Path, metavar="FILE", help="only recheck an export file")
    export.add_argument("--data", type=Path, dest="export_data", help="as for serve (the service key is read there)")
    export.add_argument("--database-url", dest="export_database_url", metavar="URL", help="as for serve")
    export.set_defaults(run=run_export)


def data_dir(flag: Path | None) -> Path:
    from ..paths import data_home

    return flag if flag else data_home() / "service"


def _tune_gc() -> None:
    """Fewer collections of the young generation, and none of what start-up made.
    Parsing a push makes some fifteen containers an event, none in a cycle: at
    the default threshold (a collection every 700) a batch of 1,000 ran some
    twenty collections that freed nothing, a tenth of a replica's CPU (measured
    by bench/service_scale.py, replica CPU against PostgreSQL's). The objects
    of start-up (modules, the app) are frozen, so the full collections that
    remain do not walk them."""
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..sync.service.app import create_app
    from ..sync.service.keys import ServiceKey
    from ..sync.service.observe import setup_logging

    folder = data_dir(args.data)
    setup_logging(args.log_level.upper())
    storage = _open(folder, args.database_url, args.pool)
    app = create_app(storage, ServiceKey.load_or_create(folder / "service-key.pem"))
    _tune_gc()
    where = "PostgreSQL" if args.database_url else f"SQLite in {folder}"
    print(f"ailedger audit service on http://{args.host}:{args.port} ({where}; key in {folder})", flush=True)
    try:
        # uvicorn handles SIGTERM: it stops accepting, then lets requests in flight finish.
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                    timeout_graceful_shutdown=args.drain)
    finally:
        storage.close()
    return 0


def run_token(args: argparse.Namespace) -> int:
    folder = data_dir(args.token_data or args.data)
    storage = _open(folder, args.token_database_url or args.database_url)
    print(storage.create_token(args.user, args.role, args.org))
    storage.close()
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from ..cli import UsageError

    storage = _open(data_dir(args.token_data or args.data), args.token_database_url or args.database_url)
    try:
        if not storage.revoke_token(args.token):
            raise UsageError("no such token (already revoked, or never created here)")
    finally:
        storage.close()
    print("revoked")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from ..cli import UsageError
    from ..sync.service import archive
    from ..sync.service.keys import ServiceKey

    if args.verify:
        summary = archive.verify_file(args.verify)
        print(f"{args.verify}: {summary.events} events of {summary.devices} devices received before "
              f"{summary.before} ({', '.join(summary.months)}): chains and checkpoints verify")
        return 0
    if not args.before:
        raise UsageError("serve export: give --before DATE (or --verify FILE)")
    folder = data_dir(args.export_data or args.data)
    storage = _open(folder, args.export_database_url or args.database_url)
    try:
        summary = archive.export(storage, ServiceKey.load_or_create(folder / "service-key.pem"), args.before,
                                 args.out, args.drop, archive.stderr)
    finally:
        storage.close()
    if args.out != "-":
        print(f"{args.out}: {summary.events} events of {summary.devices} devices"
              + (", months dropped" if args.drop else ""))
    return 0


def _open(folder: Path, database_url: str | None, pool: int = 2):  # type: ignore[no-untyped-def]
    from ..cli import UsageError
    from ..sync.service.storage import open_storage

    try:
        return open_storage(folder, database_url, pool)
    except ConnectionError as err:
        raise UsageError(f"--database-url: {err}") from None
