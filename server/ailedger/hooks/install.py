"""`ailedger hooks install TOOL`: write the tool's hook configuration,
merging with what is there (never clobbering it); installing twice changes
nothing; a file that cannot be read as the tool's format is refused untouched.

Where each tool keeps its hooks is in `config_path` (also read by
`ailedger hooks status`).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError

TOOLS = ("claude-code", "codex", "cursor", "copilot", "gemini", "windsurf", "cline", "opencode", "git")

# Cline runs one executable per event, named after it.
CLINE_EVENTS = ("PreToolUse", "PostToolUse", "UserPromptSubmit")
MARK = "ailedger record --from"  # in every file ailedger writes, so status and reinstall can find it


@dataclass
class Installed:
    path: Path
    changed: bool
    notes: list[str] = field(default_factory=list)  # a flag to turn on, said to the user


def command_argv(tool: str) -> list[str]:
    """The command a hook runs: this very ailedger (its interpreter, its files), so it
    works outside the venv too. Not the `ailedger` console script: hooks/launch.py
    starts in about half the time (no `site`, no pip wrapper), and an agent waits on
    every before-edit hook. Every form ends in `record --from TOOL` (see _has_command)."""
    launcher = Path(__file__).resolve().with_name("launch.py")
    return [sys.executable, "-S", str(launcher), "record", "--from", tool]


def command_for(tool: str) -> str:
    return shlex.join(command_argv(tool))


def repo_root(cwd: Path) -> Path:
    out = subprocess.run(["git", "-C", str(cwd), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if out.returncode != 0:
        raise UserError(f"{cwd} is not inside a git repository (use --user, or run it in your project)")
    return Path(out.stdout.strip())


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def config_path(tool: str, base: Path, *, user: bool) -> Path:
    """Where TOOL's hook configuration lives: `base` is the repository root, or $HOME with user=True."""
    if tool == "claude-code":
        return base / ".claude" / "settings.json"
    if tool == "codex":
        return base / ".codex" / "hooks.json"
    if tool == "cursor":
        return base / ".cursor" / "hooks.json"
    if tool == "copilot":  # VS Code reads both; the Copilot CLI reads both
        return base / (".copilot/hooks" if user else ".github/hooks") / "ailedger.json"
    if tool == "gemini":
        return base / ".gemini" / "settings.json"
    if tool == "windsurf":
        return base / (".codeium/windsurf" if user else ".windsurf") / "hooks.json"
    if tool == "cline":
        return base / ("Documents/Cline/Hooks" if user else ".clinerules/hooks")
    if tool == "opencode":
        return (config_home() / "opencode" if user else base / ".opencode") / "plugin" / "ailedger.js"
    raise ValueError(tool)


