"""A synchronous LSP client for the proxy tests: it starts any command,
reads on a thread, and waits on messages with deadlines (never sleeps).

Unlike tests/rawlsp.py it answers the server's requests (a real client
must) and keeps the server's stderr, where the proxy logs."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable

DEADLINE = 10.0


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Client:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=cwd)
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.answers: dict[str, Callable[[Any], Any]] = {}  # server request method -> result
        self.stderr: list[str] = []
        self.next_id = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # --- sending ------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.proc.stdin.write(frame(message))  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, deadline: float = DEADLINE) -> dict[str, Any]:
        """Send a request and return its whole response message."""
        self.next_id += 1
        my_id = self.next_id
        self.send({"id": my_id, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == my_id and "method" not in m, deadline)

    def result(self, method: str, params: Any) -> Any:
        response = self.request(method, params)
        assert "error" not in response, response
        return response["result"]

    # --- receiving ----------------------------------------------------------

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool], deadline: float = DEADLINE) -> dict[str, Any]:
        while True:
            try:
                message = self.inbox.get(timeout=deadline)
            except queue.Empty:
                raise TimeoutError(f"no wanted message within {deadline} s; stderr: {self.stderr}") from None
            if message is None:
                raise EOFError(f"the server closed its output; stderr: {self.stderr}")
            if wanted(message):
                return message

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            message = json.loads(out.read(length or 0))
            if "method" in message and "id" in message:  # a request from the server: answer it
                answer = self.answers.get(message["method"], lambda params: None)
                self.send({"id": message["id"], "result": answer(message.get("params"))})
            self.inbox.put(message)

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.stderr.append(line.decode(errors="replace").rstrip("\n"))

    # --- session ------------------------------------------------------------

    def initialize(self, **params: Any) -> dict[str, Any]:
        result = self.result("initialize", {"processId": None, "rootUri": None, "capabilities": {}, **params})
        self.notify("initialized", {})
        return result

    def close(self) -> int:
        """shutdown + exit; the exit status of the process."""
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
            return self.proc.wait(timeout=DEADLINE)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
