"""`ailedger proxy`: record accepted inline completions on the way through."""

from __future__ import annotations

import argparse

from . import UsageError

HELP = """\
Run an inline-completion language server (copilot-language-server, or any
server whose inline completion items carry a command) behind a transparent
proxy, and record each suggestion the user accepts in the ledger: the exact
text, where it landed, the server's name and version, and the model named in
the client's settings (else unknown). Every message is forwarded unchanged;
the proxy exits with the server's exit status.

Point the editor at `ailedger proxy -- CMD ARGS...` instead of `CMD ARGS...`.
Full acceptances are recorded as kind "inline" (the item's command, run with
workspace/executeCommand), partial ones as "partial-inline"
(textDocument/didPartiallyAcceptCompletion). Log lines go to stderr.

examples:
  ailedger proxy -- copilot-language-server --stdio
  ailedger proxy --db ~/work/ledger.db -- npx @github/copilot-language-server --stdio

  Neovim 0.12:
    vim.lsp.config('copilot', { cmd = { 'ailedger', 'proxy', '--', 'copilot-language-server', '--stdio' } })
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("proxy", parents=[parent], help="record accepted completions from a language server",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("server", nargs=argparse.REMAINDER, metavar="-- CMD ARGS",
                   help="the language server to run, after --")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import logging
    import sys

    from ..paths import resolve_db
    from ..proxy.pump import run as proxy

    command = list(args.server)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise UsageError("give the language server to run after --, e.g. ailedger proxy -- copilot-language-server --stdio")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ailedger proxy: %(message)s"))
    log = logging.getLogger("ailedger.proxy")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return proxy(command, resolve_db(args.db))
