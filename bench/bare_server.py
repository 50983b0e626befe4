"""The floor for bench/lsp_diagnostics.py: a bare pygls server that publishes
the same 1,000 fixed diagnostics on every change."""

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "1", text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
FIXED = [types.Diagnostic(range=types.Range(types.Position(i * 20, 0), types.Position(i * 20 + 2, 0)),
                          message=f"AI-generated code not yet reviewed: copilot 1.250.0, openai/gpt-4.1, accepted by dev@example.com {i} minutes ago",
                          severity=types.DiagnosticSeverity.Information, source="ailedger", code="ai-unreviewed",
                          data={"regionId": f"01BENCH{i:019d}"}) for i in range(1000)]


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=FIXED))


if __name__ == "__main__":
    server.start_io()
