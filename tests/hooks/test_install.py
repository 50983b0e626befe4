"""Installing hooks merges with what is there and is idempotent."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest


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
