"""`ailedger hooks status`: where ailedger is blind.

For each AI tool ailedger knows: is it on this machine (on PATH, or its
configuration folder under $HOME), is its hook installed for this repository
and for the user, is a setting it needs turned off, and when did its hook
last record something (the hook log's `recorded N` lines).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from .install import CLINE_EVENTS, MARK, config_home, config_path

# name -> (commands on PATH, configuration folders under $HOME)
KNOWN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "claude-code": (("claude",), (".claude",)),
    "codex": (("codex",), (".codex",)),
    "cursor": (("cursor", "cursor-agent"), (".cursor",)),
    "copilot": (("copilot", "code", "code-insiders"), (".copilot", ".vscode", ".vscode-insiders")),
    "gemini": (("gemini",), (".gemini",)),
    "windsurf": (("windsurf",), (".codeium/windsurf", ".windsurf")),
    "cline": (("cline",), ("Documents/Cline", ".cline")),
    "opencode": (("opencode",), (".opencode",)),  # and $XDG_CONFIG_HOME/opencode
    "git": (("git",), ()),
}
_RECORDED = re.compile(r"^(\S+) ([\w.-]+): recorded \d+")


@dataclass
class ToolStatus:
    name: str
    present: bool
    projectHook: bool | None  # None: no repository here
    userHook: bool | None  # None: the tool has no user-level hooks (git)
    flagOff: str | None  # the setting to turn on, when it is off
    lastRecorded: str | None  # ISO time of its hook's last recording

    def blind(self) -> bool:
        return self.present and (not (self.projectHook or self.userHook) or self.flagOff is not None)


def _hooked(path: Path, tool: str) -> bool:
    """Does the file (or Cline's folder of event scripts) run `ailedger record --from TOOL`?"""
    files = [path / event for event in CLINE_EVENTS] if tool == "cline" else [path]
    if tool == "copilot":
        files = sorted(path.parent.glob("*.json"))
    for f in files:
        try:
            text = f.read_text(errors="replace")
        except OSError:
            continue
        if re.search(rf"record(\"?, \"?| )--from(\"?, \"?| ){re.escape(tool)}\b", text):
            return True
    return False


def _git_hooked(root: Path) -> bool:
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-path", "hooks"], capture_output=True, text=True)
    hooks = Path(out.stdout.strip())
    if not hooks.is_absolute():
        hooks = root / hooks
    return _hooked(hooks / "post-commit", "git")


def vscode_settings(root: Path | None) -> list[Path]:
    """VS Code's user settings files on this platform, and the workspace's."""
    home = Path.home()
    bases = {"darwin": home / "Library" / "Application Support"}.get(sys.platform, config_home())
    files = [bases / product / "User" / "settings.json" for product in ("Code", "Code - Insiders", "VSCodium")]
    return files + ([root / ".vscode" / "settings.json"] if root else [])


def vscode_hooks_on(root: Path | None) -> bool:
    """Is `chat.useHooks` on in VS Code's user or workspace settings? (JSON with comments: a pattern, not a parser)."""
    for path in vscode_settings(root):
        try:
            if re.search(r'"chat\.useHooks"\s*:\s*true\b', path.read_text(errors="replace")):
                return True
        except OSError:
            continue
    return False


def _vscode_here() -> bool:
    """VS Code on PATH, its extensions folder, or its user settings: the Copilot CLI needs no flag, VS Code does."""
    return bool(shutil.which("code") or shutil.which("code-insiders") or (Path.home() / ".vscode").is_dir()
                or any(p.exists() for p in vscode_settings(None)))


def _gemini_hooks_on(root: Path | None) -> bool:
    import json

    for path in ([root / ".gemini" / "settings.json"] if root else []) + [Path.home() / ".gemini" / "settings.json"]:
        try:
            tools = json.loads(path.read_text()).get("tools")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(tools, dict) and tools.get("enableHooks") is True:
            return True
    return False


def _flag_off(name: str, root: Path | None) -> str | None:
    if name == "copilot" and _vscode_here():
        return None if vscode_hooks_on(root) else 'VS Code: "chat.useHooks": true'
    if name == "gemini":
        return None if _gemini_hooks_on(root) else "Gemini CLI: tools.enableHooks = true"
    return None


def last_recorded(log: Path) -> dict[str, str]:
    """source -> ISO time of the last `recorded N ...` line in the hook log."""
    found: dict[str, str] = {}
    try:
        with log.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                match = _RECORDED.match(line)
                if match:
                    found[match.group(2)] = match.group(1)
    except OSError:
        pass
    return found


def statuses(cwd: Path) -> tuple[Path | None, list[ToolStatus]]:
    from .state import state_dir

    out = subprocess.run(["git", "-C", str(cwd), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    root = Path(out.stdout.strip()) if out.returncode == 0 else None
    home = Path.home()
    recorded = last_recorded(state_dir() / "hooks.log")
    result = []
    for name, (commands, folders) in KNOWN.items():
        homes = [home / f for f in folders] + ([config_home() / "opencode"] if name == "opencode" else [])
        present = any(shutil.which(c) for c in commands) or any(h.is_dir() for h in homes)
        if name == "git":
            project, user = (_git_hooked(root) if root else None), None
        else:
            project = _hooked(config_path(name, root, user=False), name) if root else None
            user = _hooked(config_path(name, home, user=True), name)
        flag = _flag_off(name, root) if present or project or user else None
        result.append(ToolStatus(name, present, project, user, flag, recorded.get(name)))
    return root, result


def as_json(root: Path | None, tools: list[ToolStatus]) -> dict[str, object]:
    return {"repository": str(root) if root else None, "tools": [asdict(t) for t in tools],
            "blind": [t.name for t in tools if t.blind()]}


def as_table(root: Path | None, tools: list[ToolStatus]) -> str:
    def yes(value: bool | None) -> str:
        return "-" if value is None else ("yes" if value else "no")

    rows = [("tool", "present", "repo hook", "user hook", "last recorded", "to turn on")]
    rows += [(t.name, yes(t.present), yes(t.projectHook), yes(t.userHook), t.lastRecorded or "never", t.flagOff or "")
             for t in tools]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"repository: {root or '(none: not inside a git repository)'}")
    for t in tools:
        if t.present and not (t.projectHook or t.userHook):
            lines.append(f"blind: {t.name} is here but not hooked: ailedger hooks install {t.name}" + (" --user" if not root else ""))
        elif t.present and t.flagOff:
            lines.append(f"blind: {t.name}'s hook will not run until you turn on {t.flagOff}")
    return "\n".join(lines)


__all__ = ["MARK", "ToolStatus", "as_json", "as_table", "last_recorded", "statuses", "vscode_hooks_on"]
