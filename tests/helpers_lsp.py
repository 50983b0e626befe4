"""Small conveniences for driving the server the way an editor does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import sys
from typing import Union

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

DEADLINE = 10.0


def open_doc(client: LanguageClient, path: Path, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=version, text=path.read_text())))
    return uri


def edit(client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=text)]))


async def diagnostics_until(client: LanguageClient, uri: str, condition: Callable[[list[types.Diagnostic]], bool],
                            deadline: float = DEADLINE) -> list[types.Diagnostic]:
    """Wait for publishDiagnostics notifications until the document's satisfy `condition`."""
    async def wait() -> list[types.Diagnostic]:
        while True:
            current = list(client.diagnostics.get(uri, []))
            if uri in client.diagnostics and condition(current):
                return current
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), deadline)


def ours(diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.source == "ailedger"]


async def record(client: LanguageClient, uri: str, start: tuple[int, int], end: tuple[int, int], text: str,
                 version: int | None = None, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "textDocument": {"uri": uri, **({"version": version} if version is not None else {})},
        "range": {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}},
        "text": text, "kind": "inline",
        "tool": {"name": "copilot", "version": "1.250.0"},
        "model": {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"},
        "prompt": "discount for bulk orders", "parameters": {"temperature": 0.2},
    }
    params.update(overrides)
    return await client.protocol.send_request_async("ailedger/recordAcceptance", params)


async def regions(client: LanguageClient, uri: str) -> list[Any]:
    return await client.protocol.send_request_async("ailedger/regions", {"textDocument": {"uri": uri}})


def as_dict(obj: Any) -> Any:
    """pygls hands custom results back as namedtuples: make them plain data."""
    if hasattr(obj, "_asdict"):
        return {k: as_dict(v) for k, v in obj._asdict().items()}
    if isinstance(obj, list):
        return [as_dict(v) for v in obj]
    return obj


def _fix_code_action_union(client: LanguageClient) -> None:
    """lsprotocol parses every CodeAction that carries a command as a bare
    Command (it only checks that a "command" key exists); tell them apart by
    the key's type, as the LSP spec does."""
    converter = client.protocol._converter

    def hook(obj: Any, _: type) -> Any:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)


async def start(env: dict[str, str], root: Path, options: dict[str, Any] | None = None,
                encodings: list[str] | None = None) -> LanguageClient:
    config = ClientServerConfig(server_command=[sys.executable, "-m", "ailedger", "lsp"], server_env=env)
    client = await config.start()
    _fix_code_action_union(client)
    capabilities = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None,
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            diagnostic=types.DiagnosticClientCapabilities(),
        ),
    )
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="work")],
        initialization_options={"diagnosticsDebounceMs": 0, **(options or {})}))
    return client
