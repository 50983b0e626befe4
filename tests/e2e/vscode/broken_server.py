"""A broken stand-in for `ailedger lsp`, to show that Tab never depends on it.

    broken_server.py hang    reads everything, answers nothing (not even initialize)
    broken_server.py crash   answers initialize, then exits at the first recordAcceptance
"""

from __future__ import annotations

import json
import os
import sys


def read_message() -> dict | None:
    length = None
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    return json.loads(sys.stdin.buffer.read(length or 0))


def send(message: dict) -> None:
    body = json.dumps(message).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    sys.stdout.buffer.flush()


def main() -> None:
    mode = sys.argv[1]
    while (message := read_message()) is not None:
        if mode == "hang":
            continue
        method = message.get("method")
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {"textDocumentSync": 1}}})
        elif method == "ailedger/recordAcceptance":
            os._exit(3)
        elif method == "shutdown":
            send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif method == "exit":
            return


if __name__ == "__main__":
    main()
