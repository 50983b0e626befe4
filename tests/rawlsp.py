"""A minimal synchronous LSP client over stdio, for tests that send many
requests to one server (hypothesis examples cannot each start a server)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import Any

# A server that never answers fails the test that asked, with this message,
# instead of stalling the whole run.
DEADLINE_SECONDS = 60


class RawClient:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "ailedger", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.next_id = 0
        self.notifications: list[dict[str, Any]] = []  # received while waiting for a response
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _pump(self) -> None:
        """Read the server's messages into the inbox (None: it closed its output)."""
        stdout = self.proc.stdout
        assert stdout is not None
        while True:
            length = 0
            while True:
                line = stdout.readline()
                if not line:
                    self._inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self._inbox.put(json.loads(stdout.read(length)))

    def read(self) -> dict[str, Any]:
        try:
            message = self._inbox.get(timeout=DEADLINE_SECONDS)
        except queue.Empty:
            raise TimeoutError(f"the server sent nothing for {DEADLINE_SECONDS} s") from None
        if message is None:
            raise EOFError("the server closed its output")
        return message

    def request(self, method: str, params: Any) -> dict[str, Any]:
        """Send a request; return its response (notifications in between are kept)."""
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message
            if "id" not in message:
                self.notifications.append(message)

    def next_notification(self) -> dict[str, Any]:
        """The next notification, whether it came while waiting for a response or after."""
        while True:
            if self.notifications:
                return self.notifications.pop(0)
            message = self.read()
            if "id" not in message:
                return message

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
