"""Installing hooks merges with what is there and is idempotent."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest
from helpers_hooks import acceptances


@pytest.mark.parametrize("tool, relative", [
    ("claude-code", ".claude/settings.json"), ("codex", ".codex/hooks.json"), ("cursor", ".cursor/hooks.json")])
def test_install_twice_changes_nothing_and_keeps_other_entries(cli, repo: Path, tool: str, relative: str) -> None:
    path = repo / relative
    path.parent.mkdir()
    mine = {"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}],
                                                             "afterFileEdit": [{"command": "my-audit.sh"}]}}
    path.write_text(json.dumps(mine))
    first = cli("hooks", "install", tool, cwd=repo)
    assert first.code == 0 and first.out.startswith("installed")
    once = path.read_text()
    again = cli("hooks", "install", tool, "--project", cwd=repo)
    assert again.code == 0 and again.out.startswith("already installed")
    assert path.read_text() == once
    config = json.loads(once)
    assert config["permissions"] == {"allow": ["Bash(ls)"]}
    assert config["hooks"]["Stop"] == mine["hooks"]["Stop"]
    assert {"command": "my-audit.sh"} in config["hooks"]["afterFileEdit"]
    assert f"record --from {tool}" in once


def test_user_scope_writes_into_home(cli, repo: Path, env, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env["HOME"] = str(home)  # the cli fixture runs with this very dict
    result = cli("hooks", "install", "claude-code", "--user", cwd=repo)
    assert result.code == 0, result.err
    assert "record --from claude-code" in (home / ".claude" / "settings.json").read_text()


def test_broken_settings_file_is_refused_not_clobbered(cli, repo: Path) -> None:
    path = repo / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text('{"hooks": ')
    result = cli("hooks", "install", "claude-code", cwd=repo)
    assert result.code == 2 and "not valid JSON (line 1)" in result.err
    assert path.read_text() == '{"hooks": '


def test_existing_post_commit_hook_keeps_its_content(cli, repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "post-commit"
    hook.write_text("#!/bin/sh\necho committed\n")
    assert cli("hooks", "install", "git", cwd=repo).code == 0
    text = hook.read_text()
    assert text.startswith("#!/bin/sh\necho committed\n") and "record --from git || true" in text
    assert cli("hooks", "install", "git", cwd=repo).out.startswith("already installed")
    assert hook.read_text() == text and os.access(hook, os.X_OK)


def _installed_command(repo: Path, event: str) -> list[str]:
    settings = json.loads((repo / ".claude" / "settings.json").read_text())
    [group] = settings["hooks"][event]
    return shlex.split(group["hooks"][0]["command"])


def test_the_installed_command_records_an_edit(cli, repo: Path, env) -> None:
    """The line `hooks install` writes, run as Claude Code runs it (sh -c, from
    the repository): the before-edit keeps the file without site-packages (the
    launcher starts Python with -S), the after-edit needs them and still records."""
    assert cli("hooks", "install", "claude-code", cwd=repo).code == 0
    command = _installed_command(repo, "PreToolUse")
    assert command == _installed_command(repo, "PostToolUse") and "-S" in command
    app = repo / "app.py"
    before = app.read_text()
    added = "    if qty >= 10:\n        price *= 0.9\n"
    edit = {"session_id": "s1", "cwd": str(repo), "tool_name": "Edit", "tool_use_id": "toolu_9",
            "tool_input": {"file_path": str(app), "old_string": "    return", "new_string": added + "    return"}}

    def hook(event: str, **extra: object) -> subprocess.CompletedProcess[str]:
        payload = json.dumps({**edit, "hook_event_name": event, **extra})
        return subprocess.run(["sh", "-c", shlex.join(command)], input=payload, capture_output=True, text=True,
                              env=env, cwd=repo, timeout=120)

    pre = hook("PreToolUse")
    assert pre.returncode == 0 and pre.stderr == ""
    app.write_text(before.replace("    return", added + "    return"))  # the agent edits
    post = hook("PostToolUse", tool_response={"success": True})
    assert post.returncode == 0 and post.stderr == ""
    [payload] = acceptances(env)
    assert payload["text"] == added and payload["range"]["start"] == {"line": 3, "character": 0}
    assert cli("verify").code == 0


def test_reinstall_points_an_older_command_at_this_one(cli, repo: Path) -> None:
    """A hook installed by an older ailedger (the console script, a venv since moved)
    is ours: upgraded in place, never duplicated, the user's other fields kept."""
    path = repo / ".claude" / "settings.json"
    path.parent.mkdir()
    old = "/old/venv/bin/ailedger record --from claude-code"
    path.write_text(json.dumps({"hooks": {"PreToolUse": [
        {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": old, "timeout": 5}]}]}}))
    result = cli("hooks", "install", "claude-code", cwd=repo)
    assert result.code == 0 and result.out.startswith("installed"), result.err
    [group] = json.loads(path.read_text())["hooks"]["PreToolUse"]
    assert group["matcher"] == "Edit|Write" and group["hooks"][0]["timeout"] == 5
    assert group["hooks"][0]["command"] != old and _installed_command(repo, "PreToolUse")[-3:] == [
        "record", "--from", "claude-code"]
    once = path.read_text()
    assert cli("hooks", "install", "claude-code", cwd=repo).out.startswith("already installed")
    assert path.read_text() == once
