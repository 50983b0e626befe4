"""`ailedger hooks install NAME` for the agents beyond Claude Code and Codex:
merged with what is there, idempotent, someone else's or a broken file
refused untouched, the setting the tool needs turned on or named; and the
OpenCode plugin it writes, run for real under Node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers_hooks import ADDED, AFTER, BEFORE, PROMPT, acceptances, fixture

# tool, its file, what the user already had there, and a check that it is all still there
THEIRS: dict[str, tuple[str, dict[str, Any]]] = {
    "copilot": (".github/hooks/ailedger.json", {"version": 1, "hooks": {"preToolUse": [{"type": "command", "bash": "./audit.sh"}]}}),
    "gemini": (".gemini/settings.json", {"theme": "GitHub", "tools": {"sandbox": True},
                                         "hooks": {"AfterAgent": [{"hooks": [{"type": "command", "command": "notify.sh"}]}]}}),
    "windsurf": (".windsurf/hooks.json", {"hooks": {"pre_run_command": [{"command": "guard.sh", "show_output": True}]}}),
    "cursor": (".cursor/hooks.json", {"version": 1, "hooks": {"afterFileEdit": [{"command": "format.sh"}]}}),
}


@pytest.mark.parametrize("tool", THEIRS)
def test_install_twice_changes_nothing_and_keeps_their_entries(cli, repo: Path, tool: str) -> None:
    relative, theirs = THEIRS[tool]
    path = repo / relative
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(theirs))
    first = cli("hooks", "install", tool, cwd=repo)
    assert first.code == 0 and first.out.startswith("installed"), first.err
    once = path.read_text()
    again = cli("hooks", "install", tool, cwd=repo)
    assert again.code == 0 and again.out.startswith("already installed")
    assert path.read_text() == once
    config = json.loads(once)
    for event, entries in theirs["hooks"].items():
        assert all(e in config["hooks"][event] for e in entries)
    assert {k: v for k, v in theirs.items() if k not in ("hooks", "tools")}.items() <= config.items()
    assert f"record --from {tool}" in once


def test_gemini_install_turns_its_hooks_on_in_its_own_settings(cli, repo: Path) -> None:
    result = cli("hooks", "install", "gemini", cwd=repo)
    config = json.loads((repo / ".gemini" / "settings.json").read_text())
    assert config["tools"]["enableHooks"] is True
    assert "turned on tools.enableHooks" in result.out
    assert config["hooks"]["BeforeTool"][0]["matcher"] == "write_file|replace"
    assert {"BeforeTool", "AfterTool", "BeforeAgent", "BeforeModel"} <= config["hooks"].keys()


def test_copilot_install_says_exactly_what_to_turn_on_in_vs_code(cli, repo: Path, env, tmp_path: Path) -> None:
    env["HOME"] = str(tmp_path / "home")
    result = cli("hooks", "install", "copilot", cwd=repo)
    assert '"chat.useHooks": true' in result.out
    hooks = json.loads((repo / ".github" / "hooks" / "ailedger.json").read_text())["hooks"]
    entry = hooks["PreToolUse"][0]
    assert entry["bash"] == entry["command"] and entry["command"].endswith("record --from copilot")
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text('{\n  // agent hooks\n  "chat.useHooks": true,\n}\n')
    (repo / ".github" / "hooks" / "ailedger.json").unlink()
    assert "chat.useHooks" not in cli("hooks", "install", "copilot", cwd=repo).out


def test_copilot_user_install_goes_to_the_copilot_home(cli, repo: Path, env, tmp_path: Path) -> None:
    env["HOME"] = str(tmp_path / "home")
    assert cli("hooks", "install", "copilot", "--user", cwd=repo).code == 0
    assert "record --from copilot" in (tmp_path / "home" / ".copilot" / "hooks" / "ailedger.json").read_text()


@pytest.mark.parametrize("tool, relative", [
    ("copilot", ".github/hooks/ailedger.json"), ("gemini", ".gemini/settings.json"), ("cursor", ".cursor/hooks.json"),
    ("windsurf", ".windsurf/hooks.json")])
def test_a_broken_config_is_refused_untouched(cli, repo: Path, tool: str, relative: str) -> None:
    path = repo / relative
    path.parent.mkdir(parents=True)
    path.write_text('{"hooks": {')
    result = cli("hooks", "install", tool, cwd=repo)
    assert result.code == 2 and "not valid JSON (line 1)" in result.err and result.err.count("\n") == 1
    assert path.read_text() == '{"hooks": {'


def test_cline_scripts_are_executables_named_after_the_events(cli, repo: Path) -> None:
    hooks = repo / ".clinerules" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "TaskStart").write_text("#!/bin/sh\necho '{\"cancel\": false}'\n")
    first = cli("hooks", "install", "cline", cwd=repo)
    assert first.code == 0 and "Hooks" in first.out
    for event in ("PreToolUse", "PostToolUse", "UserPromptSubmit"):
        assert os.access(hooks / event, os.X_OK) and "record --from cline" in (hooks / event).read_text()
    once = {p.name: p.read_text() for p in hooks.iterdir()}
    assert cli("hooks", "install", "cline", cwd=repo).out.startswith("already installed")
    assert {p.name: p.read_text() for p in hooks.iterdir()} == once
    assert once["TaskStart"].startswith("#!/bin/sh\necho")


def test_cline_script_of_someone_elses_is_refused_and_nothing_is_half_installed(cli, repo: Path) -> None:
    hooks = repo / ".clinerules" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "PostToolUse").write_text("#!/bin/sh\n./lint.sh\n")
    result = cli("hooks", "install", "cline", cwd=repo)
    assert result.code == 2 and "is not ailedger's" in result.err
    assert sorted(p.name for p in hooks.iterdir()) == ["PostToolUse"]
    assert (hooks / "PostToolUse").read_text() == "#!/bin/sh\n./lint.sh\n"


def test_the_installed_cline_script_answers_cline_and_records(cli, repo: Path, env) -> None:
    assert cli("hooks", "install", "cline", cwd=repo).code == 0
    script = repo / ".clinerules" / "hooks"

    def run(event: str, name: str) -> str:
        payload = json.dumps(fixture("cline", name, repo))
        out = subprocess.run([str(script / event)], input=payload, capture_output=True, text=True, env=env, cwd=repo, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    (repo / "app.py").write_text(BEFORE)
    assert json.loads(run("UserPromptSubmit", "user-prompt-submit")) == {"cancel": False}
    assert json.loads(run("PreToolUse", "pre-tool-use-replace")) == {"cancel": False}
    (repo / "app.py").write_text(AFTER)
    assert json.loads(run("PostToolUse", "post-tool-use-replace")) == {"cancel": False}
    [payload] = acceptances(env)
    assert payload["text"] == ADDED and payload["tool"] == {"name": "cline", "version": "3.38.1"}


def test_opencode_plugin_is_ours_alone(cli, repo: Path) -> None:
    plugins = repo / ".opencode" / "plugin"
    plugins.mkdir(parents=True)
    (plugins / "theirs.ts").write_text("export const Theirs = async () => ({})\n")
    assert cli("hooks", "install", "opencode", cwd=repo).out.startswith("installed")
    once = (plugins / "ailedger.js").read_text()
    assert cli("hooks", "install", "opencode", cwd=repo).out.startswith("already installed")
    assert (plugins / "ailedger.js").read_text() == once
    assert (plugins / "theirs.ts").read_text() == "export const Theirs = async () => ({})\n"
    (plugins / "ailedger.js").write_text("// my own\n")
    result = cli("hooks", "install", "opencode", cwd=repo)
    assert result.code == 2 and (plugins / "ailedger.js").read_text() == "// my own\n"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to load the OpenCode plugin")
def test_the_opencode_plugin_forwards_opencodes_hooks(cli, repo: Path, env) -> None:
    """The plugin file as OpenCode loads it (an ES module exporting a Plugin), called with
    OpenCode's hook arguments (packages/plugin/src/index.ts)."""
    assert cli("hooks", "install", "opencode", cwd=repo).code == 0
    (repo / "app.py").write_text(BEFORE)
    chat, before, after = (fixture("opencode", n, repo) for n in ("chat-message", "tool-before-edit", "tool-after-edit"))
    driver = f"""
import {{ writeFileSync }} from "node:fs"
const {{ AiledgerPlugin }} = await import({json.dumps((repo / ".opencode/plugin/ailedger.js").as_uri())})
const hooks = await AiledgerPlugin({{ directory: {json.dumps(str(repo))}, worktree: {json.dumps(str(repo))} }})
await hooks["chat.message"]({json.dumps(chat["input"])}, {json.dumps(chat["output"])})
await hooks["tool.execute.before"]({json.dumps(before["input"])}, {json.dumps(before["output"])})
writeFileSync({json.dumps(str(repo / "app.py"))}, {json.dumps(AFTER)})
await hooks["tool.execute.after"]({json.dumps(after["input"])}, {json.dumps(after["output"])})
"""
    out = subprocess.run(["node", "--input-type=module", "-e", driver], capture_output=True, text=True, env=env, cwd=repo, timeout=120)
    assert out.returncode == 0, out.stderr
    [payload] = acceptances(env)
    assert payload["text"] == ADDED and payload["prompt"] is not None
    assert payload["model"] == {"provider": "anthropic", "id": "claude-sonnet-4-5", "version": None}
    assert PROMPT.split(" for ")[0] in payload["prompt"]
