"""`ailedger verify`: walk the hash chains and name the first bad event."""

from __future__ import annotations

import argparse

HELP = """\
Check that the ledger is intact: every event matches its hash, every device's
chain is complete and in order, and each chain still reaches the head that
the last successful verify (or the audit service's signed checkpoint)
vouched for. Exit 0 when intact; exit 1 naming the first bad event and
whether it was edited, deleted, reordered, truncated or forked.

On success the heads are recorded as anchors, so that a later truncation or a
chain rewritten from the middle (which a walk alone cannot see) is caught.

examples:
  ailedger verify
  ailedger verify --db /backups/ledger.db --no-anchor
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("verify", parents=[parent], help="check the ledger's hash chains",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--no-anchor", action="store_true", help="do not record the verified heads as anchors")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from ..ledger.errors import CorruptLedger
    from . import open_ledger

    try:
        ledger = open_ledger(args, create=False)
    except CorruptLedger as err:
        print(f"ailedger verify: FAILED: {err}", file=sys.stderr)
        return 1
    with ledger:
        report = ledger.verify(anchor=not args.no_anchor)
    if report.problem is not None:
        print(f"ailedger verify: FAILED: {report.problem}", file=sys.stderr)
        return 1
    chains = len(report.heads)
    anchored = f"; checked against {report.anchored} anchor(s)" if report.anchored else (
        "; no anchor yet (this run records one)" if not args.no_anchor else "")
    print(f"ok: {report.events} event(s) in {chains} chain(s), intact{anchored}")
    return 0
