"""`ailedger hooks install TOOL`: write the tool's hook configuration,
merging with what is there (never clobbering it); installing twice changes
nothing."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..errors import UserError

TOOLS = ("claude-code", "cursor", "codex", "git")


def command_for(tool: str) -> str:
    """The command a hook runs: this very ailedger, so it works outside the venv too."""
    exe = shutil.which("ailedger")
    base = shlex.quote(exe) if exe else f"{shlex.quote(sys.executable)} -m ailedger"
    return f"{base} record --from {tool}"


def repo_root(cwd: Path) -> Path:
    out = subprocess.run(["git", "-C", str(cwd), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if out.returncode != 0:
        raise UserError(f"{cwd} is not inside a git repository (use --user, or run it in your project)")
    return Path(out.stdout.strip())


def install(tool: str, *, user: bool, cwd: Path) -> tuple[Path, bool]:
    """Install; return the file written and whether anything changed."""
    if tool == "git":
        if user:
            raise UserError("git hooks are per repository: run `ailedger hooks install git` inside the repository")
        return _install_git(cwd)
    home = Path.home() if user else repo_root(cwd)
    cmd = command_for(tool)
    if tool == "cursor":
        path = home / ".cursor" / "hooks.json"
        wanted = {"afterFileEdit": {"command": cmd}, "beforeSubmitPrompt": {"command": cmd}}
        return path, _merge_json(path, wanted, cursor=True)
    folder = ".claude" if tool == "claude-code" else ".codex"
    path = home / folder / ("settings.json" if tool == "claude-code" else "hooks.json")
    matcher = "Edit|Write|MultiEdit|NotebookEdit" if tool == "claude-code" else "apply_patch|Edit|Write"
    entry = {"type": "command", "command": cmd}
    wanted = {
        "PreToolUse": {"matcher": matcher, "hooks": [entry]},
        "PostToolUse": {"matcher": matcher, "hooks": [entry]},
        "UserPromptSubmit": {"hooks": [entry]},
    }
    return path, _merge_json(path, wanted, cursor=False)


def _merge_json(path: Path, wanted: dict[str, dict[str, Any]], *, cursor: bool) -> bool:
    config: dict[str, Any] = {}
    if path.exists():
        try:
            config = json.loads(path.read_text() or "{}")
        except json.JSONDecodeError as err:
            raise UserError(f"{path}: not valid JSON (line {err.lineno}): fix it first; nothing was changed") from None
        if not isinstance(config, dict):
            raise UserError(f"{path}: expected a JSON object at the top; nothing was changed")
    hooks = config.setdefault("hooks", {})
    if cursor:
        config.setdefault("version", 1)
    changed = False
    for event, entry in wanted.items():
        entries = hooks.setdefault(event, [])
        if not isinstance(entries, list):
            raise UserError(f"{path}: hooks.{event} should be a list; nothing was changed")
        if any(_has_command(e, entry) for e in entries):
            continue
        entries.append(entry)
        changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(config, indent=2) + "\n")
        tmp.replace(path)
    return changed


def _has_command(existing: Any, entry: dict[str, Any]) -> bool:
    """Is one of our commands already there (whatever path it was installed from)?"""
    def commands(e: Any) -> list[str]:
        if not isinstance(e, dict):
            return []
        return [str(e.get("command", ""))] + [str(h.get("command", "")) for h in e.get("hooks", []) if isinstance(h, dict)]

    mine = " ".join(commands(entry)[-1].split()[-3:])  # "record --from TOOL"
    return any(c.endswith(mine) for c in commands(existing))


def _install_git(cwd: Path) -> tuple[Path, bool]:
    root = repo_root(cwd)
    hooks_dir = Path(subprocess.run(["git", "-C", str(root), "rev-parse", "--git-path", "hooks"],
                                    capture_output=True, text=True, check=True).stdout.strip())
    if not hooks_dir.is_absolute():
        hooks_dir = root / hooks_dir
    path = hooks_dir / "post-commit"
    line = f"{command_for('git')} || true  # ailedger: record AI-authored commits"
    if path.exists():
        text = path.read_text()
        if "record --from git" in text:
            return path, False
        first = text.splitlines()[0] if text else ""
        if text and not (first.startswith("#!") and any(s in first for s in ("sh", "bash", "zsh"))):
            raise UserError(f"{path} exists and is not a shell script; add this line to it yourself: {line}")
        text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    else:
        text = "#!/bin/sh\n" + line + "\n"
    hooks_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | 0o111)
    return path, True
