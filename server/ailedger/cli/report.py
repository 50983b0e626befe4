"""`ailedger report`: regions over a repository or the whole ledger."""

from __future__ import annotations

import argparse

HELP = """\
Report AI-written regions from the ledger, filtered by repository, path,
author, tool, model, status and date, as a table, JSON, CSV or SARIF 2.1.0
(one result per region that needs a review, for code-scanning tools).

examples:
  ailedger report
  ailedger report --status unreviewed --format sarif > ailedger.sarif
  ailedger report --model openai/gpt-4.1 --since 2026-11-01 --format csv
"""

FORMATS = ("table", "json", "csv", "sarif")


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[parent], help="report regions (table, json, csv, sarif)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--repo", help="repository identity (default: all)")
    p.add_argument("--path", help="a path inside the repository, or a folder (prefix)")
    p.add_argument("--author", help="who accepted it")
    p.add_argument("--tool", help="the integrating tool's name")
    p.add_argument("--model", metavar="PROVIDER/ID", help="the model (provider/id, or id alone)")
    p.add_argument("--status", help="unreviewed, reviewed, changed-after-review, rejected, reopened or ended")
    p.add_argument("--since", metavar="DATE", help="accepted on or after (YYYY-MM-DD)")
    p.set_defaults(run=run)


def matches(row: dict, args: argparse.Namespace) -> bool:
    from ..describe import model_name

    if args.path and not (row["path"] == args.path or row["path"].startswith(args.path.rstrip("/") + "/")):
        return False
    if args.author and row["accepted_by"] != args.author:
        return False
    if args.tool and row["tool_name"] != args.tool:
        return False
    if args.model and args.model not in (model_name(row).split("@")[0], row.get("model_id")):
        return False
    return not (args.since and row["accepted_at"] < args.since)


def run(args: argparse.Namespace) -> int:
    import sys

    import orjson

    from . import UsageError, open_ledger

    if args.since and len(args.since) < 10:
        raise UsageError(f"--since: expected YYYY-MM-DD, got {args.since!r}")
    with open_ledger(args, create=False) as ledger:
        rows = [r for r in ledger.regions(repo=args.repo, status=[args.status] if args.status else None)
                if matches(r, args)]
    if args.format == "sarif":
        from ..export.sarif import sarif

        sys.stdout.write(orjson.dumps(sarif(rows), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif args.format == "json":
        for row in rows:
            print(orjson.dumps({**row, "ai_ranges": orjson.loads(row["ai_ranges"]),
                                "reviews": orjson.loads(row["reviews"])}).decode())
    elif args.format == "csv":
        import csv

        columns = ["region_id", "repo", "path", "start_line", "end_line", "status", "kind", "tool_name",
                   "tool_version", "model_provider", "model_id", "model_version", "accepted_by", "accepted_at",
                   "ai_fraction"]
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(dict(r, start_line=r["start_line"] + 1, end_line=r["end_line"] + 1) for r in rows)
    else:
        from rich.console import Console
        from rich.table import Table

        from ..describe import ago, model_name, tool_name

        table = Table(box=None, header_style="bold")
        for column in ("where", "status", "tool", "model", "accepted by", "age"):
            table.add_column(column, overflow="fold")
        for r in rows:
            table.add_row(f"{r['repo']}:{r['path']}:{r['start_line'] + 1}", r["status"], tool_name(r),
                          model_name(r), r["accepted_by"], ago(r["accepted_at"]))
        Console().print(table if rows else "no regions match")
    return 0
