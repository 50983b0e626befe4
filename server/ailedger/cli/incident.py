"""`ailedger incident`: what did that faulty model (or tool) write?"""

from __future__ import annotations

import argparse

HELP = """\
Incident response. List every region a model (or tool) wrote, with its
status and location; with --reopen, record an event that puts them back
under review everywhere: the diagnostic returns as `ai-reopened` in every
editor, teammates' too once they sync.

examples:
  ailedger incident --model openai/gpt-4.1@2025-04-14
  ailedger incident --model anthropic/claude-sonnet-4 --since 2026-11-01
  ailedger incident --tool copilot@1.250.0 --reopen --reason "CVE-2026-1234: insecure defaults"
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("incident", parents=[parent], help="find (and reopen) what a model or tool wrote",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", metavar="PROVIDER/ID[@VERSION]", help="the model (version optional)")
    p.add_argument("--tool", metavar="NAME[@VERSION]", help="the integrating tool (version optional)")
    p.add_argument("--since", metavar="DATE", help="accepted on or after (YYYY-MM-DD)")
    p.add_argument("--reopen", action="store_true", help="put the regions back under review")
    p.add_argument("--reason", help="why (required with --reopen)")
    p.add_argument("--json", action="store_true", help="one JSON object per region")
    p.set_defaults(run=run)


def affected(row: dict, args: argparse.Namespace) -> bool:
    """Did the named model or tool write this region? Parts left out match anything."""
    from .specs import model_spec, tool_spec

    wanted = []
    if args.model:
        m = model_spec(args.model)
        wanted += [("model_provider", m["provider"]), ("model_id", m["id"]), ("model_version", m["version"])]
    if args.tool:
        t = tool_spec(args.tool)
        wanted += [("tool_name", t["name"]), ("tool_version", t["version"])]
    if any(value is not None and row[column] != value for column, value in wanted):
        return False
    return not (args.since and row["accepted_at"] < args.since)


def run(args: argparse.Namespace) -> int:
    import orjson

    from ..placement.describe import model_name, tool_name
    from ..ledger.identity import current_user
    from . import UsageError, open_ledger

    if not (args.model or args.tool):
        raise UsageError("name the suspect: --model PROVIDER/ID[@VERSION] and/or --tool NAME[@VERSION]")
    if args.reopen and not args.reason:
        raise UsageError("--reopen needs --reason (it is recorded for everyone who sees the region)")
    with open_ledger(args, create=False) as ledger:
        rows = [r for r in ledger.regions() if r["status"] != "ended" and affected(r, args)]
        if args.reopen and rows:
            user = current_user()
            ledger.append("reopen", {"regionIds": [r["region_id"] for r in rows], "reason": args.reason}, actor=user)
            rows = [ledger.region(r["region_id"]) for r in rows]
    for r in rows:
        if args.json:
            print(orjson.dumps({"regionId": r["region_id"], "repo": r["repo"], "path": r["path"],
                                "line": r["start_line"] + 1, "status": r["status"], "model": model_name(r),
                                "tool": tool_name(r), "acceptedBy": r["accepted_by"]}).decode())
        else:
            print(f"{r['repo']}:{r['path']}:{r['start_line'] + 1}  {r['status']}  {model_name(r)} via "
                  f"{tool_name(r)}, accepted by {r['accepted_by']}  {r['region_id']}")
    if not args.json:
        verb = "reopened" if args.reopen else "found"
        print(f"{len(rows)} region(s) {verb}")
    return 0