def install(tool: str, *, user: bool, cwd: Path) -> Installed:
    """Install; return the file written, whether anything changed, and what to turn on."""
    if tool == "git":
        if user:
            raise UserError("git hooks are per repository: run `ailedger hooks install git` inside the repository")
        return _install_git(cwd)
    base = Path.home() if user else repo_root(cwd)
    path = config_path(tool, base, user=user)
    cmd = command_for(tool)
    entry = {"type": "command", "command": cmd}
    if tool == "cursor":
        edits = "Write|StrReplace|Edit|MultiEdit|Delete"
        wanted = {"afterFileEdit": [{"command": cmd}], "afterTabFileEdit": [{"command": cmd}],
                  "beforeSubmitPrompt": [{"command": cmd}], "preToolUse": [{"command": cmd, "matcher": edits}],
                  "postToolUse": [{"command": cmd, "matcher": edits}]}
        return Installed(path, _merge_json(path, wanted, top={"version": 1}))
    if tool in ("claude-code", "codex"):
        matcher = "Edit|Write|MultiEdit|NotebookEdit" if tool == "claude-code" else "apply_patch|Edit|Write"
        wanted = {"PreToolUse": [{"matcher": matcher, "hooks": [entry]}],
                  "PostToolUse": [{"matcher": matcher, "hooks": [entry]}],
                  "UserPromptSubmit": [{"hooks": [entry]}]}
        return Installed(path, _merge_json(path, wanted))
    if tool == "copilot":
        # PascalCase events: the Copilot CLI then sends VS Code's (Claude-style) payload too.
        # `bash` is the CLI's key for the command, `command` VS Code's.
        both = {"type": "command", "command": cmd, "bash": cmd}
        wanted = {event: [both] for event in ("PreToolUse", "PostToolUse", "UserPromptSubmit")}
        return Installed(path, _merge_json(path, wanted, top={"version": 1}), _vscode_flag_notes(base, user=user))
    if tool == "gemini":
        named = {"name": "ailedger", "type": "command", "command": cmd}
        files = "write_file|replace"
        wanted = {"BeforeTool": [{"matcher": files, "hooks": [named]}], "AfterTool": [{"matcher": files, "hooks": [named]}],
                  "BeforeAgent": [{"hooks": [named]}], "BeforeModel": [{"hooks": [named]}]}
        tools = _read_json(path).get("tools")
        was_on = isinstance(tools, dict) and tools.get("enableHooks") is True
        changed = _merge_json(path, wanted, flags={("tools", "enableHooks"): True})
        return Installed(path, changed, [] if was_on else [f"Gemini CLI: turned on tools.enableHooks in {path} (no hook runs without it)"])
    if tool == "windsurf":
        wanted = {event: [{"command": cmd, "show_output": False}] for event in ("pre_write_code", "post_write_code", "pre_user_prompt")}
        return Installed(path, _merge_json(path, wanted))
    if tool == "cline":
        script = f"#!/bin/sh\n# {MARK} cline: what Cline writes, recorded by ailedger\nexec {cmd}\n"
        for event in CLINE_EVENTS:  # all refused, or all written: never half an install
            _write_ours(path / event, script, tool, check_only=True)
        changed = False
        for event in CLINE_EVENTS:
            changed |= _write_ours(path / event, script, tool, executable=True)
        return Installed(path, changed, ["Cline: turn on Settings > Features > Hooks (Cline runs no hook scripts until then)"])
    if tool == "opencode":
        return Installed(path, _write_ours(path, _opencode_plugin(command_argv(tool)), tool))
    raise ValueError(tool)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        config = json.loads(path.read_text() or "{}")
    except json.JSONDecodeError as err:
        raise UserError(f"{path}: not valid JSON (line {err.lineno}): fix it first; nothing was changed") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read it ({err}); nothing was changed") from None
    if not isinstance(config, dict):
        raise UserError(f"{path}: expected a JSON object at the top; nothing was changed")
    return config


def _merge_json(path: Path, wanted: dict[str, list[dict[str, Any]]], *, top: dict[str, Any] | None = None,
                flags: dict[tuple[str, str], Any] | None = None) -> bool:
    """Add each wanted hook entry under `hooks.EVENT` unless one of ours is there;
    `top` keys are set only when missing, `flags` (table, key) always."""
    config = _read_json(path) or dict(top or {})  # a new file starts with the tool's own header (version)
    hooks = config.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise UserError(f"{path}: `hooks` should be an object; nothing was changed")
    changed = False
    for key, value in (top or {}).items():
        if key not in config:
            config[key] = value
            changed = True
    for (table, key), value in (flags or {}).items():
        section = config.setdefault(table, {})
        if not isinstance(section, dict):
            raise UserError(f"{path}: `{table}` should be an object; nothing was changed")
        if section.get(key) != value:
            section[key] = value
            changed = True
    for event, entries in wanted.items():
        existing = hooks.setdefault(event, [])
        if not isinstance(existing, list):
            raise UserError(f"{path}: hooks.{event} should be a list; nothing was changed")
        for entry in entries:
            ours = [e for e in existing if _has_command(e, entry)]
            if not ours:
                existing.append(entry)
                changed = True
            for e in ours:
                changed |= _upgrade(e, entry)
    if changed:
        _write(path, json.dumps(config, indent=2) + "\n")
    return changed


