"""`ailedger report`: regions over a repository or the whole ledger."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

HELP = """\
Report AI-written regions from the ledger, filtered by repository, path,
author, tool, model, status and date, as a table, JSON, CSV or SARIF 2.1.0
(one result per region that needs a review, for code-scanning tools; run in
a working copy whose policy is approved-only, also one per region from a
model or tool no [[provider]] approves: `ai-unapproved`).

--format agent-trace writes Agent Trace records (agent-trace.dev, schema v1)
as JSON Lines: one record per live region, with the model, the tool, the
lines, and the git revision when the report runs in the region's working copy
and the file is as committed; reviews, statuses and who answers for the code
are under metadata["dev.ailedger"].

--format intoto writes one in-toto Statement v1 per review of each region
(predicate https://ailedger.dev/review/v1), in a DSSE envelope signed with
this device's Ed25519 key (device-key.pem beside the ledger, created on first
use), as JSON Lines. Check them with `ailedger verify-attestation FILE`.

examples:
  ailedger report
  ailedger report --status unreviewed --format sarif > ailedger.sarif
  ailedger report --model openai/gpt-4.1 --since 2026-11-01 --format csv
  ailedger report --repo github.com/acme/shop --format agent-trace > traces.jsonl
  ailedger report --path src/billing --format intoto > reviews.intoto.jsonl
"""

FORMATS = ("table", "json", "csv", "sarif", "agent-trace", "intoto")


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[parent],
                       help="report regions (table, json, csv, sarif, agent-trace, intoto)",
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
    from ..placement.describe import model_name

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
        placed = follow_here(ledger)
        rows = [dict(r, **placed.get(r["region_id"], {})) for r in ledger.regions(repo=args.repo, status=[args.status] if args.status else None,
                                          under=args.path, author=args.author, tool=args.tool, since=args.since)
                if matches(r, args)]
        rows = _with_commits(ledger, rows)
        if args.format in ("agent-trace", "intoto"):
            for document in export_documents(args.format, rows, ledger):
                sys.stdout.write(orjson.dumps(document).decode() + "\n")
            return 0
    if args.format == "sarif":
        from pathlib import Path

        from .. import policy as policies
        from ..export.sarif import sarif
        from ..ledger.identity import repo_of_folder

        here = repo_of_folder(Path.cwd())  # run in a working copy, its policy's findings are added
        policy = policies.at(here.root)
        out = sarif(rows, policy if policy.source is not None else None, here.repo)
        sys.stdout.write(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif args.format == "json":
        for row in rows:
            print(orjson.dumps({**row, "ai_ranges": orjson.loads(row["ai_ranges"]),
                                "reviews": orjson.loads(row["reviews"])}).decode())
    elif args.format == "csv":
        import csv

        # Who answers for what: the provider (model), the integrator (tool, under
        # which policy), the developer who accepted it, and the reviewers.
        columns = ["region_id", "repo", "path", "start_line", "end_line", "status", "kind", "tool_name",
                   "tool_version", "policy_version", "contract", "model_provider", "model_id", "model_version",
                   "accepted_by", "accepted_at", "reviewers", "ai_fraction", "first_commit"]
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(dict(r, start_line=r["start_line"] + 1, end_line=r["end_line"] + 1, reviewers=reviewers(r))
                         for r in rows)
    else:
        from ..placement.describe import ago, model_name, tool_name
        from .columns import print_columns

        if not rows:
            print("no regions match")
            return 0
        from datetime import datetime, timezone

        now = datetime.now(timezone.utc)
        print_columns(("where", "status", "tool", "policy", "model", "contract", "accepted by", "age", "commit",
                       "reviewed by"),
                      [(f"{r['repo']}:{r['path']}:{r['start_line'] + 1}", r["status"], tool_name(r),
                        r.get("policy_version") or "-", model_name(r), r.get("contract") or "-", r["accepted_by"],
                        ago(r["accepted_at"], now), (r.get("first_commit") or "-")[:12], reviewers(r) or "-")
                       for r in rows])
    return 0


def _with_commits(ledger, rows: list[dict]) -> list[dict]:  # type: ignore[no-untyped-def]
    """Each row with the commit that first held its text (`first_commit`,
    `first_commit_at`): from the hook's events, else, in this working copy,
    from git history (commits.py)."""
    from pathlib import Path

    from ..commits import in_working_copy
    from ..ledger.identity import repo_of_folder

    here = repo_of_folder(Path.cwd())  # outside git, its blame finds nothing and known links stand
    links = in_working_copy(ledger, here.root, here.repo, rows)
    return [dict(r, first_commit=links[r["region_id"]].sha, first_commit_at=links[r["region_id"]].at)
            if r["region_id"] in links else r for r in rows]

def follow_here(ledger) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Where the regions of the repository the report runs in are now (path
    and lines, by the placement engine); moves it finds are recorded,
    so the report (and, after sync, the dashboard) names today's paths."""
    from pathlib import Path

    from ..capture import range_of
    from ..ledger.identity import repo_of_folder
    from ..placement import locate, record_moves

    if not (repo_of_folder(Path.cwd()).root / ".git").exists():
        return {}  # not in a repository: the ledger's paths are all there is
    layout = locate(ledger, Path.cwd())
    record_moves(ledger, layout)
    out: dict[str, dict] = {}
    for p in layout.placements:
        if p.region_id not in out:
            r = range_of(p.span)
            out[p.region_id] = {"path": p.path, "start_line": r["start"]["line"], "start_char": r["start"]["character"],
                                "end_line": r["end"]["line"], "end_char": r["end"]["character"]}
    return out


def reviewers(row: dict) -> str:
    """`carol@example.com (approved); dan@example.com (rejected)`."""
    import orjson

    return "; ".join(f"{r['reviewer']} ({r['verdict']})" for r in orjson.loads(row["reviews"]))


def export_documents(fmt: str, rows: list[dict], ledger) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """Agent Trace records, or signed in-toto envelopes: both look up ledger events."""
    if fmt == "agent-trace":
        from pathlib import Path

        from ..export.agent_trace import records, working_copy_vcs

        return records(rows, ledger.event, working_copy_vcs(Path.cwd()))
    from ..export.intoto import envelope, statements
    from ..ledger import device_key

    key = device_key.load_or_create(device_key.key_path(ledger.path))
    return (envelope(s, key) for s in statements(rows, ledger.event))
