"""Round trip of textDocument/inlineCompletion, straight to the stand-in
copilot server and through `ailedger proxy`, with a keystroke (didChange)
before every request so that document tracking runs too.

Target: through the proxy, the median round trip is within 1 ms of direct.

    python bench/proxy_latency.py [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDIN = ROOT / "tests" / "proxy" / "standin.py"
TARGET_MS = 1.0
WARM_UP = 20
LINES = 1000


class Raw:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        self.next_id = 0

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self) -> dict:
        length = 0
        while (line := self.proc.stdout.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def close(self) -> None:
        self.request("shutdown", None)
        self.send({"method": "exit"})
        self.proc.wait(timeout=10)


class Session:
    """One editor session on one document: a keystroke, then a completion request."""

    def __init__(self, argv: list[str], env: dict[str, str], uri: str, text: str) -> None:
        self.client, self.uri, self.line, self.n = Raw(argv, env), uri, text.count("\n"), 0
        self.client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        self.client.send({"method": "initialized", "params": {}})
        self.client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}}})

    def round_trip(self) -> float:
        n, self.n = self.n, self.n + 1
        at = {"line": self.line, "character": n}
        self.client.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": self.uri, "version": n + 2},
            "contentChanges": [{"range": {"start": at, "end": at}, "text": "x"}]}})
        started = time.perf_counter()
        self.client.request("textDocument/inlineCompletion", {
            "textDocument": {"uri": self.uri, "version": n + 2},
            "position": {"line": self.line, "character": n + 1}, "context": {"triggerKind": 2}})
        return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "AILEDGER_DB": str(Path(tmp) / "ledger.db"), "AILEDGER_USER": "bench@example.com"}
        path = Path(tmp) / "app.py"
        text = "".join(f"def f{i}(x):\n    return x * {i}  # é😀\n" for i in range(LINES // 2))
        path.write_text(text, encoding="utf-8")
        server = [sys.executable, str(STANDIN)]
        paths = {"direct": server, "ailedger proxy": [sys.executable, "-m", "ailedger", "proxy", "--", *server]}
        sessions = {name: Session(argv, env, path.as_uri(), text) for name, argv in paths.items()}
        times: dict[str, list[float]] = {name: [] for name in paths}
        for n in range(args.requests + WARM_UP):  # alternate, so that both see the same machine load
            for name, session in sessions.items():
                ms = session.round_trip()
                if n >= WARM_UP:
                    times[name].append(ms)
        for session in sessions.values():
            session.client.close()
        rows = []
        for name, found in times.items():
            found.sort()
            rows.append((name, statistics.median(found), found[int(len(found) * 0.9)], found[int(len(found) * 0.99)]))
    print(f"inlineCompletion round trip, {args.requests} requests each, a didChange before each, "
          f"{LINES:,}-line document, direct and proxied requests alternating\n")
    print(f"{'path':<16} {'median ms':>10} {'p90 ms':>8} {'p99 ms':>8}")
    for name, median, p90, p99 in rows:
        print(f"{name:<16} {median:>10.3f} {p90:>8.3f} {p99:>8.3f}")
    overhead = rows[1][1] - rows[0][1]
    verdict = "PASS" if overhead <= TARGET_MS else "FAIL"
    print(f"\nproxy overhead at the median: {overhead:.3f} ms (target: within {TARGET_MS:g} ms) {verdict}")
    return 0 if overhead <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
