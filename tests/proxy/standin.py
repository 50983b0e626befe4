"""A stand-in for copilot-language-server's inline completions (pygls).

Speaks the same protocol: `textDocument/inlineCompletion` answers items whose
`range` runs from the start of the line to the cursor and whose `insertText`
repeats what is typed there, each with the command
`github.copilot.didAcceptCompletionItem` and the item's uuid as its only
argument; it handles that command (workspace/executeCommand) and accepts
`textDocument/didPartiallyAcceptCompletion` and `textDocument/didShowCompletion`.

For the tests: `standin/suggest {text, replacePrefix?}` sets what the next
completions suggest; `standin/pull` makes the server ask the client for the
`github.copilot` settings; `standin/received` answers what it was told.
"""

from __future__ import annotations

import uuid
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ailedger.regions.positions import Pos, offset_at

ACCEPT = "github.copilot.didAcceptCompletionItem"

server = LanguageServer("standin-copilot", "1.2.3", text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
state: dict[str, Any] = {"text": "return 42\n", "replacePrefix": True,
                         "accepted": [], "partial": [], "shown": 0, "settings": None}


@server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
def inline_completion(ls: LanguageServer, params: types.InlineCompletionParams) -> types.InlineCompletionList:
    doc = ls.workspace.get_text_document(params.text_document.uri)
    encoding = str(ls.workspace.position_encoding or "utf-16")
    pos = params.position
    line_start = offset_at(doc.source, Pos(pos.line, 0), encoding)  # type: ignore[arg-type]
    cursor = offset_at(doc.source, Pos(pos.line, pos.character), encoding)  # type: ignore[arg-type]
    if state["replacePrefix"]:
        start, text = types.Position(pos.line, 0), doc.source[line_start:cursor] + state["text"]
    else:
        start, text = pos, state["text"]
    item = types.InlineCompletionItem(
        insert_text=text, range=types.Range(start, pos),
        command=types.Command(title="Completion accepted", command=ACCEPT, arguments=[str(uuid.uuid4())]))
    return types.InlineCompletionList(items=[item])


@server.command(ACCEPT)
def did_accept(ls: LanguageServer, item_id: str) -> None:
    state["accepted"].append(item_id)


@server.feature("textDocument/didPartiallyAcceptCompletion")
def did_partially_accept(ls: LanguageServer, params: Any) -> None:
    state["partial"].append([params.item.command.arguments[0], params.acceptedLength])


@server.feature("textDocument/didShowCompletion")
def did_show(ls: LanguageServer, params: Any) -> None:
    state["shown"] += 1


@server.feature("standin/suggest")
def suggest(ls: LanguageServer, params: Any) -> None:
    state["text"] = params.text
    state["replacePrefix"] = getattr(params, "replacePrefix", True)


@server.feature("standin/pull")
async def pull(ls: LanguageServer, params: Any) -> dict[str, Any]:
    result = await ls.workspace_configuration_async(
        types.ConfigurationParams(items=[types.ConfigurationItem(section="github.copilot")]))
    state["settings"] = result
    return {"settings": result}


@server.feature("standin/received")
def received(ls: LanguageServer, params: Any) -> dict[str, Any]:
    return {k: state[k] for k in ("accepted", "partial", "shown", "settings")}


if __name__ == "__main__":
    server.start_io()
