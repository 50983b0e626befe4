"""`ailedger sync` and `ailedger status`: exchange events with the audit service."""

from __future__ import annotations

import argparse

HELP = """\
Push this device's events to the audit service and pull other people's
events for the repositories in this ledger, so their regions and reviews show
here. Endpoint and token come from $AILEDGER_ENDPOINT and $AILEDGER_TOKEN (or
[sync] endpoint/token in ~/.config/ailedger/config.toml; never from a file in
the repository). Plain http is refused except to loopback.

examples:
  AILEDGER_ENDPOINT=https://audit.example.com AILEDGER_TOKEN=ail_... ailedger sync
  ailedger sync --push-only
  ailedger status
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[parent], help="push and pull events to the audit service",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--push-only", action="store_true")
    p.set_defaults(run=run)
    s = sub.add_parser("status", parents=[parent], help="what is waiting to sync", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.set_defaults(run=run_status)


def run(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from ..sync.client import endpoint_from_environment, pull, push
    from . import open_ledger

    endpoint = endpoint_from_environment()
    with open_ledger(args) as ledger, Progress(transient=True) as bar:
        task = bar.add_task("pushing", total=None)
        result = push(ledger, endpoint, progress=lambda done, total: bar.update(task, completed=done, total=total))
        pulled = 0
        if not args.push_only:
            from pathlib import Path

            from ..ledger.identity import repo_of_folder

            here = repo_of_folder(Path.cwd()).repo  # the repository you run it in, too
            pulled = pull(ledger, endpoint, sorted(set(ledger.repos()) | {here}))
    print(f"pushed {result.pushed} event(s) ({result.duplicates} already there), pulled {pulled}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from ..sync.client import endpoint_from_environment, status
    from . import open_ledger

    endpoint = endpoint_from_environment()
    with open_ledger(args, create=False) as ledger:
        s = status(ledger, endpoint.url)
    print(f"endpoint: {s['endpoint']}\npending: {s['pending']} event(s)\n"
          f"last success: {s['lastSuccess'] or 'never'}\nlast error: {s['lastError'] or 'none'}")
    return 0
