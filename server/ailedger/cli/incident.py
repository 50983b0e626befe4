"""`ailedger incident`: what did that faulty model (or tool) write, and the
incident as a record: opened, reported to the provider, closed."""

from __future__ import annotations

import argparse
from typing import Any

HELP = """\
Incident response. `incident open` records an incident (a faulty model or
tool version): every region it wrote is put back under review in every
ledger the event reaches (it syncs to the audit service, and every open
editor shows those regions as `ai-reopened` with the reason). The provider's
terms come from the [[provider]] table of .ailedger.toml here: the contract
and, with `defect-response`, when the provider's answer is due. `incident
report` writes the defect report for the provider; `incident close` records
the outcome.

Without a subcommand: list every region a model (or tool) wrote, with its
status and location; with --reopen, reopen them (no incident record).

examples:
  ailedger incident open --model openai/gpt-4.1@2025-04-14 --reason "CVE-2026-1234: SQL built by string formatting"
  ailedger incident open --tool copilot@1.250.0 --since 2026-11-01 --reason "inserts code into the wrong file"
  ailedger incident list
  ailedger incident report INC-7F3K2Q9M --format markdown > defect-report.md
  ailedger incident report INC-7F3K2Q9M --format json --include-code
  ailedger incident close INC-7F3K2Q9M --resolution "fixed in 2025-05-01; affected code re-reviewed"
  ailedger incident --model anthropic/claude-sonnet-4 --since 2026-11-01
  ailedger incident --tool copilot@1.250.0 --reopen --reason "CVE-2026-1234: insecure defaults"
"""


