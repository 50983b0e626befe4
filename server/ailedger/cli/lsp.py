"""`ailedger lsp`: the language server."""

from __future__ import annotations

import argparse

HELP = """\
Run the ailedger language server. Editors start it on stdio; --tcp is for
debugging with a client you start yourself.

Initialization options (and `workspace/didChangeConfiguration` settings
under "ailedger"): `severity` ("error" | "warning" | "information" | "hint",
default "information"), `diagnosticsDebounceMs` (default 50, at most 100).

examples:
  ailedger lsp
  ailedger lsp --tcp 127.0.0.1:2087 --db /tmp/ledger.db
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("lsp", parents=[parent], help="run the language server (stdio)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    p.add_argument("--stdio", action="store_true", help="speak LSP on stdio (the default)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..lsp.server import create_server
    from ..paths import resolve_db

    server = create_server(resolve_db(args.db))
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
