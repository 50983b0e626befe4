"""The proxy is transparent: bytes pass unchanged, exit statuses pass through,
and a broken ledger breaks nothing but the recording."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

from proxy.conftest import proxy_argv
from proxy.helpers import acceptances, until
from proxy.lspclient import DEADLINE
from proxy.test_acceptance import APP, Editor, rng


def framed(body: bytes, header: bytes = b"Content-Length") -> bytes:
    return header + b": %d\r\n\r\n" % len(body) + body


def test_bytes_pass_unchanged_both_ways(env: dict[str, str], tmp_path: Path) -> None:
    """`cat` as the server echoes everything: what comes back must be exactly
    what went in, however it was framed or chunked, valid JSON or not."""
    big = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "file:///big.py", "languageId": "python", "version": 1, "text": "x = '🎉'\r\n" * 60_000}}},
        ensure_ascii=False).encode()
    stream = b"".join([
        framed(b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'),
        framed(b'{"jsonrpc":"2.0","method":"x/\xc3\xa9t\xc3\xa9","params":{"s":"\xf0\x9f\x98\x80"}}', b"content-length"),
        b"Content-Length: 13\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"id\": null}\n",
        framed(b"not json at all {{{"),
        framed(big),
        framed(b'{"jsonrpc": "2.0", "method": "exit"}'),
    ])
    proc = subprocess.Popen(proxy_argv(tmp_path / "ledger.db", "cat"), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    received: queue.Queue[bytes] = queue.Queue()

    def read() -> None:
        while chunk := proc.stdout.read1(1 << 16):  # type: ignore[union-attr]
            received.put(chunk)
        received.put(b"")

    threading.Thread(target=read, daemon=True).start()
    position, sizes = 0, [1, 7, 50, 3, 99_991, 2]  # chunks cut anywhere: in headers, bodies, characters
    for n in range(len(stream)):
        if position >= len(stream):
            break
        size = sizes[n % len(sizes)]
        proc.stdin.write(stream[position:position + size])  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        position += size
    proc.stdin.close()  # type: ignore[union-attr]  # the editor hangs up: cat sees EOF and exits
    echoed = b""
    while chunk := received.get(timeout=DEADLINE):
        echoed += chunk
    assert echoed == stream
    assert proc.wait(timeout=DEADLINE) == 0
    assert b"Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def test_exit_status_of_the_server(env: dict[str, str], tmp_path: Path) -> None:
    code = subprocess.run(proxy_argv(tmp_path / "ledger.db", sys.executable, "-c", "import sys; sys.exit(7)"),
                          stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=60).returncode
    assert code == 7


def test_missing_server_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("proxy", "--", str(tmp_path / "no-such-server"))
    assert result.code == 2 and "cannot start" in result.err
    result = cli("proxy")
    assert result.code == 2 and "after --" in result.err


def test_a_broken_ledger_breaks_nothing_else(start, repo: Path, tmp_path: Path) -> None:
    not_a_ledger = tmp_path / "notes.txt"
    not_a_ledger.write_text("my notes, not SQLite\n")
    client = start(db=not_a_ledger)
    editor = Editor(client, repo / "app.py", APP)
    for n, suggestion in enumerate(["urn w * h", "urn h * w"]):
        editor.suggest(suggestion)
        item = editor.complete(6, 7)
        editor.change(rng(6, 7, 6, 7 + len(suggestion)) if n else rng(6, 7, 6, 7), suggestion)
        response = editor.accept(item)
        assert "error" not in response and response["result"] is None
        assert item["command"]["arguments"][0] in editor.received()["accepted"]
    until(lambda: sum("could not record" in line for line in client.stderr) == 2, client.stderr)
    assert any("not a SQLite database" in line for line in client.stderr)
    assert not_a_ledger.read_text() == "my notes, not SQLite\n"
    assert client.close() == 0


def test_the_server_goes_on_when_the_editor_hangs_up(start, repo: Path, tmp_path: Path) -> None:
    """Closing stdin closes the server's stdin (pygls then exits), and what
    was accepted before is in the ledger."""
    client = start()
    editor = Editor(client, repo / "app.py", APP)
    editor.suggest("urn w * h")
    item = editor.complete(6, 7)
    editor.change(rng(6, 7, 6, 7), "urn w * h")
    editor.accept(item)
    client.proc.stdin.close()  # type: ignore[union-attr]
    client.proc.wait(timeout=DEADLINE)
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert payload["text"] == "urn w * h"