def _suspect(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="PROVIDER/ID[@VERSION]", help="the model (version optional)")
    p.add_argument("--tool", metavar="NAME[@VERSION]", help="the integrating tool (version optional)")
    p.add_argument("--since", metavar="DATE", help="accepted on or after (YYYY-MM-DD)")


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser("incident", parents=[parent], help="incidents: open, list, report, close; find what a model wrote",
                       description=HELP, formatter_class=fmt)
    _suspect(p)
    p.add_argument("--reopen", action="store_true", help="put the regions back under review")
    p.add_argument("--reason", help="why (required with --reopen)")
    p.add_argument("--json", action="store_true", help="one JSON object per region")
    p.set_defaults(run=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    o = actions.add_parser("open", parents=[parent], help="record an incident and reopen what it wrote",
                           description=HELP, formatter_class=fmt)
    _suspect(o)
    o.add_argument("--reason", required=True, help="what is wrong (shown in every editor and in the report)")
    o.set_defaults(run=run_open)
    ls = actions.add_parser("list", parents=[parent], help="every incident, open and closed", description=HELP,
                            formatter_class=fmt)
    ls.add_argument("--json", action="store_true", help="one JSON object per incident")
    ls.set_defaults(run=run_list)
    r = actions.add_parser("report", parents=[parent], help="the defect report for the provider", description=HELP,
                           formatter_class=fmt)
    r.add_argument("id", metavar="ID")
    r.add_argument("--format", choices=("markdown", "json"), default="markdown")
    r.add_argument("--include-code", action="store_true",
                   help="add the accepted text (secrets already masked) of the example locations")
    r.set_defaults(run=run_report)
    c = actions.add_parser("close", parents=[parent], help="record an incident's outcome", description=HELP,
                           formatter_class=fmt)
    c.add_argument("id", metavar="ID")
    c.add_argument("--resolution", required=True, help="what was found and done")
    c.set_defaults(run=run_close)


def _scope(args: argparse.Namespace) -> dict[str, Any]:
    from . import UsageError
    from .specs import model_spec, tool_spec

    if not (args.model or args.tool):
        raise UsageError("name the suspect: --model PROVIDER/ID[@VERSION] and/or --tool NAME[@VERSION]")
    if args.since:
        from datetime import date

        try:
            date.fromisoformat(args.since[:10])
        except ValueError:
            raise UsageError(f"--since {args.since!r}: expected a date, YYYY-MM-DD") from None
    scope: dict[str, Any] = {}
    if args.model:
        scope["model"] = model_spec(args.model)
    if args.tool:
        scope["tool"] = tool_spec(args.tool)
    if args.since:
        scope["since"] = args.since
    return scope


def run(args: argparse.Namespace) -> int:
    import orjson

    from ..placement.describe import model_name, tool_name
    from ..ledger.identity import current_user
    from ..ledger.projection import in_scope
    from . import UsageError, open_ledger

    scope = _scope(args)
    if args.reopen and not args.reason:
        raise UsageError("--reopen needs --reason (it is recorded for everyone who sees the region)")
    with open_ledger(args, create=False) as ledger:
        rows = [r for r in ledger.regions() if r["status"] != "ended" and in_scope(r, scope)]
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


def run_open(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone
    from pathlib import Path

    from .. import incidents, policy as policies
    from ..ledger.identity import current_user, repo_of_folder
    from . import open_ledger

    scope = _scope(args)
    policy = policies.at(repo_of_folder(Path.cwd()).root)  # PolicyError: exit 2, nothing recorded
    now = datetime.now(timezone.utc)
    user = current_user()
    payload: dict[str, Any] = {"incidentId": incidents.new_id(), "scope": scope, "reason": args.reason,
                               "openedBy": user, "openedAt": now,
                               "policy": policy.ref() if policy.source is not None else None}
    terms = policy.provider((scope.get("model") or {}).get("provider"))
    if terms is not None:
        payload["provider"] = dict(terms.terms(), due=now + terms.defect_response if terms.defect_response else None)
    with open_ledger(args, create=False) as ledger:
        event = ledger.append("incident-open", payload, actor=user)
        found = incidents.counts([r for r in ledger.regions() if r["reopened"] == event.id])
        sent = _send(ledger)
    print(f"opened {payload['incidentId']}: {incidents.scope_text(scope)}")
    print(f"{found['regions']} region(s) reopened in {found['repositories']} repositor{'y' if found['repositories'] == 1 else 'ies'} here "
          f"(every ledger that syncs reopens its own)")
    if terms is not None:
        due = payload["provider"]["due"]
        print(f"provider {terms.name}: contract {terms.contract or 'none on record'}"
              + (f"; answer due {due:%Y-%m-%d %H:%M} UTC ({terms.terms()['defectResponse']})" if due else ""))
    print(sent)
    return 0


def _send(ledger: Any) -> str:
    """Push at once: an incident is for everyone, now. Offline, the next sync sends it."""
    from ..sync.client import Retry, SyncError, endpoint_from_environment, push

    try:
        endpoint = endpoint_from_environment()
    except SyncError:
        return "no audit service configured: only this ledger knows (run `ailedger sync` once one is)"
    try:
        push(ledger, endpoint, retry=Retry(attempts=2))
    except Exception as err:  # the event is stored; the outbox keeps it until the service takes it
        return f"not sent yet ({err}); the next `ailedger sync` sends it"
    return f"sent to {endpoint.url}"


def _incidents(ledger: Any) -> dict[str, Any]:
    from .. import incidents

    return incidents.from_events((e.id, e.type, e.content["payload"])
                                 for e in ledger.events_of("incident-open", "incident-close"))


def _find(ledger: Any, incident_id: str) -> Any:
    from . import UsageError

    known = _incidents(ledger)
    if incident_id not in known:
        shown = ", ".join(list(known)[-5:]) or "none in this ledger (`ailedger sync` brings the organisation's)"
        raise UsageError(f"no incident {incident_id} (known: {shown})")
    return known[incident_id]


def run_list(args: argparse.Namespace) -> int:
    import orjson

    from .. import incidents
    from . import open_ledger

    with open_ledger(args, create=False) as ledger:
        known = _incidents(ledger)
        rows = ledger.regions() if known else []
    for inc in known.values():
        hit = incidents.counts(incidents.affected(rows, inc))
        if args.json:
            print(orjson.dumps({"id": inc.id, "status": inc.status, "scope": incidents.scope_text(inc.scope),
                                "reason": inc.reason, "openedBy": inc.opened_by, "openedAt": inc.opened_at,
                                "answerDue": inc.due, "resolution": (inc.closed or {}).get("resolution"),
                                **hit}).decode())
        else:
            due = f", answer due {inc.due[:16].replace('T', ' ')}" if inc.due and not inc.closed else ""
            print(f"{inc.id}  {inc.status:6}  {incidents.scope_text(inc.scope)}: {inc.reason}  "
                  f"({hit['regions']} regions, {hit['pendingReview']} awaiting review; opened by {inc.opened_by} "
                  f"{inc.opened_at[:10]}{due})")
    if not args.json:
        print(f"{len(known)} incident(s), {sum(i.status == 'open' for i in known.values())} open")
    return 0


def run_report(args: argparse.Namespace) -> int:
    import sys

    import orjson

    from .. import incidents
    from . import open_ledger

    with open_ledger(args, create=False) as ledger:
        inc = _find(ledger, args.id)
        rows = incidents.affected(ledger.regions(), inc)
        texts = None
        if args.include_code:
            shown = sorted(rows, key=lambda r: r["accepted_at"])[:incidents.EXAMPLES]
            texts = {r["region_id"]: _accepted_text(ledger, r) for r in shown}
    rep = incidents.report(inc, rows, texts)
    if args.format == "json":
        sys.stdout.write(orjson.dumps(rep, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(incidents.markdown(rep))
    return 0


def _accepted_text(ledger: Any, row: dict[str, Any]) -> str | None:
    event = ledger.event(row["accepted_event"])
    return event.content["payload"].get("text") if event else None


def run_close(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from ..ledger.identity import current_user
    from . import UsageError, open_ledger

    with open_ledger(args, create=False) as ledger:
        inc = _find(ledger, args.id)
        if inc.closed:
            raise UsageError(f"{inc.id} was closed by {inc.closed['closedBy']} at {inc.closed['closedAt']}: "
                             f"{inc.closed['resolution']}")
        user = current_user()
        ledger.append("incident-close", {"incidentId": inc.id, "resolution": args.resolution, "closedBy": user,
                                         "closedAt": datetime.now(timezone.utc)}, actor=user)
        sent = _send(ledger)
    print(f"closed {inc.id}: {args.resolution}")
    print(sent)
    return 0
