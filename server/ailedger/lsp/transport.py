"""Sending JSON-RPC notifications as plain JSON, serialised by orjson.

pygls serialises through cattrs, which for a thousand diagnostics costs
about 20 times what orjson does; publishing diagnostics is on every
keystroke's path, so it gets its own short way to the wire.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import orjson
from pygls.lsp.server import LanguageServer


def notify(ls: LanguageServer, method: str, params: Any) -> None:
    protocol = ls.protocol
    if protocol.writer is None:
        return
    body = orjson.dumps({"jsonrpc": "2.0", "method": method, "params": params})
    data = b"Content-Length: %d\r\n\r\n%s" % (len(body), body) if protocol._include_headers else body
    result = protocol.writer.write(data)
    if inspect.isawaitable(result):  # the TCP and WebSocket writers are async
        asyncio.ensure_future(result)
