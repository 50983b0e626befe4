"""`ailedger stats`: review coverage, time to review, and what still waits."""

from __future__ import annotations

import argparse

HELP = """\
Review metrics from the ledger: how many AI-written regions a person has
reviewed (coverage), the median time from acceptance to the first review,
and how long the ones still awaiting review have waited; overall and by
tool, model and author. The audit service's dashboard shows the same figures.

Regions whose code is gone (ended) are not counted. Reviewed means a verdict
on the text as it is now: approved, approved with changes, or rejected.
Awaiting review: unreviewed, changed after review, or reopened.

examples:
  ailedger stats
  ailedger stats --by model --since 2026-11-01
  ailedger stats --repo git.example.com/acme/shop --format json
"""


# What the figures need of each region (a big ledger is quicker to read without the rest).
COLUMNS = ("region_id", "repo", "path", "start_line", "status", "tool_name", "model_provider", "model_id",
           "model_version", "accepted_by", "accepted_at", "reviews")


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("stats", parents=[parent], help="review coverage and time to review",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--by", choices=("tool", "model", "author"), action="append",
                   help="one breakdown (repeatable; default: tool, model and author)")
    p.add_argument("--repo", help="repository identity (default: all)")
    p.add_argument("--since", metavar="DATE", help="regions accepted on or after (YYYY-MM-DD)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    import orjson

    from ..metrics import GROUPS, compute
    from . import UsageError, open_ledger

    if args.since and len(args.since) < 10:
        raise UsageError(f"--since: expected YYYY-MM-DD, got {args.since!r}")
    groups = list(dict.fromkeys(args.by or GROUPS))
    with open_ledger(args, create=False) as ledger:
        rows = ledger.regions(repo=args.repo, since=args.since, columns=COLUMNS)
    metrics = compute(rows, datetime.now(timezone.utc), groups)
    if args.format == "json":
        print(orjson.dumps(metrics.to_json(), option=orjson.OPT_INDENT_2).decode())
        return 0
    _print(metrics, filtered=bool(args.repo or args.since))
    return 0


def _print(metrics, filtered: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    from ..metrics import BUCKETS, coverage_text, hours_text

    console = Console()
    overall = metrics.overall
    if overall.regions == 0:
        gone = f" ({metrics.ended} ended, not counted)" if metrics.ended else ""
        console.print(("no regions match" if filtered else "no AI-written regions in the ledger yet") + gone
                      + ": nothing to measure")
        return
    console.print(f"[bold]{overall.regions}[/] AI-written regions, [bold]{overall.reviewed}[/] reviewed "
                  f"({overall.rejected} rejected): coverage [bold]{coverage_text(overall.coverage)}[/]; "
                  f"median time to first review [bold]{hours_text(overall.median_hours_to_review)}[/]; "
                  f"[bold]{overall.awaiting}[/] awaiting review"
                  + (f"; {metrics.ended} ended, not counted" if metrics.ended else ""), highlight=False)
    if overall.oldest_awaiting:
        o = overall.oldest_awaiting
        console.print(f"oldest awaiting review: {o.repo}:{o.path}:{o.line}, accepted by {o.accepted_by} "
                      f"{o.age_days:.1f} days ago", highlight=False)
    for group, found in metrics.by.items():
        table = Table(title=f"by {group}", title_justify="left", box=None, header_style="bold", pad_edge=False,
                      caption="<1d .. >30d: regions awaiting review, by age", caption_justify="left")
        table.add_column(group, overflow="fold", min_width=12)
        for column in ("regions", "reviewed", "coverage", "median\nreview", *(label for label, _ in BUCKETS)):
            table.add_column(column, justify="right", no_wrap=True)
        for name, f in found:
            table.add_row(name, str(f.regions), str(f.reviewed), coverage_text(f.coverage),
                          hours_text(f.median_hours_to_review),
                          *(str(f.awaiting_by_age[label]) for label, _ in BUCKETS))
        console.print()
        console.print(table)