def _has_command(existing: Any, entry: dict[str, Any]) -> bool:
    """Is one of our commands already there (whatever path it was installed from)?"""
    mine = " ".join([c for c in _commands(entry) if c][-1].split()[-3:])  # "record --from TOOL"
    return any(c.endswith(mine) for c in _commands(existing))


def _commands(e: Any) -> list[str]:
    if not isinstance(e, dict):
        return []
    return [str(e.get(k, "")) for k in ("command", "bash")] + [
        str(h.get("command", "")) for h in e.get("hooks", []) if isinstance(h, dict)]


def _upgrade(existing: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Point one of our entries installed by another ailedger (an older command, a moved
    venv) at this one's command; the rest of the entry is the user's and stays."""
    new = [c for c in _commands(entry) if c][-1]
    mine = " ".join(new.split()[-3:])
    changed = False
    for place in [existing] + [h for h in existing.get("hooks", []) if isinstance(h, dict)]:
        for k in ("command", "bash"):
            if isinstance(place.get(k), str) and place[k].endswith(mine) and place[k] != new:
                place[k] = new
                changed = True
    return changed


def _write(path: Path, text: str, *, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".ailedger-tmp")
    tmp.write_text(text)
    if executable:
        tmp.chmod(0o755)
    tmp.replace(path)


def _write_ours(path: Path, text: str, tool: str, *, executable: bool = False, check_only: bool = False) -> bool:
    """A file that is wholly ailedger's: (re)written when it differs; someone else's is refused."""
    if path.exists():
        try:
            current = path.read_text()
        except (OSError, UnicodeDecodeError):
            current = ""
        if current == text:
            return False
        if MARK not in current:
            raise UserError(f"{path} exists and is not ailedger's: make it run `{command_for(tool)}` "
                            "yourself, or move it away; nothing was changed")
    if not check_only:
        _write(path, text, executable=executable)
    return True


def _vscode_flag_notes(base: Path, *, user: bool) -> list[str]:
    from .status import vscode_hooks_on

    if vscode_hooks_on(None if user else base):
        return []
    return ['VS Code: agent hooks are off; add "chat.useHooks": true to your settings.json '
            "(Preferences: Open User Settings (JSON)); the Copilot CLI needs nothing more"]


def _opencode_plugin(argv: list[str]) -> str:
    return f"""\
// {MARK} opencode: written by `ailedger hooks install opencode`; reinstalling rewrites it.
// Forwards OpenCode's tool.execute.before/after and chat.message to ailedger, which
// keeps each file before an edit and records what the agent wrote. It never throws:
// ailedger must not get in the agent's way.
import {{ spawnSync }} from "node:child_process"

const COMMAND = {json.dumps(argv)}

function send(hook, input, output, directory) {{
  try {{
    spawnSync(COMMAND[0], COMMAND.slice(1), {{
      input: JSON.stringify({{ hook, input, output, directory }}),
      stdio: ["pipe", "ignore", "ignore"],
      timeout: 10000,
    }})
  }} catch {{}}
}}

export const AiledgerPlugin = async ({{ directory }}) => ({{
  "tool.execute.before": async (input, output) => send("tool.execute.before", input, output, directory),
  "tool.execute.after": async (input, output) => send("tool.execute.after", input, output, directory),
  "chat.message": async (input, output) => send("chat.message", input, output, directory),
}})
"""


def _install_git(cwd: Path) -> Installed:
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
            return Installed(path, False)
        first = text.splitlines()[0] if text else ""
        if text and not (first.startswith("#!") and any(s in first for s in ("sh", "bash", "zsh"))):
            raise UserError(f"{path} exists and is not a shell script; add this line to it yourself: {line}")
        text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    else:
        text = "#!/bin/sh\n" + line + "\n"
    hooks_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | 0o111)
    return Installed(path, True)
