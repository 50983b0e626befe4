"""`ailedger summary BASE..HEAD`: the pull request view."""

from __future__ import annotations

import argparse

HELP = """\
For the lines a range of commits adds, per file and in total: how many are
AI-written and still the AI's own text, by which tool and model, and how many
of those are reviewed, unreviewed, changed after their review or rejected.
The range is read as a pull request reads it: BASE..HEAD and BASE...HEAD both
mean the lines HEAD adds since it forked from BASE (`git diff BASE...HEAD`).
Run it in the repository, with the ledger synced (`ailedger sync`).

--format markdown (the default) is ready to post as a pull-request comment;
--format json is {"range", "base", "head", "files": [{"path", "addedLines",
"aiLines", "reviewedLines", "unreviewedLines", "changedAfterReviewLines",
"rejectedLines", "aiEditedLines", "humanLines", "byTool", "lineRanges"}],
"totals": {...}}; lineRanges says which added lines are which, as
[first, last] runs.

examples:
  ailedger summary origin/main..HEAD
  ailedger summary main...feature --format json
  ailedger summary "origin/$GITHUB_BASE_REF..HEAD" > summary.md && gh pr comment --body-file summary.md
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("summary", parents=[parent], help="AI-written and reviewed lines a range adds (PR comment)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("range", metavar="BASE..HEAD")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    import orjson

    from ..gitread import toplevel
    from ..summary import markdown, parse_range, summarise
    from . import open_ledger

    parse_range(args.range)  # a malformed range is refused before the ledger is opened
    root = toplevel(Path.cwd())
    with open_ledger(args, create=False) as ledger:
        result = summarise(ledger, root, args.range)
    if args.format == "json":
        sys.stdout.write(orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(markdown(result))
    return 0
