"""`ailedger check`: the CI gate."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..placement.gate import GateResult

HELP = """\
Check that the AI-written code in this working copy meets the repository's
policy (.ailedger.toml): reviewed by enough of the right people, not past its
tier's deadline, with the provenance the tier requires, and, where the tier
is approved-only, from a model and tool a [[provider]] approves. In CI, bring the
ledger from the audit service first (`ailedger sync`).

Regions are found wherever their code is now: a renamed file, a function
moved to another file, a copy (each place counts). A move found here is
recorded once in the ledger (a `region-move` event), so reports and, after
sync, the dashboard name the new path.

exit status: 0 the working copy meets the policy; 1 something falls short
(listed, one line each); 2 usage or policy error (a broken .ailedger.toml,
no ledger).

examples:
  ailedger check
  ailedger check path/to/checkout --json
  AILEDGER_DB=ci-ledger.db ailedger sync && AILEDGER_DB=ci-ledger.db ailedger check
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("check", parents=[parent], help="CI gate: does the code meet the policy? (exit 0/1/2)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", nargs="?", default=".", metavar="PATH", help="the working copy (default: here)")
    p.add_argument("--json", action="store_true", help="the result as one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from .. import policy as policies
    from ..placement.gate import check
    from ..ledger.identity import repo_of_folder
    from ..paths import resolve_db
    from . import UsageError, open_ledger

    folder = Path(args.path).resolve()
    if not folder.is_dir():
        raise UsageError(f"{args.path}: no such folder")
    ref = repo_of_folder(folder)
    policy = policies.at(ref.root)  # PolicyError: exit 2, naming file, line and key
    db = resolve_db(args.db)
    if not Path(db).exists():
        raise UsageError(f"no ledger at {db}: nothing to check against (in CI, `ailedger sync` from the "
                         "audit service first, or pass --db)")
    with open_ledger(args, create=False) as ledger:
        result = check(ledger, ref, policy)
    if args.json:
        import orjson

        sys.stdout.write(orjson.dumps(_as_json(result), option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0 if result.passed else 1
    where = f"{policy.source.name} (policy {policy.version})" if policy.source else "the default policy (no .ailedger.toml)"
    for s in result.shortfalls:
        mark = "FAIL" if s.blocking else "pending"
        detail = f": {s.finding.message}" if s.finding.message else ": no review yet"
        print(f"{mark:7} {s.path}:{s.first_line}-{s.last_line} {s.finding.code} [tier {s.rules.name}]{detail}"
              f" (accepted by {s.row['accepted_by']}, {s.row['tool_name']})")
    failing = sum(s.blocking for s in result.shortfalls)
    if result.passed:
        pending = len(result.shortfalls)
        note = f"; {pending} pending within their tier's deadline" if pending else ""
        print(f"ok: {result.regions} AI region{'s' if result.regions != 1 else ''} in {ref.root.name} meet {where}{note}")
        return 0
    print(f"{failing} blocking finding{'s' if failing != 1 else ''} on {result.regions} AI region"
          f"{'s' if result.regions != 1 else ''}: this working copy falls short of {where}", file=sys.stderr)
    return 1


def _as_json(result: "GateResult") -> dict[str, object]:
    return {
        "passed": result.passed,
        "policy": result.policy.version,
        "regions": result.regions,
        "notInWorkingCopy": result.missing,
        "findings": [{
            "path": s.path, "lines": [s.first_line, s.last_line], "code": s.finding.code,
            "message": s.finding.message, "tier": s.rules.name, "blocking": s.blocking,
            "regionId": s.row["region_id"], "acceptedBy": s.row["accepted_by"],
        } for s in result.shortfalls],
    }
