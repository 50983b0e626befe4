"""`ailedger import git-ai | agent-trace FILE`: attribution other tools recorded."""

from __future__ import annotations

import argparse

HELP = """\
Import the AI line ranges other tools recorded as ailedger regions (kind
agent-edit, unreviewed, `parameters.imported` naming the source), so a team
that already records attribution can add review on top. Run it in the
repository. Importing twice changes nothing.

  git-ai       git-ai's authorship notes (Git AI Standard v3.0.0) under
               --ref (default refs/notes/ai); the lines are read from each
               noted commit and followed to where they are now.
  agent-trace  Agent Trace records (agent-trace.dev, schema v1), JSON Lines;
               only `ai` ranges are imported.

examples:
  git fetch origin 'refs/notes/ai:refs/notes/ai' && ailedger import git-ai
  ailedger import git-ai --ref refs/notes/ai
  ailedger import agent-trace .agent-trace/traces.jsonl
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[parent], help="import git-ai notes or Agent Trace records as regions",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = p.add_subparsers(dest="source", metavar="SOURCE", required=True)
    git_ai = kinds.add_parser("git-ai", parents=[parent], help="git-ai authorship notes (Git AI Standard v3)",
                              description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    git_ai.add_argument("--ref", default="refs/notes/ai", help="the notes ref (default: refs/notes/ai)")
    trace = kinds.add_parser("agent-trace", parents=[parent], help="Agent Trace records (JSON Lines)",
                             description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    trace.add_argument("file", metavar="FILE")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from ..gitread import toplevel
    from ..imports import store
    from . import open_ledger

    root = toplevel(Path.cwd())
    if args.source == "git-ai":
        from ..imports.git_ai import items

        found, passed = items(root, args.ref)
    else:
        from ..imports.agent_trace import items

        found, passed = items(root, Path(args.file))
    with open_ledger(args) as ledger:
        outcome = store(ledger, root, found)
    for line in passed + outcome.skipped:
        print(f"ailedger import: {line}", file=sys.stderr)
    print(f"imported {outcome.imported} region(s); {outcome.duplicates} already recorded; "
          f"{len(outcome.skipped)} not imported")
    return 0
