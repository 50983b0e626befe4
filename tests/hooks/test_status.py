"""`ailedger hooks status` on a home folder laid out by the test: which AI
tools are here, hooked for the repository and the user, which need a setting
turned on, and when each last recorded (from the real hook log)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers_hooks import AFTER, BEFORE, fixture, send


@pytest.fixture
def machine(env: dict[str, str], tmp_path: Path) -> Path:
    """$HOME with Gemini's and Copilot's folders, VS Code settings without agent hooks,
    an `opencode` on PATH, and nothing else (PATH holds only git and it)."""
    home = tmp_path / "home"
    (home / ".gemini").mkdir(parents=True)
    (home / ".copilot").mkdir()
    settings = home / ".config" / "Code" / "User" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{\n  // mine\n  "editor.fontSize": 14\n}\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    (bin_dir / "opencode").write_text("#!/bin/sh\n")
    (bin_dir / "opencode").chmod(0o755)
    env.update(HOME=str(home), PATH=str(bin_dir), XDG_CONFIG_HOME=str(home / ".config"))
    return home


def status(cli, repo: Path) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    result = cli("hooks", "status", "--json", cwd=repo)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["repository"] == str(repo)
    return {t["name"]: t for t in doc["tools"]} | {"_blind": doc["blind"]}  # type: ignore[dict-item]


def test_status_says_what_is_here_hooked_and_blind(cli, repo: Path, env, machine: Path) -> None:
    before = status(cli, repo)
    assert {n for n, t in before.items() if n != "_blind" and t["present"]} == {"gemini", "copilot", "opencode", "git"}
    assert set(before["_blind"]) == {"gemini", "copilot", "opencode", "git"}
    assert {"claude-code", "codex", "cursor", "windsurf", "cline"}.isdisjoint(before["_blind"])
    assert before["copilot"]["flagOff"] == 'VS Code: "chat.useHooks": true'

    assert cli("hooks", "install", "gemini", "--user", cwd=repo).code == 0
    assert cli("hooks", "install", "copilot", cwd=repo).code == 0
    assert cli("hooks", "install", "opencode", cwd=repo).code == 0
    (repo / "app.py").write_text(BEFORE)  # a real recording, so the hook log has a real line
    for event in ("before-tool-replace", "after-tool-replace"):
        if event.startswith("after"):
            (repo / "app.py").write_text(AFTER)
        send(cli, "gemini", fixture("gemini", event, repo), repo)

    after = status(cli, repo)
    assert (after["gemini"]["projectHook"], after["gemini"]["userHook"], after["gemini"]["flagOff"]) == (False, True, None)
    assert (after["copilot"]["projectHook"], after["copilot"]["userHook"]) == (True, False)
    assert after["opencode"]["projectHook"] is True and after["git"]["userHook"] is None
    assert str(after["gemini"]["lastRecorded"]).startswith("20") and after["copilot"]["lastRecorded"] is None
    assert set(after["_blind"]) == {"copilot", "git"}  # copilot: hooked, but VS Code's setting is off

    settings = machine / ".config" / "Code" / "User" / "settings.json"
    settings.write_text('{\n  "editor.fontSize": 14,\n  "chat.useHooks": true\n}\n')
    assert status(cli, repo)["copilot"]["flagOff"] is None

    table = cli("hooks", "status", cwd=repo).out
    assert "blind: git is here but not hooked: ailedger hooks install git" in table
    assert table.splitlines()[0].split() == ["tool", "present", "repo", "hook", "user", "hook", "last", "recorded", "to", "turn", "on"]


def test_status_reads_the_hook_logs_last_recording_per_tool(cli, repo: Path, env, machine: Path, tmp_path: Path) -> None:
    log = tmp_path / "xdg-state" / "ailedger" / "hooks" / "hooks.log"
    log.parent.mkdir(parents=True)
    log.write_text("2026-11-30T09:00:00+00:00 cline: recorded 1 AI-written region(s)\n"
                   "2026-12-01T08:00:00+00:00 cline: recorded 3 AI-written region(s)\n"
                   "2026-12-01T09:00:00+00:00 cline: not recorded: the hook payload on stdin is not JSON\n"
                   "garbage line\n")
    got = status(cli, repo)
    assert got["cline"]["lastRecorded"] == "2026-12-01T08:00:00+00:00"
    assert got["windsurf"]["lastRecorded"] is None


def test_status_outside_a_repository_has_no_project_column(cli, env, machine: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = cli("hooks", "status", "--json", cwd=outside)
    doc = json.loads(result.out)
    assert doc["repository"] is None and all(t["projectHook"] is None for t in doc["tools"])
