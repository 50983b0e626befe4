"""`ailedger hooks install`: capture from coding agents and git commits."""

from __future__ import annotations

import argparse

HELP = """\
Install hooks so that coding agents and AI-marked git commits record what
they write. The hook configuration is merged with what is there; installing
again changes nothing.

  claude-code  .claude/settings.json   PreToolUse/PostToolUse on edits, UserPromptSubmit
  codex        .codex/hooks.json       PreToolUse/PostToolUse on apply_patch, UserPromptSubmit
  cursor       .cursor/hooks.json      afterFileEdit, beforeSubmitPrompt
  git          .git/hooks/post-commit  commits by "... (aider)" or Co-authored-by an AI tool

--project (the default) writes into the repository you are in; --user into
your home folder (not for git).

examples:
  ailedger hooks install claude-code
  ailedger hooks install cursor --user
  ailedger hooks install git
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    from ..hooks.install import TOOLS

    p = sub.add_parser("hooks", help="install capture hooks for agents and git",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="install a tool's hooks", description=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    install.add_argument("tool", choices=TOOLS)
    scope = install.add_mutually_exclusive_group()
    scope.add_argument("--project", action="store_true", help="this repository (default)")
    scope.add_argument("--user", action="store_true", help="your home folder")
    install.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..hooks.install import install

    path, changed = install(args.tool, user=args.user, cwd=Path.cwd())
    print(f"{'installed' if changed else 'already installed'}: {args.tool} hooks in {path}")
    return 0
