"""The pulled diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`):
for files this session has not opened (open ones get theirs pushed, see
diagnostics.py). A pulled file is loaded as an opened one would be, then let go.
It sits above both documents.py and diagnostics.py, which know nothing of it."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .diagnostics import build, workspace_items
from .documents import open_document
from .server import AiLedgerServer


def register(server: AiLedgerServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="ailedger", inter_file_dependencies=False, workspace_diagnostics=True),
    )
    async def document_diagnostic(ls: AiLedgerServer, params: types.DocumentDiagnosticParams) -> dict[str, Any]:
        if params.text_document.uri in ls.docs:
            return {"kind": "full", "items": []}  # pushed instead (see diagnostics.py)
        await open_document(ls, params.text_document.uri)
        state = ls.docs.pop(params.text_document.uri)
        await state.loaded.wait()
        return {"kind": "full", "items": build(ls, state)}

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: AiLedgerServer, params: types.WorkspaceDiagnosticParams) -> dict[str, Any]:
        return {"items": await workspace_items(ls)}
