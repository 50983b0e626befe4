"""Language-server latency and memory, beside a bare pygls server's floor.

    .venv/bin/python bench/lsp_diagnostics.py

- initialize answered, from process start (median of 5), vs bare pygls;
- one-character didChange -> publishDiagnostics with 1,000 regions in a
  20,000-line file, debounce 0 (median of 200), vs bare pygls publishing the
  same number of fixed diagnostics;
- recordAcceptance -> its diagnostic (median of 50);
- server RSS with 100,000 regions in the ledger.
All in one run; the machine is shared, so compare ratios.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from rawlsp import RawClient  # noqa: E402

from ailedger.ledger.identity import repo_of  # noqa: E402
from ailedger.ledger.store import Ledger  # noqa: E402

LINES, REGIONS = 20_000, 1_000


class Client(RawClient):
    def __init__(self, env: dict[str, str], command: list[str]) -> None:
        import subprocess

        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        self.next_id = 0
        self.notifications = []

    def wait_diagnostics(self, uri: str) -> dict:
        while True:
            message = self.next_notification()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]


def start(env: dict[str, str], command: list[str], root: Path) -> tuple[Client, float]:
    t = time.perf_counter()
    client = Client(env, command)
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {},
                                  "initializationOptions": {"diagnosticsDebounceMs": 0}})
    elapsed = time.perf_counter() - t
    client.notify("initialized", {})
    return client, elapsed


def plant(db: Path, path: Path, count: int, *, other_files: int = 0) -> None:
    text = path.read_text()
    ref = repo_of(path)
    lines = text.splitlines(keepends=True)
    with Ledger(db) as ledger:
        batch = []
        for i in range(count):
            line = i * (LINES // count)
            body = "".join(lines[line:line + 2])
            batch.append(("acceptance", {
                "regionId": f"01BENCH{i:019d}", "user": "dev@example.com", "repo": ref.repo, "path": ref.path,
                "range": {"start": {"line": line, "character": 0}, "end": {"line": line + 2, "character": 0}},
                "textSha256": hashlib.sha256(body.encode()).hexdigest(), "text": body, "kind": "inline",
                "tool": {"name": "copilot", "version": "1.250.0"}, "model": {"provider": "openai", "id": "gpt-4.1"},
                "prompt": None, "parameters": None, "acceptedAt": "2026-11-27T12:00:00Z"}))
        for i in range(other_files):
            batch.append(("acceptance", dict(batch[0][1], regionId=f"01OTHER{i:019d}", path=f"other/{i % 500}.py")))
        for k in range(0, len(batch), 5000):
            ledger.append_many(batch[k:k + 5000], actor="dev@example.com")
        ledger.save_snapshot(ref.repo, ref.path, text)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="ailedger-lspbench-"))
    os.system(f"git init -q {root}")
    path = root / "big.py"
    path.write_text("".join(f"value_{i} = compute({i})  # line {i}\n" for i in range(LINES)))
    env = {**os.environ, "AILEDGER_DB": str(root / "ledger.db"), "AILEDGER_USER": "dev@example.com"}
    plant(root / "ledger.db", path, REGIONS)
    ours = os.environ.get("AILEDGER_BENCH_SERVER", f"{sys.executable} -m ailedger lsp").split()
    bare = [sys.executable, str(Path(__file__).with_name("bare_server.py"))]
    uri, text = path.as_uri(), path.read_text()

    progress("initialize timings")
    init = {"ailedger": [], "bare": []}
    for _ in range(5):
        for name, command in (("ailedger", ours), ("bare", bare)):
            client, elapsed = start(env, command, root)
            init[name].append(elapsed)
            client.close()

    change = {}
    for name, command in (("ailedger", ours), ("bare", bare)):
        progress(f"didChange -> publishDiagnostics, {name}")
        client, _ = start(env, command, root)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
        if name == "ailedger":
            first = client.wait_diagnostics(uri)
            assert len(first["diagnostics"]) == REGIONS, len(first["diagnostics"])
        times = []
        for v in range(2, 202):
            line = (v * 97) % LINES
            t = time.perf_counter()
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [
                {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "x"}]})
            got = client.wait_diagnostics(uri)
            times.append(time.perf_counter() - t)
            assert len(got["diagnostics"]) == REGIONS
        change[name] = statistics.median(times)
        if name == "ailedger":
            progress("recordAcceptance -> diagnostic")
            capture = []
            lines = text.splitlines(keepends=True)
            for v in range(2, 202):  # the document as the edits above left it
                lines[(v * 97) % LINES] = "x" + lines[(v * 97) % LINES]
            for k in range(50):
                line = 5 + k * 400 + 11
                t = time.perf_counter()
                response = client.request("ailedger/recordAcceptance", {
                    "textDocument": {"uri": uri}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}},
                    "text": lines[line], "kind": "inline", "tool": {"name": "bench"}, "model": None, "prompt": None, "parameters": None})
                assert "result" in response, response
                while True:  # the publish for this capture arrives right after the response
                    got = client.wait_diagnostics(uri)
                    if any(d["data"]["regionId"] == response["result"]["regionId"] for d in got["diagnostics"]):
                        break
                capture.append(time.perf_counter() - t)
        client.close()

    progress("memory with 100,000 regions in the ledger")
    big = Path(tempfile.mkdtemp(prefix="ailedger-lspmem-"))
    os.system(f"git init -q {big}")
    (big / "big.py").write_text(text)
    menv = {**env, "AILEDGER_DB": str(big / "ledger.db")}
    plant(big / "ledger.db", big / "big.py", REGIONS, other_files=100_000 - REGIONS)
    client, _ = start(menv, ours, big)
    client.notify("textDocument/didOpen", {"textDocument": {"uri": (big / "big.py").as_uri(), "languageId": "python", "version": 1, "text": text}})
    client.wait_diagnostics((big / "big.py").as_uri())
    memory = rss_mb(client.proc.pid)
    client.close()

    i_ours, i_bare = statistics.median(init["ailedger"]), statistics.median(init["bare"])
    rows = [
        ("initialize from process start", f"{i_ours * 1000:.0f} ms", f"{i_bare * 1000:.0f} ms", f"{i_ours / i_bare:.2f}x", "<= 1.5x", i_ours / i_bare <= 1.5),
        ("didChange -> publishDiagnostics (1,000)", f"{change['ailedger'] * 1000:.1f} ms", f"{change['bare'] * 1000:.1f} ms",
         f"{change['ailedger'] / change['bare']:.2f}x", "<= 1.5x", change["ailedger"] / change["bare"] <= 1.5),
        ("recordAcceptance -> diagnostic", f"{statistics.median(capture) * 1000:.1f} ms", "-", "-", "< 20 ms", statistics.median(capture) < 0.020),
        ("server RSS, 100,000 regions in ledger", f"{memory:.0f} MB", "-", "-", "< 150 MB", memory < 150),
    ]
    print(f"{'measure':<42} {'ailedger':>10} {'floor':>10} {'ratio':>7} {'target':>9}  ok")
    for name, a, b, r, target, ok in rows:
        print(f"{name:<42} {a:>10} {b:>10} {r:>7} {target:>9}  {'yes' if ok else 'NO'}")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
