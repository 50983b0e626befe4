"""`ailedger log`: recent events, newest last."""

from __future__ import annotations

import argparse
from typing import Any

HELP = """\
Show recent ledger events, newest last: a table for people, or the events
exactly as they travel (one JSON object per line) with --json.

examples:
  ailedger log
  ailedger log -n 100 --json | jq .payload.model
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("log", parents=[parent], help="show recent events",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--limit", type=int, default=20, help="how many events (default: 20)")
    p.add_argument("--json", action="store_true", help="one JSON event per line")
    p.set_defaults(run=run)


def summary(event_type: str, payload: dict[str, Any]) -> str:
    """One line of what an event says, for people."""
    if event_type == "acceptance":
        model = payload.get("model") or {}
        model_name = "/".join(x for x in (model.get("provider"), model.get("id")) if x) or "unknown model"
        line = payload["range"]["start"]["line"] + 1
        return f"{payload['kind']} {payload['path']}:{line} by {payload['tool']['name']} ({model_name})"
    if event_type == "review":
        return f"{payload['verdict']}: {', '.join(r[-8:] for r in payload['regionIds'])}"
    if event_type == "region-update":
        return f"{payload['reason']}: {payload['regionId'][-8:]} now {payload['path']}:{payload['range']['start']['line'] + 1}"
    if event_type == "region-move":
        return (f"moved ({payload['via']}): {payload['regionId'][-8:]} {payload['fromPath']} -> "
                f"{payload['path']}:{payload['range']['start']['line'] + 1}")
    if event_type == "region-ended":
        return f"{payload['reason']}: {payload['regionId'][-8:]}"
    if event_type == "reopen":
        return f"reopened {len(payload['regionIds'])} region(s): {payload['reason']}"
    return ""


def run(args: argparse.Namespace) -> int:
    import orjson

    from . import open_ledger

    with open_ledger(args, create=False) as ledger:
        events = ledger.recent(args.limit)
    if args.json:
        for event in events:
            print(orjson.dumps(event.to_wire()).decode())
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for column in ("time", "event", "actor", "what", "id"):
        table.add_column(column, overflow="fold")
    for event in events:
        content = event.content
        table.add_row(content["ts"][:19].replace("T", " "), event.type, content["actor"],
                      summary(event.type, content["payload"]), event.id)
    Console().print(table if events else "no events yet")
    return 0
