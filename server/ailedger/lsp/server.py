"""The ailedger language server: state, start-up, and the wiring of features.

One module per LSP feature sits beside this one; each has `register(server)`.
Handlers that touch document state do no I/O: the ledger and the file
system are reached through `server.io`, a single worker thread, so the event
loop (and so the editor) never waits on SQLite, git or the disk.

Start-up imports only pygls here. The ledger, pydantic and the region
algorithms load in the worker thread right after `initialize`, so the editor
gets its answer as fast as from a bare pygls server.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCRequestMessage, LanguageServerProtocol

from .. import __version__

if TYPE_CHECKING:
    from ..ledger.store import Ledger
    from .settings import Settings
    from .state import Documents

T = TypeVar("T")
log = logging.getLogger("ailedger.lsp")

FEATURES = (
    "policy", "documents", "capture", "pull_diagnostics", "review", "hover", "regions_request", "watch",
    "files_watch",
)


class Protocol(LanguageServerProtocol):
    """Structures each message once, whole, and answers every request.

    pygls passes `structure_message` to `json.loads` as its `object_hook`, so
    it runs on every nested object too: a value inside params that happens to
    hold a "jsonrpc" key (any `parameters` or `model` object may) was taken
    for a message, failed to structure, and the request around it was dropped
    without an answer, leaving the client waiting for ever. Here nested
    objects stay JSON, and the top-level message is structured in
    `handle_message`; one that cannot be gets an error response by its id.

    ailedger's own requests keep their params as plain dicts: pygls turns
    unknown methods' params into namedtuples, which renames keys that are not
    Python identifiers, and the wire format is validated as JSON.
    """

    def structure_message(self, data: dict[str, Any]) -> Any:
        return data

    def handle_message(self, message: Any) -> None:
        if isinstance(message, dict):
            try:
                message = self._structure(message)
            except JsonRpcException as err:
                if "id" in message and "method" in message:
                    self._send_response(message["id"], None, err.to_response_error())
                return
        super().handle_message(message)

    def _structure(self, data: dict[str, Any]) -> Any:
        method = data.get("method", "")
        if isinstance(method, str) and method.startswith("ailedger/") and "id" in data:
            return JsonRPCRequestMessage(
                id=data["id"], method=method, jsonrpc=data.get("jsonrpc", ""), params=data.get("params")
            )
        if "jsonrpc" not in data:
            raise JsonRpcInvalidRequest("not a JSON-RPC message: it has no \"jsonrpc\" member")
        return super().structure_message(data)


class AiLedgerServer(LanguageServer):
    def __init__(self, db_path: Path) -> None:
        super().__init__(
            "ailedger", __version__, protocol_cls=Protocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.db_path = db_path
        # One thread: SQLite work is serialised anyway, and ordering matters
        # (an acceptance is stored before the review that names it).
        self.io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ailedger-io")
        self._ledger: Future[Ledger] | None = None
        # Events this server appended itself: the watcher, which looks for
        # other writers, has nothing to learn from them.
        self.own_events: set[str] = set()
        self.docs: Documents
        self.settings: Settings

    # --- the ledger, off the event loop ------------------------------------

    def start_loading(self) -> None:
        """Open the ledger (and import what it needs) in the worker thread."""
        if self._ledger is None:
            self._ledger = self.io.submit(self._open_ledger)

    def _open_ledger(self) -> Ledger:
        from ..ledger.store import Ledger

        return Ledger(self.db_path)

    async def run_io(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(ledger, *args)` in the worker thread and await its result."""
        self.start_loading()
        assert self._ledger is not None
        ledger_future = self._ledger

        def call() -> T:
            return fn(ledger_future.result(), *args)

        return await asyncio.get_running_loop().run_in_executor(self.io, call)

    @property
    def encoding(self) -> str:
        """The negotiated position encoding, as "utf-8", "utf-16" or "utf-32"."""
        value = self.workspace.position_encoding
        return str(getattr(value, "value", value) or "utf-16")


def create_server(db_path: Path) -> AiLedgerServer:
    from importlib import import_module

    from .settings import Settings

    server = AiLedgerServer(db_path)
    server.settings = Settings()
    for name in FEATURES:
        import_module(f".{name}", __package__).register(server)
    return server
