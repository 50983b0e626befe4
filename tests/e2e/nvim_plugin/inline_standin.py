"""A stand-in AI provider for the Neovim plugin tests: a pygls server that
offers one inline completion and records when its command runs.

It completes the current line to TARGET when what is typed so far is a
prefix of it. The item's range covers the typed prefix (as Copilot's
language server does) and carries a `command`, which Neovim must run after
inserting; each run is appended as a JSON line to the file named by
$STANDIN_LOG.

Run: python inline_standin.py  (stdio)
"""

from __future__ import annotations

import json
import os
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

TARGET = "def discount(price, pct):  # 🙂 ünï"
COMMAND = "standin.accepted"

server = LanguageServer("inline-standin", "0.0.1")


def _log(entry: dict[str, Any]) -> None:
    path = os.environ.get("STANDIN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")


@server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
def inline_completion(ls: LanguageServer, params: types.InlineCompletionParams) -> list[types.InlineCompletionItem]:
    doc = ls.workspace.get_text_document(params.text_document.uri)
    line_no = params.position.line
    lines = doc.lines
    line = lines[line_no].rstrip("\r\n") if line_no < len(lines) else ""
    typed = line[: params.position.character]  # ASCII prefix: every encoding counts it alike
    _log({"event": "request", "line": line_no, "typed": typed})
    if not typed or not TARGET.startswith(typed) or typed == TARGET:
        return []
    return [types.InlineCompletionItem(
        insert_text=TARGET,
        range=types.Range(start=types.Position(line=line_no, character=0),
                          end=types.Position(line=line_no, character=params.position.character)),
        command=types.Command(title="accepted", command=COMMAND, arguments=[{"item": "item-1"}]),
    )]


@server.command(COMMAND)
def accepted(ls: LanguageServer, *arguments: Any) -> None:
    _log({"event": "command", "command": COMMAND, "arguments": [
        a if isinstance(a, (dict, list, str, int, float, bool)) or a is None else str(a) for a in arguments]})


if __name__ == "__main__":
    server.start_io()
