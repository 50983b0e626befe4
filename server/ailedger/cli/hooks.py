"""`ailedger hooks install|status`: capture from coding agents and git commits."""

from __future__ import annotations

import argparse

HELP = """\
Install hooks so that coding agents and AI-marked git commits record what
they write, and see which AI tools on this machine ailedger cannot see.

  claude-code  .claude/settings.json        PreToolUse/PostToolUse on edits, UserPromptSubmit
  codex        .codex/hooks.json            PreToolUse/PostToolUse on apply_patch, UserPromptSubmit
  cursor       .cursor/hooks.json           afterFileEdit, afterTabFileEdit (Tab), pre/postToolUse, beforeSubmitPrompt
  copilot      .github/hooks/ailedger.json  VS Code agent mode and the Copilot CLI (user: ~/.copilot/hooks/)
  gemini       .gemini/settings.json        BeforeTool/AfterTool on write_file|replace, BeforeModel, BeforeAgent
  windsurf     .windsurf/hooks.json         pre/post_write_code, pre_user_prompt (user: ~/.codeium/windsurf/)
  cline        .clinerules/hooks/           PreToolUse, PostToolUse, UserPromptSubmit scripts (user: ~/Documents/Cline/Hooks/)
  opencode     .opencode/plugin/ailedger.js a plugin forwarding tool.execute.before/after and chat.message
  git          .git/hooks/post-commit       commits by "... (aider)" or Co-authored-by an AI tool

Any other tool: run `ailedger record --from generic` before and after it
edits, with {"event": "before-edit"|"after-edit", "editId", "files", "tool"}
on stdin (protocol/PROTOCOL.md, "Generic agent hook").

The configuration is merged with what is there (installing again changes
nothing; a file that is not valid JSON is refused untouched). --project (the
default) writes into the repository you are in; --user into your home folder
(not for git). When the tool needs a setting turned on, install turns it on
in the tool's own settings file or says exactly what to turn on.

examples:
  ailedger hooks install claude-code
  ailedger hooks install copilot          # then: "chat.useHooks": true in VS Code
  ailedger hooks install gemini --user
  ailedger hooks install cursor --user
  ailedger hooks install git
  ailedger hooks status                   # which tools are here, hooked, and last recorded
  ailedger hooks status --json
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    from ..hooks.install import TOOLS

    p = sub.add_parser("hooks", help="install capture hooks for agents and git; show where ailedger is blind",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="install a tool's hooks", description=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    install.add_argument("tool", choices=TOOLS)
    scope = install.add_mutually_exclusive_group()
    scope.add_argument("--project", action="store_true", help="this repository (default)")
    scope.add_argument("--user", action="store_true", help="your home folder")
    install.set_defaults(run=run)
    status = actions.add_parser("status", help="which AI tools are here, hooked, and last recorded",
                                description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    status.add_argument("--json", action="store_true", help="print it as JSON")
    status.set_defaults(run=run_status)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..hooks.install import install

    done = install(args.tool, user=args.user, cwd=Path.cwd())
    print(f"{'installed' if done.changed else 'already installed'}: {args.tool} hooks in {done.path}")
    for note in done.notes:
        print(f"  {note}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from ..hooks.status import as_json, as_table, statuses

    root, tools = statuses(Path.cwd())
    print(json.dumps(as_json(root, tools), indent=2) if args.json else as_table(root, tools))
    return 0
