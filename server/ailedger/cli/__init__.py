"""`ailedger`: the command line. One module per command, each with
`register(subparsers)`; heavy imports wait until a command runs, so that
`ailedger lsp` starts fast."""

from __future__ import annotations

import sys

from ..errors import UserError

TYPE_CHECKING = False  # not from typing: `record --from` (a hook) imports as little as it can
if TYPE_CHECKING:
    import argparse
    from typing import Any

COMMANDS = ("demo", "lsp", "proxy", "record", "hooks", "log", "review", "check", "verify", "blame", "report", "incident", "stats", "summary", "import", "sync", "serve", "schema", "verify-attestation")

_MODULES = {"import": "imports"}  # `import` is a Python keyword

DESCRIPTION = """\
ailedger keeps a paper trail of AI-generated code: which suggestions were
accepted, from which tool and model, where that code is now, and who reviewed it.

examples:
  ailedger demo                                  a two-minute walkthrough on a throwaway ledger
  ailedger record --file app.py --lines 10-24 --kind agent-edit --tool claude-code
  ailedger log                                   recent events
  ailedger review 01JD... --verdict approved     counter-sign a region
  ailedger verify                                check the hash chain
"""


class UsageError(UserError, ValueError):
    """Bad arguments or input: printed as one line, exit code 2."""


def common_options() -> argparse.ArgumentParser:
    """Options every command takes, after the command name too."""
    import argparse

    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS,
        help="ledger file (default: $AILEDGER_DB, else ${XDG_DATA_HOME:-~/.local/share}/ailedger/ledger.db)",
    )
    return parent


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `only` just that command's part (importing
    every command's module costs a short command like `check` tens of milliseconds)."""
    import argparse
    from importlib import import_module

    from .. import __version__

    parser = argparse.ArgumentParser(prog="ailedger", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ailedger {__version__}")
    parser.add_argument("--db", metavar="PATH", default=None, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parent = common_options()
    for name in COMMANDS if only is None else (only,):
        import_module(f".{_MODULES.get(name, name.replace('-', '_'))}", __name__).register(sub, parent)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    hook = _hook_line(argv)
    if hook is not None:
        from ..hooks.record import run_hook

        return run_hook(hook.source, hook)
    args = build_parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    # (`status` is registered by the `sync` module, so it is not in COMMANDS and takes the whole parser.)
    try:
        return int(args.run(args) or 0)
    except UserError as err:
        print(f"ailedger {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ailedger log | head`
        return 0


def _hook_line(argv: list[str]) -> Any:
    """`record --from NAME [--db PATH]`, the line installed hooks run, read
    without building the whole parser (that imports every command): an agent
    waits on every hook. Anything else, or an unknown NAME, goes the long way."""
    if not argv or argv[0] != "record":
        return None
    found: dict[str, str] = {}
    rest = list(argv[1:])
    while rest:
        flag, _, value = rest.pop(0).partition("=")
        if flag not in ("--from", "--db") or flag in found:
            return None
        if not value:
            if not rest:
                return None
            value = rest.pop(0)
        found[flag] = value
    from ..hooks import SOURCES

    if found.get("--from") not in SOURCES:
        return None
    return _HookArgs(found["--from"], found.get("--db"))


class _HookArgs:
    """The parsed hook line (not types.SimpleNamespace: importing types costs a hook time)."""

    command = "record"

    def __init__(self, source: str, db: str | None) -> None:
        self.source, self.db = source, db


def open_ledger(args: argparse.Namespace, *, create: bool = True):  # type: ignore[no-untyped-def]
    from ..ledger.store import Ledger
    from ..paths import resolve_db

    return Ledger(resolve_db(args.db), create=create)
